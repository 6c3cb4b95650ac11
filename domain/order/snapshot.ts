// A new order's snapshot, the state every transition folds over.
import type { OrderSnapshot } from "./order-types.ts";

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
