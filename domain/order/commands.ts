// What can be asked of an order, and what decide() answers. The commands fall
// into the two tracks the order runs on (its own state, and the courier
// assignment beside preparation), what goes wrong on the road, and operators'
// commands; decide() routes each group to the module that holds its rules.

import type { TransitionEventDraft } from "./events.ts";
import type { OperatorCommand } from "./operator-commands.ts";
import type { DispatchPlanNote, EscalationReason, OfferChoiceNote, OrderSnapshot } from "./order-types.ts";

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

export type Refusal = Extract<Decision, { ok: false }>;

/** The order's own track: payment, the kitchen, cancellation and refunds (order-transitions.ts). */
export type OrderTrackCommand = Extract<
  OrderCommand,
  {
    type:
      | "payment_succeeded"
      | "payment_failed"
      | "payment_timeout"
      | "accept"
      | "reject"
      | "release_to_kitchen"
      | "acceptance_timeout"
      | "start_preparing"
      | "adjust_prep_time"
      | "mark_ready"
      | "cancel"
      | "refund";
  }
>;

/** The courier assignment, which runs beside preparation (delivery-transitions.ts). */
export type DeliveryTrackCommand = Extract<
  OrderCommand,
  {
    type:
      | "dispatch_started"
      | "courier_offered"
      | "offer_declined"
      | "courier_assigned"
      | "arrived_at_pickup"
      | "picked_up"
      | "arrived_at_dropoff"
      | "delivered"
      | "search_exhausted"
      | "courier_timeout";
  }
>;

/** What goes wrong on the road (courier-exceptions.ts). */
export type CourierExceptionCommand = Extract<
  OrderCommand,
  { type: "courier_released" | "escalate" | "start_customer_wait" | "delivery_failed" }
>;
