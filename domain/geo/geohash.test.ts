import { describe, expect, it } from "vitest";
import { seededRandom } from "../random/seeded-random.ts";
import { destinationPoint, haversineMeters } from "./distance.ts";
import {
  cellsWithinRadius,
  decodeGeohashBounds,
  distanceToBoundsMeters,
  encodeGeohash,
  type GeohashBounds,
  geohashAdjacent,
  geohashNeighbours,
  ZONE_PRECISION,
  zoneCellOf,
} from "./geohash.ts";

function contains(b: GeohashBounds, lat: number, lng: number): boolean {
  return lat >= b.minLat && lat <= b.maxLat && lng >= b.minLng && lng <= b.maxLng;
}

function centre(hash: string): { lat: number; lng: number } {
  const b = decodeGeohashBounds(hash);
  return { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 };
}

/** Upper estimate of the point-to-cell distance by walking the cell's outline; exact to within the step. */
function sampledDistanceToCell(p: { lat: number; lng: number }, b: GeohashBounds, steps = 400): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const lat = b.minLat + t * (b.maxLat - b.minLat);
    const lng = b.minLng + t * (b.maxLng - b.minLng);
    for (const q of [
      { lat, lng: b.minLng },
      { lat, lng: b.maxLng },
      { lat: b.minLat, lng },
      { lat: b.maxLat, lng },
    ]) {
      best = Math.min(best, haversineMeters(p, q));
    }
  }
  return contains(b, p.lat, p.lng) ? 0 : best;
}

describe("encodeGeohash / decodeGeohashBounds", () => {
  it("matches published reference hashes", () => {
    expect(encodeGeohash(57.64911, 10.40744, 11)).toBe("u4pruydqqvj");
    expect(encodeGeohash(42.6, -5.6, 5)).toBe("ezs42");
    expect(encodeGeohash(-25.382708, -49.265506, 12)).toBe("6gkzwgjzn820");
  });

  it("decodes a cell to bounds that contain the encoded point", () => {
    const b = decodeGeohashBounds("ezs42");
    expect(b.minLat).toBeCloseTo(42.583, 3);
    expect(b.maxLat).toBeCloseTo(42.627, 3);
    expect(b.minLng).toBeCloseTo(-5.625, 3);
    expect(b.maxLng).toBeCloseTo(-5.581, 3);
  });

  it("puts every random point inside the bounds of its own cell at every precision", () => {
    const rand = seededRandom(7);
    for (let i = 0; i < 500; i++) {
      const lat = rand() * 180 - 90;
      const lng = rand() * 360 - 180;
      const precision = 1 + Math.floor(rand() * 12);
      const hash = encodeGeohash(lat, lng, precision);
      expect(hash).toHaveLength(precision);
      expect(contains(decodeGeohashBounds(hash), lat, lng)).toBe(true);
    }
  });

  it("assigns a point exactly on a cell edge to the cell to its north-east, as the reference algorithm does", () => {
    const b = decodeGeohashBounds("ezs42");
    expect(encodeGeohash(b.minLat, b.minLng, 5)).toBe("ezs42");
  });

  it("encodes the poles and the antimeridian without falling off the grid", () => {
    expect(encodeGeohash(90, 180, 5)).toBe("zzzzz");
    expect(encodeGeohash(-90, -180, 5)).toBe("00000");
  });

  it("uses square-ish cells of about 4.9 km for zones", () => {
    expect(ZONE_PRECISION).toBe(5);
    const b = decodeGeohashBounds(zoneCellOf(0.01, 0.01));
    expect(haversineMeters({ lat: b.minLat, lng: b.minLng }, { lat: b.maxLat, lng: b.minLng })).toBeCloseTo(4_887, -1);
    expect(haversineMeters({ lat: b.minLat, lng: b.minLng }, { lat: b.minLat, lng: b.maxLng })).toBeCloseTo(4_887, -1);
  });

  it("rejects malformed hashes, precisions and coordinates", () => {
    expect(() => decodeGeohashBounds("")).toThrow(RangeError);
    expect(() => decodeGeohashBounds("ezs4a")).toThrow(RangeError);
    expect(() => decodeGeohashBounds("EZS42")).toThrow(RangeError);
    expect(() => decodeGeohashBounds("0123456789bcd")).toThrow(RangeError);
    expect(() => encodeGeohash(0, 0, 0)).toThrow(RangeError);
    expect(() => encodeGeohash(0, 0, 2.5)).toThrow(RangeError);
    expect(() => encodeGeohash(91, 0, 5)).toThrow(RangeError);
    expect(() => encodeGeohash(Number.NaN, 0, 5)).toThrow(RangeError);
  });
});

describe("geohashNeighbours", () => {
  it("returns the 8 surrounding cells in n, ne, e, se, s, sw, w, nw order", () => {
    const hash = "u33db";
    const b = decodeGeohashBounds(hash);
    const h = b.maxLat - b.minLat;
    const w = b.maxLng - b.minLng;
    const c = centre(hash);
    const expected = [
      [1, 0],
      [1, 1],
      [0, 1],
      [-1, 1],
      [-1, 0],
      [-1, -1],
      [0, -1],
      [1, -1],
    ].map(([dy, dx]) => encodeGeohash(c.lat + (dy as number) * h, c.lng + (dx as number) * w, 5));
    expect(geohashNeighbours(hash)).toEqual(expected);
    expect(new Set(expected).size).toBe(8);
  });

  it("is symmetric: each neighbour lists the original cell among its own neighbours", () => {
    for (const hash of ["u33db", "ezs42", "00000", "zzzzz", "pbpbp", "rzzzz"]) {
      for (const n of geohashNeighbours(hash)) expect(geohashNeighbours(n)).toContain(hash);
    }
  });

  it("wraps east and west across the antimeridian", () => {
    const east = zoneCellOf(0.01, 179.99);
    const west = zoneCellOf(0.01, -179.99);
    expect(geohashAdjacent(east, "e")).toBe(west);
    expect(geohashAdjacent(west, "w")).toBe(east);
  });

  it("stops at the poles instead of wrapping over them, leaving 5 neighbours", () => {
    const north = zoneCellOf(89.99, 10);
    expect(geohashAdjacent(north, "n")).toBeNull();
    expect(geohashNeighbours(north)).toHaveLength(5);
    const south = zoneCellOf(-89.99, 10);
    expect(geohashAdjacent(south, "s")).toBeNull();
    expect(geohashNeighbours(south)).toHaveLength(5);
  });
});

describe("distanceToBoundsMeters", () => {
  it("agrees with a dense walk of the cell outline from points all around it", () => {
    const rand = seededRandom(11);
    for (let i = 0; i < 200; i++) {
      const lat = rand() * 170 - 85;
      const lng = rand() * 360 - 180;
      const hash = encodeGeohash(lat, lng, 1 + Math.floor(rand() * 6));
      const b = decodeGeohashBounds(hash);
      const p = destinationPoint(
        centre(hash),
        rand() * 360,
        rand() * 3 * haversineMeters(centre(hash), { lat: b.maxLat, lng: b.maxLng }),
      );
      const exact = distanceToBoundsMeters(p, b);
      const sampled = sampledDistanceToCell(p, b, 2_000);
      expect(exact).toBeLessThanOrEqual(sampled + 1e-6);
      expect(sampled - exact).toBeLessThan(Math.max(1, sampled * 1e-3));
    }
  });
});

describe("cellsWithinRadius", () => {
  it("returns only the containing cell for a zero radius away from edges", () => {
    const c = centre("u33db");
    expect(cellsWithinRadius(c.lat, c.lng, 0)).toEqual(["u33db"]);
  });

  it("adds the neighbour across a nearby edge, but not one that is out of reach", () => {
    const b = decodeGeohashBounds("u33db");
    const midLat = (b.minLat + b.maxLat) / 2;
    const p = destinationPoint({ lat: midLat, lng: b.maxLng }, 270, 100);
    const cells = cellsWithinRadius(p.lat, p.lng, 200);
    expect(cells).toEqual(["u33db", geohashAdjacent("u33db", "e")]);
    expect(cellsWithinRadius(p.lat, p.lng, 50)).toEqual(["u33db"]);
  });

  it("lists the containing cell first and the rest nearest first", () => {
    const c = centre("u33db");
    const cells = cellsWithinRadius(c.lat + 0.01, c.lng + 0.015, 8_000);
    expect(cells[0]).toBe("u33db");
    const distances = cells.map((h) =>
      distanceToBoundsMeters({ lat: c.lat + 0.01, lng: c.lng + 0.015 }, decodeGeohashBounds(h)),
    );
    expect([...distances].sort((x, y) => x - y)).toEqual(distances);
  });

  it("finds exactly the cells a brute-force check finds, including radii spanning many cells", () => {
    const rand = seededRandom(2024);
    for (let trial = 0; trial < 40; trial++) {
      // Up to ±60° a zone cell is at least 2.4 km wide, so 8 rings of cells reach past 15 km.
      const lat = rand() * 120 - 60;
      const lng = trial % 5 === 0 ? 179.97 + rand() * 0.06 - 0.03 : rand() * 360 - 180;
      const radiusM = [0, 150, 2_000, 6_000, 15_000][trial % 5] as number;
      const got = new Set(cellsWithinRadius(lat, lng, radiusM));
      // Brute force over a generous block of cells around the point.
      const here = zoneCellOf(lat, lng);
      const block = new Set<string>([here]);
      for (let ring = 0; ring < 8; ring++) {
        for (const h of [...block]) for (const n of geohashNeighbours(h)) block.add(n);
      }
      for (const h of block) {
        const b = decodeGeohashBounds(h);
        const exact = distanceToBoundsMeters({ lat, lng }, b);
        expect(got.has(h), `${h} at ${exact} m for radius ${radiusM}`).toBe(exact <= radiusM);
        // And the exact distance really is the distance to the cell.
        const sampled = sampledDistanceToCell({ lat, lng }, b, 200);
        expect(exact).toBeLessThanOrEqual(sampled + 1e-6);
        expect(sampled - exact).toBeLessThan(15);
      }
      for (const h of got) expect(block.has(h)).toBe(true);
    }
  }, 60_000);

  it("covers every point within the radius, also across the antimeridian", () => {
    const rand = seededRandom(99);
    for (let trial = 0; trial < 30; trial++) {
      const origin = { lat: rand() * 120 - 60, lng: trial % 3 === 0 ? 179.99 : rand() * 360 - 180 };
      const radiusM = 500 + rand() * 12_000;
      const cells = new Set(cellsWithinRadius(origin.lat, origin.lng, radiusM));
      for (let i = 0; i < 200; i++) {
        const p = destinationPoint(origin, rand() * 360, rand() * radiusM);
        expect(cells.has(zoneCellOf(p.lat, p.lng))).toBe(true);
      }
    }
  });

  it("includes every cell of the polar row when the circle contains the pole", () => {
    const cells = cellsWithinRadius(89.999, 0, 1_000, 3);
    const polarRow = cells.filter((h) => decodeGeohashBounds(h).maxLat === 90);
    expect(polarRow).toHaveLength(256);
  });

  it("refuses radii that would fan out to an unreasonable number of zones", () => {
    expect(() => cellsWithinRadius(0, 0, 1_000_000)).toThrow(RangeError);
    expect(() => cellsWithinRadius(0, 0, -1)).toThrow(RangeError);
    expect(() => cellsWithinRadius(0, 0, Number.NaN)).toThrow(RangeError);
  });
});

describe("zone cell bounds", () => {
  // The Zone DO's ingest takes a point strictly inside its cell's bounds as in the cell without
  // encoding it (durable-objects/zone/ingest.ts `cellOf`); that shortcut must agree with zoneCellOf.
  it("puts every point strictly inside a cell's bounds in that cell, the edges included just inside", () => {
    const random = seededRandom(59);
    for (let i = 0; i < 2_000; i++) {
      const cell = zoneCellOf(-80 + random() * 160, -179 + random() * 358);
      const b = decodeGeohashBounds(cell);
      const tiny = 1e-9;
      const points = [
        { lat: b.minLat + random() * (b.maxLat - b.minLat), lng: b.minLng + random() * (b.maxLng - b.minLng) },
        { lat: b.minLat + tiny, lng: b.minLng + tiny },
        { lat: b.maxLat - tiny, lng: b.maxLng - tiny },
      ];
      for (const p of points) {
        if (p.lat > b.minLat && p.lat < b.maxLat && p.lng > b.minLng && p.lng < b.maxLng) {
          expect(zoneCellOf(p.lat, p.lng)).toBe(cell);
        }
      }
    }
  });
});
