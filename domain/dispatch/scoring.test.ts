import { describe, expect, it } from "vitest";
import {
  acceptanceRate,
  type Candidate,
  DEFAULT_SCORING_WEIGHTS,
  explainChoice,
  rankCandidates,
  scoreCandidate,
  smoothedRating,
} from "./scoring.ts";

function candidate(courierId: string, overrides: Partial<Candidate> = {}): Candidate {
  return {
    courierId,
    distanceM: 1_000,
    vehicle: "bicycle",
    activeJobs: 0,
    recentOffers: 10,
    recentAccepts: 8,
    ...overrides,
  };
}

const READY_IN_10_MIN = { foodReadyInMs: 10 * 60_000 };
const READY_NOW = { foodReadyInMs: 0 };
const ids = (ranked: ReadonlyArray<{ courierId: string }>) => ranked.map((c) => c.courierId);

describe("rankCandidates", () => {
  it("ranks a nearer courier above a farther one on the same vehicle", () => {
    const ranked = rankCandidates(
      [candidate("far", { distanceM: 2_000 }), candidate("near", { distanceM: 800 })],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["near", "far"]);
  });

  it("ranks a faster vehicle above a slower one at the same distance", () => {
    const ranked = rankCandidates(
      [
        candidate("walker", { vehicle: "foot" }),
        candidate("driver", { vehicle: "car" }),
        candidate("rider", { vehicle: "bicycle" }),
      ],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["driver", "rider", "walker"]);
  });

  it("ranks a courier already carrying two jobs below an idle one 500 m farther", () => {
    const ranked = rankCandidates(
      [candidate("busy", { distanceM: 1_000, activeJobs: 2 }), candidate("idle", { distanceM: 1_500 })],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["idle", "busy"]);
  });

  it("still prefers a courier with one job over an idle one several kilometres farther", () => {
    const ranked = rankCandidates(
      [candidate("idle", { distanceM: 6_000 }), candidate("one-job", { distanceM: 1_000, activeJobs: 1 })],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["one-job", "idle"]);
  });

  it("ranks a courier who accepts most offers above one who declines most at the same distance", () => {
    const ranked = rankCandidates(
      [
        candidate("decliner", { recentOffers: 20, recentAccepts: 2 }),
        candidate("accepter", { recentOffers: 20, recentAccepts: 19 }),
      ],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["accepter", "decliner"]);
  });

  it("does not punish a new courier with no offer history relative to an average one", () => {
    const fresh = candidate("new", { recentOffers: 0, recentAccepts: 0 });
    const average = candidate("average", { recentOffers: 10, recentAccepts: 8 });
    expect(acceptanceRate(fresh)).toBeCloseTo(0.8, 9);
    expect(scoreCandidate(fresh, READY_NOW).score).toBeCloseTo(scoreCandidate(average, READY_NOW).score, 9);
    const poor = candidate("poor", { recentOffers: 10, recentAccepts: 2 });
    expect(ids(rankCandidates([poor, fresh], READY_NOW))).toEqual(["new", "poor"]);
  });

  it("does not let acceptance history outweigh kilometres of extra travel", () => {
    const ranked = rankCandidates(
      [
        candidate("perfect-far", { distanceM: 3_000, recentOffers: 50, recentAccepts: 50 }),
        candidate("poor-near", { distanceM: 1_000, recentOffers: 50, recentAccepts: 0 }),
      ],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["poor-near", "perfect-far"]);
  });

  it("penalises arriving after the food is ready but not arriving before it", () => {
    const c = candidate("c", { distanceM: 2_000 });
    const early = scoreCandidate(c, READY_IN_10_MIN);
    const late = scoreCandidate(c, READY_NOW);
    expect(early.breakdown.latenessS).toBe(0);
    expect(early.score).toBeCloseTo(early.breakdown.travelS + early.breakdown.declineS + early.breakdown.ratingS, 9);
    expect(late.breakdown.latenessS).toBeGreaterThan(0);
    expect(late.score).toBeGreaterThan(early.score);
  });

  it("makes the distance gap matter more when both couriers would be late", () => {
    const near = candidate("near", { distanceM: 1_000 });
    const far = candidate("far", { distanceM: 2_000 });
    const gapEarly = scoreCandidate(far, READY_IN_10_MIN).score - scoreCandidate(near, READY_IN_10_MIN).score;
    const gapLate = scoreCandidate(far, READY_NOW).score - scoreCandidate(near, READY_NOW).score;
    expect(gapLate).toBeGreaterThan(gapEarly);
  });

  it("breaks equal scores by courierId so the order is deterministic", () => {
    const ranked = rankCandidates([candidate("c"), candidate("a"), candidate("b")], READY_NOW);
    expect(ids(ranked)).toEqual(["a", "b", "c"]);
  });

  it("treats nonsense counters as zero instead of producing NaN scores", () => {
    const weird = candidate("weird", { activeJobs: -3, recentOffers: Number.NaN, recentAccepts: 5 });
    const score = scoreCandidate(weird, READY_NOW);
    expect(Number.isFinite(score.score)).toBe(true);
    expect(score.breakdown.loadS).toBe(0);
    expect(acceptanceRate(candidate("over", { recentOffers: 2, recentAccepts: 9 }))).toBeCloseTo(6 / 7, 9);
  });

  it("keeps extra fields of the candidates and does not mutate the input", () => {
    const input = [{ ...candidate("x"), zone: "u33db" }];
    const ranked = rankCandidates(input, READY_NOW);
    expect(ranked[0]?.zone).toBe("u33db");
    expect(input[0]).not.toHaveProperty("score");
  });
});

describe("ratings in scoring", () => {
  it("prefers the better-rated of two couriers at the same corner", () => {
    const ranked = rankCandidates(
      [
        candidate("low", { rating: { stars: 3.2, count: 40 } }),
        candidate("high", { rating: { stars: 4.9, count: 40 } }),
      ],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["high", "low"]);
  });

  it("counts a courier nobody rated yet as the prior, ahead of a poorly rated one", () => {
    expect(smoothedRating(null)).toBe(DEFAULT_SCORING_WEIGHTS.priorStars);
    expect(smoothedRating({ stars: 1, count: 1 })).toBeGreaterThan(3.8);
    const ranked = rankCandidates(
      [candidate("poor", { rating: { stars: 3, count: 50 } }), candidate("new", { rating: null })],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["new", "poor"]);
  });

  it("floors the rating cost: a one-star courier 300 m away still beats a five-star one 1.5 km farther", () => {
    const ranked = rankCandidates(
      [
        candidate("one-star", { distanceM: 300, rating: { stars: 1, count: 200 } }),
        candidate("five-star", { distanceM: 1_800, rating: { stars: 5, count: 200 } }),
      ],
      READY_NOW,
    );
    expect(ids(ranked)).toEqual(["one-star", "five-star"]);
    expect(ranked[0]?.breakdown.ratingS).toBe(DEFAULT_SCORING_WEIGHTS.maxRatingPenaltyS);
  });
});

describe("stacked candidates", () => {
  it("scores a stack by its route to this counter and the first customer's delay", () => {
    const stacked = candidate("stacked", {
      activeJobs: 1,
      distanceM: 3_000,
      stack: { withOrderId: "o1", firstDelayMs: 60_000, toPickupMs: 120_000, sameRestaurant: true },
    });
    const idleFar = candidate("idle", { distanceM: 2_000 });
    const ranked = rankCandidates([idleFar, stacked], READY_IN_10_MIN);
    expect(ids(ranked)).toEqual(["stacked", "idle"]);
    expect(ranked[0]?.breakdown.travelS).toBe(120);
    expect(ranked[0]?.breakdown.loadS).toBe(DEFAULT_SCORING_WEIGHTS.stackBaseS + 60);
  });

  it("explains the choice line by line", () => {
    const [first] = rankCandidates(
      [
        candidate("a", {
          activeJobs: 1,
          rating: { stars: 4.8, count: 12 },
          stack: {
            withOrderId: "o1",
            firstDelayMs: 90_000,
            toPickupMs: 240_000,
            sameRestaurant: false,
            secondDelayMs: 120_000,
          },
        }),
      ],
      READY_IN_10_MIN,
    );
    const lines = explainChoice(first as NonNullable<typeof first>, READY_IN_10_MIN, 1, 3);
    expect(lines[0]).toMatch(/ranked 1 of 3/);
    expect(lines.join("\n")).toMatch(/stacked on order o1/);
    expect(lines.join("\n")).toMatch(/first order delayed by 1.5 min/);
    expect(lines.join("\n")).toMatch(/this order 2 min later than with a free courier/);
    expect(lines.join("\n")).toMatch(/rated 4.8 by 12/);
    expect(lines.join("\n")).toMatch(/before the food is ready/);
    const [plain] = rankCandidates([candidate("b", { distanceM: 4_000 })], READY_NOW);
    const text = explainChoice(plain as NonNullable<typeof plain>, READY_NOW, 1, 1).join("\n");
    expect(text).toMatch(/4.0 km away by bicycle/);
    expect(text).toMatch(/after the food/);
    expect(text).toMatch(/not rated yet/);
  });
});
