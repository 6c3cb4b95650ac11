// Counts what one order costs in billed Cloudflare operations, from placement
// to delivery, driven through the API as the apps drive it (decision 0054):
// Durable Object requests (every call on a DO stub, by namespace and method),
// DO alarms run, SQLite rows read and written by the DOs (each cursor's own
// rowsRead / rowsWritten, the figures Cloudflare bills), KV reads and writes,
// and the API requests made. `npx tsx bench/usage.ts` runs this file and keeps
// the USAGE line it prints in bench/results/usage.json for bench/cost.ts.
import { runInDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDb } from "../../db/client.ts";
import { couriers, deliveryAreas, orders as ordersTable, restaurants, users } from "../../db/schema.ts";
import { hashPassword } from "../../domain/auth/password.ts";
import { destinationPoint, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { CityMapDO } from "../../durable-objects/city-map/city-map-do.ts";
import { OrderDO } from "../../durable-objects/order/order-do.ts";
import { ProjectionLagDO } from "../../durable-objects/projection-lag/projection-lag-do.ts";
import { RestaurantDO } from "../../durable-objects/restaurant/restaurant-do.ts";
import { ZoneDO } from "../../durable-objects/zone/zone-do.ts";
import { courierSocket, goOnline } from "../../durable-objects/zone/zone-test-kit.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, PASSWORD, signIn, testEnv, type World } from "../../test/world.ts";

let world: World;
let customer: string;
let staff: string;
let restaurant: LatLng;

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
      name: `Usage zone ${crypto.randomUUID().slice(0, 8)}`,
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
});

interface Usage {
  doRequests: Record<string, number>;
  doAlarms: Record<string, number>;
  doRowsRead: number;
  doRowsWritten: number;
  kvReads: number;
  kvWrites: number;
  apiRequests: number;
}

const usage: Usage = {
  doRequests: {},
  doAlarms: {},
  doRowsRead: 0,
  doRowsWritten: 0,
  kvReads: 0,
  kvWrites: 0,
  apiRequests: 0,
};
const cursors: { sql: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
let counting = false;
const bump = (table: Record<string, number>, key: string) => {
  if (counting) table[key] = (table[key] ?? 0) + 1;
};

/** Every call on a stub is one billed DO request; the namespace is named by its binding. */
function countStubCalls(): void {
  const names = new Map<unknown, string>([
    [testEnv.ORDER, "ORDER"],
    [testEnv.ZONE, "ZONE"],
    [testEnv.RESTAURANT, "RESTAURANT"],
    [testEnv.CITY_MAP, "CITY_MAP"],
    [testEnv.PROJECTION_LAG, "PROJECTION_LAG"],
    [testEnv.SESSIONS, "SESSIONS"],
  ]);
  const proto = Object.getPrototypeOf(testEnv.ORDER) as DurableObjectNamespace;
  const get = proto.get;
  vi.spyOn(proto, "get").mockImplementation(function (this: DurableObjectNamespace, ...args) {
    const stub = get.apply(this, args);
    const binding = names.get(this) ?? "other";
    return new Proxy(stub, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function" || typeof prop !== "string") return value;
        return (...callArgs: unknown[]) => {
          bump(usage.doRequests, `${binding}.${prop}`);
          return Reflect.apply(value, target, callArgs);
        };
      },
    });
  });
}

function countAlarms(): void {
  for (const [name, cls] of [
    ["ORDER", OrderDO],
    ["ZONE", ZoneDO],
    ["RESTAURANT", RestaurantDO],
    ["CITY_MAP", CityMapDO],
    ["PROJECTION_LAG", ProjectionLagDO],
  ] as const) {
    const proto = cls.prototype as { alarm?: () => Promise<void> };
    const alarm = proto.alarm;
    if (!alarm) continue;
    vi.spyOn(proto as { alarm: () => Promise<void> }, "alarm").mockImplementation(function (this: unknown) {
      bump(usage.doAlarms, name);
      return alarm.call(this);
    });
  }
}

async function countRows(): Promise<void> {
  const stub = testEnv.ORDER.get(testEnv.ORDER.idFromName(`usage-probe-${crypto.randomUUID()}`));
  const sqlProto = await runInDurableObject(stub, (_instance, state) => Object.getPrototypeOf(state.storage.sql));
  const exec = (sqlProto as SqlStorage).exec;
  vi.spyOn(sqlProto as SqlStorage, "exec").mockImplementation(function (this: SqlStorage, ...args) {
    const cursor = exec.apply(this, args);
    if (counting) cursors.push({ sql: String(args[0]), cursor });
    return cursor;
  });
}

function countKv(): void {
  const proto = Object.getPrototypeOf(testEnv.MENU_CACHE) as KVNamespace;
  for (const method of ["get", "getWithMetadata", "list"] as const) {
    const original = proto[method] as (...a: unknown[]) => unknown;
    vi.spyOn(proto, method as "get").mockImplementation(function (this: KVNamespace, ...args: unknown[]) {
      if (counting) usage.kvReads += Array.isArray(args[0]) ? args[0].length : 1;
      return original.apply(this, args) as never;
    });
  }
  for (const method of ["put", "delete"] as const) {
    const original = proto[method] as (...a: unknown[]) => unknown;
    vi.spyOn(proto, method as "put").mockImplementation(function (this: KVNamespace, ...args: unknown[]) {
      if (counting) usage.kvWrites += 1;
      return original.apply(this, args) as never;
    });
  }
}

function call(path: string, init: Parameters<typeof api>[1] = {}) {
  if (counting) usage.apiRequests++;
  return api(path, init);
}

async function placeOrder(): Promise<string> {
  const res = await call("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `usage-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function createCourier(): Promise<{ id: string; token: string }> {
  const { db, close } = openDb(testEnv);
  try {
    const [row] = await db
      .insert(users)
      .values({
        email: `usage-courier-${crypto.randomUUID().slice(0, 8)}@test.local`,
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

afterAll(() => {
  vi.restoreAllMocks();
});

describe("billed operations of one order", () => {
  it("counts DO requests, alarms, DO rows and KV operations from placement to delivery", async () => {
    const courier = await createCourier();
    const res = await api(`/v1/couriers/live?lat=${restaurant.lat}&lng=${restaurant.lng}`, {
      token: courier.token,
      headers: { upgrade: "websocket" },
    });
    const socket = courierSocket(courier.id, res);
    await goOnline(socket, destinationPoint(restaurant, 0, 50));
    await countRows();
    countStubCalls();
    countAlarms();
    countKv();
    counting = true;
    try {
      const orderId = await placeOrder();
      usage.apiRequests += 2; // payOrder: the checkout and the Stripe webhook (the card confirmation goes to Stripe)
      await payOrder(orderId, customer);
      const ok = async (path: string, token: string, json: unknown) => {
        const r = await call(path, { method: "POST", token, json });
        expect(r.status, path).toBe(200);
      };
      await ok(`/v1/orders/${orderId}/accept`, staff, { prepTimeMinutes: 10 });
      await socket.next("offer");
      socket.send({ type: "offer_response", orderId, accept: true });
      await socket.next("assigned");
      const atRestaurant = { ...restaurant, accuracyM: 10 };
      await ok(`/v1/couriers/me/orders/${orderId}/arrived-at-pickup`, courier.token, atRestaurant);
      await ok(`/v1/orders/${orderId}/preparing`, staff, {});
      await ok(`/v1/orders/${orderId}/ready`, staff, {});
      await ok(`/v1/couriers/me/orders/${orderId}/picked-up`, courier.token, atRestaurant);
      const door = { lat: world.address.lat, lng: world.address.lng, accuracyM: 12 };
      await ok(`/v1/couriers/me/orders/${orderId}/arrived-at-dropoff`, courier.token, door);
      const view = await call(`/v1/orders/${orderId}`, { token: customer });
      const pin = ((await view.json()) as { order: { handoffPin?: string } }).order.handoffPin;
      await ok(`/v1/couriers/me/orders/${orderId}/delivered`, courier.token, { ...door, pin });
      // Until the projection has every event and told the Order DO so (its acknowledgements are DO requests too).
      await eventually(async () => {
        const { db, close } = openDb(testEnv);
        try {
          const [row] = await db
            .select({ status: ordersTable.status })
            .from(ordersTable)
            .where(eq(ordersTable.id, orderId));
          return row?.status === "delivered";
        } finally {
          await close();
        }
      }, 20_000);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      counting = false;
      socket.close();
    }
    // Which statements write the rows, by their first words and table, for whoever wants fewer.
    const writers = new Map<string, number>();
    for (const { sql, cursor } of cursors) {
      usage.doRowsRead += cursor.rowsRead;
      usage.doRowsWritten += cursor.rowsWritten;
      if (cursor.rowsWritten === 0) continue;
      const key = sql.replace(/\s+/g, " ").trim().split(" ").slice(0, 5).join(" ").toLowerCase();
      writers.set(key, (writers.get(key) ?? 0) + cursor.rowsWritten);
    }
    const rowsWrittenBy = Object.fromEntries([...writers].sort((a, b) => b[1] - a[1]).slice(0, 20));
    const doRequests = Object.values(usage.doRequests).reduce((a, n) => a + n, 0);
    expect(doRequests).toBeGreaterThan(5);
    expect(usage.doRowsWritten).toBeGreaterThan(10);
    console.warn(
      `USAGE ${JSON.stringify({ measuredAt: new Date().toISOString(), orders: 1, ...usage, rowsWrittenBy })}`,
    );
  });
});
