// Stacked orders (decision 38): a courier on one job may take a second from
// the same or a nearby restaurant when doing so keeps the first customer's
// delivery within a bound. The route is fixed and simple, first order first:
// (first restaurant, if not picked up) → second restaurant → first drop-off →
// second drop-off. The first customer pays for the stack only with the
// detour through the second restaurant (and its food, if that is later);
// the second customer gets a courier who is already in the neighbourhood.

import type { LatLng } from "../geo/distance.ts";
import { haversineMeters } from "../geo/distance.ts";
import { HANDOVER_MS, travelTimeMs, type Vehicle } from "./eta.ts";

/** A job the courier already has, as the zone remembers it from the offer they accepted. */
export interface StackJob {
  orderId: string;
  restaurant: LatLng;
  dropoff: LatLng;
  foodReadyAt: number | null;
  /**
   * The food is on board (the courier confirmed pickup). Unknown counts as
   * not: the route then goes through the first restaurant, which never
   * understates the first customer's delay.
   */
  pickedUp?: boolean;
}

export interface StackOrder {
  restaurant: LatLng;
  dropoff: LatLng;
  foodReadyAt: number | null;
  /**
   * How long the best free courier the search found would take to this
   * counter; null or absent when none was found, and the policy's
   * `freeApproachFallbackMs` stands in (a search and an approach).
   */
  freeApproachMs?: number | null;
}

export interface StackPolicy {
  /** Jobs a courier may carry at once, the new one included. */
  maxJobs: number;
  /** The second restaurant must be this close to the first (straight line). */
  maxRestaurantGapM: number;
  /** The first order's drop-off may be delayed by at most this. */
  maxFirstDelayMs: number;
  /**
   * The second order's drop-off may be at most this later than a free
   * courier's. One handover: the second customer pays for the first
   * customer's door and nothing else, by the route model (which is
   * optimistic: it cannot see a kitchen slip).
   */
  maxSecondDelayMs: number;
  /** A free courier's time to the counter when the search found none. */
  freeApproachFallbackMs: number;
}

export const DEFAULT_STACK_POLICY: Readonly<StackPolicy> = Object.freeze({
  maxJobs: 2,
  maxRestaurantGapM: 800,
  maxFirstDelayMs: 8 * 60_000,
  maxSecondDelayMs: HANDOVER_MS,
  freeApproachFallbackMs: 10 * 60_000,
});

/** Restaurants this close are the same counter: one handover collects both bags. */
const SAME_COUNTER_M = 30;

export type StackVerdict =
  | {
      ok: true;
      withOrderId: string;
      /** How much later the first order arrives than it would alone. */
      firstDelayMs: number;
      /** When the courier would be at the second restaurant's counter (before waiting for its food). */
      arrivesAtPickupAt: number;
      /** When the second order would be handed to its customer. */
      secondDropoffAt: number;
      /** How much later the second order arrives than with a free courier (0 when sooner). */
      secondDelayMs: number;
      sameRestaurant: boolean;
    }
  | {
      ok: false;
      reason:
        | "too_many_jobs"
        | "restaurant_too_far"
        | "first_food_overdue"
        | "first_delay_too_long"
        | "second_delay_too_long";
      firstDelayMs?: number;
      secondDelayMs?: number;
    };

/** Travel time of one straight leg; the fixed model unless the caller has a learned one for the area and hour. */
export type LegTime = (distanceM: number, vehicle: Vehicle) => number;

/** Whether a courier at `position` carrying `jobs` may be offered `order`, and at what cost to the first customer. */
export function checkStack(
  position: LatLng,
  vehicle: Vehicle,
  jobs: readonly StackJob[],
  order: StackOrder,
  now: number,
  policy: StackPolicy = DEFAULT_STACK_POLICY,
  legTime: LegTime = travelTimeMs,
): StackVerdict {
  const leg = (a: LatLng, b: LatLng, v: Vehicle) => legTime(haversineMeters(a, b), v);
  const first = jobs[0];
  if (!first || jobs.length + 1 > policy.maxJobs) return { ok: false, reason: "too_many_jobs" };
  const gapM = haversineMeters(first.restaurant, order.restaurant);
  if (gapM > policy.maxRestaurantGapM) return { ok: false, reason: "restaurant_too_far" };
  const same = gapM <= SAME_COUNTER_M;
  const pickedUp = first.pickedUp === true;
  // The first food is due and still not on board: that kitchen is behind, and by how much nobody knows
  // (the board term is capped). Stacks made there waited on it: their second drop-offs came 15-19 min
  // after the plan in the city scenario, both customers paying.
  if (!pickedUp && first.foodReadyAt !== null && first.foodReadyAt < now) {
    return { ok: false, reason: "first_food_overdue" };
  }

  // Alone: to the first counter (wait for its food), hand over, ride to its customer.
  let t = now;
  let at = position;
  if (!pickedUp) {
    t = Math.max(t + leg(at, first.restaurant, vehicle), first.foodReadyAt ?? 0) + HANDOVER_MS;
    at = first.restaurant;
  }
  const afterFirstPickup = t;
  const soloDropoff = t + leg(at, first.dropoff, vehicle) + HANDOVER_MS;

  // Stacked: from there to the second counter (no extra handover at the same counter), then both drop-offs.
  const arrivesAtPickupAt =
    same && !pickedUp ? afterFirstPickup - HANDOVER_MS : afterFirstPickup + leg(at, order.restaurant, vehicle);
  const secondFood = order.foodReadyAt ?? 0;
  const leavesSecond =
    same && !pickedUp
      ? Math.max(afterFirstPickup, secondFood + HANDOVER_MS)
      : Math.max(arrivesAtPickupAt, secondFood) + HANDOVER_MS;
  const firstDropoff = leavesSecond + leg(order.restaurant, first.dropoff, vehicle) + HANDOVER_MS;
  const secondDropoffAt = firstDropoff + leg(first.dropoff, order.dropoff, vehicle) + HANDOVER_MS;
  const firstDelayMs = Math.max(0, Math.round(firstDropoff - soloDropoff));
  if (firstDelayMs > policy.maxFirstDelayMs) return { ok: false, reason: "first_delay_too_long", firstDelayMs };

  // The second customer, against a free courier: to this counter, wait for the food, straight to the door.
  const approachMs = order.freeApproachMs ?? policy.freeApproachFallbackMs;
  const freeDropoffAt =
    Math.max(now + Math.max(0, approachMs), secondFood) +
    HANDOVER_MS +
    leg(order.restaurant, order.dropoff, vehicle) +
    HANDOVER_MS;
  const secondDelayMs = Math.max(0, Math.round(secondDropoffAt - freeDropoffAt));
  if (secondDelayMs > policy.maxSecondDelayMs)
    return { ok: false, reason: "second_delay_too_long", firstDelayMs, secondDelayMs };
  return {
    ok: true,
    withOrderId: first.orderId,
    firstDelayMs,
    arrivesAtPickupAt: Math.round(arrivesAtPickupAt),
    secondDropoffAt: Math.round(secondDropoffAt),
    secondDelayMs,
    sameRestaurant: same,
  };
}
