// The pure parts of discovery: the bounding box never cuts off a restaurant
// that delivers, user text cannot become FTS syntax, and ranking is one
// deterministic order for both stores.
import { describe, expect, it } from "vitest";
import { destinationPoint } from "../../domain/geo/distance.ts";
import { boundingBox, type Candidate, ftsMatchExpression, MAX_DELIVERY_RADIUS_M, rankCandidates } from "./search.ts";

function inBox(box: ReturnType<typeof boundingBox>, p: { lat: number; lng: number }): boolean {
  if (p.lat < box.minLat || p.lat > box.maxLat) return false;
  return box.lngRanges === null || box.lngRanges.some(([w, e]) => p.lng >= w && p.lng <= e);
}

describe("boundingBox", () => {
  it("contains every point within the radius, across the antimeridian and near the poles", () => {
    const centres = [
      { lat: 38.71, lng: -9.14 },
      { lat: -33.92, lng: 18.42 },
      { lat: 64.1, lng: -21.9 },
      { lat: 0.2, lng: 179.9 },
      { lat: -16.5, lng: -179.95 },
      { lat: 89.8, lng: 10 },
    ];
    for (const centre of centres) {
      const box = boundingBox(centre.lat, centre.lng, MAX_DELIVERY_RADIUS_M);
      for (let bearing = 0; bearing < 360; bearing += 7.5) {
        for (const d of [MAX_DELIVERY_RADIUS_M * 0.5, MAX_DELIVERY_RADIUS_M * 0.999]) {
          const p = destinationPoint(centre, bearing, d);
          expect(inBox(box, p), `${JSON.stringify(centre)} ${bearing}° ${d} m`).toBe(true);
        }
      }
    }
  });

  it("splits into two longitude ranges at the antimeridian and drops the longitude limit at a pole", () => {
    expect(boundingBox(0, 179.9, 50_000).lngRanges).toHaveLength(2);
    expect(boundingBox(0, -179.9, 50_000).lngRanges).toHaveLength(2);
    expect(boundingBox(89.9, 0, 50_000).lngRanges).toBeNull();
  });
});

describe("ftsMatchExpression", () => {
  it("turns any text into quoted prefix terms of letters and digits only", () => {
    expect(ftsMatchExpression('pad "thai" OR name:* NEAR(x)')).toBe('"pad"* "thai"* "or"* "name"* "near"* "x"*');
    expect(ftsMatchExpression("Crème brûlée 2")).toBe('"crème"* "brûlée"* "2"*');
    expect(ftsMatchExpression(`*"'^-()`)).toBeNull();
    expect(ftsMatchExpression("a b c d e f g h i j")?.split(" ")).toHaveLength(8);
  });
});

describe("rankCandidates", () => {
  const base: Omit<Candidate, "id" | "lat" | "openingHours"> = {
    slug: "s",
    name: "n",
    description: "",
    cuisines: [],
    address: "",
    lng: 0,
    prepTimeMinutes: 10,
    deliveryRadiusM: 5000,
    currency: "EUR",
    timeZone: "UTC",
    specialDays: [],
    pausedUntil: null,
    itemProfiles: [],
    fulfilment: "on_demand",
    acceptsScheduledOrders: true,
    kitchen: null,
  };
  const open = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));

  it("orders by distance then id, and applies openNow before the limit", () => {
    const candidates: Candidate[] = [
      { ...base, id: "c", lat: 0.01, openingHours: open },
      { ...base, id: "b", lat: 0.001, openingHours: [] },
      { ...base, id: "a", lat: 0.01, openingHours: open },
      { ...base, id: "far", lat: 0.2, openingHours: open },
    ];
    const now = new Date("2026-01-01T12:00:00Z");
    const all = rankCandidates(candidates, { lat: 0, lng: 0, openNow: false, limit: 10 }, now);
    expect(all.map((r) => r.id)).toEqual(["b", "a", "c"]);
    const openOnly = rankCandidates(candidates, { lat: 0, lng: 0, openNow: true, limit: 2 }, now);
    expect(openOnly.map((r) => r.id)).toEqual(["a", "c"]);
  });

  it("ranks by customers' ratings against distance, filters by a minimum rating, and limits after ranking", () => {
    // 0.001° of latitude is about 111 m.
    const candidates: Candidate[] = [
      { ...base, id: "near-poor", lat: 0.001, openingHours: open },
      { ...base, id: "mid-unrated", lat: 0.005, openingHours: open },
      { ...base, id: "further-loved", lat: 0.01, openingHours: open },
    ];
    const ratings = new Map([
      ["near-poor", { average: 2.2, count: 30 }],
      ["further-loved", { average: 4.86, count: 50 }],
    ]);
    const now = new Date("2026-01-01T12:00:00Z");
    const query = { lat: 0, lng: 0, openNow: false, limit: 10 };
    const ranked = rankCandidates(candidates, query, now, ratings);
    expect(ranked.map((r) => r.id)).toEqual(["further-loved", "mid-unrated", "near-poor"]);
    expect(ranked[0]).toMatchObject({ ratingAverage: 4.9, ratingCount: 50 });
    expect(ranked[1]).toMatchObject({ ratingAverage: null, ratingCount: 0 });
    // The limit keeps the best, not the nearest.
    expect(rankCandidates(candidates, { ...query, limit: 1 }, now, ratings).map((r) => r.id)).toEqual([
      "further-loved",
    ]);
    // A minimum leaves out the poorly rated and the unrated.
    expect(rankCandidates(candidates, { ...query, minRating: 4 }, now, ratings).map((r) => r.id)).toEqual([
      "further-loved",
    ]);
    expect(rankCandidates(candidates, { ...query, minRating: 2 }, now, ratings)).toHaveLength(2);
    // Without ratings the order is the old one: nearest first.
    expect(rankCandidates(candidates, query, now).map((r) => r.id)).toEqual([
      "near-poor",
      "mid-unrated",
      "further-loved",
    ]);
  });

  it("follows a pause and a closed special day at once, and says when each opens again", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    const candidates: Candidate[] = [
      { ...base, id: "paused", lat: 0.001, openingHours: open, pausedUntil: now.getTime() + 30 * 60_000 },
      { ...base, id: "holiday", lat: 0.002, openingHours: open, specialDays: [{ date: "2026-01-01", slots: [] }] },
      { ...base, id: "open", lat: 0.003, openingHours: open },
    ];
    const all = rankCandidates(candidates, { lat: 0, lng: 0, openNow: false, limit: 10 }, now);
    expect(all.map((r) => [r.id, r.openNow, r.opensAt, r.pausedUntil])).toEqual([
      ["paused", false, "2026-01-01T12:30:00.000Z", "2026-01-01T12:30:00.000Z"],
      ["holiday", false, "2026-01-02T00:00:00.000Z", null],
      ["open", true, null, null],
    ]);
    expect(rankCandidates(candidates, { lat: 0, lng: 0, openNow: true, limit: 10 }, now).map((r) => r.id)).toEqual([
      "open",
    ]);
  });

  it("filters on dietary tags and allergens, and shows the kitchen's live state until it lapses", () => {
    const now = new Date("2026-01-01T12:00:00Z");
    const vegan = 1 << 1;
    const sesame = 1 << 10;
    const candidates: Candidate[] = [
      { ...base, id: "vegan-sesame", lat: 0.001, openingHours: open, itemProfiles: [[vegan | 1, sesame]] },
      {
        ...base,
        id: "vegan",
        lat: 0.002,
        openingHours: open,
        itemProfiles: [[vegan | 1, 0]],
        kitchen: { busy: true, reason: "manual", acceptingOrders: false, quotedPrepMinutes: null, validUntil: null },
      },
      {
        ...base,
        id: "busy-lapsed",
        lat: 0.003,
        openingHours: open,
        itemProfiles: [[0, 0]],
        kitchen: {
          busy: true,
          reason: "at_capacity",
          acceptingOrders: true,
          quotedPrepMinutes: 40,
          validUntil: now.getTime() - 1,
        },
      },
    ];
    const q = { lat: 0, lng: 0, openNow: false, limit: 10 };
    expect(rankCandidates(candidates, { ...q, dietary: ["vegan"] }, now).map((r) => r.id)).toEqual([
      "vegan-sesame",
      "vegan",
    ]);
    expect(
      rankCandidates(candidates, { ...q, dietary: ["vegan"], avoidAllergens: ["sesame"] }, now).map((r) => r.id),
    ).toEqual(["vegan"]);
    const all = rankCandidates(candidates, q, now);
    expect(all.map((r) => [r.id, r.busy, r.acceptingOrders, r.quotedPrepMinutes])).toEqual([
      ["vegan-sesame", false, true, 10],
      ["vegan", true, false, null],
      ["busy-lapsed", false, true, 10],
    ]);
  });
});
