// Surge end to end: operators set an area's policy, the City Map's counts
// raise the fee shown by discovery and the quote with its reason, and a
// customer's quote holds its fee at placement while it is valid.
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { deliveryAreas, menuCategories, menuItems, restaurants } from "../../db/schema.ts";
import { regionOf } from "../../domain/citymap/region.ts";
import { cityMapStub } from "../../durable-objects/city-map/stub.ts";
import { api, createWorld, signIn, testEnv, type World } from "../../test/world.ts";
import { cachedSurgePolicies, invalidateSurgePolicies, type PolicyMap } from "../surge/live-surge.ts";

let world: World;
let admin: string;
let staff: string;
let customer: string;
let otherCustomer: string;
let zoneId: string;
let restaurantId: string;
let itemId: string;
// A place of its own, so no other test's area or orders price here.
const HERE = { lat: 45 + Math.random() * 2, lng: 20 + Math.random() * 2 };
const address = { line1: "Rua 1", city: "Cidade", postcode: "1000-001", lat: HERE.lat + 0.002, lng: HERE.lng };
const POLICY = { enabled: true, startRatio: 0.5, fullRatio: 1, capBps: 20_000, halfLifeSeconds: 0 };

beforeAll(async () => {
  world = await createWorld();
  [admin, staff, customer, otherCustomer] = await Promise.all([
    signIn(world.emails.admin),
    signIn(world.emails.staff),
    signIn(world.emails.customer),
    signIn(world.emails.otherCustomer),
  ]);
  const { db, close } = openDb(testEnv);
  try {
    const d = 0.05;
    const [zone] = await db
      .insert(deliveryAreas)
      .values({
        name: `Surge zone ${crypto.randomUUID().slice(0, 8)}`,
        polygon: {
          type: "Polygon",
          coordinates: [
            [
              [HERE.lng - d, HERE.lat - d],
              [HERE.lng + d, HERE.lat - d],
              [HERE.lng + d, HERE.lat + d],
              [HERE.lng - d, HERE.lat + d],
              [HERE.lng - d, HERE.lat - d],
            ],
          ],
        },
        currency: "EUR",
        baseDeliveryFeeMinor: 200,
        perKmFeeMinor: 0,
        serviceFeeBps: 0,
        taxBps: 0,
      })
      .returning();
    const [restaurant] = await db
      .insert(restaurants)
      .values({
        slug: `surge-${crypto.randomUUID().slice(0, 8)}`,
        name: "Surge Kitchen",
        cuisines: ["soup"],
        address: "Rua 2",
        lat: HERE.lat,
        lng: HERE.lng,
        timeZone: "Europe/Lisbon",
        openingHours: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" })),
        prepTimeMinutes: 10,
        deliveryRadiusM: 5000,
        currency: "EUR",
      })
      .returning();
    const [category] = await db
      .insert(menuCategories)
      .values({ restaurantId: restaurant?.id as string, name: "Soup" })
      .returning();
    const [item] = await db
      .insert(menuItems)
      .values({
        restaurantId: restaurant?.id as string,
        categoryId: category?.id as string,
        name: "Caldo verde",
        priceMinor: 500,
        currency: "EUR",
      })
      .returning();
    zoneId = zone?.id as string;
    restaurantId = restaurant?.id as string;
    itemId = item?.id as string;
  } finally {
    await close();
  }
});

const cart = () => ({ restaurantId, items: [{ itemId, quantity: 1, optionIds: [] }], deliveryAddress: address });

async function quote(token: string) {
  const res = await api("/v1/quotes", { method: "POST", token, json: cart() });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    deliveryFeeMinor: number;
    surge: { multiplierBps: number; reason: { code: string; waitingOrders: number }; validUntil: string | null };
    deliveryWindow: { earliestAt: string; latestAt: string; expectedAt: string } | null;
  };
}

async function place(token: string) {
  const res = await api("/v1/orders", {
    method: "POST",
    token,
    headers: { "idempotency-key": `surge-${crypto.randomUUID()}` },
    json: cart(),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { deliveryFeeMinor: number };
}

/** Three paid orders waiting at the restaurant and no free courier: as short as the area gets. */
async function makeItBusy() {
  const map = cityMapStub(testEnv, regionOf(HERE.lat, HERE.lng));
  for (let i = 0; i < 3; i++) {
    await map.orderChanged({
      orderId: crypto.randomUUID(),
      seq: 2,
      state: "accepted",
      delivery: "searching",
      restaurantId,
      restaurantName: null,
      restaurant: HERE,
      dropoff: address,
      courierId: null,
      placedAt: Date.now(),
      escalated: false,
      updatedAt: Date.now(),
    });
  }
  // The smoothed level is re-read at most every few seconds; the test does not wait for that.
  await testEnv.MENU_CACHE.delete(`surge:state:v1:${zoneId}`);
}

describe("surge", () => {
  it("is configured by operators only, with clear refusals", async () => {
    const path = `/v1/admin/zones/${zoneId}/surge`;
    expect((await api(path, { method: "PUT", token: staff, json: POLICY })).status).toBe(403);
    expect((await api(path, { method: "PUT", json: POLICY })).status).toBe(401);
    const inverted = await api(path, { method: "PUT", token: admin, json: { ...POLICY, fullRatio: 0.2 } });
    expect(inverted.status).toBe(422);
    expect(((await inverted.json()) as { error: { code: string } }).error.code).toBe("invalid_surge_policy");
    const tooHigh = await api(path, { method: "PUT", token: admin, json: { ...POLICY, capBps: 50_000 } });
    expect(tooHigh.status).toBe(400);
    const unknown = await api(`/v1/admin/zones/${crypto.randomUUID()}/surge`, {
      method: "PUT",
      token: admin,
      json: POLICY,
    });
    expect(unknown.status).toBe(404);
    const listed = (await (await api("/v1/admin/surge", { token: admin })).json()) as {
      areas: Array<{ zoneId: string; configured: boolean; policy: { enabled: boolean } }>;
    };
    expect(listed.areas.find((a) => a.zoneId === zoneId)).toMatchObject({
      configured: false,
      policy: { enabled: false },
    });
  });

  it("prices at 1.00× while the area is calm, and shows a delivery window", async () => {
    const set = await api(`/v1/admin/zones/${zoneId}/surge`, { method: "PUT", token: admin, json: POLICY });
    expect(set.status).toBe(200);
    const calm = await quote(customer);
    expect(calm.surge).toMatchObject({ multiplierBps: 10_000, reason: { code: "normal_demand" } });
    expect(calm.deliveryFeeMinor).toBe(200);
    expect(calm.surge.validUntil).not.toBeNull();
    const w = calm.deliveryWindow;
    expect(w).not.toBeNull();
    if (w) {
      expect(Date.parse(w.earliestAt)).toBeLessThanOrEqual(Date.parse(w.expectedAt));
      expect(Date.parse(w.latestAt) - Date.parse(w.earliestAt)).toBeGreaterThanOrEqual(10 * 60_000);
    }
  });

  it("rises with waiting orders per free courier, says why, and never reprices a valid quote", async () => {
    // This customer was quoted at 1.00× just before; the other customer has no quote.
    await makeItBusy();
    const listed = (await (await api(`/v1/restaurants?lat=${address.lat}&lng=${address.lng}`)).json()) as {
      restaurants: Array<{ id: string; deliveryFeeMinor: number; deliveryWindowMinutes: { earliest: number } }>;
      surge: { multiplierBps: number; reason: { code: string; waitingOrders: number; availableCouriers: number } };
    };
    expect(listed.surge).toMatchObject({
      multiplierBps: 20_000,
      reason: { code: "high_demand", waitingOrders: 3, availableCouriers: 0 },
    });
    expect(listed.restaurants.find((r) => r.id === restaurantId)?.deliveryFeeMinor).toBe(400);

    expect((await place(customer)).deliveryFeeMinor).toBe(200);
    expect((await place(otherCustomer)).deliveryFeeMinor).toBe(400);
    const busy = await quote(otherCustomer);
    expect(busy.surge.reason.code).toBe("high_demand");
    expect(busy.deliveryFeeMinor).toBe(400);
  });

  it("stops at once when an operator turns it off", async () => {
    await api(`/v1/admin/zones/${zoneId}/surge`, { method: "PUT", token: admin, json: { ...POLICY, enabled: false } });
    const off = await quote(otherCustomer);
    expect(off.surge).toMatchObject({ multiplierBps: 10_000, reason: { code: "surge_off" } });
    expect(off.deliveryFeeMinor).toBe(200);
  });

  it("never holds a placement on Postgres: an unanswered policy read gives way within its budget", async () => {
    await invalidateSurgePolicies(testEnv.MENU_CACHE);
    const started = Date.now();
    // A database that never answers, as during an outage.
    const silent = () => new Promise<PolicyMap>(() => undefined);
    await expect(cachedSurgePolicies(testEnv.MENU_CACHE, silent, 100)).rejects.toThrow(/no answer within 100 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A read that answers is cached, so the next placement does not ask again.
    const policies: PolicyMap = { [zoneId]: POLICY };
    expect(await cachedSurgePolicies(testEnv.MENU_CACHE, async () => policies, 100)).toEqual(policies);
    expect(await cachedSurgePolicies(testEnv.MENU_CACHE, silent, 100)).toEqual(policies);
    await invalidateSurgePolicies(testEnv.MENU_CACHE);
  });
});
