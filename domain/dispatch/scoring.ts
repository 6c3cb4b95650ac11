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
  /** Customers' stars for this courier: mean and how many; null or absent when never rated. */
  rating?: CourierRating | null;
  /**
   * Set when the courier is on a job and this order would be stacked on it
   * (domain/dispatch/stacking.ts): it replaces the straight-line trip and the
   * flat per-job penalty with the stacked route's own figures.
   */
  stack?: StackFacts | null;
}

export interface CourierRating {
  stars: number;
  count: number;
}

export interface StackFacts {
  withOrderId: string;
  firstDelayMs: number;
  /** From now until the courier is at this order's counter along the stacked route. */
  toPickupMs: number;
  sameRestaurant: boolean;
  /** How much later this order arrives than with a free courier (checkStack bounds it); absent: not computed. */
  secondDelayMs?: number;
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
  /**
   * Ratings, shrunk towards a prior (priorStars with priorRatings pseudo-
   * ratings): a courier nobody has rated yet scores as the prior, not as
   * zero stars, and a single one-star review cannot sink anyone.
   */
  priorStars: number;
  priorRatings: number;
  /** Seconds per star below five. */
  ratingPerStarS: number;
  /**
   * The floor: rating can cost at most this, so a low-rated courier (or a new
   * one) still gets the job when clearly nearest. A tie-breaker, not a ban.
   */
  maxRatingPenaltyS: number;
  /** Fixed cost of stacking (a second bag, a second customer to find), besides the first customer's delay. */
  stackBaseS: number;
  /** Weight of each second the first order is delayed by a stack. */
  firstDelayWeight: number;
}

export const DEFAULT_SCORING_WEIGHTS: Readonly<ScoringWeights> = {
  latenessWeight: 1,
  loadPenaltyS: 240,
  // Each decline burns a 30 s offer round and often a second one; 120 s keeps
  // acceptance a tie-breaker among similar couriers, not a way to skip the nearest by kilometres.
  declinePenaltyS: 120,
  priorAccepts: 4,
  priorDeclines: 1,
  priorStars: 4.5,
  priorRatings: 5,
  // A whole star is worth a minute (~270 m by bicycle): enough to choose between two couriers at the same
  // corner, never enough to send a far one past a near one.
  ratingPerStarS: 60,
  maxRatingPenaltyS: 120,
  stackBaseS: 60,
  firstDelayWeight: 1,
};

export interface ScoreBreakdown {
  travelS: number;
  latenessS: number;
  loadS: number;
  declineS: number;
  ratingS: number;
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

/** The rating scoring uses: the courier's mean shrunk towards the prior by how few ratings they have. */
export function smoothedRating(
  rating: CourierRating | null | undefined,
  weights: ScoringWeights = DEFAULT_SCORING_WEIGHTS,
): number {
  const count = rating && Number.isFinite(rating.stars) ? clampCount(rating.count) : 0;
  const stars = count > 0 && rating ? Math.min(5, Math.max(1, rating.stars)) : weights.priorStars;
  return (stars * count + weights.priorStars * weights.priorRatings) / (count + weights.priorRatings);
}

export function scoreCandidate(
  candidate: Candidate,
  order: OrderForScoring,
  weights: ScoringWeights = DEFAULT_SCORING_WEIGHTS,
): { score: number; breakdown: ScoreBreakdown } {
  const stack = candidate.stack ?? null;
  const travelS =
    stack !== null ? Math.max(0, stack.toPickupMs) / 1000 : travelTimeMs(candidate.distanceM, candidate.vehicle) / 1000;
  const readyInS = Math.max(0, order.foodReadyInMs) / 1000;
  const latenessS = Math.max(0, travelS - readyInS) * weights.latenessWeight;
  const loadS =
    stack !== null
      ? weights.stackBaseS + (Math.max(0, stack.firstDelayMs) / 1000) * weights.firstDelayWeight
      : clampCount(candidate.activeJobs) * weights.loadPenaltyS;
  const declineS = (1 - acceptanceRate(candidate, weights)) * weights.declinePenaltyS;
  const ratingS = Math.min(
    weights.maxRatingPenaltyS,
    Math.max(0, 5 - smoothedRating(candidate.rating, weights)) * weights.ratingPerStarS,
  );
  return {
    score: travelS + latenessS + loadS + declineS + ratingS,
    breakdown: { travelS, latenessS, loadS, declineS, ratingS },
  };
}

const mins = (s: number) => `${Math.round(s / 6) / 10} min`;

/**
 * Why this courier got the offer, one line per term that cost something (or
 * mattered), for the offer's record and the operators' timeline.
 */
export function explainChoice(
  chosen: RankedCandidate,
  order: OrderForScoring,
  rank: number,
  of: number,
  weights: ScoringWeights = DEFAULT_SCORING_WEIGHTS,
): string[] {
  const b = chosen.breakdown;
  const lines = [`ranked ${rank} of ${of}, score ${Math.round(chosen.score)} s`];
  if (chosen.stack) {
    const s = chosen.stack;
    lines.push(
      `stacked on order ${s.withOrderId}${s.sameRestaurant ? " (same restaurant)" : ""}: at this counter in ${mins(s.toPickupMs / 1000)}`,
      `first order delayed by ${mins(s.firstDelayMs / 1000)}: +${Math.round(b.loadS)} s`,
    );
    if (s.secondDelayMs !== undefined)
      lines.push(`this order ${mins(s.secondDelayMs / 1000)} later than with a free courier (at most one handover)`);
  } else {
    lines.push(
      `${(chosen.distanceM / 1000).toFixed(1)} km away by ${chosen.vehicle}: ${mins(b.travelS)} to the counter`,
    );
    if (b.loadS > 0) lines.push(`${clampCount(chosen.activeJobs)} job(s) on board: +${Math.round(b.loadS)} s`);
  }
  const readyInS = Math.max(0, order.foodReadyInMs) / 1000;
  if (b.latenessS > 0)
    lines.push(`arrives ${mins(b.travelS - readyInS)} after the food: +${Math.round(b.latenessS)} s`);
  else lines.push(`arrives ${mins(readyInS - b.travelS)} before the food is ready`);
  const rate = acceptanceRate(chosen, weights);
  lines.push(`accepts ~${Math.round(rate * 100)}% of offers: +${Math.round(b.declineS)} s`);
  const rating = chosen.rating;
  lines.push(
    rating && clampCount(rating.count) > 0
      ? `rated ${rating.stars.toFixed(1)} by ${rating.count} customer(s) (counted as ${smoothedRating(rating, weights).toFixed(2)}): +${Math.round(b.ratingS)} s`
      : `not rated yet, counted as ${weights.priorStars.toFixed(1)}: +${Math.round(b.ratingS)} s`,
  );
  return lines;
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
