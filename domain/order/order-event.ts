// The envelope of an order event as it leaves the Order DO: stored in its
// event log, sent through the queue, projected into Postgres and pushed to
// watchers. `seq` is dense per order (1, 2, 3...), so a watcher or a
// projection can tell a gap from a duplicate.
// `type` and `payload` come from the catalogue in events.ts, so switching on
// `event.type` narrows the payload.
import type { OrderEventDraft } from "./events.ts";
import type { DeliveryState, OrderState } from "./order-types.ts";

export interface OrderEventEnvelope {
  id: string;
  orderId: string;
  seq: number;
  actorId: string;
  actorRole: string;
  at: number;
  /** State after this event, so a consumer never has to replay to know it. */
  state: OrderState;
  delivery: DeliveryState;
}

export type OrderEvent = OrderEventEnvelope & OrderEventDraft;

export interface PricedLine {
  lineNo: number;
  itemId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  options: Array<{ optionId: string; groupId: string; name: string; priceDeltaMinor: number }>;
  lineTotalMinor: number;
}

export interface DeliveryAddressInput {
  line1: string;
  line2?: string | undefined;
  city: string;
  postcode: string;
  lat: number;
  lng: number;
  instructions?: string | undefined;
}

/** What an order is, fixed at placement; the snapshot says where it is now. */
export interface PlacedOrder {
  id: string;
  customerId: string;
  restaurantId: string;
  idempotencyKey: string;
  /** SHA-256 of the placement request, to tell a retry from a reused key. */
  fingerprint: string;
  menuVersion: number;
  currency: string;
  lines: PricedLine[];
  subtotalMinor: number;
  deliveryFeeMinor: number;
  serviceFeeMinor: number;
  /** Contained in the prices when `taxIncluded` (a VAT-inclusive area), else added to the total. */
  taxMinor: number;
  /** Absent on orders placed before decision 0052: false, 0, 0. */
  taxIncluded?: boolean | undefined;
  itemsTaxMinor?: number | undefined;
  smallOrderFeeMinor?: number | undefined;
  tipMinor: number;
  /** Net of `discountMinor`, with `roundingMinor`. */
  totalMinor: number;
  /** A three-decimal total rounded to 10 fils for Stripe (domain/pricing/final-price.ts); absent: 0. */
  roundingMinor?: number | undefined;
  /** A promotion's discount (domain/pricing/promotions.ts); absent on orders without one. */
  discountMinor?: number | undefined;
  promotion?: PlacedPromotion | undefined;
  deliveryAddress: DeliveryAddressInput;
  restaurantLocation: { lat: number; lng: number };
  /** For the courier's offer and job screens; absent on orders placed before they were recorded. */
  restaurantName?: string | undefined;
  restaurantAddress?: string | undefined;
  placedAt: number;
  /** The prep time the kitchen's load quoted at placement; absent on older orders. */
  quotedPrepMinutes?: number | undefined;
  /** Set for an order placed for later (a time, or a merchant's delivery slot). */
  schedule?: OrderSchedule | undefined;
  /** The drop-off's delivery area and the restaurant's time zone: the learned ETA's cell (absent on older orders). */
  deliveryAreaId?: string | undefined;
  timeZone?: string | undefined;
}

/** The promotion an order redeemed, fixed at placement. */
export interface PlacedPromotion {
  id: string;
  code: string;
  fundedBy: "platform" | "restaurant";
}

export interface OrderSchedule {
  /** Epoch ms: when the customer wants it. */
  deliverAt: number;
  /** Epoch ms: when the food must be ready for that. */
  readyBy: number;
  /** Epoch ms: when the order reaches the kitchen's board. */
  releaseAt: number;
  /** The merchant's delivery slot, for slot-based merchants. */
  slot: { id: string; startsAt: number; endsAt: number } | null;
}

/** The queue message: the event plus the order it belongs to, so any event can create the row. */
export interface OrderEventMessage {
  kind: "order_event";
  event: OrderEvent;
  order: PlacedOrder & { courierId: string | null; prepTimeMinutes: number | null };
  /**
   * The W3C trace context of the request that caused the event (decision 0049).
   * Optional: messages queued before it existed, and re-sends after the Order DO
   * was evicted, have none.
   */
  traceparent?: string;
}
