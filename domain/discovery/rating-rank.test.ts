import { describe, expect, it } from "vitest";
import {
  compareRanked,
  displayAverage,
  METRES_PER_STAR,
  meetsMinRating,
  RATING_PRIOR,
  rankingScore,
  shrunkRating,
} from "./rating-rank.ts";

describe("shrunkRating", () => {
  it("puts an unrated restaurant at the prior, and moves toward the average as ratings add up", () => {
    expect(shrunkRating(undefined)).toBe(RATING_PRIOR.mean);
    expect(shrunkRating({ average: 5, count: 0 })).toBe(RATING_PRIOR.mean);
    const one = shrunkRating({ average: 5, count: 1 });
    const hundred = shrunkRating({ average: 4.7, count: 100 });
    expect(one).toBeCloseTo((4 * 5 + 5) / 6, 10);
    // One five-star review does not outrank a hundred 4.7s.
    expect(hundred).toBeGreaterThan(one);
    expect(shrunkRating({ average: 2, count: 1000 })).toBeCloseTo(2, 1);
  });
});

describe("rankingScore and compareRanked", () => {
  it("ranks a well-rated restaurant above a nearer poorly rated one, but not one much further away", () => {
    const near = { id: "a", distanceM: 500, score: rankingScore(500, { average: 2.5, count: 40 }) };
    const good = { id: "b", distanceM: 1500, score: rankingScore(1500, { average: 4.8, count: 40 }) };
    const far = { id: "c", distanceM: 12_000, score: rankingScore(12_000, { average: 5, count: 40 }) };
    expect([far, near, good].sort(compareRanked).map((r) => r.id)).toEqual(["b", "a", "c"]);
  });

  it("with no ratings at all, keeps nearest first (the listing's old order)", () => {
    const rows = [3000, 100, 1200].map((d, i) => ({ id: `r${i}`, distanceM: d, score: rankingScore(d, undefined) }));
    expect(rows.sort(compareRanked).map((r) => r.distanceM)).toEqual([100, 1200, 3000]);
  });

  it("charges one star per METRES_PER_STAR and breaks exact ties by distance, then id", () => {
    expect(rankingScore(0, undefined) - rankingScore(METRES_PER_STAR, undefined)).toBeCloseTo(1, 10);
    const tie = [
      { id: "z", distanceM: 10, score: 3 },
      { id: "y", distanceM: 10, score: 3 },
      { id: "x", distanceM: 5, score: 3 },
    ];
    expect(tie.sort(compareRanked).map((r) => r.id)).toEqual(["x", "y", "z"]);
  });
});

describe("meetsMinRating", () => {
  it("passes everything without a minimum, and only rated restaurants at or above it with one", () => {
    expect(meetsMinRating(undefined, undefined)).toBe(true);
    expect(meetsMinRating(undefined, 4)).toBe(false);
    expect(meetsMinRating({ average: 4, count: 3 }, 4)).toBe(true);
    expect(meetsMinRating({ average: 3.99, count: 3 }, 4)).toBe(false);
    expect(meetsMinRating({ average: 5, count: 0 }, 1)).toBe(false);
  });

  it("shows averages with one decimal", () => {
    expect(displayAverage(4.249)).toBe(4.2);
    expect(displayAverage(4.25)).toBe(4.3);
  });
});
