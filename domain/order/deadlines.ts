// Time in the order's rules: the deadlines the Order DO's alarm runs as
// transitions, and when the food is expected to be ready.
import type { OrderSnapshot } from "./order-types.ts";
import { DEFAULT_POLICY, isTerminal, MINUTE_MS, type OrderPolicy, UNASSIGNED_DELIVERY } from "./policy.ts";
import { awaitingRelease } from "./snapshot.ts";

/** The state machine's own deadlines: each is a transition the Order DO's alarm runs when due. */
export type OrderDeadlineKind = "payment_timeout" | "acceptance_timeout" | "courier_timeout" | "release_due";

export function deadlines(
  order: OrderSnapshot,
  policy: OrderPolicy = DEFAULT_POLICY,
): Array<{ kind: OrderDeadlineKind; at: number }> {
  // Offer expiry is not here: the Zone DO runs offers and sends offer_declined
  // when one lapses.
  const due: Array<{ kind: OrderDeadlineKind; at: number }> = [];
  const at = deadlineAt(order, policy);
  for (const kind of ["payment_timeout", "acceptance_timeout", "courier_timeout", "release_due"] as const) {
    const when = at[kind];
    if (when !== null) due.push({ kind, at: when });
  }
  return due.sort((a, b) => a.at - b.at);
}

/** When each deadline falls for this snapshot, or null when it does not apply. */
export function deadlineAt(order: OrderSnapshot, policy: OrderPolicy): Record<OrderDeadlineKind, number | null> {
  return {
    payment_timeout: order.state === "placed" ? order.placedAt + policy.paymentTimeoutMs : null,
    // An order for later waits for the kitchen only once it has been handed to it.
    acceptance_timeout:
      order.state === "paid" && order.paidAt !== null && !awaitingRelease(order)
        ? Math.max(order.paidAt, order.releasedAt ?? 0) + policy.acceptanceTimeoutMs
        : null,
    release_due: order.state === "paid" && awaitingRelease(order) ? (order.releaseAt ?? null) : null,
    courier_timeout:
      order.state === "ready" &&
      order.readyAt !== null &&
      order.escalatedAt === null &&
      UNASSIGNED_DELIVERY.includes(order.delivery)
        ? // After an operator restarts the search, the courier gets the same time again.
          Math.max(order.readyAt, order.redispatchedAt ?? 0) + policy.readyWithoutCourierMs
        : null,
  };
}

export function etaFor(order: OrderSnapshot, now: number): { readyAt: number | null } {
  if (order.readyAt !== null) return { readyAt: order.readyAt };
  if (isTerminal(order.state) || order.acceptedAt === null || order.prepTimeMinutes === null) {
    return { readyAt: null };
  }
  // A kitchen running late is still "ready any moment", never ready in the past; an order for later is not due before its time.
  return { readyAt: Math.max(now, order.acceptedAt + order.prepTimeMinutes * MINUTE_MS, order.readyBy ?? 0) };
}

/**
 * What the customer is told before the kitchen has accepted: the time the
 * order is planned for (ordered for later), or the quote given at placement
 * counted from payment. After acceptance it is etaFor's readyAt.
 */
export function estimatedReadyAt(order: OrderSnapshot, now: number): number | null {
  const eta = etaFor(order, now).readyAt;
  if (eta !== null || isTerminal(order.state) || order.acceptedAt !== null) return eta;
  if ((order.readyBy ?? null) !== null) return order.readyBy ?? null;
  const quoted = order.quotedPrepMinutes ?? null;
  if (quoted === null) return null;
  return Math.max(now, (order.paidAt ?? order.placedAt) + quoted * MINUTE_MS);
}
