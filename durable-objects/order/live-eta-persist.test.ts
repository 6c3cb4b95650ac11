// The live ETA and the courier position it starts from are kept in memory and
// written through at most every ETA_PERSIST_EVERY_MS (decision 65): a position
// costs no SQLite write for them, the view always shows the newest estimate,
// and an instance that starts over (an eviction) reads one at most that old.
// The trail counts its rows once, then keeps the count in step.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ETA_PERSIST_EVERY_MS } from "../../domain/eta/live-eta-persist.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import { newOrderSnapshot, type OrderSnapshot } from "../../domain/order/state-machine.ts";
import type { Env } from "../../platform/env.ts";
import { testEnv } from "../../test/world.ts";
import { COURIER_TRAIL_TABLE, CourierTrail, MAX_TRAIL_POINTS } from "./courier-trail.ts";
import { OrderLiveEta } from "./live-eta.ts";
import type { Watchers } from "./watchers.ts";

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const restaurant = { lat: 38.7223, lng: -9.1393 };
const order = {
  id: "ord-eta",
  restaurantLocation: restaurant,
  deliveryAddress: { lat: 38.7369, lng: -9.1427 },
} as unknown as PlacedOrder;

function snapshotAt(delivery: OrderSnapshot["delivery"]): OrderSnapshot {
  return {
    ...newOrderSnapshot({
      id: order.id,
      customerId: "cust",
      restaurantId: "rest",
      totalMinor: 1000,
      currency: "EUR",
      placedAt: T0 - 600_000,
    }),
    state: "accepted",
    acceptedAt: T0 - 300_000,
    prepTimeMinutes: 15,
    courierId: "courier-1",
    delivery,
  };
}

/** An OrderLiveEta over a key-value "storage" that outlives it, counting the writes per key. */
function liveEtaOver(storage: Map<string, string>, state: { snapshot: OrderSnapshot }) {
  const writes = new Map<string, number>();
  const broadcasts: unknown[] = [];
  const eta = new OrderLiveEta({
    env: { MENU_CACHE: { get: async () => null } } as unknown as Env,
    watchers: { broadcast: (m: unknown) => broadcasts.push(m) } as unknown as Watchers,
    placed: () => order,
    snapshot: () => state.snapshot,
    meta: (key) => storage.get(key) ?? null,
    setMeta: (key, value) => {
      storage.set(key, value);
      writes.set(key, (writes.get(key) ?? 0) + 1);
    },
  });
  return { eta, writes, broadcasts };
}

/** A courier riding towards the restaurant, one position a second. */
const positionAt = (s: number) => ({ lat: 38.7 + s * 0.0001, lng: -9.13 });

describe("the live ETA's write-through", () => {
  it("writes the first position's estimate, then at most one per window, while the view shows the newest", async () => {
    const storage = new Map<string, string>();
    const state = { snapshot: snapshotAt("assigned") };
    const { eta, writes } = liveEtaOver(storage, state);
    for (let s = 0; s < 25; s++) {
      const now = T0 + s * 1000;
      const computed = await eta.forPosition(positionAt(s), "bicycle", now);
      expect(computed?.pickupAt).not.toBeNull();
      // The view is never behind the broadcast.
      expect(eta.last()?.at).toBe(now);
    }
    // 25 positions over 24 s: written at 0, 10 and 20 s.
    expect(writes.get("live_eta")).toBe(3);
    expect(writes.get("eta_courier")).toBe(3);
  });

  it("after a restart shows an estimate at most one window older than the last broadcast", async () => {
    const storage = new Map<string, string>();
    const state = { snapshot: snapshotAt("assigned") };
    const first = liveEtaOver(storage, state).eta;
    let lastAt = 0;
    for (let s = 0; s < 19; s++) {
      lastAt = T0 + s * 1000;
      await first.forPosition(positionAt(s), "bicycle", lastAt);
    }
    const restarted = liveEtaOver(storage, state).eta;
    const shown = restarted.last();
    expect(shown).not.toBeNull();
    expect(lastAt - (shown?.at ?? 0)).toBeLessThanOrEqual(ETA_PERSIST_EVERY_MS);
    expect(lastAt - (shown?.at ?? 0)).toBeGreaterThan(0);
  });

  it("writes at once when the food goes on board, and when the kitchen moves the food's time", async () => {
    const storage = new Map<string, string>();
    const state = { snapshot: snapshotAt("assigned") };
    const { eta, writes, broadcasts } = liveEtaOver(storage, state);
    await eta.forPosition(positionAt(0), "bicycle", T0);
    await eta.forPosition(positionAt(1), "bicycle", T0 + 1000);
    expect(writes.get("live_eta")).toBe(1);

    await eta.foodTimeChanged(T0 + 2000);
    expect(writes.get("live_eta")).toBe(2);
    expect(broadcasts).toHaveLength(1);

    state.snapshot = { ...snapshotAt("picked_up"), readyAt: T0 + 2500, pickedUpAt: T0 + 2900 };
    await eta.forPosition(positionAt(3), "bicycle", T0 + 3000);
    expect(writes.get("live_eta")).toBe(3);
    const stored = JSON.parse(storage.get("live_eta") ?? "null") as { pickupAt: number | null; at: number };
    expect(stored.pickupAt).toBeNull();
    expect(stored.at).toBe(T0 + 3000);
  });

  it("forgets the courier in memory and in storage when they leave the order", async () => {
    const storage = new Map<string, string>();
    const state = { snapshot: snapshotAt("assigned") };
    const { eta } = liveEtaOver(storage, state);
    await eta.forPosition(positionAt(0), "bicycle", T0);
    eta.forgetCourier();
    expect(storage.get("eta_courier")).toBe("");
    // The next courier's first position is written at once.
    await eta.forPosition(positionAt(1), "car", T0 + 1000);
    expect(JSON.parse(storage.get("eta_courier") ?? "null")).toMatchObject({ vehicle: "car" });
  });
});

describe("the trail's row count", () => {
  it("is counted once, kept in step by inserts and purges, and still caps the trail", async () => {
    const stub = testEnv.RESTAURANT.get(testEnv.RESTAURANT.idFromName(`trail-count-${crypto.randomUUID()}`));
    await runInDurableObject(stub, async (_instance, state) => {
      const sql = state.storage.sql;
      sql.exec(COURIER_TRAIL_TABLE);
      const fix = (seq: number) => ({ seq, lat: 38.7, lng: -9.1, accuracyM: 5, at: T0 + seq * 1000 });
      // Rows from before this instance: the count starts from storage.
      sql.exec("insert into courier_trail values ('c', -1, 38.7, -9.1, 5, 0, 0)");
      const trail = new CourierTrail(sql, false);
      expect(trail.record("c", [fix(1), fix(2)], T0)).toEqual({ added: 2, duplicates: 0 });
      expect(trail.record("c", [fix(2), fix(3)], T0)).toEqual({ added: 1, duplicates: 1 });
      expect(trail.points()).toBe(4);
      expect(new CourierTrail(sql, true).points()).toBe(4);
      trail.purge();
      expect(trail.points()).toBe(0);

      // Full: the cap holds with the count in memory.
      const bulk = Array.from({ length: MAX_TRAIL_POINTS - 1 }, (_, i) => fix(100 + i));
      trail.record("c", bulk, T0);
      expect(trail.record("c", [fix(1), fix(2)], T0)).toEqual({ added: 1, duplicates: 0 });
      expect(trail.points()).toBe(MAX_TRAIL_POINTS);
      expect(trail.stats().overflow).toBe(1);
    });
  });
});
