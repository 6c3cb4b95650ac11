// The order's timing policy and the groups of states the rules are written in.
import type { DeliveryState, OrderState } from "./order-types.ts";

export interface OrderPolicy {
  paymentTimeoutMs: number;
  acceptanceTimeoutMs: number;
  readyWithoutCourierMs: number;
  maxPrepTimeMinutes: number;
  /** How long a courier at the door waits for an unreachable customer before they may fail the delivery. */
  customerWaitMs: number;
}

export const MINUTE_MS = 60_000;

export const DEFAULT_POLICY: OrderPolicy = Object.freeze({
  paymentTimeoutMs: 15 * MINUTE_MS,
  acceptanceTimeoutMs: 5 * MINUTE_MS,
  readyWithoutCourierMs: 10 * MINUTE_MS,
  maxPrepTimeMinutes: 120,
  customerWaitMs: 5 * MINUTE_MS,
});

export const TERMINAL_STATES: readonly OrderState[] = ["delivered", "rejected", "cancelled", "failed"];

export function isTerminal(state: OrderState): boolean {
  return TERMINAL_STATES.includes(state);
}

// Dispatch runs beside preparation, so courier moves up to pickup are legal in
// any of these order states.
export const KITCHEN_STATES: readonly OrderState[] = ["accepted", "preparing", "ready"];
export const UNASSIGNED_DELIVERY: readonly DeliveryState[] = ["none", "searching", "offered"];
/** Assigned and not yet picked up: the courier may still hand the job back. */
export const PICKUP_PENDING: readonly DeliveryState[] = ["assigned", "at_pickup"];
