// The fold: a transition's changes applied to the snapshot, with the event
// that records it (who, when, from which states to which), and the refund
// a closing transition owes.
import type { Decision } from "./commands.ts";
import { type TransitionDraft, withBase } from "./events.ts";
import type { Actor, OrderSnapshot, OrderState, RefundRequest } from "./order-types.ts";
import type { OrderPolicy } from "./policy.ts";

/** What every rule sees: the order, who asks, the time, the policy. */
export interface Ctx {
  order: OrderSnapshot;
  actor: Actor;
  now: number;
  policy: OrderPolicy;
}

/** A closing transition that returns what was paid and is not yet refunded (or `amountMinor` of it). */
export function fullRefund(
  ctx: Ctx,
  state: OrderState,
  reason: string,
  amountMinor?: number,
): { changes: Partial<OrderSnapshot>; refund: { reason: string; refund: RefundRequest | null } } {
  const { order } = ctx;
  const remaining = order.paidMinor - order.refundedMinor;
  const amount = Math.max(0, Math.min(remaining, amountMinor ?? remaining));
  const refund = amount > 0 ? refundRequest(order, amount, reason) : null;
  return {
    changes: { state, refundedMinor: order.refundedMinor + amount, offeredCourierId: null, offerExpiresAt: null },
    refund: { reason, refund },
  };
}

export function refundRequest(order: OrderSnapshot, amountMinor: number, reason: string): RefundRequest {
  return {
    amountMinor,
    currency: order.currency,
    reason,
    paymentIntentId: order.paymentIntentId,
    idempotencyKey: `order:${order.id}:refund:${order.refundedMinor}`,
  };
}

export function apply(ctx: Ctx, changes: Partial<OrderSnapshot>, draft: TransitionDraft): Decision {
  const { order, actor, now } = ctx;
  const next: OrderSnapshot = { ...order, ...changes };
  const base = {
    orderId: order.id,
    state: next.state,
    delivery: next.delivery,
    previousState: order.state,
    previousDelivery: order.delivery,
    by: { role: actor.role, id: actor.id },
    at: now,
  };
  return { ok: true, next, events: [withBase(draft, base)] };
}
