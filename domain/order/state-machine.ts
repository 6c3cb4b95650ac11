// The order's rules as one pure function. The Order Durable Object loads a
// snapshot, calls decide(), persists `next`, appends `events` and performs the
// side effects they describe (Stripe refunds, notifying couriers). Keeping
// every rule here lets them be tested without a runtime, clock or network.
import { chargeStepMinor } from "../pricing/currency.ts";
import { type TransitionDraft, type TransitionEventDraft, withBase } from "./events.ts";
import { AFTER_END, type OperatorCommand, planOperatorCommand } from "./operator-commands.ts";
import type {
  Actor,
  ActorRole,
  DeliveryState,
  DispatchPlanNote,
  EscalationReason,
  OfferChoiceNote,
  OrderSnapshot,
  OrderState,
  RefundRequest,
} from "./order-types.ts";

export { ORDER_EVENT_TYPES, type OrderEventDraft, type OrderEventType } from "./events.ts";
export type {
  Actor,
  ActorRole,
  DeliveryState,
  EscalationReason,
  OrderSnapshot,
  OrderState,
  RefundRequest,
} from "./order-types.ts";

export type OrderCommand =
  | { type: "payment_succeeded"; paymentIntentId: string; amountMinor: number; currency: string }
  | { type: "payment_failed"; paymentIntentId: string; reason: string }
  | { type: "accept"; prepTimeMinutes: number }
  | { type: "reject"; reason: string }
  | { type: "start_preparing" }
  | { type: "adjust_prep_time"; prepTimeMinutes: number }
  | { type: "mark_ready" }
  /** `refundMinor`: admins only; how much goes back (default: everything paid and not yet refunded). */
  | { type: "cancel"; reason: string; refundMinor?: number | undefined }
  | { type: "refund"; amountMinor: number; reason: string }
  /** `plan`: why the search starts now (dispatch's food-ready timing), for operators. */
  | { type: "dispatch_started"; plan?: DispatchPlanNote | undefined }
  /** `choice`: why this courier (the scoring's reason list), for operators. */
  | { type: "courier_offered"; courierId: string; expiresAt: number; choice?: OfferChoiceNote | undefined }
  | { type: "offer_declined"; courierId: string; reason?: string | undefined }
  | { type: "courier_assigned"; courierId: string }
  | { type: "arrived_at_pickup" }
  | { type: "picked_up" }
  | { type: "arrived_at_dropoff" }
  | { type: "delivered" }
  | { type: "payment_timeout" }
  | { type: "acceptance_timeout" }
  | { type: "courier_timeout" }
  /** The restaurant's Zone DO asked everyone in range, or nobody came in range for too long. */
  | {
      type: "search_exhausted";
      reason: "no_courier_accepted" | "no_courier_in_range";
      radiusM: number;
      candidatesTried: number;
    }
  | { type: "release_to_kitchen" }
  // What goes wrong on the road (see "courier exceptions" below decide()).
  | { type: "courier_released"; reason: string; note?: string | undefined }
  | { type: "escalate"; reason: EscalationReason }
  | { type: "start_customer_wait" }
  | { type: "delivery_failed"; reason: string; note?: string | undefined; photoKey?: string | null | undefined }
  | OperatorCommand;

export type OrderCommandType = OrderCommand["type"];

export type Decision =
  | { ok: true; next: OrderSnapshot; events: TransitionEventDraft[] }
  | { ok: false; status: 403 | 409 | 422; code: string; message: string };

type Refusal = Extract<Decision, { ok: false }>;

export interface OrderPolicy {
  paymentTimeoutMs: number;
  acceptanceTimeoutMs: number;
  readyWithoutCourierMs: number;
  maxPrepTimeMinutes: number;
  /** How long a courier at the door waits for an unreachable customer before they may fail the delivery. */
  customerWaitMs: number;
}

const MINUTE_MS = 60_000;

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

// Dispatch runs beside preparation, so courier moves up to pickup are legal in
// any of these order states.
const KITCHEN_STATES: readonly OrderState[] = ["accepted", "preparing", "ready"];
const UNASSIGNED_DELIVERY: readonly DeliveryState[] = ["none", "searching", "offered"];

export interface NewOrderInit {
  id: string;
  customerId: string;
  restaurantId: string;
  totalMinor: number;
  currency: string;
  placedAt: number;
  /** Known when the PaymentIntent is created at checkout, before payment. */
  paymentIntentId?: string | null | undefined;
  quotedPrepMinutes?: number | null | undefined;
  /** Orders for later: see OrderSnapshot. */
  releaseAt?: number | null | undefined;
  readyBy?: number | null | undefined;
}

export function newOrderSnapshot(init: NewOrderInit): OrderSnapshot {
  if (!Number.isSafeInteger(init.totalMinor) || init.totalMinor < 0) {
    throw new RangeError(`totalMinor must be a non-negative integer, got ${init.totalMinor}`);
  }
  return {
    id: init.id,
    customerId: init.customerId,
    restaurantId: init.restaurantId,
    courierId: null,
    state: "placed",
    delivery: "none",
    totalMinor: init.totalMinor,
    currency: init.currency,
    paidMinor: 0,
    refundedMinor: 0,
    paymentIntentId: init.paymentIntentId ?? null,
    prepTimeMinutes: null,
    placedAt: init.placedAt,
    paidAt: null,
    acceptedAt: null,
    readyAt: null,
    pickedUpAt: null,
    deliveredAt: null,
    offeredCourierId: null,
    offerExpiresAt: null,
    escalatedAt: null,
    quotedPrepMinutes: init.quotedPrepMinutes ?? null,
    releaseAt: init.releaseAt ?? null,
    readyBy: init.readyBy ?? null,
    releasedAt: null,
    customerWaitUntil: null,
  };
}

/** Placed for later and not yet handed to the kitchen. */
export function awaitingRelease(order: OrderSnapshot): boolean {
  return (order.releaseAt ?? null) !== null && (order.releasedAt ?? null) === null;
}

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

function deadlineAt(order: OrderSnapshot, policy: OrderPolicy): Record<OrderDeadlineKind, number | null> {
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

export function decide(
  order: OrderSnapshot,
  command: OrderCommand,
  actor: Actor,
  now: number,
  policy: OrderPolicy = DEFAULT_POLICY,
): Decision {
  // Permission first: someone without rights learns nothing about the state.
  const denied = checkActor(order, command, actor);
  if (denied) return denied;
  if (
    isTerminal(order.state) &&
    command.type !== "refund" &&
    !(AFTER_END as readonly string[]).includes(command.type)
  ) {
    return invalidTransition(order, command);
  }
  const ctx: Ctx = { order, actor, now, policy };

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
    case "dispatch_started": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "none") return invalidTransition(order, command);
      return apply(
        ctx,
        { delivery: "searching" },
        {
          type: "order.dispatch_started",
          payload: {
            restaurantId: order.restaurantId,
            readyAt: etaFor(order, now).readyAt,
            ...(command.plan ? { plan: command.plan } : {}),
          },
        },
      );
    }
    case "courier_offered": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "searching") {
        return invalidTransition(order, command);
      }
      if (!Number.isFinite(command.expiresAt) || command.expiresAt <= now) {
        return refuse(422, "invalid_offer_expiry", `offer must expire after now (${now}), got ${command.expiresAt}`);
      }
      return apply(
        ctx,
        { delivery: "offered", offeredCourierId: command.courierId, offerExpiresAt: command.expiresAt },
        {
          type: "order.courier_offered",
          payload: {
            courierId: command.courierId,
            expiresAt: command.expiresAt,
            ...(command.choice ? { choice: command.choice } : {}),
          },
        },
      );
    }
    case "offer_declined": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "offered")
        return invalidTransition(order, command);
      if (command.courierId !== order.offeredCourierId) {
        // An expiry for an offer that was already answered or replaced.
        return refuse(409, "stale_offer", `no open offer to courier ${command.courierId}`);
      }
      return apply(
        ctx,
        { delivery: "searching", offeredCourierId: null, offerExpiresAt: null },
        {
          type: "order.offer_declined",
          payload: {
            courierId: command.courierId,
            expired: actor.role === "system" && command.reason === undefined,
            reason: command.reason ?? null,
          },
        },
      );
    }
    case "courier_assigned": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "offered")
        return invalidTransition(order, command);
      if (order.offerExpiresAt !== null && now > order.offerExpiresAt) {
        return refuse(409, "offer_expired", `offer expired at ${order.offerExpiresAt}`);
      }
      return apply(
        ctx,
        { delivery: "assigned", courierId: command.courierId, offeredCourierId: null, offerExpiresAt: null },
        {
          type: "order.courier_assigned",
          payload: { courierId: command.courierId, readyAt: etaFor(order, now).readyAt },
        },
      );
    }
    case "arrived_at_pickup": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "assigned")
        return invalidTransition(order, command);
      return apply(
        ctx,
        { delivery: "at_pickup" },
        { type: "order.courier_at_pickup", payload: { courierId: order.courierId } },
      );
    }
    case "picked_up": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "at_pickup")
        return invalidTransition(order, command);
      if (order.state !== "ready") {
        return refuse(409, "order_not_ready", `cannot pick up an order that is ${order.state}`);
      }
      return apply(
        ctx,
        { state: "picked_up", delivery: "picked_up", pickedUpAt: now },
        {
          type: "order.picked_up",
          payload: {
            courierId: order.courierId,
            pickedUpAt: now,
          },
        },
      );
    }
    case "arrived_at_dropoff": {
      if (order.state !== "picked_up" || order.delivery !== "picked_up") return invalidTransition(order, command);
      return apply(
        ctx,
        { delivery: "at_dropoff" },
        { type: "order.courier_at_dropoff", payload: { courierId: order.courierId } },
      );
    }
    case "delivered": {
      if (order.state !== "picked_up" || order.delivery !== "at_dropoff") return invalidTransition(order, command);
      return apply(
        ctx,
        { state: "delivered", delivery: "delivered", deliveredAt: now },
        {
          type: "order.delivered",
          payload: {
            courierId: order.courierId,
            deliveredAt: now,
          },
        },
      );
    }
    case "operator_offer":
    case "operator_assign":
    case "redispatch":
    case "resolve_exceptions":
    case "add_note":
    case "report_problem": {
      const plan = planOperatorCommand(order, command, now);
      if (!plan.ok) return plan;
      return apply(ctx, plan.changes, plan.draft);
    }
    case "courier_released":
    case "escalate":
    case "start_customer_wait":
    case "delivery_failed":
      return decideCourierException(ctx, command);
    case "search_exhausted": {
      // Any kitchen state: the zone may give up before the food is ready.
      if (!UNASSIGNED_DELIVERY.includes(order.delivery)) return invalidTransition(order, command);
      if (order.escalatedAt !== null) {
        return refuse(409, "already_escalated", `courier search already escalated at ${order.escalatedAt}`);
      }
      return apply(
        ctx,
        { escalatedAt: now },
        {
          type: "order.courier_escalated",
          payload: {
            reason: command.reason,
            radiusM: command.radiusM,
            candidatesTried: command.candidatesTried,
            readyAt: etaFor(order, now).readyAt,
          },
        },
      );
    }
    case "courier_timeout": {
      if (order.state !== "ready" || !UNASSIGNED_DELIVERY.includes(order.delivery)) {
        return invalidTransition(order, command);
      }
      if (order.escalatedAt !== null) {
        return refuse(409, "already_escalated", `courier search already escalated at ${order.escalatedAt}`);
      }
      const notDue = checkDue(ctx, "courier_timeout");
      if (notDue) return notDue;
      return apply(
        ctx,
        { escalatedAt: now },
        {
          type: "order.courier_escalated",
          payload: {
            readyAt: order.readyAt,
            waitingMs: order.readyAt === null ? null : now - order.readyAt,
          },
        },
      );
    }
  }
}

interface Ctx {
  order: OrderSnapshot;
  actor: Actor;
  now: number;
  policy: OrderPolicy;
}

/** Why a courier gives a job back before pickup (or the system takes it back). */
export const RELEASE_REASONS = [
  "cannot_find_restaurant",
  "restaurant_closed",
  "order_not_ready",
  "vehicle_problem",
  "personal_emergency",
  "other",
  // Only the system: no position from the courier for too long.
  "went_dark",
] as const;

/** Why a courier at the door could not hand the order over. */
export const FAILED_DELIVERY_REASONS = ["customer_unreachable", "address_not_found"] as const;

/**
 * The refund rule of a failed delivery: none. The kitchen made the food and
 * the courier carried it and waited at the door, so the customer is charged in
 * full, as when a parcel cannot be delivered; operators can still refund by
 * hand (POST /v1/orders/{id}/refunds) when support finds the platform at fault.
 * See docs/decisions/0015-courier-app-what-goes-wrong.md.
 */
export const FAILED_DELIVERY_REFUND = null;

const PICKUP_PENDING: readonly DeliveryState[] = ["assigned", "at_pickup"];

function decideCourierException(
  ctx: Ctx,
  command: Extract<OrderCommand, { type: "courier_released" | "escalate" | "start_customer_wait" | "delivery_failed" }>,
): Decision {
  const { order, actor, now, policy } = ctx;
  switch (command.type) {
    case "courier_released": {
      // Only before pickup: after it the food is with the courier and only operators can move it.
      if (!KITCHEN_STATES.includes(order.state) || !PICKUP_PENDING.includes(order.delivery)) {
        return invalidTransition(order, command);
      }
      const allowed: readonly string[] =
        actor.role === "system" ? ["went_dark"] : RELEASE_REASONS.filter((r) => r !== "went_dark");
      if (!allowed.includes(command.reason)) {
        return refuse(422, "invalid_reason", `reason must be one of: ${allowed.join(", ")}`);
      }
      return apply(
        ctx,
        { delivery: "searching", courierId: null },
        {
          type: "order.courier_released",
          payload: {
            courierId: order.courierId,
            reason: command.reason,
            note: command.note?.trim() || null,
            readyAt: etaFor(order, now).readyAt,
          },
        },
      );
    }
    case "escalate":
      // Nothing changes but the order's visibility to operators; the adapter escalates each reason once.
      return apply(
        ctx,
        {},
        { type: "order.escalated", payload: { reason: command.reason, courierId: order.courierId } },
      );
    case "start_customer_wait": {
      if (order.state !== "picked_up" || order.delivery !== "at_dropoff") return invalidTransition(order, command);
      const started = order.customerWaitUntil ?? null;
      if (started !== null) {
        return refuse(409, "already_waiting", `the wait for the customer already runs until ${started}`);
      }
      const waitUntil = now + policy.customerWaitMs;
      return apply(
        ctx,
        { customerWaitUntil: waitUntil },
        {
          type: "order.customer_wait_started",
          payload: {
            courierId: order.courierId,
            waitUntil,
          },
        },
      );
    }
    case "delivery_failed": {
      if (order.state !== "picked_up" || order.delivery !== "at_dropoff") return invalidTransition(order, command);
      const waitUntil = order.customerWaitUntil ?? null;
      if (waitUntil === null) {
        return refuse(409, "wait_not_started", "wait for the customer at the door first");
      }
      if (now < waitUntil) return refuse(409, "wait_not_over", `the wait for the customer runs until ${waitUntil}`);
      if (!(FAILED_DELIVERY_REASONS as readonly string[]).includes(command.reason)) {
        return refuse(422, "invalid_reason", `reason must be one of: ${FAILED_DELIVERY_REASONS.join(", ")}`);
      }
      return apply(
        ctx,
        { state: "failed", delivery: "failed" },
        {
          type: "order.delivery_failed",
          payload: {
            courierId: order.courierId,
            reason: command.reason,
            note: command.note?.trim() || null,
            photoKey: command.photoKey ?? null,
            waitedUntil: waitUntil,
            refund: FAILED_DELIVERY_REFUND,
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

/** A closing transition that returns what was paid and is not yet refunded (or `amountMinor` of it). */
function fullRefund(
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

function refundRequest(order: OrderSnapshot, amountMinor: number, reason: string): RefundRequest {
  return {
    amountMinor,
    currency: order.currency,
    reason,
    paymentIntentId: order.paymentIntentId,
    idempotencyKey: `order:${order.id}:refund:${order.refundedMinor}`,
  };
}

function apply(ctx: Ctx, changes: Partial<OrderSnapshot>, draft: TransitionDraft): Decision {
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

function checkActor(order: OrderSnapshot, command: OrderCommand, actor: Actor): Refusal | null {
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
function checkPaymentIntent(order: OrderSnapshot, paymentIntentId: string): Refusal | null {
  if (order.paymentIntentId === null) {
    return refuse(409, "payment_intent_not_recorded", "this order has not recorded a payment intent yet");
  }
  if (order.paymentIntentId !== paymentIntentId) {
    return refuse(422, "payment_intent_mismatch", `payment intent ${paymentIntentId} is not this order's`);
  }
  return null;
}

function checkDue(ctx: Ctx, kind: OrderDeadlineKind): Refusal | null {
  // An alarm armed for an earlier state, or fired early, must not act.
  const at = deadlineAt(ctx.order, ctx.policy)[kind];
  if (at === null || ctx.now < at) {
    return refuse(409, "not_due", `${kind} is not due${at === null ? "" : ` until ${at}`}`);
  }
  return null;
}

function checkPrepTime(minutes: number, policy: OrderPolicy): Refusal | null {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > policy.maxPrepTimeMinutes) {
    return refuse(
      422,
      "invalid_prep_time",
      `prep time must be a whole number of minutes from 1 to ${policy.maxPrepTimeMinutes}, got ${minutes}`,
    );
  }
  return null;
}

function checkReason(reason: string): Refusal | null {
  return reason.trim() === "" ? refuse(422, "reason_required", "a reason is required") : null;
}

function invalidTransition(order: OrderSnapshot, command: OrderCommand): Refusal {
  return refuse(409, "invalid_transition", `cannot ${command.type} from ${order.state} (delivery ${order.delivery})`);
}

function refuse(status: Refusal["status"], code: string, message: string): Refusal {
  return { ok: false, status, code, message };
}

/** Stripe refunds BHD/JOD/KWD/OMR/TND only in tens of fils; a charge already is one, so whole remainders always are. */
function refundOffStep(currency: string, amountMinor: number) {
  const step = chargeStepMinor(currency);
  if (amountMinor % step === 0) return null;
  return refuse(422, "invalid_refund_amount", `refunds in ${currency} must be a multiple of ${step} minor units`);
}
