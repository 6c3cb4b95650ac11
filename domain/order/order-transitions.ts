// The order's own track: payment, the kitchen's answer and work, orders for
// later handed to the kitchen, cancellation and refunds.
import { apply, type Ctx, fullRefund, refundRequest } from "./apply.ts";
import type { Decision, OrderCommand, OrderTrackCommand } from "./commands.ts";
import { etaFor } from "./deadlines.ts";
import {
  checkDue,
  checkPaymentIntent,
  checkPrepTime,
  checkReason,
  invalidTransition,
  refundOffStep,
  refuse,
} from "./guards.ts";
import type { OrderState } from "./order-types.ts";
import { MINUTE_MS } from "./policy.ts";
import { awaitingRelease } from "./snapshot.ts";

export function decideOrderTrack(ctx: Ctx, command: OrderTrackCommand): Decision {
  const { order, now, policy } = ctx;
  switch (command.type) {
    case "payment_succeeded": {
      if (order.state !== "placed") return invalidTransition(order, command);
      const mismatch = checkPaymentIntent(order, command.paymentIntentId);
      if (mismatch) return mismatch;
      if (command.amountMinor !== order.totalMinor) {
        return refuse(422, "amount_mismatch", `paid ${command.amountMinor}, order total is ${order.totalMinor}`);
      }
      if (command.currency.toUpperCase() !== order.currency.toUpperCase()) {
        return refuse(422, "currency_mismatch", `paid in ${command.currency}, the order is in ${order.currency}`);
      }
      const acceptBy = now + policy.acceptanceTimeoutMs;
      return apply(
        ctx,
        { state: "paid", paidMinor: command.amountMinor, paymentIntentId: command.paymentIntentId, paidAt: now },
        {
          type: "order.paid",
          payload: { paymentIntentId: command.paymentIntentId, amountMinor: command.amountMinor, acceptBy },
        },
      );
    }
    case "payment_failed": {
      if (order.state !== "placed") return invalidTransition(order, command);
      const mismatch = checkPaymentIntent(order, command.paymentIntentId);
      if (mismatch) return mismatch;
      // A decline is one attempt, not the order's end: Stripe leaves the PaymentIntent awaiting
      // another payment method, so the customer may try again until the payment deadline
      // (payment_timeout) fails the order.
      return apply(
        ctx,
        { paymentIntentId: command.paymentIntentId },
        {
          type: "order.payment_failed",
          payload: {
            paymentIntentId: command.paymentIntentId,
            reason: command.reason,
          },
        },
      );
    }
    case "payment_timeout": {
      if (order.state !== "placed") return invalidTransition(order, command);
      const notDue = checkDue(ctx, "payment_timeout");
      if (notDue) return notDue;
      // The adapter cancels the PaymentIntent so a late payment cannot land.
      return apply(
        ctx,
        { state: "failed" },
        {
          type: "order.payment_expired",
          payload: {
            paymentIntentId: order.paymentIntentId,
            reason: "payment_timeout",
          },
        },
      );
    }
    case "accept": {
      if (order.state !== "paid") return invalidTransition(order, command);
      if (awaitingRelease(order)) {
        return refuse(
          409,
          "not_released_yet",
          `this order is for later; it reaches the kitchen at ${new Date(order.releaseAt ?? 0).toISOString()}`,
        );
      }
      const badPrep = checkPrepTime(command.prepTimeMinutes, policy);
      if (badPrep) return badPrep;
      const readyAt = now + command.prepTimeMinutes * MINUTE_MS;
      return apply(
        ctx,
        { state: "accepted", prepTimeMinutes: command.prepTimeMinutes, acceptedAt: now },
        {
          type: "order.accepted",
          payload: {
            prepTimeMinutes: command.prepTimeMinutes,
            readyAt,
          },
        },
      );
    }
    case "reject": {
      if (order.state !== "paid") return invalidTransition(order, command);
      const noReason = checkReason(command.reason);
      if (noReason) return noReason;
      const closing = fullRefund(ctx, "rejected", command.reason);
      return apply(ctx, closing.changes, { type: "order.rejected", payload: closing.refund });
    }
    case "release_to_kitchen": {
      if (order.state !== "paid" || !awaitingRelease(order)) return invalidTransition(order, command);
      const notDue = checkDue(ctx, "release_due");
      if (notDue) return notDue;
      return apply(
        ctx,
        { releasedAt: now },
        {
          type: "order.released",
          payload: {
            releaseAt: order.releaseAt ?? null,
            readyBy: order.readyBy ?? null,
            acceptBy: now + policy.acceptanceTimeoutMs,
          },
        },
      );
    }
    case "acceptance_timeout": {
      if (order.state !== "paid") return invalidTransition(order, command);
      const notDue = checkDue(ctx, "acceptance_timeout");
      if (notDue) return notDue;
      const closing = fullRefund(ctx, "rejected", "acceptance_timeout");
      return apply(ctx, closing.changes, { type: "order.acceptance_expired", payload: closing.refund });
    }
    case "start_preparing": {
      if (order.state !== "accepted") return invalidTransition(order, command);
      return apply(
        ctx,
        { state: "preparing" },
        { type: "order.preparing", payload: { readyAt: etaFor(order, now).readyAt } },
      );
    }
    case "adjust_prep_time": {
      if (order.state !== "accepted" && order.state !== "preparing") return invalidTransition(order, command);
      const badPrep = checkPrepTime(command.prepTimeMinutes, policy);
      if (badPrep) return badPrep;
      const changes = { prepTimeMinutes: command.prepTimeMinutes };
      const readyAt = etaFor({ ...order, ...changes }, now).readyAt;
      return apply(ctx, changes, {
        type: "order.prep_time_adjusted",
        payload: {
          prepTimeMinutes: command.prepTimeMinutes,
          previousPrepTimeMinutes: order.prepTimeMinutes,
          readyAt,
        },
      });
    }
    case "mark_ready": {
      if (order.state !== "preparing") return invalidTransition(order, command);
      return apply(ctx, { state: "ready", readyAt: now }, { type: "order.ready", payload: { readyAt: now } });
    }
    case "cancel":
      return cancel(ctx, command);
    case "refund": {
      // A failed payment has nothing to refund; a failed delivery was paid, and support may refund it by hand.
      if (order.state === "placed" || (order.state === "failed" && order.delivery !== "failed")) {
        return invalidTransition(order, command);
      }
      if (!Number.isSafeInteger(command.amountMinor) || command.amountMinor <= 0) {
        return refuse(422, "invalid_refund_amount", `refund must be a positive integer, got ${command.amountMinor}`);
      }
      const remaining = order.paidMinor - order.refundedMinor;
      if (command.amountMinor > remaining) {
        return refuse(422, "refund_exceeds_remaining", `refund ${command.amountMinor} exceeds refundable ${remaining}`);
      }
      const offStep = refundOffStep(order.currency, command.amountMinor);
      if (offStep) return offStep;
      const noReason = checkReason(command.reason);
      if (noReason) return noReason;
      return apply(
        ctx,
        { refundedMinor: order.refundedMinor + command.amountMinor },
        {
          type: "order.refund_requested",
          payload: {
            refund: refundRequest(order, command.amountMinor, command.reason),
          },
        },
      );
    }
  }
}

function cancel(ctx: Ctx, command: Extract<OrderCommand, { type: "cancel" }>): Decision {
  const { order, actor } = ctx;
  const allowedFrom: readonly OrderState[] =
    actor.role === "customer"
      ? ["placed", "paid"] // after acceptance the kitchen has started; the customer goes through support
      : actor.role === "restaurant_staff"
        ? ["accepted", "preparing"] // before acceptance staff reject instead; once ready the food is committed
        : ["placed", "paid", "accepted", "preparing", "ready", "picked_up"];
  if (!allowedFrom.includes(order.state)) {
    return refuse(409, "cancel_not_allowed", `${actor.role} cannot cancel an order that is ${order.state}`);
  }
  const noReason = checkReason(command.reason);
  if (noReason) return noReason;
  const remaining = order.paidMinor - order.refundedMinor;
  if (command.refundMinor !== undefined) {
    if (actor.role !== "admin") return refuse(403, "role_not_allowed", "only an admin chooses how much to refund");
    if (!Number.isSafeInteger(command.refundMinor) || command.refundMinor < 0 || command.refundMinor > remaining) {
      return refuse(422, "invalid_refund_amount", `refund must be a whole amount from 0 to ${remaining}`);
    }
    const offStep = refundOffStep(order.currency, command.refundMinor);
    if (offStep) return offStep;
  }
  const closing = fullRefund(ctx, "cancelled", command.reason, command.refundMinor);
  return apply(ctx, closing.changes, {
    type: "order.cancelled",
    payload: {
      ...closing.refund,
      cancelledBy: actor.role,
      // Unpaid: the adapter cancels the PaymentIntent; a payment that still lands
      // is refused here with 409 and must be refunded by the caller.
      paymentIntentId: order.paymentIntentId,
      // Couriers to release from the order.
      courierId: order.courierId,
      offeredCourierId: order.offeredCourierId,
    },
  });
}
