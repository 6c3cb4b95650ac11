// Dispatch end to end inside workerd: an accepted order asks its restaurant's
// Zone DO for a courier; couriers on their zone sockets get offers, let them
// expire, decline or accept; the assigned courier's positions reach the
// customer with an ETA; pickup and drop-off are checked against geofences and
// the customer's PIN. The restaurant is moved to its own random patch of the
// map so no other test's couriers or orders are in range.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { couriers, deliveryAreas, restaurants, users } from "../../db/schema.ts";
import { hashPassword } from "../../domain/auth/password.ts";
import { destinationPoint, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import type { ZoneDO } from "../../durable-objects/zone/zone-do.ts";
import { type CourierSocket, courierSocket, fixAt, goOnline } from "../../durable-objects/zone/zone-test-kit.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, PASSWORD, signIn, testEnv, type World } from "../../test/world.ts";

interface Courier {
  id: string;
  token: string;
}

let world: World;
let customer: string;
let staff: string;
/** The restaurant, at the centre of a geohash cell so the couriers below stay in that one cell. */
let restaurant: LatLng;
let cell: string;
let pool: Courier[] = [];

function zone(name = cell): DurableObjectStub<ZoneDO> {
  return testEnv.ZONE.get(testEnv.ZONE.idFromName(name));
}

async function createCouriers(n: number): Promise<Courier[]> {
  const tag = crypto.randomUUID().slice(0, 8);
  const { db, close } = openDb(testEnv);
  try {
    const passwordHash = await hashPassword(PASSWORD, 1000);
    const rows = await db
      .insert(users)
      .values(
        Array.from({ length: n }, (_, i) => ({
          email: `courier-${tag}-${i}@test.local`,
          name: `Courier ${i}`,
          role: "courier" as const,
          passwordHash,
        })),
      )
      .returning({ id: users.id, email: users.email });
    await db
      .insert(couriers)
      .values(rows.map((r) => ({ userId: r.id, vehicle: "bicycle" as const, phone: "+351900000001" })));
    return Promise.all(rows.map(async (r) => ({ id: r.id, token: await signIn(r.email) })));
  } finally {
    await close();
  }
}

function takeCouriers(n: number): Courier[] {
  const taken = pool.slice(0, n);
  pool = pool.slice(n);
  if (taken.length < n) throw new Error("courier pool exhausted");
  return taken;
}

beforeAll(async () => {
  world = await createWorld();
  const anchor = { lat: 40 + Math.random() * 4, lng: -4 + Math.random() * 8 };
  const bounds = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
  restaurant = { lat: (bounds.minLat + bounds.maxLat) / 2, lng: (bounds.minLng + bounds.maxLng) / 2 };
  cell = zoneCellOf(restaurant.lat, restaurant.lng);
  const dropoff = destinationPoint(restaurant, 90, 900);
  world.address = { ...world.address, lat: dropoff.lat, lng: dropoff.lng };
  const { db, close } = openDb(testEnv);
  try {
    await db.update(restaurants).set(restaurant).where(eq(restaurants.id, world.restaurantId));
    const [w, e, s, n] = [restaurant.lng - 0.2, restaurant.lng + 0.2, restaurant.lat - 0.2, restaurant.lat + 0.2];
    await db.insert(deliveryAreas).values({
      name: `Dispatch test zone ${crypto.randomUUID().slice(0, 8)}`,
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
  pool = await createCouriers(10);
});

async function placePaidOrder(): Promise<string> {
  const placed = await api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `dispatch-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(placed.status).toBe(201);
  const { id } = (await placed.json()) as { id: string };
  await payOrder(id, customer);
  return id;
}

async function accept(orderId: string): Promise<void> {
  const res = await api(`/v1/orders/${orderId}/accept`, {
    method: "POST",
    token: staff,
    json: { prepTimeMinutes: 10 },
  });
  expect(res.status).toBe(200);
}

async function timeline(orderId: string, token = customer): Promise<OrderEvent[]> {
  const res = await api(`/v1/orders/${orderId}`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { timeline: OrderEvent[] }).timeline;
}

function dispatchTrail(events: OrderEvent[]): Array<[string, unknown]> {
  return events
    .filter((e) => e.type.startsWith("order.") && /dispatch|courier|offer/.test(e.type))
    .map((e) => [e.type, "courierId" in e.payload ? e.payload.courierId : null]);
}

async function online(courier: Courier, at: LatLng): Promise<CourierSocket> {
  const res = await api(`/v1/couriers/live?lat=${at.lat}&lng=${at.lng}`, {
    token: courier.token,
    headers: { upgrade: "websocket" },
  });
  const socket = courierSocket(courier.id, res);
  await goOnline(socket, at);
  return socket;
}

/** Device time of a simulated ride that started five minutes ago, so hundreds of metres between fixes are plausible. */
function rideClock(minutesAgo: number): number {
  return Date.now() - minutesAgo * 60_000;
}

function step(orderId: string, path: string, token: string, body: Record<string, unknown>) {
  return api(`/v1/couriers/me/orders/${orderId}/${path}`, { method: "POST", token, json: body });
}

/** Stands in for the rescan interval passing. */
async function rescanNow(orderId: string): Promise<void> {
  await runInDurableObject(zone(), (_instance: ZoneDO, state) => {
    state.storage.sql.exec("update alarm_schedule set at = 1 where subject = ? and kind = 'retry'", orderId);
  });
  expect(await runDurableObjectAlarm(zone())).toBe(true);
}

/** Stands in for 30 s passing: the live offer's expiry and the zone's schedule move into the past. */
async function expireOffer(orderId: string): Promise<void> {
  await runInDurableObject(zone(), (_instance: ZoneDO, state) => {
    state.storage.sql.exec("update alarm_schedule set at = 1 where subject = ?", orderId);
    state.storage.sql.exec(
      "update dispatches set body = json_set(body, '$.offers.current.expiresAt', 1) where order_id = ?",
      orderId,
    );
  });
  expect(await runDurableObjectAlarm(zone())).toBe(true);
}

describe("dispatch", () => {
  it("keeps searching while nobody is in range, and offers the first courier who comes online", async () => {
    const orderId = await placePaidOrder();
    await accept(orderId);
    expect(dispatchTrail(await timeline(orderId))).toEqual([["order.dispatch_started", null]]);

    const [late] = takeCouriers(1) as [Courier];
    const socket = await online(late, destinationPoint(restaurant, 300, 700));
    try {
      await rescanNow(orderId);
      expect(await socket.next("offer")).toMatchObject({ orderId });
      // Someone was asked and said no: now operators are told.
      socket.send({ type: "offer_response", orderId, accept: false });
      await socket.next("declined");
      expect(dispatchTrail(await timeline(orderId))).toEqual([
        ["order.dispatch_started", null],
        ["order.courier_offered", late.id],
        ["order.offer_declined", late.id],
        ["order.courier_escalated", null],
      ]);
    } finally {
      socket.close();
    }
  });

  it("escalates to operators once an order has waited the search bound with nobody in range", async () => {
    const orderId = await placePaidOrder();
    await accept(orderId);
    await runInDurableObject(zone(), (_instance: ZoneDO, state) => {
      state.storage.sql.exec(
        "update dispatches set body = json_set(body, '$.startedAt', ?) where order_id = ?",
        Date.now() - 61 * 60_000,
        orderId,
      );
    });
    await rescanNow(orderId);
    const events = await timeline(orderId);
    expect(dispatchTrail(events)).toEqual([
      ["order.dispatch_started", null],
      ["order.courier_escalated", null],
    ]);
    const escalated = events.find((e) => e.type === "order.courier_escalated");
    expect(escalated).toMatchObject({ actorRole: "system", delivery: "searching" });
    expect(escalated?.payload).toMatchObject({ reason: "no_courier_in_range", radiusM: 7000, candidatesTried: 0 });
  });

  it("offers the nearest courier, and when the offer expires moves on to the next one", async () => {
    const [near, far] = takeCouriers(2) as [Courier, Courier];
    const a = await online(near, destinationPoint(restaurant, 0, 200));
    const b = await online(far, destinationPoint(restaurant, 180, 600));
    try {
      const orderId = await placePaidOrder();
      await accept(orderId);
      const offer = await a.next("offer");
      expect(offer).toMatchObject({ orderId, restaurant, dropoff: { lat: world.address.lat, lng: world.address.lng } });
      expect(offer.expiresAt).toBeGreaterThan(Date.now());
      expect(b.messages.some((m) => m.type === "offer")).toBe(false);

      await expireOffer(orderId);
      expect(await a.next("offer_withdrawn")).toEqual({ type: "offer_withdrawn", orderId, reason: "expired" });
      expect(await b.next("offer")).toMatchObject({ orderId });
      const events = await timeline(orderId);
      expect(dispatchTrail(events)).toEqual([
        ["order.dispatch_started", null],
        ["order.courier_offered", near.id],
        ["order.offer_declined", near.id],
        ["order.courier_offered", far.id],
      ]);
      expect(events.find((e) => e.type === "order.offer_declined")?.payload.expired).toBe(true);

      // Too late: the first courier's answer is refused, and they are never offered this order again.
      a.send({ type: "offer_response", orderId, accept: true });
      expect(await a.next("error")).toMatchObject({ code: "offer_not_yours", orderId });
      b.send({ type: "offer_response", orderId, accept: true });
      expect(await b.next("assigned")).toEqual({ type: "assigned", orderId });
    } finally {
      a.close();
      b.close();
    }
  });

  it("moves on to the next courier after a decline, and escalates once every courier in range declined", async () => {
    const [first, second] = takeCouriers(2) as [Courier, Courier];
    const a = await online(first, destinationPoint(restaurant, 90, 100));
    const b = await online(second, destinationPoint(restaurant, 270, 400));
    try {
      const orderId = await placePaidOrder();
      await accept(orderId);
      await a.next("offer");
      a.send({ type: "offer_response", orderId, accept: false });
      expect(await a.next("declined")).toEqual({ type: "declined", orderId });
      await b.next("offer");
      b.send({ type: "offer_response", orderId, accept: false });
      await b.next("declined");
      const events = await timeline(orderId);
      expect(dispatchTrail(events)).toEqual([
        ["order.dispatch_started", null],
        ["order.courier_offered", first.id],
        ["order.offer_declined", first.id],
        ["order.courier_offered", second.id],
        ["order.offer_declined", second.id],
        ["order.courier_escalated", null],
      ]);
      const declines = events.filter((e) => e.type === "order.offer_declined");
      expect(declines.map((e) => [e.actorRole, e.payload.expired])).toEqual([
        ["courier", false],
        ["courier", false],
      ]);
      expect(events.find((e) => e.type === "order.courier_escalated")?.payload).toMatchObject({
        reason: "no_courier_accepted",
        candidatesTried: 2,
      });
      expect(a.messages.filter((m) => m.type === "offer")).toHaveLength(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it("assigns exactly one courier when two accept at once; the other is told the offer is not theirs", async () => {
    const [winner, loser] = takeCouriers(2) as [Courier, Courier];
    const a = await online(winner, destinationPoint(restaurant, 45, 150));
    const b = await online(loser, destinationPoint(restaurant, 45, 250));
    try {
      const orderId = await placePaidOrder();
      await accept(orderId);
      await a.next("offer");
      a.send({ type: "offer_response", orderId, accept: true });
      b.send({ type: "offer_response", orderId, accept: true });
      a.send({ type: "offer_response", orderId, accept: true });
      expect(await a.next("assigned")).toEqual({ type: "assigned", orderId });
      expect(await a.next("assigned")).toEqual({ type: "assigned", orderId });
      expect(await b.next("error")).toMatchObject({ code: "offer_not_yours", orderId });

      // At the zone itself, concurrent accepts for the order are serialised: only the assigned courier succeeds.
      const answers = await Promise.all([
        zone().offerResponse(orderId, loser.id, true),
        zone().offerResponse(orderId, winner.id, true),
      ]);
      expect(answers).toEqual([
        { ok: false, code: "already_assigned", message: "Another courier has this order." },
        { ok: true, outcome: "assigned" },
      ]);
      const events = await timeline(orderId);
      const assigned = events.filter((e) => e.type === "order.courier_assigned");
      expect(assigned.map((e) => [e.actorId, e.actorRole, e.payload.courierId])).toEqual([
        [winner.id, "courier", winner.id],
      ]);
      expect(events.at(-1)).toMatchObject({ delivery: "assigned" });
    } finally {
      a.close();
      b.close();
    }
  });

  it("refuses delivery steps from the wrong courier, out of order, or outside the geofence", async () => {
    const [assignedCourier, other] = takeCouriers(2) as [Courier, Courier];
    const a = await online(assignedCourier, destinationPoint(restaurant, 0, 50));
    try {
      const orderId = await placePaidOrder();
      await accept(orderId);
      await a.next("offer");
      a.send({ type: "offer_response", orderId, accept: true });
      await a.next("assigned");
      const atRestaurant = { ...restaurant, accuracyM: 10 };

      const notYours = await step(orderId, "arrived-at-pickup", other.token, atRestaurant);
      expect(notYours.status).toBe(404);
      expect(((await notYours.json()) as { error: { code: string } }).error.code).toBe("order_not_found");

      const early = await step(orderId, "delivered", assignedCourier.token, atRestaurant);
      expect(early.status).toBe(409);

      const away = destinationPoint(restaurant, 90, 1000);
      const tooFar = await step(orderId, "arrived-at-pickup", assignedCourier.token, { ...away, accuracyM: 20 });
      expect(tooFar.status).toBe(422);
      const body = (await tooFar.json()) as { error: { code: string; distanceM: number; radiusM: number } };
      expect(body.error.code).toBe("outside_geofence");
      expect(body.error.distanceM).toBeGreaterThan(990);
      expect(body.error.distanceM).toBeLessThan(1010);
      expect(body.error.radiusM).toBe(170);

      const extra = await step(orderId, "arrived-at-pickup", assignedCourier.token, { ...atRestaurant, speed: 3 });
      expect(extra.status).toBe(400);

      const there = await step(orderId, "arrived-at-pickup", assignedCourier.token, atRestaurant);
      expect(there.status).toBe(200);
      expect(await there.json()).toMatchObject({ delivery: "at_pickup" });
      // The food is not ready yet: the state machine refuses the pickup.
      const notReady = await step(orderId, "picked-up", assignedCourier.token, atRestaurant);
      expect(notReady.status).toBe(409);
    } finally {
      a.close();
    }
  });

  it("takes an order from payment to delivery: offer, assignment, live positions with ETA, pickup and PIN hand-off", async () => {
    const [rider] = takeCouriers(1) as [Courier];
    const start = destinationPoint(restaurant, 200, 500);
    const res = await api(`/v1/couriers/live?lat=${start.lat}&lng=${start.lng}`, {
      token: rider.token,
      headers: { upgrade: "websocket" },
    });
    const app = courierSocket(rider.id, res);
    app.send({ type: "status", status: "online" });
    app.send({ type: "fix", fix: fixAt(start, { at: rideClock(5) }) });
    await app.next("ack");
    const orderId = await placePaidOrder();
    const customerWatch = await api(`/v1/orders/${orderId}/live`, {
      token: customer,
      headers: { upgrade: "websocket" },
    });
    const seen: Array<{
      type: string;
      event?: OrderEvent;
      pin?: string;
      eta?: { pickupAt: number | null; dropoffAt: number };
    }> = [];
    const customerWs = customerWatch.webSocket as WebSocket;
    customerWs.accept();
    customerWs.addEventListener("message", (m) => {
      seen.push(JSON.parse(m.data as string));
    });
    const positions = () => seen.filter((m) => m.type === "courier_position");
    try {
      await accept(orderId);
      const offer = await app.next("offer");
      expect(offer.orderId).toBe(orderId);
      app.send({ type: "offer_response", orderId, accept: true });
      await app.next("assigned");

      // The courier may watch their order, but positions go to the customer and the restaurant only.
      const courierWatch = await api(`/v1/orders/${orderId}/live`, {
        token: rider.token,
        headers: { upgrade: "websocket" },
      });
      expect(courierWatch.status).toBe(101);
      const courierSeen: Array<{ type: string }> = [];
      const courierWs = courierWatch.webSocket as WebSocket;
      courierWs.accept();
      courierWs.addEventListener("message", (m) => {
        courierSeen.push(JSON.parse(m.data as string));
      });

      const pinMessage = await eventually(async () => seen.find((m) => m.type === "handoff_pin"));
      const customerView = await api(`/v1/orders/${orderId}`, { token: customer });
      const { order } = (await customerView.json()) as { order: { handoffPin?: string } };
      expect(order.handoffPin).toMatch(/^\d{4}$/);
      expect(pinMessage.pin).toBe(order.handoffPin);
      const courierView = await api(`/v1/orders/${orderId}`, { token: rider.token });
      expect(((await courierView.json()) as { order: Record<string, unknown> }).order).not.toHaveProperty("handoffPin");

      const nearer = destinationPoint(restaurant, 200, 300);
      app.send({ type: "fix", fix: fixAt(nearer, { at: rideClock(4) }) });
      const toPickup = await eventually(async () => positions()[0]);
      expect(toPickup).toMatchObject({ lat: nearer.lat, lng: nearer.lng });
      expect(toPickup.eta?.pickupAt).toBeGreaterThan(Date.now());
      expect(toPickup.eta?.dropoffAt).toBeGreaterThan(toPickup.eta?.pickupAt ?? 0);
      // The kitchen's board names the courier (short form) and when they reach the counter.
      const board = async () => {
        const res = await api(`/v1/restaurants/${world.restaurantId}/board`, { token: staff });
        const { orders } = (await res.json()) as { orders: Array<{ id: string; courier?: Record<string, unknown> }> };
        return orders.find((o) => o.id === orderId)?.courier ?? undefined;
      };
      const coming = await eventually(board);
      expect(coming).toMatchObject({ name: expect.stringMatching(/^Courier \d+\.$/), vehicle: "bicycle" });
      expect(Date.parse(String(coming.arrivesAt))).toBeGreaterThan(Date.now());
      expect(Date.parse(String(coming.arrivesAt))).toBeLessThan(toPickup.eta?.pickupAt ?? 0);

      const atRestaurant = { ...restaurant, accuracyM: 10 };
      expect((await step(orderId, "arrived-at-pickup", rider.token, atRestaurant)).status).toBe(200);
      for (const path of ["preparing", "ready"]) {
        const res = await api(`/v1/orders/${orderId}/${path}`, { method: "POST", token: staff, json: {} });
        expect(res.status).toBe(200);
      }
      expect((await step(orderId, "picked-up", rider.token, atRestaurant)).status).toBe(200);

      // Throttled to one position a second per order.
      await new Promise((r) => setTimeout(r, 1100));
      const onTheWay = destinationPoint(restaurant, 90, 450);
      app.send({ type: "fix", fix: fixAt(onTheWay, { at: rideClock(2) }) });
      const toDropoff = await eventually(async () => positions()[1]);
      expect(toDropoff).toMatchObject({ lat: onTheWay.lat, lng: onTheWay.lng });
      expect(toDropoff.eta?.pickupAt).toBeNull();
      expect(toDropoff.eta?.dropoffAt).toBeGreaterThan(Date.now());

      const door = { lat: world.address.lat, lng: world.address.lng, accuracyM: 12 };
      expect((await step(orderId, "arrived-at-dropoff", rider.token, door)).status).toBe(200);
      const noPin = await step(orderId, "delivered", rider.token, door);
      expect(noPin.status).toBe(422);
      expect(((await noPin.json()) as { error: { code: string } }).error.code).toBe("pin_mismatch");
      const wrongPin = String((Number(order.handoffPin) + 1) % 10_000).padStart(4, "0");
      const wrong = await step(orderId, "delivered", rider.token, { ...door, pin: wrongPin });
      expect(wrong.status).toBe(422);
      const delivered = await step(orderId, "delivered", rider.token, { ...door, pin: order.handoffPin });
      expect(delivered.status).toBe(200);
      expect(await delivered.json()).toMatchObject({ status: "delivered", delivery: "delivered" });

      // Off the order: no more positions, and the courier is free for the next one.
      await eventually(async () => (await zone().courier(rider.id))?.activeOrders.length === 0);
      await new Promise((r) => setTimeout(r, 1100));
      app.send({ type: "fix", fix: fixAt(destinationPoint(restaurant, 90, 900), { at: rideClock(1) }) });
      expect(await app.next("ack")).toMatchObject({ accepted: 1 });
      await new Promise((r) => setTimeout(r, 200));
      expect(positions()).toHaveLength(2);
      expect(courierSeen.some((m) => m.type === "courier_position")).toBe(false);

      const trail = dispatchTrail(seen.flatMap((m) => (m.type === "event" && m.event ? [m.event] : [])));
      expect(trail).toEqual([
        ["order.dispatch_started", null],
        ["order.courier_offered", rider.id],
        ["order.courier_assigned", rider.id],
        ["order.courier_at_pickup", rider.id],
        ["order.courier_at_dropoff", rider.id],
      ]);
      courierWs.close();
    } finally {
      customerWs.close();
      app.close();
    }
  }, 15_000);
});
