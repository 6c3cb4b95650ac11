// Who may call what: one declared rule per operation of the OpenAPI document,
// keyed by its operationId. The matrix test calls every operation as every
// role, as the owner of the resource and as a stranger of the same role, and
// compares with these rules; an operation without a rule fails it.
import Stripe from "stripe";
import { api, PASSWORD } from "../world.ts";
import { type Fixtures, freshMenuBits, freshStaff, liveMenuIds, type Role, type Who } from "./fixtures.ts";
import { freshEndpoint, pushSubscriptionBody } from "./notification-fixtures.ts";

/** allow: reaches the handler; unauthenticated: 401; forbidden: 403; hidden: 404 as for no such resource. */
export type Outcome = "allow" | "unauthenticated" | "forbidden" | "hidden";

export interface Call {
  /** A multipart body, built fresh for each send. */
  form?: () => FormData;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface AccessRule {
  call: (fx: Fixtures) => Call | Promise<Call>;
  expect: (who: Who, owner: boolean) => Outcome;
  /** 404 codes that are a legitimate answer to an allowed caller (e.g. "you have no job right now"). */
  allowedNotFound?: string[];
}

const open = (): AccessRule["expect"] => () => "allow";

const signedIn =
  (...roles: Role[]): AccessRule["expect"] =>
  (who) =>
    who === "anonymous" ? "unauthenticated" : roles.length === 0 || roles.includes(who) ? "allow" : "forbidden";

/**
 * `roles` may call; of those, `owners` only on their own resource: a stranger
 * of that role gets `stranger`. Admins act on everything.
 */
const owned =
  (roles: Role[], owners: Role[], stranger: "hidden" | "forbidden"): AccessRule["expect"] =>
  (who, owner) => {
    if (who === "anonymous") return "unauthenticated";
    if (!roles.includes(who)) return "forbidden";
    if (owners.includes(who) && !owner) return stranger;
    return "allow";
  };

const ALL: Role[] = ["customer", "restaurant_staff", "courier", "admin"];
/** A restaurant's own staff (others 403: restaurants are public, nothing to hide) and admins. */
const editors = owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden");
const ALWAYS_OPEN = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));
/** The smallest PNG there is: 1 × 1 px. */
const PNG_1PX = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const ONBOARDING_URLS = {
  returnUrl: "https://app.example/payouts/done",
  refreshUrl: "https://app.example/payouts/again",
};
const unique = () => crypto.randomUUID().slice(0, 8);

const restaurant = (fx: Fixtures) => ({ id: fx.world.restaurantId });
const order = (fx: Fixtures) => ({ id: fx.orderId });
const atRestaurant = (fx: Fixtures) => ({ ...fx.restaurantAt, accuracyM: 10 });

function courierStep(): AccessRule {
  return {
    call: (fx) => ({ params: order(fx), body: atRestaurant(fx) }),
    expect: owned(["courier"], ["courier"], "hidden"),
  };
}

function kitchen(body: unknown): AccessRule {
  return {
    call: (fx) => ({ params: order(fx), body }),
    expect: owned(["restaurant_staff"], ["restaurant_staff"], "hidden"),
  };
}

async function freshRefreshToken(fx: Fixtures): Promise<string> {
  const res = await api("/v1/auth/sign-in", {
    method: "POST",
    json: { email: fx.world.emails.courier, password: PASSWORD },
  });
  return ((await res.json()) as { refreshToken: string }).refreshToken;
}

/** A saved address of the fixtures' customer, new for each send (the owner's delete removes it). */
async function freshAddress(fx: Fixtures): Promise<string> {
  const res = await api("/v1/me/addresses", {
    method: "POST",
    token: fx.tokens.customer,
    json: { label: `Matrix ${unique()}`, line1: "Rua 1", city: "Lisboa", postcode: "1100-148", lat: 38.7, lng: -9.1 },
  });
  if (res.status !== 201) throw new Error(`fixture address: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** A promotion body with a code new for each send (codes are unique). */
function promotionBody(): Record<string, unknown> {
  return {
    code: `M${unique()
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 12)}`,
    kind: "fixed",
    amountMinor: 100,
    currency: "EUR",
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 86_400_000).toISOString(),
  };
}

/** A restaurant-funded promotion of the fixtures' restaurant, new for each send. */
async function freshPromotion(fx: Fixtures): Promise<string> {
  const res = await api(`/v1/restaurants/${fx.world.restaurantId}/promotions`, {
    method: "POST",
    token: fx.tokens.admin,
    json: promotionBody(),
  });
  if (res.status !== 201) throw new Error(`fixture promotion: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

async function signedIgnoredEvent(): Promise<Call> {
  const payload = JSON.stringify({
    id: `evt_${unique()}`,
    object: "event",
    type: "customer.created",
    data: { object: {} },
  });
  const signature = await new Stripe("sk_test_unused").webhooks.generateTestHeaderStringAsync({
    payload,
    secret: "whsec_platform_tests",
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return { rawBody: payload, headers: { "stripe-signature": signature } };
}

export const ACCESS_RULES: Record<string, AccessRule> = {
  // auth: open to anyone (a token, if sent, changes nothing)
  signUp: {
    call: () => ({ body: { email: `matrix-${unique()}@test.local`, password: "a long enough password", name: "M" } }),
    expect: open(),
  },
  signIn: {
    call: (fx) => ({ body: { email: fx.world.emails.customer, password: PASSWORD } }),
    expect: open(),
  },
  refreshSession: {
    call: async (fx) => ({ body: { refreshToken: await freshRefreshToken(fx) } }),
    expect: open(),
  },
  signOut: {
    call: () => ({ body: { refreshToken: `unknown-${crypto.randomUUID()}` } }),
    expect: open(),
  },
  getMe: { call: () => ({}), expect: signedIn(...ALL) },

  // one's own account: name and phone for everyone; addresses, export and deletion for customers
  updateMe: { call: () => ({ body: { phone: "+351 912 345 678" } }), expect: signedIn(...ALL) },
  exportMe: { call: () => ({}), expect: signedIn("customer") },
  // A wrong password: the customer reaches the handler (422) and nobody's account goes.
  deleteMe: { call: () => ({ body: { password: "not the password" } }), expect: signedIn("customer") },
  listMyAddresses: { call: () => ({}), expect: signedIn("customer") },
  createMyAddress: {
    call: () => ({
      body: { label: "Work", line1: "Rua 2", city: "Lisboa", postcode: "1100-148", lat: 38.71, lng: -9.13 },
    }),
    expect: signedIn("customer"),
  },
  updateMyAddress: {
    call: async (fx) => ({ params: { id: await freshAddress(fx) }, body: { label: `Renamed ${unique()}` } }),
    expect: owned(["customer"], ["customer"], "hidden"),
  },
  deleteMyAddress: {
    call: async (fx) => ({ params: { id: await freshAddress(fx) } }),
    expect: owned(["customer"], ["customer"], "hidden"),
  },

  // discovery and menus: public
  listRestaurants: {
    call: (fx) => ({ query: { lat: String(fx.restaurantAt.lat), lng: String(fx.restaurantAt.lng) } }),
    expect: open(),
  },
  getRestaurantMenu: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },
  getRestaurantRatings: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },
  listRestaurantReviews: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },
  // The restaurant's own staff answer its reviews (the fixtures' order has none: 404 to them); nobody else.
  replyToReview: {
    call: (fx) => ({ params: { ...restaurant(fx), orderId: fx.orderId }, body: { text: "Thank you!" } }),
    expect: owned(["restaurant_staff"], ["restaurant_staff"], "forbidden"),
    allowedNotFound: ["review_not_found"],
  },
  listReviewsForModeration: { call: () => ({}), expect: signedIn("admin") },
  moderateReview: {
    call: (fx) => ({ params: { orderId: fx.orderId }, body: { hidden: true, reason: "matrix" } }),
    expect: signedIn("admin"),
    allowedNotFound: ["review_not_found"],
  },

  // restaurant management: its staff (others 403: restaurants are public, nothing to hide) and admins
  updateRestaurant: {
    call: (fx) => ({ params: restaurant(fx), body: { description: `Edited ${unique()}` } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  updateMenuItem: {
    call: (fx) => ({
      params: { ...restaurant(fx), itemId: fx.world.itemId },
      body: { description: `Edited ${unique()}` },
    }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  updateMenuOption: {
    call: (fx) => ({ params: { ...restaurant(fx), optionId: fx.world.extraCheeseId }, body: { priceDeltaMinor: 150 } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  createMenuItem: {
    call: (fx) => ({
      params: restaurant(fx),
      body: { categoryId: fx.categoryId, name: `Matrix ${unique()}`, priceMinor: 500 },
    }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  listRestaurantOrders: {
    call: (fx) => ({ params: restaurant(fx) }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  getRestaurantReport: {
    call: (fx) => ({ params: restaurant(fx), query: { from: "2026-07-01", to: "2026-07-31" } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  exportRestaurantReport: {
    call: (fx) => ({ params: restaurant(fx), query: { from: "2026-07-01", to: "2026-07-31", table: "items" } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  getRestaurantBoard: {
    call: (fx) => ({ params: restaurant(fx) }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  watchRestaurantBoard: {
    call: (fx) => ({ params: restaurant(fx) }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },

  // orders: parties see and act on their own; to anyone else an order does not exist (404)
  placeOrder: {
    call: (fx) => ({ headers: { "idempotency-key": `matrix-${crypto.randomUUID()}` }, body: fx.placeBody() }),
    expect: signedIn("customer"),
  },
  quoteOrder: { call: (fx) => ({ body: fx.placeBody() }), expect: signedIn("customer") },
  // The fixtures' order is not delivered yet: its customer is refused for the state (409), a stranger sees no order.
  rateOrder: {
    call: (fx) => ({ params: order(fx), body: { restaurant: { stars: 5 } } }),
    expect: owned(["customer"], ["customer"], "hidden"),
  },
  getOrderRating: {
    call: (fx) => ({ params: order(fx) }),
    expect: owned(["customer"], ["customer"], "hidden"),
    allowedNotFound: ["rating_not_found"],
  },
  getOrder: {
    call: (fx) => ({ params: order(fx) }),
    expect: owned(ALL, ["customer", "restaurant_staff", "courier"], "hidden"),
  },
  watchOrder: {
    call: (fx) => ({ params: order(fx) }),
    expect: owned(ALL, ["customer", "restaurant_staff", "courier"], "hidden"),
  },
  checkoutOrder: {
    call: (fx) => ({ params: { id: fx.unpaidOrderId } }),
    expect: owned(["customer"], ["customer"], "hidden"),
  },
  acceptOrder: kitchen({ prepTimeMinutes: 12 }),
  rejectOrder: kitchen({ reason: "matrix" }),
  startPreparingOrder: kitchen({}),
  adjustOrderPrepTime: kitchen({ prepTimeMinutes: 14 }),
  markOrderReady: kitchen({}),
  cancelOrder: {
    // On the unpaid order: a customer may cancel it, so "allow" is a 200, not only a 409.
    call: (fx) => ({ params: { id: fx.unpaidOrderId }, body: { reason: "matrix" } }),
    expect: owned(["customer", "restaurant_staff", "admin"], ["customer", "restaurant_staff"], "hidden"),
  },
  refundOrder: {
    call: (fx) => ({ params: order(fx), body: { amountMinor: 1, reason: "matrix" } }),
    expect: signedIn("admin"),
  },
  reportOrderProblem: {
    call: (fx) => ({ params: order(fx), body: { problem: "other", note: "matrix" } }),
    // Another customer learns nothing about the order; nobody but customers reports problems.
    expect: owned(["customer"], ["customer"], "hidden"),
  },
  uploadProblemPhoto: {
    // Ownership is checked before the body is read: the owner is told it is not an image (422).
    call: (fx) => ({ params: order(fx), rawBody: "not a photo", headers: { "content-type": "image/png" } }),
    expect: owned(["customer"], ["customer"], "hidden"),
  },
  getProblemPhoto: {
    call: (fx) => ({ params: { ...order(fx), name: `${"0".repeat(64)}.png` } }),
    expect: signedIn("admin"),
    allowedNotFound: ["photo_not_found"],
  },
  listMyOrders: { call: () => ({}), expect: signedIn("customer") },

  // couriers
  connectCourier: {
    call: (fx) => ({ query: { lat: String(fx.restaurantAt.lat), lng: String(fx.restaurantAt.lng) } }),
    expect: signedIn("courier"),
  },
  getCourierJob: { call: () => ({}), expect: signedIn("courier"), allowedNotFound: ["no_current_job"] },
  confirmArrivedAtPickup: courierStep(),
  confirmPickedUp: courierStep(),
  confirmArrivedAtDropoff: courierStep(),
  confirmDelivered: courierStep(),
  getCourierJobByOrder: { call: (fx) => ({ params: order(fx) }), expect: owned(["courier"], ["courier"], "hidden") },
  startCustomerWait: {
    call: (fx) => ({ params: order(fx), body: {} }),
    expect: owned(["courier"], ["courier"], "hidden"),
  },
  uploadFailedDeliveryPhoto: {
    // Ownership and the step are checked before the body is read: the owner is told it is not at the door yet (409).
    call: (fx) => ({ params: order(fx), rawBody: "not a photo", headers: { "content-type": "image/jpeg" } }),
    expect: owned(["courier"], ["courier"], "hidden"),
  },
  failDelivery: {
    call: (fx) => ({ params: order(fx), body: { reason: "customer_unreachable" } }),
    expect: owned(["courier"], ["courier"], "hidden"),
  },
  getCourierEarnings: {
    call: () => ({ query: { from: new Date(Date.now() - 86_400_000).toISOString() } }),
    expect: signedIn("courier"),
  },
  getOrderCourierTrail: { call: (fx) => ({ params: order(fx) }), expect: signedIn("admin") },
  // Runs after every other courier operation (routes are registered in that order): it releases the order.
  handBackCourierJob: {
    call: (fx) => ({ params: order(fx), body: { reason: "other", note: "matrix" } }),
    expect: owned(["courier"], ["courier"], "hidden"),
  },

  // payments: authorised by Stripe's signature, not by a role
  receiveStripeWebhook: { call: () => signedIgnoredEvent(), expect: open() },

  // payouts: a restaurant's editors or the courier for themselves open a Connect account; admins run payouts
  openRestaurantPayoutAccount: {
    call: (fx) => ({ params: restaurant(fx), body: ONBOARDING_URLS }),
    expect: editors,
  },
  openCourierPayoutAccount: { call: () => ({ body: ONBOARDING_URLS }), expect: signedIn("courier") },
  runPayouts: { call: () => ({ body: { period: "2000-01-01" } }), expect: signedIn("admin") },
  getRestaurantStatement: { call: (fx) => ({ params: restaurant(fx) }), expect: editors },
  getCourierStatement: { call: () => ({}), expect: signedIn("courier") },
  getReconciliation: { call: () => ({}), expect: signedIn("admin") },

  getRestaurantMonthlyStatement: {
    call: (fx) => ({ params: { ...restaurant(fx), month: "2026-11" } }),
    expect: editors,
  },
  getCourierMonthlyStatement: { call: () => ({ params: { month: "2026-11" } }), expect: signedIn("courier") },
  listReconciliationRuns: { call: () => ({}), expect: signedIn("admin") },

  // promotions: a restaurant's editors for its own restaurant-funded codes; admins for every code
  listRestaurantPromotions: { call: (fx) => ({ params: restaurant(fx) }), expect: editors },
  createRestaurantPromotion: { call: (fx) => ({ params: restaurant(fx), body: promotionBody() }), expect: editors },
  disableRestaurantPromotion: {
    call: async (fx) => ({ params: { ...restaurant(fx), promotionId: await freshPromotion(fx) } }),
    expect: editors,
  },
  listPromotions: { call: () => ({}), expect: signedIn("admin") },
  createPromotion: { call: () => ({ body: promotionBody() }), expect: signedIn("admin") },
  disablePromotion: {
    call: async (fx) => ({ params: { promotionId: await freshPromotion(fx) } }),
    expect: signedIn("admin"),
  },

  // opening hours, pause, kitchen, stock and slots: public to read, the restaurant's editors to change
  getRestaurantHours: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },
  setRestaurantHours: { call: (fx) => ({ params: restaurant(fx), body: { weekly: ALWAYS_OPEN } }), expect: editors },
  pauseRestaurant: {
    call: (fx) => ({ params: restaurant(fx), body: { minutes: 5, reason: "matrix" } }),
    expect: editors,
  },
  resumeRestaurant: { call: (fx) => ({ params: restaurant(fx) }), expect: editors },
  getKitchenState: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },
  setKitchenCapacity: {
    call: (fx) => ({
      params: restaurant(fx),
      body: { maxActiveOrders: null, maxOrdersPer15Min: null, whenFull: "quote_longer" },
    }),
    expect: editors,
  },
  setKitchenBusy: { call: (fx) => ({ params: restaurant(fx), body: { minutes: 5 } }), expect: editors },
  clearKitchenBusy: { call: (fx) => ({ params: restaurant(fx) }), expect: editors },
  getStock: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },
  setStock: {
    call: (fx) => ({ params: restaurant(fx), body: { items: [{ itemId: fx.world.itemId, remaining: null }] } }),
    expect: editors,
  },
  listDeliverySlots: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },
  setDeliverySlots: { call: (fx) => ({ params: restaurant(fx), body: { settings: null } }), expect: editors },

  // the menu editor: the restaurant's editors; deletions each get a throwaway category, item, group and option
  getManagedMenu: { call: (fx) => ({ params: restaurant(fx) }), expect: editors },
  createMenuCategory: {
    call: (fx) => ({ params: restaurant(fx), body: { name: `Matrix ${unique()}` } }),
    expect: editors,
  },
  renameMenuCategory: {
    call: async (fx) => ({
      params: { ...restaurant(fx), categoryId: (await freshMenuBits(fx)).categoryId },
      body: { name: `Renamed ${unique()}` },
    }),
    expect: editors,
  },
  deleteMenuCategory: {
    call: async (fx) => ({ params: { ...restaurant(fx), categoryId: (await freshMenuBits(fx)).categoryId } }),
    expect: editors,
  },
  reorderMenuCategories: {
    call: async (fx) => ({ params: restaurant(fx), body: { categoryIds: await liveMenuIds(fx) } }),
    expect: editors,
  },
  reorderMenuItems: {
    call: async (fx) => ({
      params: { ...restaurant(fx), categoryId: fx.categoryId },
      body: { itemIds: await liveMenuIds(fx, fx.categoryId) },
    }),
    expect: editors,
  },
  deleteMenuItem: {
    call: async (fx) => ({ params: { ...restaurant(fx), itemId: (await freshMenuBits(fx)).itemId } }),
    expect: editors,
  },
  createModifierGroup: {
    call: async (fx) => ({
      params: { ...restaurant(fx), itemId: (await freshMenuBits(fx)).itemId },
      body: { name: `Size ${unique()}`, options: [{ name: "Small" }, { name: "Large", priceDeltaMinor: 200 }] },
    }),
    expect: editors,
  },
  updateModifierGroup: {
    call: async (fx) => ({
      params: { ...restaurant(fx), groupId: (await freshMenuBits(fx)).groupId },
      body: { name: `Dip ${unique()}` },
    }),
    expect: editors,
  },
  deleteModifierGroup: {
    call: async (fx) => ({ params: { ...restaurant(fx), groupId: (await freshMenuBits(fx)).groupId } }),
    expect: editors,
  },
  createModifierOption: {
    call: async (fx) => ({
      params: { ...restaurant(fx), groupId: (await freshMenuBits(fx)).groupId },
      body: { name: `Pink ${unique()}` },
    }),
    expect: editors,
  },
  deleteModifierOption: {
    call: async (fx) => ({ params: { ...restaurant(fx), optionId: (await freshMenuBits(fx)).optionId } }),
    expect: editors,
  },
  uploadMenuItemPhoto: {
    call: async (fx) => ({
      params: { ...restaurant(fx), itemId: (await freshMenuBits(fx)).itemId },
      form: () => {
        const form = new FormData();
        form.append("w160", new File([PNG_1PX], "photo.png", { type: "image/png" }));
        return form;
      },
    }),
    expect: editors,
  },
  deleteMenuItemPhoto: {
    call: async (fx) => ({ params: { ...restaurant(fx), itemId: (await freshMenuBits(fx)).itemId } }),
    expect: editors,
    allowedNotFound: ["photo_not_found"],
  },
  getMenuPhoto: {
    call: (fx) => ({ params: { restaurantId: fx.world.restaurantId, photoId: "0".repeat(64) } }),
    expect: open(),
    allowedNotFound: ["photo_not_found"],
  },

  // invitations: the link's token is the authority, not a role (a made-up one is simply not found)
  lookupInvitation: {
    call: () => ({ body: { token: `matrix-${crypto.randomUUID()}` } }),
    expect: open(),
    allowedNotFound: ["invitation_not_found"],
  },
  acceptInvitation: {
    call: () => ({ body: { token: `matrix-${crypto.randomUUID()}`, password: "a long enough password" } }),
    expect: open(),
    allowedNotFound: ["invitation_not_found"],
  },

  // back office: operators only
  listAccounts: { call: () => ({}), expect: signedIn("admin") },
  createAdmin: {
    call: () => ({ body: { email: `admin-${unique()}@test.local`, name: "Matrix Admin" } }),
    expect: signedIn("admin"),
  },
  reissueInvitation: { call: (fx) => ({ params: { id: fx.ids.otherCourier } }), expect: signedIn("admin") },
  listManagedRestaurants: { call: () => ({}), expect: signedIn("admin") },
  createRestaurant: {
    call: (fx) => ({
      body: {
        name: `Matrix Kitchen ${unique()}`,
        address: "Rua Augusta 2, Lisboa",
        lat: fx.restaurantAt.lat,
        lng: fx.restaurantAt.lng,
        timeZone: "Europe/Lisbon",
        currency: "EUR",
        active: false,
      },
    }),
    expect: signedIn("admin"),
  },
  getManagedRestaurant: { call: (fx) => ({ params: { id: fx.world.otherRestaurantId } }), expect: signedIn("admin") },
  updateManagedRestaurant: {
    call: (fx) => ({ params: { id: fx.world.otherRestaurantId }, body: { description: `Managed ${unique()}` } }),
    expect: signedIn("admin"),
  },
  inviteRestaurantStaff: {
    call: (fx) => ({
      params: { id: fx.world.otherRestaurantId },
      body: { email: `invited-${unique()}@test.local`, name: "Ines Invited" },
    }),
    expect: signedIn("admin"),
  },
  removeRestaurantStaff: {
    call: async (fx) => ({ params: { id: fx.world.otherRestaurantId, userId: await freshStaff(fx) } }),
    expect: signedIn("admin"),
  },
  listManagedCouriers: { call: () => ({}), expect: signedIn("admin") },
  registerCourier: {
    call: () => ({
      body: {
        email: `courier-${unique()}@test.local`,
        name: "Rui Rider",
        phone: "+351 910 000 000",
        vehicle: "bicycle",
      },
    }),
    expect: signedIn("admin"),
  },
  getManagedCourier: { call: (fx) => ({ params: { id: fx.ids.otherCourier } }), expect: signedIn("admin") },
  updateManagedCourier: {
    call: (fx) => ({ params: { id: fx.ids.otherCourier }, body: { phone: "+351 910 000 001" } }),
    expect: signedIn("admin"),
  },
  listOrderExceptions: { call: () => ({}), expect: signedIn("admin") },
  offerOrderToCourier: {
    call: (fx) => ({ params: { id: fx.operatorOrderId }, body: { courierId: fx.ids.otherCourier, reason: "matrix" } }),
    expect: signedIn("admin"),
  },
  assignOrderToCourier: {
    call: (fx) => ({ params: { id: fx.operatorOrderId }, body: { courierId: fx.ids.otherCourier, reason: "matrix" } }),
    expect: signedIn("admin"),
  },
  redispatchOrder: {
    call: (fx) => ({ params: { id: fx.operatorOrderId }, body: { reason: "matrix" } }),
    expect: signedIn("admin"),
  },
  cancelOrderWithRefund: {
    call: (fx) => ({ params: { id: fx.operatorOrderId }, body: { reason: "matrix", refundMinor: 0 } }),
    expect: signedIn("admin"),
  },
  resolveOrderExceptions: {
    call: (fx) => ({ params: { id: fx.operatorOrderId }, body: { note: "matrix" } }),
    expect: signedIn("admin"),
  },
  addOrderNote: {
    call: (fx) => ({ params: { id: fx.operatorOrderId }, body: { note: "matrix" } }),
    expect: signedIn("admin"),
  },
  listLiveMapRegions: { call: () => ({}), expect: signedIn("admin") },
  getLiveMapRegion: { call: (fx) => ({ params: { region: fx.cell.slice(0, 3) } }), expect: signedIn("admin") },
  watchLiveMapRegion: { call: (fx) => ({ params: { region: fx.cell.slice(0, 3) } }), expect: signedIn("admin") },
  listAuditEntries: { call: () => ({}), expect: signedIn("admin") },
  getOperatorOverview: { call: () => ({}), expect: signedIn("admin") },
  getHealthMetrics: { call: () => ({ query: { window: "15m" } }), expect: signedIn("admin") },

  // health: public liveness; the projection's lag is for operators
  getHealth: { call: () => ({}), expect: open() },
  getProjectionStatus: { call: () => ({}), expect: signedIn("admin") },

  // operators
  rebuildDiscoveryIndex: { call: () => ({}), expect: signedIn("admin") },
  listDeadLetters: { call: () => ({}), expect: signedIn("admin") },
  replayDeadLetter: {
    call: (fx) => ({ params: { id: String(fx.deadLetterId) } }),
    expect: signedIn("admin"),
  },
  listZones: { call: () => ({}), expect: signedIn("admin") },
  createZone: {
    call: (fx) => ({
      body: {
        name: `Matrix zone ${unique()}`,
        polygon: {
          type: "Polygon",
          coordinates: [
            [
              [fx.restaurantAt.lng + 1, fx.restaurantAt.lat + 1],
              [fx.restaurantAt.lng + 1.01, fx.restaurantAt.lat + 1],
              [fx.restaurantAt.lng + 1.01, fx.restaurantAt.lat + 1.01],
              [fx.restaurantAt.lng + 1, fx.restaurantAt.lat + 1],
            ],
          ],
        },
        currency: "EUR",
        baseDeliveryFeeMinor: 100,
        perKmFeeMinor: 10,
        serviceFeeBps: 100,
        taxBps: 100,
        active: false,
      },
    }),
    expect: signedIn("admin"),
  },
  updateZone: {
    // The console's tax-and-fees screen sends these four fields (decision 0052's addendum): only admins may.
    call: (fx) => ({
      params: { id: fx.zoneId },
      body: { taxBps: 1300, taxIncluded: false, smallOrderMinimumMinor: 0, smallOrderFeeMinor: 0 },
    }),
    expect: signedIn("admin"),
  },
  listSurge: { call: () => ({}), expect: signedIn("admin") },
  setSurgePolicy: {
    call: (fx) => ({
      params: { id: fx.zoneId },
      body: { enabled: false, startRatio: 1.5, fullRatio: 4, capBps: 15_000, halfLifeSeconds: 120 },
    }),
    expect: signedIn("admin"),
  },
  findNearestCouriers: {
    call: (fx) => ({ query: { lat: String(fx.restaurantAt.lat), lng: String(fx.restaurantAt.lng) } }),
    expect: signedIn("admin"),
  },
  getDispatchCell: { call: (fx) => ({ params: { cell: fx.cell } }), expect: signedIn("admin") },
  deactivateUser: {
    call: (fx) => ({ params: { id: fx.ids.spare } }),
    expect: signedIn("admin"),
  },
  reactivateUser: {
    call: (fx) => ({ params: { id: fx.ids.spare } }),
    expect: signedIn("admin"),
  },

  // notifications: each user's own preferences, log and push subscriptions (someone else's: 404)
  getNotificationPreferences: { call: () => ({}), expect: signedIn(...ALL) },
  updateNotificationPreferences: { call: () => ({ body: { language: "en" } }), expect: signedIn(...ALL) },
  listMyNotifications: { call: () => ({}), expect: signedIn(...ALL) },
  registerPushSubscription: { call: () => ({ body: pushSubscriptionBody() }), expect: signedIn(...ALL) },
  deletePushSubscription: {
    call: () => ({ params: { id: crypto.randomUUID() } }),
    expect: signedIn(...ALL),
    allowedNotFound: ["push_subscription_not_found"],
  },
  getVapidPublicKey: { call: () => ({}), expect: open() },

  // partner webhooks: a restaurant's staff for their restaurant (another's endpoint: 404), operators for all
  createWebhookEndpoint: {
    call: (fx) => ({
      body: { url: "https://pos.example.com/hooks", eventTypes: ["order.paid"], restaurantId: fx.world.restaurantId },
    }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  listWebhookEndpoints: { call: () => ({}), expect: signedIn("restaurant_staff", "admin") },
  updateWebhookEndpoint: {
    call: async (fx) => ({ params: { id: (await freshEndpoint(fx)).id }, body: { description: "matrix" } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "hidden"),
  },
  deleteWebhookEndpoint: {
    call: async (fx) => ({ params: { id: (await freshEndpoint(fx)).id } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "hidden"),
  },
  rotateWebhookSecret: {
    call: async (fx) => ({ params: { id: (await freshEndpoint(fx)).id } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "hidden"),
  },
  listWebhookDeliveries: {
    call: async (fx) => ({ params: { id: (await freshEndpoint(fx)).id } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "hidden"),
  },
  replayWebhookDelivery: {
    call: async (fx) => {
      const endpoint = await freshEndpoint(fx);
      return { params: { id: endpoint.id, deliveryId: endpoint.deliveryId } };
    },
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "hidden"),
  },
  replayWebhookRange: {
    call: async (fx) => ({
      params: { id: (await freshEndpoint(fx)).id },
      body: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() },
    }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "hidden"),
  },

  // invitation links: the token is the credential (no such token: 404)

  // back office: operators only

  // exceptions: operators act on any order through its state machine (refusals are 409s)

  // the live map, the audit log and the overview
};
