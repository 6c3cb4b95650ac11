import { describe, expect, it } from "vitest";
import { COURIER_STALE_AFTER_MS } from "../dispatch/fix.ts";
import { encodeGeohash } from "../geo/geohash.ts";
import {
  type CourierFacts,
  countCouriers,
  foldCellSummary,
  mapStateOf,
  type TrackedCourier,
  toMapCourier,
} from "./couriers.ts";
import { foldOrder, type MapOrder } from "./orders.ts";
import { boundingBoxOf, MAX_REGIONS, regionOf, regionOfCell, regionsCovering } from "./region.ts";

const NOW = 1_800_000_000_000;

function facts(courierId: string, over: Partial<CourierFacts> = {}): CourierFacts {
  return {
    courierId,
    vehicle: "bicycle",
    status: "online",
    lat: 38.71,
    lng: -9.14,
    lastFixAt: NOW - 1000,
    connected: true,
    offerOrderId: null,
    activeOrders: [],
    ...over,
  };
}

describe("courier map state", () => {
  it("draws each courier by what they can do now", () => {
    expect(mapStateOf(facts("a"), NOW)).toBe("available");
    expect(mapStateOf(facts("a", { offerOrderId: "o" }), NOW)).toBe("offered");
    expect(mapStateOf(facts("a", { activeOrders: ["o"] }), NOW)).toBe("on_job");
    expect(mapStateOf(facts("a", { status: "break" }), NOW)).toBe("break");
    expect(mapStateOf(facts("a", { status: "offline" }), NOW)).toBeNull();
  });

  it("calls a quiet phone stale, even with food on board", () => {
    const quiet = { lastFixAt: NOW - COURIER_STALE_AFTER_MS - 1 };
    expect(mapStateOf(facts("a", quiet), NOW)).toBe("stale");
    expect(mapStateOf(facts("a", { ...quiet, activeOrders: ["o"] }), NOW)).toBe("stale");
    expect(mapStateOf(facts("a", { connected: false }), NOW)).toBe("stale");
    expect(mapStateOf(facts("a", { lastFixAt: null }), NOW)).toBe("stale");
    // Signed off but still carrying an order: still on the map.
    expect(mapStateOf(facts("a", { status: "offline", activeOrders: ["o"] }), NOW)).toBe("on_job");
  });

  it("counts couriers by state", () => {
    const list = [facts("a"), facts("b", { activeOrders: ["o"] }), facts("c", { status: "break" })]
      .map((f) => toMapCourier({ cell: "eycs0", facts: f, reportedAt: NOW }, NOW))
      .filter((c) => c !== null);
    expect(countCouriers(list)).toEqual({ online: 3, available: 1, offered: 0, onJob: 1, stale: 0, onBreak: 1 });
  });
});

describe("folding cell reports", () => {
  const known = (entries: TrackedCourier[]) => new Map(entries.map((e) => [e.facts.courierId, e]));

  it("takes a cell's report as the whole truth about that cell", () => {
    const map = known([
      { cell: "aaaaa", facts: facts("x"), reportedAt: NOW - 10 },
      { cell: "aaaaa", facts: facts("y"), reportedAt: NOW - 10 },
      { cell: "bbbbb", facts: facts("z"), reportedAt: NOW - 10 },
    ]);
    const changes = foldCellSummary(map, "aaaaa", [facts("x", { lat: 1 })], NOW);
    expect(changes.upserts.map((u) => u.facts.courierId)).toEqual(["x"]);
    expect(changes.removed).toEqual(["y"]);
  });

  it("follows a hand-over whatever order the two reports arrive in", () => {
    // The new cell reports first, then the old cell's older report still lists the courier.
    const afterNew = known([{ cell: "bbbbb", facts: facts("x"), reportedAt: NOW }]);
    const stale = foldCellSummary(afterNew, "aaaaa", [facts("x")], NOW - 500);
    expect(stale).toEqual({ upserts: [], removed: [] });
    // The old cell's newer report no longer lists them: nothing to remove, they are not its courier.
    expect(foldCellSummary(afterNew, "aaaaa", [], NOW + 10)).toEqual({ upserts: [], removed: [] });
    // The old cell's report arrives first: the newer one moves the courier.
    const afterOld = known([{ cell: "aaaaa", facts: facts("x"), reportedAt: NOW - 500 }]);
    expect(foldCellSummary(afterOld, "bbbbb", [facts("x")], NOW).upserts).toHaveLength(1);
  });

  it("ignores a cell's report older than what it already said", () => {
    const map = known([{ cell: "aaaaa", facts: facts("x"), reportedAt: NOW }]);
    expect(foldCellSummary(map, "aaaaa", [], NOW - 1)).toEqual({ upserts: [], removed: [] });
  });
});

describe("folding orders", () => {
  const order = (seq: number, state: string): MapOrder => ({
    orderId: "o",
    seq,
    state,
    delivery: "searching",
    restaurantId: "r",
    restaurantName: null,
    restaurant: { lat: 0, lng: 0 },
    dropoff: { lat: 0, lng: 0 },
    courierId: null,
    placedAt: NOW,
    escalated: false,
    updatedAt: NOW,
  });

  it("keeps the newest push and never resurrects a finished order", () => {
    expect(foldOrder(undefined, order(3, "accepted"))).toMatchObject({ action: "upsert" });
    expect(foldOrder(3, order(2, "paid"))).toEqual({ action: "ignore" });
    expect(foldOrder(3, order(9, "delivered"))).toEqual({ action: "tombstone", orderId: "o", seq: 9 });
    expect(foldOrder(9, order(8, "picked_up"))).toEqual({ action: "ignore" });
    expect(foldOrder(undefined, order(1, "placed"))).toEqual({ action: "tombstone", orderId: "o", seq: 1 });
  });
});

describe("regions", () => {
  it("puts a dispatch cell in the region named by its prefix", () => {
    const cell = encodeGeohash(38.71, -9.14, 5);
    expect(regionOfCell(cell)).toBe(regionOf(38.71, -9.14));
  });

  it("covers a city with one region, and a box across an edge with several", () => {
    const lisbon = boundingBoxOf([
      {
        coordinates: [
          [
            [-9.2, 38.68],
            [-9.08, 38.68],
            [-9.08, 38.78],
            [-9.2, 38.68],
          ],
        ],
      },
    ]);
    expect(lisbon).not.toBeNull();
    expect(regionsCovering(lisbon as NonNullable<typeof lisbon>)).toEqual([regionOf(38.7, -9.1)]);
    const wide = regionsCovering({ minLat: 38, maxLat: 40, minLng: -10, maxLng: -7 });
    expect(wide.length).toBeGreaterThan(1);
    expect(wide).toContain(regionOf(39, -8.5));
    expect(regionsCovering({ minLat: -60, maxLat: 60, minLng: -170, maxLng: 170 })).toHaveLength(MAX_REGIONS);
  });

  it("has no box without polygons", () => {
    expect(boundingBoxOf([])).toBeNull();
  });
});
