// A world for operator tests inside workerd: the test world's restaurant
// moved to the centre of a random dispatch cell with a delivery area around
// it (so its map region is served and no other test's couriers are in range),
// couriers to put online, and helpers to place, pay and escalate orders.
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { openDb } from "../db/client.ts";
import { couriers, deliveryAreas, restaurants, users } from "../db/schema.ts";
import { hashPassword } from "../domain/auth/password.ts";
import { destinationPoint, type LatLng } from "../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../domain/geo/geohash.ts";
import type { OrderEvent } from "../domain/order/order-event.ts";
import { type CourierSocket, courierSocket, goOnline } from "../durable-objects/zone/zone-test-kit.ts";
import { payOrder } from "./stripe.ts";
import { api, createWorld, PASSWORD, signIn, signInAll, testEnv, type World, type WorldTokens } from "./world.ts";

export interface Courier {
  id: string;
  email: string;
  token: string;
}

export interface OperatorWorld {
  world: World;
  tokens: WorldTokens;
  restaurant: LatLng;
  cell: string;
  deliveryAreaId: string;
  couriers(n: number): Promise<Courier[]>;
  placePaidOrder(): Promise<string>;
  accept(orderId: string): Promise<void>;
  online(courier: Courier, at?: LatLng): Promise<CourierSocket>;
  timeline(orderId: string, token?: string): Promise<OrderEvent[]>;
  /** Paid, accepted, offered to `courier` (online nearby), declined: the zone gives up and escalates. */
  escalatedOrder(socket: CourierSocket): Promise<string>;
}

export async function createOperatorWorld(anchor: LatLng): Promise<OperatorWorld> {
  const world = await createWorld();
  const bounds = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
  const restaurant = { lat: (bounds.minLat + bounds.maxLat) / 2, lng: (bounds.minLng + bounds.maxLng) / 2 };
  const dropoff = destinationPoint(restaurant, 90, 900);
  world.address = { ...world.address, lat: dropoff.lat, lng: dropoff.lng };
  const { db, close } = openDb(testEnv);
  let deliveryAreaId: string;
  try {
    await db.update(restaurants).set(restaurant).where(eq(restaurants.id, world.restaurantId));
    const [w, e, s, n] = [restaurant.lng - 0.05, restaurant.lng + 0.05, restaurant.lat - 0.05, restaurant.lat + 0.05];
    const [area] = await db
      .insert(deliveryAreas)
      .values({
        name: `Operator test area ${crypto.randomUUID().slice(0, 8)}`,
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
      })
      .returning({ id: deliveryAreas.id });
    deliveryAreaId = area?.id as string;
  } finally {
    await close();
  }
  const tokens = await signInAll(world);

  const timeline = async (orderId: string, token = tokens.customer) => {
    const res = await api(`/v1/orders/${orderId}`, { token });
    expect(res.status).toBe(200);
    return ((await res.json()) as { timeline: OrderEvent[] }).timeline;
  };
  const accept = async (orderId: string) => {
    const res = await api(`/v1/orders/${orderId}/accept`, {
      method: "POST",
      token: tokens.staff,
      json: { prepTimeMinutes: 10 },
    });
    expect(res.status).toBe(200);
  };
  const placePaidOrder = async () => {
    const placed = await api("/v1/orders", {
      method: "POST",
      token: tokens.customer,
      headers: { "idempotency-key": `operators-${crypto.randomUUID()}` },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
        deliveryAddress: world.address,
      },
    });
    expect(placed.status).toBe(201);
    const { id } = (await placed.json()) as { id: string };
    await payOrder(id, tokens.customer);
    return id;
  };
  const online = async (courier: Courier, at: LatLng = destinationPoint(restaurant, 0, 150)) => {
    const res = await api(`/v1/couriers/live?lat=${at.lat}&lng=${at.lng}`, {
      token: courier.token,
      headers: { upgrade: "websocket" },
    });
    const socket = courierSocket(courier.id, res);
    await goOnline(socket, at);
    return socket;
  };
  return {
    world,
    tokens,
    restaurant,
    cell: zoneCellOf(restaurant.lat, restaurant.lng),
    deliveryAreaId,
    couriers: (n) => createCouriers(n),
    placePaidOrder,
    accept,
    online,
    timeline,
    async escalatedOrder(socket) {
      const orderId = await placePaidOrder();
      await accept(orderId);
      await socket.next("offer", 10_000);
      socket.send({ type: "offer_response", orderId, accept: false });
      await socket.next("declined");
      // The zone tells the order right after the decline; wait until it has.
      for (let i = 0; i < 50; i++) {
        if ((await timeline(orderId)).some((e) => e.type === "order.courier_escalated")) return orderId;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("order was not escalated");
    },
  };
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
          email: `op-courier-${tag}-${i}@test.local`,
          name: `Courier ${tag} ${i}`,
          role: "courier" as const,
          passwordHash,
        })),
      )
      .returning({ id: users.id, email: users.email });
    await db.insert(couriers).values(
      rows.map((r) => ({
        userId: r.id,
        vehicle: "bicycle" as const,
        phone: "+351900000009",
        documentsChecked: true,
      })),
    );
    return Promise.all(rows.map(async (r) => ({ id: r.id, email: r.email, token: await signIn(r.email) })));
  } finally {
    await close();
  }
}
