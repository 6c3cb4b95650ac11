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
});
