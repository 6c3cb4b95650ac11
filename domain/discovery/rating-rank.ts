// Customers' ratings as a discovery signal. The listing orders restaurants by
// one score: a rating shrunk toward a prior (so one 5-star review does not
// outrank a hundred 4.7s, and an unrated restaurant sits at the prior rather
// than at the bottom), minus a cost for distance (further means a longer wait
// and a higher fee). The rating filter uses the plain average customers see.

export interface RatingSummary {
  /** Mean of the restaurant stars, 1..5. */
  average: number;
  count: number;
}

/** What a restaurant with no ratings is assumed to be, and how many ratings that assumption weighs. */
export const RATING_PRIOR = { mean: 4, weight: 5 } as const;
/** Each this many metres away costs one star of score: 2 km further must be clearly better to rank above. */
export const METRES_PER_STAR = 2_000;

/** The rating shrunk toward the prior by how few ratings back it (a Bayesian average). */
export function shrunkRating(summary: RatingSummary | undefined): number {
  if (!summary || summary.count <= 0) return RATING_PRIOR.mean;
  return (
    (RATING_PRIOR.mean * RATING_PRIOR.weight + summary.average * summary.count) / (RATING_PRIOR.weight + summary.count)
  );
}

export function rankingScore(distanceM: number, summary: RatingSummary | undefined): number {
  return shrunkRating(summary) - distanceM / METRES_PER_STAR;
}

/** With a minimum set, an unrated restaurant does not pass: nobody has vouched for it yet. */
export function meetsMinRating(summary: RatingSummary | undefined, minRating: number | undefined): boolean {
  if (minRating === undefined) return true;
  return summary !== undefined && summary.count > 0 && summary.average >= minRating;
}

/** Best score first; equal scores nearest first, then by id, so the order is total and stable. */
export function compareRanked(
  a: { id: string; distanceM: number; score: number },
  b: { id: string; distanceM: number; score: number },
): number {
  return b.score - a.score || a.distanceM - b.distanceM || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Averages as shown to customers: one decimal. */
export function displayAverage(average: number): number {
  return Math.round(average * 10) / 10;
}
