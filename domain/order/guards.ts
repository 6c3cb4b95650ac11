// The checks decide() makes before a transition: who may issue a command and
// on which order, and whether its values hold. Each answers null (go on) or
// the refusal to return.
import { chargeStepMinor } from "../pricing/currency.ts";
import type { Ctx } from "./apply.ts";
import type { OrderCommand, OrderCommandType, Refusal } from "./commands.ts";
import { deadlineAt, type OrderDeadlineKind } from "./deadlines.ts";
import type { Actor, ActorRole, OrderSnapshot } from "./order-types.ts";
import type { OrderPolicy } from "./policy.ts";

/** Which roles may issue each command at all; ownership is checked after. */
export const COMMAND_ROLES: Readonly<Record<OrderCommandType, readonly ActorRole[]>> = {
  payment_succeeded: ["system"],
  payment_failed: ["system"],
  payment_timeout: ["system"],
  accept: ["restaurant_staff"],
  reject: ["restaurant_staff"],
  acceptance_timeout: ["system"],
  start_preparing: ["restaurant_staff"],
  adjust_prep_time: ["restaurant_staff"],
  mark_ready: ["restaurant_staff"],
  cancel: ["customer", "restaurant_staff", "admin"],
  refund: ["admin"],
  dispatch_started: ["system"],
  courier_offered: ["system"],
  // The system declines on the courier's behalf when the offer expires.
  offer_declined: ["courier", "system"],
  courier_assigned: ["courier"],
  arrived_at_pickup: ["courier"],
  picked_up: ["courier"],
  arrived_at_dropoff: ["courier"],
  delivered: ["courier"],
  courier_timeout: ["system"],
  search_exhausted: ["system"],
  operator_offer: ["admin"],
  operator_assign: ["admin"],
  redispatch: ["admin"],
  resolve_exceptions: ["admin"],
  add_note: ["admin"],
  report_problem: ["customer"],
  release_to_kitchen: ["system"],
  // A courier hands a job back; the system releases one who went dark.
  courier_released: ["courier", "system"],
  escalate: ["system"],
  start_customer_wait: ["courier"],
  delivery_failed: ["courier"],
};

export function checkActor(order: OrderSnapshot, command: OrderCommand, actor: Actor): Refusal | null {
  if (!COMMAND_ROLES[command.type].includes(actor.role)) {
    return refuse(403, "role_not_allowed", `${actor.role} may not ${command.type}`);
  }
  switch (actor.role) {
    case "customer":
      return actor.id === order.customerId ? null : refuse(403, "not_order_customer", "not this order's customer");
    case "restaurant_staff":
      return actor.restaurantId !== undefined && actor.restaurantId === order.restaurantId
        ? null
        : refuse(403, "not_restaurant_staff", "not staff of this order's restaurant");
    case "courier":
      if (command.type === "courier_assigned" || command.type === "offer_declined") {
        // A courier answers only their own offer, and only for themselves.
        return order.offeredCourierId !== null && actor.id === order.offeredCourierId && command.courierId === actor.id
          ? null
          : refuse(403, "not_offered_courier", "no offer for this courier on this order");
      }
      return order.courierId !== null && actor.id === order.courierId
        ? null
        : refuse(403, "not_assigned_courier", "not the courier assigned to this order");
    case "admin":
    case "system":
      return null;
  }
}

// Only the PaymentIntent this order created (recorded at checkout) can move it: a
// validly signed event about any other intent, even one naming this order in its
// metadata, is somebody else's money. Called only while the order awaits payment:
// with no intent recorded yet, the webhook may have overtaken checkout's write (Stripe
// does not wait for it), so the answer is "not yet" (409), which the webhook passes
// on for Stripe to deliver the event again (decision 0032, addendum).
export function checkPaymentIntent(order: OrderSnapshot, paymentIntentId: string): Refusal | null {
  if (order.paymentIntentId === null) {
    return refuse(409, "payment_intent_not_recorded", "this order has not recorded a payment intent yet");
  }
  if (order.paymentIntentId !== paymentIntentId) {
    return refuse(422, "payment_intent_mismatch", `payment intent ${paymentIntentId} is not this order's`);
  }
  return null;
}

export function checkDue(ctx: Ctx, kind: OrderDeadlineKind): Refusal | null {
  // An alarm armed for an earlier state, or fired early, must not act.
  const at = deadlineAt(ctx.order, ctx.policy)[kind];
  if (at === null || ctx.now < at) {
    return refuse(409, "not_due", `${kind} is not due${at === null ? "" : ` until ${at}`}`);
  }
  return null;
}

export function checkPrepTime(minutes: number, policy: OrderPolicy): Refusal | null {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > policy.maxPrepTimeMinutes) {
    return refuse(
      422,
      "invalid_prep_time",
      `prep time must be a whole number of minutes from 1 to ${policy.maxPrepTimeMinutes}, got ${minutes}`,
    );
  }
  return null;
}

export function checkReason(reason: string): Refusal | null {
  return reason.trim() === "" ? refuse(422, "reason_required", "a reason is required") : null;
}

export function invalidTransition(order: OrderSnapshot, command: OrderCommand): Refusal {
  return refuse(409, "invalid_transition", `cannot ${command.type} from ${order.state} (delivery ${order.delivery})`);
}

export function refuse(status: Refusal["status"], code: string, message: string): Refusal {
  return { ok: false, status, code, message };
}

/** Stripe refunds BHD/JOD/KWD/OMR/TND only in tens of fils; a charge already is one, so whole remainders always are. */
export function refundOffStep(currency: string, amountMinor: number) {
  const step = chargeStepMinor(currency);
  if (amountMinor % step === 0) return null;
  return refuse(422, "invalid_refund_amount", `refunds in ${currency} must be a multiple of ${step} minor units`);
}
