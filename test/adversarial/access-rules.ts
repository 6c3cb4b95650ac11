// Who may call what: one declared rule per operation of the OpenAPI document,
// keyed by "METHOD /path" (routes have no operationId yet on this branch; the
// key is stable either way). The matrix test calls every operation as every
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
  "POST /v1/auth/sign-up": {
    call: () => ({ body: { email: `matrix-${unique()}@test.local`, password: "a long enough password", name: "M" } }),
    expect: open(),
  },
  "POST /v1/auth/sign-in": {
    call: (fx) => ({ body: { email: fx.world.emails.customer, password: PASSWORD } }),
    expect: open(),
  },
  "POST /v1/auth/refresh": {
    call: async (fx) => ({ body: { refreshToken: await freshRefreshToken(fx) } }),
    expect: open(),
  },
  "POST /v1/auth/sign-out": {
    call: () => ({ body: { refreshToken: `unknown-${crypto.randomUUID()}` } }),
    expect: open(),
  },
  "GET /v1/me": { call: () => ({}), expect: signedIn(...ALL) },

  // discovery and menus: public
  "GET /v1/restaurants": {
    call: (fx) => ({ query: { lat: String(fx.restaurantAt.lat), lng: String(fx.restaurantAt.lng) } }),
    expect: open(),
  },
  "GET /v1/restaurants/{id}/menu": { call: (fx) => ({ params: restaurant(fx) }), expect: open() },

  // restaurant management: its staff (others 403: restaurants are public, nothing to hide) and admins
  "PATCH /v1/restaurants/{id}": {
    call: (fx) => ({ params: restaurant(fx), body: { description: `Edited ${unique()}` } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  "PATCH /v1/restaurants/{id}/menu/items/{itemId}": {
    call: (fx) => ({
      params: { ...restaurant(fx), itemId: fx.world.itemId },
      body: { description: `Edited ${unique()}` },
    }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  "PATCH /v1/restaurants/{id}/menu/options/{optionId}": {
    call: (fx) => ({ params: { ...restaurant(fx), optionId: fx.world.extraCheeseId }, body: { priceDeltaMinor: 150 } }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  "POST /v1/restaurants/{id}/menu/items": {
    call: (fx) => ({
      params: restaurant(fx),
      body: { categoryId: fx.categoryId, name: `Matrix ${unique()}`, priceMinor: 500 },
    }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  "GET /v1/restaurants/{id}/orders": {
    call: (fx) => ({ params: restaurant(fx) }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  "GET /v1/restaurants/{id}/board": {
    call: (fx) => ({ params: restaurant(fx) }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },
  "GET /v1/restaurants/{id}/board/live": {
    call: (fx) => ({ params: restaurant(fx) }),
    expect: owned(["restaurant_staff", "admin"], ["restaurant_staff"], "forbidden"),
  },

  // orders: parties see and act on their own; to anyone else an order does not exist (404)
  "POST /v1/orders": {
    call: (fx) => ({ headers: { "idempotency-key": `matrix-${crypto.randomUUID()}` }, body: fx.placeBody() }),
    expect: signedIn("customer"),
  },
  "GET /v1/orders/{id}": {
    call: (fx) => ({ params: order(fx) }),
    expect: owned(ALL, ["customer", "restaurant_staff", "courier"], "hidden"),
  },
  "GET /v1/orders/{id}/live": {
    call: (fx) => ({ params: order(fx) }),
    expect: owned(ALL, ["customer", "restaurant_staff", "courier"], "hidden"),
  },
  "POST /v1/orders/{id}/checkout": {
    call: (fx) => ({ params: { id: fx.unpaidOrderId } }),
    expect: owned(["customer"], ["customer"], "hidden"),
  },
  "POST /v1/orders/{id}/accept": kitchen({ prepTimeMinutes: 12 }),
  "POST /v1/orders/{id}/reject": kitchen({ reason: "matrix" }),
  "POST /v1/orders/{id}/preparing": kitchen({}),
  "POST /v1/orders/{id}/prep-time": kitchen({ prepTimeMinutes: 14 }),
  "POST /v1/orders/{id}/ready": kitchen({}),
  "POST /v1/orders/{id}/cancel": {
    // On the unpaid order: a customer may cancel it, so "allow" is a 200, not only a 409.
    call: (fx) => ({ params: { id: fx.unpaidOrderId }, body: { reason: "matrix" } }),
    expect: owned(["customer", "restaurant_staff", "admin"], ["customer", "restaurant_staff"], "hidden"),
  },
  "POST /v1/orders/{id}/refunds": {
    call: (fx) => ({ params: order(fx), body: { amountMinor: 1, reason: "matrix" } }),
    expect: signedIn("admin"),
  },
  "GET /v1/me/orders": { call: () => ({}), expect: signedIn("customer") },

  // couriers
  "GET /v1/couriers/live": {
    call: (fx) => ({ query: { lat: String(fx.restaurantAt.lat), lng: String(fx.restaurantAt.lng) } }),
    expect: signedIn("courier"),
  },
  "GET /v1/couriers/me/job": { call: () => ({}), expect: signedIn("courier"), allowedNotFound: ["no_current_job"] },
  "POST /v1/couriers/me/orders/{id}/arrived-at-pickup": courierStep(),
  "POST /v1/couriers/me/orders/{id}/picked-up": courierStep(),
  "POST /v1/couriers/me/orders/{id}/arrived-at-dropoff": courierStep(),
  "POST /v1/couriers/me/orders/{id}/delivered": courierStep(),

  // payments: authorised by Stripe's signature, not by a role
  "POST /v1/webhooks/stripe": { call: () => signedIgnoredEvent(), expect: open() },

  // operators
  "POST /v1/admin/discovery/rebuild": { call: () => ({}), expect: signedIn("admin") },
  "GET /v1/admin/dead-letters": { call: () => ({}), expect: signedIn("admin") },
  "POST /v1/admin/dead-letters/{id}/replay": {
    call: (fx) => ({ params: { id: String(fx.deadLetterId) } }),
    expect: signedIn("admin"),
  },
  "GET /v1/admin/zones": { call: () => ({}), expect: signedIn("admin") },
  "POST /v1/admin/zones": {
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
  "PATCH /v1/admin/zones/{id}": {
    call: (fx) => ({ params: { id: fx.zoneId }, body: { taxBps: 1300 } }),
    expect: signedIn("admin"),
  },
  "GET /v1/admin/nearest-couriers": {
    call: (fx) => ({ query: { lat: String(fx.restaurantAt.lat), lng: String(fx.restaurantAt.lng) } }),
    expect: signedIn("admin"),
  },
  "GET /v1/admin/cells/{cell}": { call: (fx) => ({ params: { cell: fx.cell } }), expect: signedIn("admin") },
  "POST /v1/admin/users/{id}/deactivate": {
    call: (fx) => ({ params: { id: fx.ids.spare } }),
    expect: signedIn("admin"),
  },
  "POST /v1/admin/users/{id}/reactivate": {
    call: (fx) => ({ params: { id: fx.ids.spare } }),
    expect: signedIn("admin"),
  },
};
