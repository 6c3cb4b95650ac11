import { describe, expect, it } from "vitest";
import { seededRandom } from "../random/seeded-random.ts";
import { destinationPoint, haversineMeters } from "./distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "./geohash.ts";
import { type IndexedEntry, SpatialIndex } from "./spatial-index.ts";

interface Courier {
  available: boolean;
}

interface Point {
  lat: number;
  lng: number;
  data: Courier;
}

function bruteForce(
  points: ReadonlyMap<string, Point>,
  lat: number,
  lng: number,
  k: number,
  radiusM: number,
  filter?: (entry: IndexedEntry<Courier>) => boolean,
): Array<{ id: string; distanceM: number }> {
  const all: Array<{ id: string; distanceM: number }> = [];
  for (const [id, p] of points) {
    const distanceM = haversineMeters({ lat, lng }, p);
    if (distanceM > radiusM) continue;
    if (filter && !filter({ id, lat: p.lat, lng: p.lng, data: p.data })) continue;
    all.push({ id, distanceM });
  }
  all.sort((a, b) => a.distanceM - b.distanceM || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return all.slice(0, Math.max(0, k));
}

/** Points near the corner of a zone cell, so they straddle geohash cell edges in both directions. */
function nearCellCorner(
  rand: () => number,
  anchor: { lat: number; lng: number },
  spreadM: number,
): { lat: number; lng: number } {
  const b = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
  return destinationPoint({ lat: b.maxLat, lng: b.maxLng }, rand() * 360, Math.sqrt(rand()) * spreadM);
}

const ANCHORS = [
  { lat: 52.52, lng: 13.405 }, // mid-latitude city
  { lat: -33.87, lng: 151.21 },
  { lat: 0.001, lng: 0.001 }, // equator and prime meridian
  { lat: 64.14, lng: -21.94 }, // high latitude: buckets far from square
  { lat: -16.5, lng: 179.99 }, // antimeridian (Fiji)
];

describe("SpatialIndex.nearest", () => {
  it("equals a brute-force search exactly on random data, across updates and removals", () => {
    let ringSearches = 0;
    let fullScans = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const rand = seededRandom(seed);
      const anchor = ANCHORS[seed % ANCHORS.length] as { lat: number; lng: number };
      const bucketSizeM = [50, 250, 1_000][seed % 3] as number;
      const index = new SpatialIndex<Courier>({ bucketSizeM, referenceLat: anchor.lat });
      const points = new Map<string, Point>();
      const n = seed % 10 === 0 ? 0 : Math.floor(rand() * 400);
      const spreadM = 500 + rand() * 6_000;
      for (let i = 0; i < n; i++) {
        const id = `c${Math.floor(rand() * n * 2)}`;
        // Some couriers share an exact position, so distance ties must fall back to id order.
        const shared = i > 0 && rand() < 0.1 ? points.values().next().value : undefined;
        const at = shared ?? nearCellCorner(rand, anchor, spreadM);
        const p: Point = { lat: at.lat, lng: at.lng, data: { available: rand() < 0.7 } };
        points.set(id, p);
        index.upsert(id, p.lat, p.lng, p.data);
      }
      const check = (): void => {
        expect(index.size).toBe(points.size);
        for (let q = 0; q < 8; q++) {
          const at =
            rand() < 0.2 ? { ...(points.values().next().value ?? anchor) } : nearCellCorner(rand, anchor, spreadM);
          const k = Math.floor(rand() * (points.size + 4));
          const radiusM = [0, 150, 800, 2_500, 10_000, Number.POSITIVE_INFINITY][Math.floor(rand() * 6)] as number;
          const filter = rand() < 0.5 ? (e: IndexedEntry<Courier>) => e.data.available : undefined;
          const got = index.nearest(at.lat, at.lng, k, radiusM, filter).map(({ id, distanceM }) => ({ id, distanceM }));
          expect(got).toEqual(bruteForce(points, at.lat, at.lng, k, radiusM, filter));
          const stats = index.lastSearch();
          if (stats.fullScan) fullScans++;
          else if (stats.rings > 1) ringSearches++;
        }
      };
      check();
      // Move some couriers (a few metres: same bucket; a few km: another bucket) and remove others.
      for (const id of [...points.keys()]) {
        const r = rand();
        const p = points.get(id) as Point;
        if (r < 0.3) {
          const moved = destinationPoint(p, rand() * 360, rand() < 0.5 ? rand() * 20 : rand() * 3_000);
          const next: Point = { lat: moved.lat, lng: moved.lng, data: { available: rand() < 0.7 } };
          points.set(id, next);
          index.upsert(id, next.lat, next.lng, next.data);
        } else if (r < 0.45) {
          points.delete(id);
          expect(index.remove(id)).toBe(true);
        }
      }
      check();
    }
    // Both search strategies must actually have been exercised for the comparison to mean anything.
    expect(ringSearches).toBeGreaterThan(100);
    expect(fullScans).toBeGreaterThan(100);
  });

  it("returns nothing for an empty index, k = 0, or nobody within the radius", () => {
    const index = new SpatialIndex<null>();
    expect(index.nearest(52.5, 13.4, 5, 1_000)).toEqual([]);
    index.upsert("a", 52.5, 13.4, null);
    expect(index.nearest(52.5, 13.4, 0, 1_000)).toEqual([]);
    expect(index.nearest(52.6, 13.4, 5, 1_000)).toEqual([]);
  });

  it("returns everyone in range, nearest first, when k exceeds the number of couriers", () => {
    const index = new SpatialIndex<null>();
    const origin = { lat: 48.137, lng: 11.575 };
    for (const [id, d] of [
      ["far", 900],
      ["near", 100],
      ["mid", 400],
    ] as const) {
      const p = destinationPoint(origin, 45, d);
      index.upsert(id, p.lat, p.lng, null);
    }
    expect(index.nearest(origin.lat, origin.lng, 10, 1_000).map((r) => r.id)).toEqual(["near", "mid", "far"]);
  });

  it("breaks distance ties by id", () => {
    const index = new SpatialIndex<null>();
    for (const id of ["b", "c", "a"]) index.upsert(id, 40.0, -3.7, null);
    expect(index.nearest(40.0, -3.7, 3, 10).map((r) => r.id)).toEqual(["a", "b", "c"]);
  });

  it("includes a courier exactly at the radius and excludes one just beyond it", () => {
    const index = new SpatialIndex<null>();
    const p = destinationPoint({ lat: 40, lng: -3.7 }, 90, 500);
    index.upsert("edge", p.lat, p.lng, null);
    const d = haversineMeters({ lat: 40, lng: -3.7 }, p);
    expect(index.nearest(40, -3.7, 1, d)).toHaveLength(1);
    expect(index.nearest(40, -3.7, 1, d - 1e-6)).toHaveLength(0);
  });

  it("skips couriers the filter rejects without counting them towards k", () => {
    const index = new SpatialIndex<{ available: boolean }>();
    index.upsert("busy", 40, -3.7, { available: false });
    const p = destinationPoint({ lat: 40, lng: -3.7 }, 0, 300);
    index.upsert("free", p.lat, p.lng, { available: true });
    expect(index.nearest(40, -3.7, 1, 1_000, (e) => e.data.available).map((r) => r.id)).toEqual(["free"]);
  });

  it("finds couriers on the other side of the antimeridian", () => {
    const index = new SpatialIndex<null>({ referenceLat: -16.5 });
    index.upsert("east", -16.5, 179.999, null);
    index.upsert("west", -16.5, -179.999, null);
    index.upsert("on", -16.5, 180, null);
    const got = index.nearest(-16.5, -179.9996, 3, 500);
    expect(got.map((r) => r.id)).toEqual(["on", "west", "east"]);
  });

  it("rejects invalid query and position coordinates", () => {
    const index = new SpatialIndex<null>();
    expect(() => index.nearest(Number.NaN, 0, 1, 1)).toThrow(RangeError);
    expect(() => index.upsert("x", 0, 181, null)).toThrow(RangeError);
    expect(index.size).toBe(0);
  });
});

describe("SpatialIndex updates", () => {
  it("moves a courier to the new position when it crosses into another bucket", () => {
    const index = new SpatialIndex<string>();
    const a = { lat: 51.5, lng: -0.12 };
    const b = destinationPoint(a, 90, 2_000);
    index.upsert("c1", a.lat, a.lng, "first");
    index.upsert("c1", b.lat, b.lng, "second");
    expect(index.size).toBe(1);
    expect(index.nearest(a.lat, a.lng, 5, 500)).toEqual([]);
    const [hit] = index.nearest(b.lat, b.lng, 5, 500);
    expect(hit?.id).toBe("c1");
    expect(hit?.distanceM).toBe(0);
    expect(hit?.entry.data).toBe("second");
  });

  it("updates a courier in place when it stays in the same bucket", () => {
    const index = new SpatialIndex<number>();
    index.upsert("c1", 51.5, -0.12, 1);
    const before = index.get("c1");
    index.upsert("c1", 51.50001, -0.12001, 2);
    const after = index.get("c1");
    expect(after).toBe(before);
    expect(after).toMatchObject({ lat: 51.50001, lng: -0.12001, data: 2 });
  });

  it("keeps the other couriers of a bucket findable after one is removed", () => {
    const index = new SpatialIndex<null>();
    for (let i = 0; i < 5; i++) index.upsert(`c${i}`, 51.5 + i * 1e-5, -0.12, null);
    expect(index.remove("c1")).toBe(true);
    expect(index.remove("c1")).toBe(false);
    expect(index.remove("nobody")).toBe(false);
    expect(index.get("c1")).toBeUndefined();
    expect(index.size).toBe(4);
    expect(index.nearest(51.5, -0.12, 10, 100).map((r) => r.id)).toEqual(["c0", "c2", "c3", "c4"]);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.nearest(51.5, -0.12, 10, 100)).toEqual([]);
  });
});
