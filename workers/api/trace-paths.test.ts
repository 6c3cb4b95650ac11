// Decision 0054 carries decision 0049's trace beyond placement and order
// commands: the Stripe webhook's trace reaches the order.paid queue message
// and the projection's line; the kitchen's accept starts the courier search,
// whose offers and the courier's answer (Zone DO → Order DO) carry that trace;
// a courier's delivery step carries its own request's trace. The data points
// of the health metrics are written on the way (placement, dispatch time,
// projection lag) and read back through the admin endpoint.
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { openDb } from "../../db/client.ts";
import { couriers, deliveryAreas, restaurants, users } from "../../db/schema.ts";
import { hashPassword } from "../../domain/auth/password.ts";
import { destinationPoint, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import type { DataPoint } from "../../domain/metrics/health-metrics.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { parseTraceparent } from "../../domain/trace/traceparent.ts";
import { courierSocket, goOnline } from "../../durable-objects/zone/zone-test-kit.ts";
import { eventsFor, testStripe } from "../../test/stripe.ts";
import { api, createWorld, eventually, PASSWORD, signIn, testEnv, type World } from "../../test/world.ts";

let world: World;
let customer: string;
let staff: string;
let admin: string;
let restaurant: LatLng;

interface LogRecord {
  event: string;
  traceId?: string;
  orderId?: string;
  type?: string;
}

let logs: LogRecord[];
let queued: OrderEventMessage[];
let points: DataPoint[];

const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
const newTrace = () => {
  const traceId = randomHex(16);
  return { traceId, header: `00-${traceId}-${randomHex(8)}-01` };
};

beforeAll(async () => {
  world = await createWorld();
  // The restaurant on its own random patch of the map, so no other test's couriers are offered its orders.
  const anchor = { lat: 40 + Math.random() * 4, lng: -4 + Math.random() * 8 };
  const bounds = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
  restaurant = { lat: (bounds.minLat + bounds.maxLat) / 2, lng: (bounds.minLng + bounds.maxLng) / 2 };
  const dropoff = destinationPoint(restaurant, 90, 900);
  world.address = { ...world.address, lat: dropoff.lat, lng: dropoff.lng };
  const { db, close } = openDb(testEnv);
  try {
    await db.update(restaurants).set(restaurant).where(eq(restaurants.id, world.restaurantId));
    const [w, e, s, n] = [restaurant.lng - 0.2, restaurant.lng + 0.2, restaurant.lat - 0.2, restaurant.lat + 0.2];
    await db.insert(deliveryAreas).values({
      name: `Trace paths zone ${crypto.randomUUID().slice(0, 8)}`,
      polygon: {
        type: "Polygon",
        coordinates: [
          [
            [w, s],
            [e, s],
            [e, n],
            [w, n],
            [w, s],
          ],
        ],
      },
      currency: "EUR",
      baseDeliveryFeeMinor: 199,
      perKmFeeMinor: 50,
      serviceFeeBps: 500,
      taxBps: 1300,
    });
  } finally {
    await close();
  }
  customer = await signIn(world.emails.customer);
  staff = await signIn(world.emails.staff);
  admin = await signIn(world.emails.admin);
});

beforeEach(() => {
  logs = [];
  queued = [];
  points = [];
  const capture = (line: unknown) => {
    try {
      logs.push(JSON.parse(String(line)) as LogRecord);
    } catch {
      // Not one of ours.
    }
  };
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(capture);
  const queueProto = Object.getPrototypeOf(testEnv.EVENTS) as Queue<unknown>;
  const send = queueProto.sendBatch;
  vi.spyOn(queueProto, "sendBatch").mockImplementation(function (
    this: Queue<unknown>,
    messages: Iterable<MessageSendRequest<unknown>>,
    options?: QueueSendBatchOptions,
  ) {
    const list = [...messages];
    for (const m of list) {
      const body = m.body as Partial<OrderEventMessage>;
      if (body.kind === "order_event") queued.push(body as OrderEventMessage);
    }
    return send.call(this, list, options);
  });
  const metricsProto = Object.getPrototypeOf(testEnv.METRICS) as AnalyticsEngineDataset;
  const write = metricsProto.writeDataPoint;
  vi.spyOn(metricsProto, "writeDataPoint").mockImplementation(function (
    this: AnalyticsEngineDataset,
    point?: AnalyticsEngineDataPoint,
  ) {
    if (point) points.push(point as DataPoint);
    return write.call(this, point);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function placeOrder(): Promise<string> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `trace-paths-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Pays as test/stripe.ts payOrder does, but delivers the webhook under the given trace. */
async function payUnderTrace(orderId: string, traceparent: string): Promise<void> {
  const checkout = await api(`/v1/orders/${orderId}/checkout`, { method: "POST", token: customer });
  expect(checkout.status).toBe(200);
  const { paymentIntentId } = (await checkout.json()) as { paymentIntentId: string };
  await testStripe().paymentIntents.confirm(paymentIntentId, { payment_method: "pm_card_visa" });
  const [payload] = await eventsFor(paymentIntentId, "payment_intent.succeeded");
  if (!payload) throw new Error("no payment_intent.succeeded event");
  const signature = await testStripe().webhooks.generateTestHeaderStringAsync({
    payload,
    secret: testEnv.STRIPE_WEBHOOK_SECRET ?? "",
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  const res = await api("/v1/webhooks/stripe", {
    method: "POST",
    body: payload,
    headers: { "stripe-signature": signature, "content-type": "application/json", traceparent },
  });
  expect(res.status).toBe(200);
}

async function createCourier(): Promise<{ id: string; token: string }> {
  const { db, close } = openDb(testEnv);
  try {
    const [row] = await db
      .insert(users)
      .values({
        email: `trace-courier-${crypto.randomUUID().slice(0, 8)}@test.local`,
        name: "Trace Courier",
        role: "courier",
        passwordHash: await hashPassword(PASSWORD, 1000),
      })
      .returning({ id: users.id, email: users.email });
    if (!row) throw new Error("no courier");
    await db.insert(couriers).values({ userId: row.id, vehicle: "bicycle", phone: "+351900000001" });
    return { id: row.id, token: await signIn(row.email) };
  } finally {
    await close();
  }
}

const traceOf = (orderId: string, type: string) => {
  const m = queued.find((q) => q.event.orderId === orderId && q.event.type === type);
  return m?.traceparent ? parseTraceparent(m.traceparent)?.traceId : undefined;
};
const projected = (orderId: string, type: string) =>
  eventually(async () =>
    logs.find((l) => l.event === "queue.order_event_projected" && l.orderId === orderId && l.type === type),
  );

describe("trace context beyond placement", () => {
  it("carries the Stripe webhook's trace to order.paid, its queue message, the projection's line and the notifications sent", async () => {
    const orderId = await placeOrder();
    const trace = newTrace();
    await payUnderTrace(orderId, trace.header);
    expect(traceOf(orderId, "order.paid")).toBe(trace.traceId);
    expect((await projected(orderId, "order.paid")).traceId).toBe(trace.traceId);
    // The fan-out sends the kitchen its new order under the same trace.
    const sent = await eventually(async () =>
      logs.find((l) => l.event === "notifications.sent" && l.traceId === trace.traceId),
    );
    expect(sent).toBeDefined();
    // Placing wrote a placement data point, and projecting wrote projection lag.
    expect(points.some((p) => p.blobs[0] === "placement" && p.blobs[1] === world.restaurantId)).toBe(true);
    await eventually(async () => points.find((p) => p.blobs[0] === "projection_lag"));
  });

  it("carries the kitchen's trace through the zone's offer and the courier's answer, and a courier step's own", async () => {
    const courier = await createCourier();
    const res = await api(`/v1/couriers/live?lat=${restaurant.lat}&lng=${restaurant.lng}`, {
      token: courier.token,
      headers: { upgrade: "websocket" },
    });
    const socket = courierSocket(courier.id, res);
    await goOnline(socket, destinationPoint(restaurant, 0, 50));
    try {
      const orderId = await placeOrder();
      await payUnderTrace(orderId, newTrace().header);
      const kitchen = newTrace();
      const accepted = await api(`/v1/orders/${orderId}/accept`, {
        method: "POST",
        token: staff,
        headers: { traceparent: kitchen.header },
        json: { prepTimeMinutes: 10 },
      });
      expect(accepted.status).toBe(200);
      await socket.next("offer");
      // Zone DO → Order DO: the offer the zone recorded carries the search's trace.
      expect(traceOf(orderId, "order.dispatch_started")).toBe(kitchen.traceId);
      expect(traceOf(orderId, "order.courier_offered")).toBe(kitchen.traceId);
      socket.send({ type: "offer_response", orderId, accept: true });
      await socket.next("assigned");
      await eventually(async () => traceOf(orderId, "order.courier_assigned"));
      expect(traceOf(orderId, "order.courier_assigned")).toBe(kitchen.traceId);
      expect((await projected(orderId, "order.courier_assigned")).traceId).toBe(kitchen.traceId);
      // The assignment wrote a dispatch-time data point.
      expect(points.some((p) => p.blobs[0] === "dispatch" && (p.doubles[0] ?? -1) >= 0)).toBe(true);

      // A courier's step: its own request's trace.
      const stepTrace = newTrace();
      const step = await api(`/v1/couriers/me/orders/${orderId}/arrived-at-pickup`, {
        method: "POST",
        token: courier.token,
        headers: { traceparent: stepTrace.header },
        json: { ...restaurant, accuracyM: 10 },
      });
      expect(step.status).toBe(200);
      expect(traceOf(orderId, "order.courier_at_pickup")).toBe(stepTrace.traceId);
      expect((await projected(orderId, "order.courier_at_pickup")).traceId).toBe(stepTrace.traceId);
    } finally {
      socket.close();
    }
  });
});

describe("health metrics endpoint", () => {
  it("is for operators only", async () => {
    expect((await api("/v1/admin/metrics")).status).toBe(401);
    const refused = await api("/v1/admin/metrics", { token: customer });
    expect(refused.status).toBe(403);
    expect((await api("/v1/admin/metrics?window=2d", { token: admin })).status).toBe(400);
  });

  it("reads what the platform wrote back through the SQL API (the stand-in locally)", async () => {
    await placeOrder();
    const health = await eventually(async () => {
      const res = await api("/v1/admin/metrics?window=15m", { token: admin });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        window: string;
        placements: { count: number; perMinute: number; p50Ms: number | null };
      };
      return body.placements.count > 0 ? body : undefined;
    });
    expect(health.window).toBe("15m");
    expect(health.placements.p50Ms).not.toBeNull();
    expect(health.placements.perMinute).toBeGreaterThan(0);
  });
});
