// Who may call what: one declared rule per operation of the OpenAPI document,
// keyed by its operationId. The matrix test calls every operation as every
// role, as the owner of the resource and as a stranger of the same role, and
// compares with these rules; an operation without a rule fails it.
import Stripe from "stripe";
import { api, PASSWORD } from "../world.ts";
import type { Fixtures, Role, Who } from "./fixtures.ts";

/** allow: reaches the handler; unauthenticated: 401; forbidden: 403; hidden: 404 as for no such resource. */
export type Outcome = "allow" | "unauthenticated" | "forbidden" | "hidden";

export interface Call {
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

  // discovery and menus: public
  listRestaurants: {
    call: (fx) => ({ query: { lat: String(fx.restaurantAt.lat), lng: String(fx.restaurantAt.lng) } }),
    expect: open(),
  },
  getRestaurantMenu: { call: (fx) => ({ params: restaurant(fx) }), expect: open() },

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
    call: (fx) => ({ params: { id: fx.zoneId }, body: { taxBps: 1300 } }),
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
};
