// What the Order DO's calls return: the order as callers see it, and the
// refusal every call may answer with. Plain types, shared by the object and
// the helpers it lends itself to (dispatch, the courier's job).
import type { OrderEvent, PlacedOrder } from "../../domain/order/order-event.ts";
import type { OrderSnapshot } from "../../domain/order/state-machine.ts";

export type Refusal = { ok: false; status: 400 | 403 | 404 | 409 | 422 | 502; code: string; message: string };

export interface OrderView {
  id: string;
  status: OrderSnapshot["state"];
  delivery: OrderSnapshot["delivery"];
  customerId: string;
  restaurantId: string;
  courierId: string | null;
  currency: string;
  lines: PlacedOrder["lines"];
  subtotalMinor: number;
  deliveryFeeMinor: number;
  serviceFeeMinor: number;
  taxMinor: number;
  taxIncluded: boolean;
  smallOrderFeeMinor: number;
  tipMinor: number;
  totalMinor: number;
  discountMinor: number;
  roundingMinor: number;
  promotionCode: string | null;
  paidMinor: number;
  refundedMinor: number;
  deliveryAddress: PlacedOrder["deliveryAddress"];
  prepTimeMinutes: number | null;
  readyAt: string | null;
  placedAt: string;
  lastSeq: number;
  /** The prep time quoted at placement under the kitchen's load. */
  quotedPrepMinutes: number | null;
  /** Before acceptance: the planned or quoted ready time; after: readyAt. */
  estimatedReadyAt: string | null;
  /** Orders for later: when the customer wants it, and when the kitchen gets it. */
  scheduledFor: string | null;
  releaseAt: string | null;
  deliverySlot: { id: string; startsAt: string; endsAt: string } | null;
}

export type PlaceResult = { ok: true; created: boolean; order: OrderView } | Refusal;
export type CommandResult = { ok: true; order: OrderView; events: OrderEvent[] } | Refusal;
export type CheckoutResult =
  | { ok: true; paymentIntentId: string; clientSecret: string; amountMinor: number; currency: string }
  | Refusal;
