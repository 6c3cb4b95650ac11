// Every event an order can record, with its payload: one definition read by
// the state machine that writes them, the Order DO that stores and sends
// them, dispatch that reacts to them, the projection that writes them to
// Postgres and the exceptions queue derived from them. Switching on `type`
// narrows `payload`, so no consumer guesses a shape.
import type {
  ActorRole,
  DeliveryState,
  DispatchPlanNote,
  EscalationReason,
  OfferChoiceNote,
  OrderState,
  RefundRequest,
} from "./order-types.ts";

/** What every transition's payload carries, so a watcher renders an event without the snapshot. */
export type TransitionBase = {
  orderId: string;
  state: OrderState;
  delivery: DeliveryState;
  previousState: OrderState;
  previousDelivery: DeliveryState;
  by: { role: ActorRole; id: string };
  at: number;
  /** The Idempotency-Key of the operator action that caused the event (operators only see it). */
  operatorKey?: string;
};

/** Events that move money back: a refund to send, or null when nothing was paid. */
type WithRefund = {
  reason: string;
  refund: RefundRequest | null;
};

/** The payload of each state-machine transition, without the base fields. */
export interface TransitionPayloads {
  "order.paid": { paymentIntentId: string; amountMinor: number; acceptBy: number };
  "order.payment_failed": { paymentIntentId: string; reason: string };
  "order.payment_expired": { paymentIntentId: string | null; reason: "payment_timeout" };
  "order.accepted": { prepTimeMinutes: number; readyAt: number };
  "order.rejected": WithRefund;
  "order.acceptance_expired": WithRefund;
  "order.preparing": { readyAt: number | null };
  "order.prep_time_adjusted": {
    prepTimeMinutes: number;
    previousPrepTimeMinutes: number | null;
    readyAt: number | null;
  };
  "order.ready": { readyAt: number };
  "order.cancelled": WithRefund & {
    cancelledBy: ActorRole;
    paymentIntentId: string | null;
    courierId: string | null;
    offeredCourierId: string | null;
  };
  "order.refund_requested": { refund: RefundRequest };
  "order.released": { releaseAt: number | null; readyBy: number | null; acceptBy: number };
  "order.dispatch_started": { restaurantId: string; readyAt: number | null; plan?: DispatchPlanNote };
  "order.courier_offered": {
    courierId: string;
    expiresAt: number;
    /** Why the search chose this courier (absent for operators' offers and older events). */
    choice?: OfferChoiceNote;
    /** Set when an operator made the offer. */
    byOperator?: true;
    reason?: string;
    replacedOfferTo?: string | null;
  };
  "order.offer_declined": { courierId: string; expired: boolean; reason: string | null };
  "order.courier_assigned": {
    courierId: string;
    readyAt: number | null;
    /** Set when an operator assigned the courier without asking them. */
    forced?: true;
    reason?: string;
    previousCourierId?: string | null;
    withdrawnOfferTo?: string | null;
  };
  "order.courier_at_pickup": { courierId: string | null };
  "order.picked_up": { courierId: string | null; pickedUpAt: number };
  "order.courier_at_dropoff": { courierId: string | null };
  "order.delivered": { courierId: string | null; deliveredAt: number };
  /** The food waited too long without a courier (the order's alarm), or the zone ran out of couriers to ask. */
  "order.courier_escalated":
    | { readyAt: number | null; waitingMs: number | null }
    | {
        reason: "no_courier_accepted" | "no_courier_in_range";
        radiusM: number;
        candidatesTried: number;
        readyAt: number | null;
      };
  "order.redispatched": { reason: string; previousCourierId: string | null; withdrawnOfferTo: string | null };
  "order.exception_resolved": { note: string; kinds: string[] | null };
  "order.operator_note": { note: string };
  /** The customer told operators something is wrong; `problem` is one of CUSTOMER_PROBLEMS (operator-commands.ts). */
  "order.problem_reported": { problem: string; note: string | null; photoKeys?: string[] };
  "order.courier_released": { courierId: string | null; reason: string; note: string | null; readyAt: number | null };
  "order.escalated": { reason: EscalationReason; courierId: string | null };
  "order.customer_wait_started": { courierId: string | null; waitUntil: number };
  "order.delivery_failed": {
    courierId: string | null;
    reason: string;
    note: string | null;
    photoKey: string | null;
    waitedUntil: number;
    refund: null;
  };
}

/** Events the Order DO records itself, around the state machine (placement, Stripe's answers). */
export interface AdapterPayloads {
  "order.placed": { totalMinor: number; currency: string };
  "order.payment_started": { paymentIntentId: string; amountMinor: number };
  "order.late_payment_refund_requested": { paymentIntentId: string; amountMinor: number; refund: RefundRequest };
  "order.refunded": {
    refundId: string;
    amountMinor: number;
    reason: string;
    status: string | null;
    requestEventId: string;
  };
  "order.refund_stuck": { requestEventId: string; amountMinor: number; attempts: number; error: string };
}

export type TransitionEventType = keyof TransitionPayloads;
export type AdapterEventType = keyof AdapterPayloads;
export type OrderEventType = TransitionEventType | AdapterEventType;

/** What decide() returns for one transition, before the base fields are added. */
export type TransitionDraft<K extends TransitionEventType = TransitionEventType> = {
  [T in K]: { type: T; payload: TransitionPayloads[T] };
}[K];

/** A transition's event as recorded: its payload with the base fields. */
export type TransitionEventDraft<K extends TransitionEventType = TransitionEventType> = {
  [T in K]: { type: T; payload: TransitionBase & TransitionPayloads[T] };
}[K];

export type AdapterEventDraft<K extends AdapterEventType = AdapterEventType> = {
  [T in K]: { type: T; payload: AdapterPayloads[T] };
}[K];

/** One event's type and payload; switching on `type` narrows `payload`. */
export type OrderEventDraft = TransitionEventDraft | AdapterEventDraft;

/** The payload of one event type. */
export type PayloadOf<K extends OrderEventType> = Extract<OrderEventDraft, { type: K }>["payload"];

/** Adds the base fields to a transition's payload. */
export function withBase<K extends TransitionEventType>(
  draft: TransitionDraft<K>,
  base: TransitionBase,
): TransitionEventDraft<K> {
  return { type: draft.type, payload: { ...base, ...draft.payload } };
}

/** Every event type the state machine emits; a test checks decide() emits nothing else. */
export const ORDER_EVENT_TYPES = [
  "order.paid",
  "order.payment_failed",
  "order.payment_expired",
  "order.accepted",
  "order.rejected",
  "order.acceptance_expired",
  "order.preparing",
  "order.prep_time_adjusted",
  "order.ready",
  "order.cancelled",
  "order.refund_requested",
  "order.dispatch_started",
  "order.courier_offered",
  "order.offer_declined",
  "order.courier_assigned",
  "order.courier_at_pickup",
  "order.picked_up",
  "order.courier_at_dropoff",
  "order.delivered",
  "order.courier_escalated",
  "order.redispatched",
  "order.exception_resolved",
  "order.operator_note",
  "order.problem_reported",
  "order.released",
  "order.courier_released",
  "order.escalated",
  "order.customer_wait_started",
  "order.delivery_failed",
] as const satisfies readonly TransitionEventType[];

// Fails to compile when a transition is added to TransitionPayloads but not listed above.
const everyTransitionListed: Exclude<TransitionEventType, (typeof ORDER_EVENT_TYPES)[number]> extends never
  ? true
  : false = true;
void everyTransitionListed;

export const ADAPTER_EVENT_TYPES = [
  "order.placed",
  "order.payment_started",
  "order.late_payment_refund_requested",
  "order.refunded",
  "order.refund_stuck",
] as const satisfies readonly AdapterEventType[];

/** The refund an event asks for, whatever its type. */
export function refundOf(draft: OrderEventDraft | undefined): RefundRequest | null {
  return draft && "refund" in draft.payload ? draft.payload.refund : null;
}

/** Stamps a transition with the operator action that caused it, so a retried action is recognised. */
export function withOperatorKey<K extends TransitionEventType>(
  draft: TransitionEventDraft<K>,
  operatorKey: string,
): TransitionEventDraft<K> {
  return { type: draft.type, payload: { ...draft.payload, operatorKey } };
}
