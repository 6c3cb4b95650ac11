// Orders for later. The customer names when the food should arrive (a time
// for a restaurant, a slot for a slot-based merchant); this works back to
// when it must be ready and when the kitchen must get it, checks the kitchen
// is open then, and says when a courier should be sent so they arrive as the
// food is ready. The Order DO arms its alarm for these instants.
import { HANDOVER_MS, travelTimeMs } from "../dispatch/eta.ts";
import { isTakingOrdersAt, type Schedule } from "../restaurant/schedule.ts";

export interface SchedulingPolicy {
  /** Besides prep and travel: the soonest a scheduled order may be for, from now. */
  minLeadMinutes: number;
  maxDaysAhead: number;
  /** The kitchen gets the order this much before it must start cooking. */
  releaseBufferMinutes: number;
  /** A courier is sent this long before the food is due, so they arrive as it is ready. */
  courierLeadMinutes: number;
}

export const DEFAULT_SCHEDULING: SchedulingPolicy = Object.freeze({
  minLeadMinutes: 15,
  maxDaysAhead: 7,
  releaseBufferMinutes: 5,
  courierLeadMinutes: 10,
});

const MIN = 60_000;

export interface DeliveryPlan {
  /** When the customer should have it. */
  deliverAt: number;
  /** When the food must be ready for a courier to bring it by deliverAt. */
  readyBy: number;
  /** When the order reaches the kitchen's board. */
  releaseAt: number;
}

export type PlanResult =
  | { ok: true; plan: DeliveryPlan }
  | {
      ok: false;
      code: "scheduled_too_soon" | "scheduled_too_far" | "scheduled_outside_hours";
      message: string;
      /** For too_soon: the earliest time that would be accepted. */
      earliest?: number;
    };

/** Door to door by bicycle (the planning vehicle), with a handover at each end, in whole minutes. */
export function plannedTravelMinutes(distanceM: number): number {
  return Math.ceil((travelTimeMs(distanceM, "bicycle") + 2 * HANDOVER_MS) / MIN);
}

export function planBackwards(deliverAt: number, prepMinutes: number, travelMinutes: number, policy: SchedulingPolicy) {
  const readyBy = deliverAt - travelMinutes * MIN;
  const releaseAt = readyBy - (prepMinutes + policy.releaseBufferMinutes) * MIN;
  return { deliverAt, readyBy, releaseAt };
}

/** A restaurant order "deliver at": soon enough, not too far, and the kitchen open from release until ready. */
export function planScheduledDelivery(input: {
  deliverAt: number;
  now: number;
  prepMinutes: number;
  distanceM: number;
  schedule: Schedule;
  policy?: SchedulingPolicy;
}): PlanResult {
  const policy = input.policy ?? DEFAULT_SCHEDULING;
  const travel = plannedTravelMinutes(input.distanceM);
  const earliest = input.now + (input.prepMinutes + travel + policy.minLeadMinutes) * MIN;
  if (input.deliverAt < earliest) {
    return {
      ok: false,
      code: "scheduled_too_soon",
      earliest,
      message: `Too soon to schedule; order now, or choose ${new Date(earliest).toISOString()} or later.`,
    };
  }
  if (input.deliverAt > input.now + policy.maxDaysAhead * 24 * 60 * MIN) {
    return {
      ok: false,
      code: "scheduled_too_far",
      message: `Orders can be scheduled up to ${policy.maxDaysAhead} days ahead.`,
    };
  }
  const plan = planBackwards(input.deliverAt, input.prepMinutes, travel, policy);
  // The kitchen cooks from release until ready: it must be open at both ends.
  if (!isTakingOrdersAt(input.schedule, plan.releaseAt) || !isTakingOrdersAt(input.schedule, plan.readyBy - MIN)) {
    return {
      ok: false,
      code: "scheduled_outside_hours",
      message: "The kitchen is closed when it would prepare this order; choose a time within its opening hours.",
    };
  }
  return { ok: true, plan };
}

/** A slot order aims to arrive early in its window (a quarter in, at most 15 minutes). */
export function planSlotDelivery(
  slot: { startsAt: number; endsAt: number },
  prepMinutes: number,
  distanceM: number,
  policy: SchedulingPolicy = DEFAULT_SCHEDULING,
): DeliveryPlan {
  const into = Math.min(15 * MIN, Math.floor((slot.endsAt - slot.startsAt) / 4));
  return planBackwards(slot.startsAt + into, prepMinutes, plannedTravelMinutes(distanceM), policy);
}

/** When to start looking for a courier for food due at `readyAt`: now if that is already close. */
export function dispatchAt(readyAt: number, now: number, policy: SchedulingPolicy = DEFAULT_SCHEDULING): number {
  return Math.max(now, readyAt - policy.courierLeadMinutes * MIN);
}
