// Ranking of candidate couriers for one order. Scores are in seconds of
// expected delay, lower is better, so every term can be argued about in the
// same unit: "is one extra job on board worth four minutes?".

import { travelTimeMs, type Vehicle } from "./eta.ts";

export interface Candidate {
  courierId: string;
  /** Straight-line distance to the restaurant; the road factor is applied here. */
  distanceM: number;
  vehicle: Vehicle;
  activeJobs: number;
  recentOffers: number;
  recentAccepts: number;
}

export interface OrderForScoring {
  /** Time until the kitchen expects the food ready; 0 or negative if it already is. */
  foodReadyInMs: number;
}

export interface ScoringWeights {
  /**
   * Extra weight per second the courier arrives after the food is ready, on
   * top of the travel time itself: late arrival makes food go cold and the
   * customer wait, while early arrival only costs the courier some idle time.
   */
  latenessWeight: number;
  /** Each job already on board delays this one by roughly a drop-off detour. */
  loadPenaltyS: number;
  /** Cost of a certain decline; scaled by the estimated decline probability. */
  declinePenaltyS: number;
  /**
   * Beta prior on the acceptance rate, as pseudo-counts. A courier with no
   * history gets the prior mean instead of 0 % so new couriers are not pushed
   * to the back, and a handful of offers cannot swing the rate to 0 or 100 %.
   */
  priorAccepts: number;
  priorDeclines: number;
}

export const DEFAULT_SCORING_WEIGHTS: Readonly<ScoringWeights> = {
  latenessWeight: 1,
  loadPenaltyS: 240,
  // Each decline burns a 30 s offer round and often a second one; 120 s keeps
  // acceptance a tie-breaker among similar couriers, not a way to skip the nearest by kilometres.
  declinePenaltyS: 120,
  priorAccepts: 4,
  priorDeclines: 1,
};

export interface ScoreBreakdown {
  travelS: number;
  latenessS: number;
  loadS: number;
  declineS: number;
}

export type RankedCandidate<C extends Candidate = Candidate> = C & { score: number; breakdown: ScoreBreakdown };

function clampCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export function acceptanceRate(candidate: Candidate, weights: ScoringWeights = DEFAULT_SCORING_WEIGHTS): number {
  const offers = clampCount(candidate.recentOffers);
  const accepts = Math.min(offers, clampCount(candidate.recentAccepts));
  return (accepts + weights.priorAccepts) / (offers + weights.priorAccepts + weights.priorDeclines);
}

export function scoreCandidate(
  candidate: Candidate,
  order: OrderForScoring,
  weights: ScoringWeights = DEFAULT_SCORING_WEIGHTS,
): { score: number; breakdown: ScoreBreakdown } {
  const travelS = travelTimeMs(candidate.distanceM, candidate.vehicle) / 1000;
  const readyInS = Math.max(0, order.foodReadyInMs) / 1000;
  const latenessS = Math.max(0, travelS - readyInS) * weights.latenessWeight;
  const loadS = clampCount(candidate.activeJobs) * weights.loadPenaltyS;
  const declineS = (1 - acceptanceRate(candidate, weights)) * weights.declinePenaltyS;
  return { score: travelS + latenessS + loadS + declineS, breakdown: { travelS, latenessS, loadS, declineS } };
}

/** Best first. Equal scores order by courierId (code-unit order) so every run offers in the same order. */
export function rankCandidates<C extends Candidate>(
  candidates: readonly C[],
  order: OrderForScoring,
  weights: ScoringWeights = DEFAULT_SCORING_WEIGHTS,
): RankedCandidate<C>[] {
  return candidates
    .map((c) => ({ ...c, ...scoreCandidate(c, order, weights) }))
    .sort((a, b) => a.score - b.score || (a.courierId < b.courierId ? -1 : a.courierId > b.courierId ? 1 : 0));
}
