// A world for courier tests inside workerd: the fixture restaurant moved to
// the centre of its own random geohash cell (so no other test's couriers are
// in range), a delivery zone around it, extra couriers, and the moves of an
// order up to a courier holding it.
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { openDb } from "../db/client.ts";
import { couriers, deliveryAreas, restaurants, users } from "../db/schema.ts";
import { hashPassword } from "../domain/auth/password.ts";
import { destinationPoint, type LatLng } from "../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../domain/geo/geohash.ts";
import { type CourierSocket, courierSocket, goOnline } from "../durable-objects/zone/zone-test-kit.ts";
import { payOrder } from "./stripe.ts";
import { api, createWorld, PASSWORD, signIn, testEnv, type World } from "./world.ts";

export interface TestCourier {
  id: string;
  token: string;
}

export interface DispatchWorld {
  world: World;
  customer: string;
  staff: string;
  admin: string;
  restaurant: LatLng;
  cell: string;
  couriers: TestCourier[];
}

export async function createCouriers(n: number): Promise<TestCourier[]> {
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

export async function createDispatchWorld(courierCount: number): Promise<DispatchWorld> {
  const world = await createWorld();
  const anchor = { lat: 40 + Math.random() * 4, lng: -4 + Math.random() * 8 };
  const bounds = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
  const restaurant = { lat: (bounds.minLat + bounds.maxLat) / 2, lng: (bounds.minLng + bounds.maxLng) / 2 };
  const dropoff = destinationPoint(restaurant, 90, 900);
  world.address = { ...world.address, lat: dropoff.lat, lng: dropoff.lng };
  const { db, close } = openDb(testEnv);
  try {
    await db.update(restaurants).set(restaurant).where(eq(restaurants.id, world.restaurantId));
    const [w, e, s, n] = [restaurant.lng - 0.2, restaurant.lng + 0.2, restaurant.lat - 0.2, restaurant.lat + 0.2];
    await db.insert(deliveryAreas).values({
      name: `Courier test zone ${crypto.randomUUID().slice(0, 8)}`,
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
  const [customer, staff, admin, pool] = await Promise.all([
    signIn(world.emails.customer),
    signIn(world.emails.staff),
    signIn(world.emails.admin),
    createCouriers(courierCount),
  ]);
  return {
    world,
    customer,
    staff,
    admin,
    restaurant,
    cell: zoneCellOf(restaurant.lat, restaurant.lng),
    couriers: pool,
  };
}

export async function placePaidOrder(dw: DispatchWorld, tipMinor = 0): Promise<string> {
  const placed = await api("/v1/orders", {
    method: "POST",
    token: dw.customer,
    headers: { "idempotency-key": `courier-${crypto.randomUUID()}` },
    json: {
      restaurantId: dw.world.restaurantId,
      items: [{ itemId: dw.world.itemId, quantity: 1, optionIds: [dw.world.smallOptionId] }],
      deliveryAddress: dw.world.address,
      tipMinor,
    },
  });
  expect(placed.status).toBe(201);
  const { id } = (await placed.json()) as { id: string };
  await payOrder(id, dw.customer);
  return id;
}

export async function kitchen(dw: DispatchWorld, orderId: string, command: string, json: unknown = {}): Promise<void> {
  const res = await api(`/v1/orders/${orderId}/${command}`, { method: "POST", token: dw.staff, json });
  expect(res.status, `${command}: ${await res.clone().text()}`).toBe(200);
}

export async function online(courier: TestCourier, at: LatLng): Promise<CourierSocket> {
  const res = await api(`/v1/couriers/live?lat=${at.lat}&lng=${at.lng}`, {
    token: courier.token,
    headers: { upgrade: "websocket" },
  });
  const socket = courierSocket(courier.id, res);
  await goOnline(socket, at);
  return socket;
}

/** A paid order accepted by the kitchen, offered to and accepted by the courier on `socket`. */
export async function assignedOrder(dw: DispatchWorld, socket: CourierSocket, tipMinor = 0): Promise<string> {
  const orderId = await placePaidOrder(dw, tipMinor);
  await kitchen(dw, orderId, "accept", { prepTimeMinutes: 10 });
  const offer = await socket.next("offer");
  expect(offer.orderId).toBe(orderId);
  socket.send({ type: "offer_response", orderId, accept: true });
  await socket.next("assigned");
  return orderId;
}

export function courierPost(orderId: string, path: string, token: string, json: unknown) {
  return api(`/v1/couriers/me/orders/${orderId}/${path}`, { method: "POST", token, json });
}

export async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

export interface TimelineEvent {
  type: string;
  actorRole: string;
  state: string;
  delivery: string;
  payload: Record<string, unknown>;
}

export async function timeline(orderId: string, token: string): Promise<TimelineEvent[]> {
  const res = await api(`/v1/orders/${orderId}`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { timeline: TimelineEvent[] }).timeline;
}
