// The order's vocabulary: states, actors, the snapshot the state machine
// decides on. A leaf module, so the state machine, its operator rules and the
// event catalogue (events.ts) can all import it without importing each other.

export type OrderState =
  | "placed"
  | "paid"
  | "accepted"
  | "preparing"
  | "ready"
  | "picked_up"
  | "delivered"
  | "rejected"
  | "cancelled"
  | "failed";

export type DeliveryState =
  | "none"
  | "searching"
  | "offered"
  | "assigned"
  | "at_pickup"
  | "picked_up"
  | "at_dropoff"
  | "delivered"
  /** The courier could not hand the order over (customer unreachable after the wait). */
  | "failed";

export type ActorRole = "customer" | "restaurant_staff" | "courier" | "admin" | "system";

export interface Actor {
  role: ActorRole;
  /** For the system, names the source, e.g. "system:alarm", "system:stripe". */
  id: string;
  restaurantId?: string | undefined;
}

export interface OrderSnapshot {
  id: string;
  customerId: string;
  restaurantId: string;
  courierId: string | null;
  state: OrderState;
  delivery: DeliveryState;
  totalMinor: number;
  currency: string;
  paidMinor: number;
  /** Refunds requested so far. Counted when requested, not when Stripe confirms,
   * so a second request can never exceed what was paid; the adapter retries the
   * Stripe call with the event's idempotency key until it succeeds. */
  refundedMinor: number;
  paymentIntentId: string | null;
  prepTimeMinutes: number | null;
  placedAt: number;
  paidAt: number | null;
  acceptedAt: number | null;
  readyAt: number | null;
  pickedUpAt: number | null;
  deliveredAt: number | null;
  offeredCourierId: string | null;
  offerExpiresAt: number | null;
  escalatedAt: number | null;
  /** When an operator last restarted the courier search. Absent in snapshots stored before it existed. */
  redispatchedAt?: number | null;
  /** Prep time the kitchen's load quoted at placement (domain/kitchen/capacity.ts). Absent on older orders. */
  quotedPrepMinutes?: number | null;
  /** For an order placed for later: when it reaches the kitchen, and when its food must be ready. */
  releaseAt?: number | null;
  readyBy?: number | null;
  releasedAt?: number | null;
  /** Set when the courier at the door starts waiting for an unreachable customer. Absent in snapshots stored before it existed. */
  customerWaitUntil?: number | null;
}

/** Why an order needs a human although nothing else changes about it. */
export type EscalationReason = "courier_dark" | "pin_locked";

/** Present in an event payload as `refund` whenever money must go back. */
export interface RefundRequest {
  amountMinor: number;
  currency: string;
  reason: string;
  paymentIntentId: string | null;
  /** Unique per order and refund: refundedMinor only grows, so its value
   * before this refund identifies the refund. */
  idempotencyKey: string;
}

/** Dispatch's food-ready plan as recorded on order.dispatch_started (domain/dispatch/food-ready.ts). */
export interface DispatchPlanNote {
  predictedReadyAt: number;
  reasons: string[];
}

/** Why dispatch offered the order to this courier, recorded on order.courier_offered (domain/dispatch/scoring.ts). */
export interface OfferChoiceNote {
  score: number;
  reasons: string[];
  /** The courier's job this order would be stacked on; null for a courier with no job. */
  stackedWith: string | null;
}
