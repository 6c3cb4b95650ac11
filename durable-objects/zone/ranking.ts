// Who the offer loop asks first, and whether to ask yet: couriers found near
// the restaurant, ranked by domain/dispatch/scoring.ts, couriers on a job kept
// only when the order stacks on it (domain/dispatch/stacking.ts, decision 38),
// and the food-ready hold (domain/dispatch/food-ready.ts, decision 37). No I/O:
// offer-loop.ts does the finding and the offering.
import { travelTimeMs } from "../../domain/dispatch/eta.ts";
import { holdOfferUntil } from "../../domain/dispatch/food-ready.ts";
import { type RankedCandidate, rankCandidates, type StackFacts } from "../../domain/dispatch/scoring.ts";
import { checkStack } from "../../domain/dispatch/stacking.ts";
import type { DispatchRequest, ZoneCandidate } from "./protocol.ts";

export type Ranked = RankedCandidate<ZoneCandidate & { stack: StackFacts | null }>;

/** When the food is expected: the Order DO's prediction if it sent one, else the kitchen's estimate. */
export function expectedReadyAt(request: DispatchRequest): number | null {
  return request.timing?.predictedReadyAt ?? request.foodReadyAt;
}

/**
 * Free couriers as they are; couriers on a job only when this order can be
 * stacked on it within the bound, priced by the stacked route rather than
 * their straight line.
 */
export function rankForOrder(found: readonly ZoneCandidate[], request: DispatchRequest, now: number): Ranked[] {
  const { restaurant, dropoff } = request;
  const readyAt = expectedReadyAt(request);
  const candidates: Array<ZoneCandidate & { stack: StackFacts | null }> = [];
  // The second customer of a stack is measured against the best free courier found (decision 38's addendum).
  let freeApproachMs: number | null = null;
  for (const candidate of found) {
    if (candidate.activeJobs !== 0) continue;
    const ms = travelTimeMs(candidate.distanceM, candidate.vehicle);
    if (freeApproachMs === null || ms < freeApproachMs) freeApproachMs = ms;
  }
  for (const candidate of found) {
    if (candidate.activeJobs === 0) {
      candidates.push({ ...candidate, stack: null });
      continue;
    }
    if (!candidate.position || !candidate.jobs || candidate.jobs.length < candidate.activeJobs) continue;
    const order = { restaurant, dropoff, foodReadyAt: readyAt, freeApproachMs };
    const verdict = checkStack(candidate.position, candidate.vehicle, candidate.jobs, order, now);
    if (!verdict.ok) continue;
    candidates.push({
      ...candidate,
      stack: {
        withOrderId: verdict.withOrderId,
        firstDelayMs: verdict.firstDelayMs,
        toPickupMs: Math.max(0, verdict.arrivesAtPickupAt - now),
        sameRestaurant: verdict.sameRestaurant,
        secondDelayMs: verdict.secondDelayMs,
      },
    });
  }
  return rankCandidates(candidates, { foodReadyInMs: (readyAt ?? now) - now });
}

/** The time to hold the offer back to, or null to offer now (only for searches the Order DO timed). */
export function holdFor(request: DispatchRequest, candidate: Ranked, now: number): number | null {
  const timing = request.timing;
  if (!timing?.holdEarly) return null;
  const travelMs = candidate.stack ? candidate.stack.toPickupMs : travelTimeMs(candidate.distanceM, candidate.vehicle);
  return holdOfferUntil(timing.predictedReadyAt, travelMs, now);
}
