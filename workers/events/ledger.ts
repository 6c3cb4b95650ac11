// The ledger's part of the projection: inside the batch's transaction, after
// its events are written, every order whose bookings the batch can change is
// booked from all of its projected events (domain/ledger/order-rules.ts); which
// orders those are is domain/projection/fold-scope.ts (decision 61). The rules
// fold only the run of events contiguous from seq 1, so an event that arrives
// early waits for the ones before it, and booking again is harmless: each
// transaction is keyed by the event (or Stripe refund) it comes from.
//
// One read serves the ledger and the exceptions queue (operator-views.ts):
// the events of the orders to fold with each order's terms, so a batch pays
// one round trip for both.
import { sql } from "drizzle-orm";
import { orderEvents, orders, restaurants } from "../../db/schema.ts";
import { EXCEPTION_EVENT_TYPES } from "../../domain/exceptions/derive.ts";
import type { Booking } from "../../domain/ledger/booking.ts";
import {
  bookOrder,
  CLOSING_STATES,
  LEDGER_EVENT_TYPES,
  type LedgerEvent,
  type LedgerOrder,
} from "../../domain/ledger/order-rules.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import type { FoldScope } from "../../domain/projection/fold-scope.ts";
import type { Transaction } from "../ledger/write.ts";
import { releaseRedemption } from "../promotions/redemptions.ts";

/** An event of a folded order with its order's terms, as `readOrderHistories` returns it. */
export interface OrderHistoryRow {
  /** The order is folded for the ledger (its rows are all of its events). */
  ledger: boolean;
  orderId: string;
  restaurantId: string;
  courierId: string | null;
  currency: string;
  subtotalMinor: number;
  deliveryFeeMinor: number;
  serviceFeeMinor: number;
  taxMinor: number;
  taxIncluded: boolean;
  itemsTaxMinor: number;
  smallOrderFeeMinor: number;
  tipMinor: number;
  totalMinor: number;
  roundingMinor: number;
  discountMinor: number;
  promotionFundedBy: string | null;
  commissionBps: number;
  eventId: string;
  seq: number;
  type: string;
  actorId: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

type RawHistoryRow = {
  ledger: boolean;
  order_id: string;
  restaurant_id: string;
  courier_id: string | null;
  currency: string;
  subtotal_minor: number;
  delivery_fee_minor: number;
  service_fee_minor: number;
  tax_minor: number;
  tax_included: boolean;
  items_tax_minor: number;
  small_order_fee_minor: number;
  tip_minor: number;
  total_minor: number;
  rounding_minor: number;
  discount_minor: number;
  promotion_funded_by: string | null;
  commission_bps: number;
  event_id: string;
  seq: number;
  type: string;
  actor_id: string;
  occurred_at: string | Date;
  payload: Record<string, unknown>;
};

/**
 * Reads, in order and each with its order's terms, the projected events the fold needs
 * (domain/projection/fold-scope.ts): all events of an order the ledger must fold (a stored event at
 * or after the batch's lowest sequence for it can book, `mayBook`, tested here in SQL), and the
 * exception-type events of an order whose exceptions the batch can change. Orders needing neither
 * (most of a batch: accepted, preparing, courier offered ...) return nothing.
 */
export async function readOrderHistories(tx: Transaction, scope: readonly FoldScope[]): Promise<OrderHistoryRow[]> {
  if (scope.length === 0) return [];
  const result = await tx.execute<RawHistoryRow>(sql`
    with scope (order_id, from_seq, exceptions) as (
      select * from unnest(
        ${sql.param(scope.map((s) => s.orderId))}::uuid[],
        ${sql.param(scope.map((s) => s.fromSeq))}::int[],
        ${sql.param(scope.map((s) => s.exceptions))}::boolean[])
    ), folded as (
      select s.order_id, s.exceptions, exists (
        select 1 from ${orderEvents} b
        where b.order_id = s.order_id and b.seq >= s.from_seq
          and (b.type = any(${sql.param([...LEDGER_EVENT_TYPES])}::text[])
            or b.payload->>'state' = any(${sql.param([...CLOSING_STATES])}::text[]))
      ) as ledger
      from scope s
    )
    select f.ledger, o.id as order_id, o.restaurant_id, o.courier_id, o.currency, o.subtotal_minor,
      o.delivery_fee_minor, o.service_fee_minor, o.tax_minor, o.tax_included, o.items_tax_minor,
      o.small_order_fee_minor, o.tip_minor, o.total_minor, o.rounding_minor, o.discount_minor,
      o.promotion_funded_by, r.commission_bps, e.id as event_id, e.seq, e.type, e.actor_id,
      e.occurred_at, e.payload
    from folded f
    join ${orders} o on o.id = f.order_id
    join ${restaurants} r on r.id = o.restaurant_id
    join ${orderEvents} e on e.order_id = f.order_id
    where f.ledger or (f.exceptions and e.type = any(${sql.param([...EXCEPTION_EVENT_TYPES])}::text[]))
    order by e.order_id, e.seq`);
  return result.rows.map((r) => ({
    ledger: r.ledger,
    orderId: r.order_id,
    restaurantId: r.restaurant_id,
    courierId: r.courier_id,
    currency: r.currency,
    subtotalMinor: r.subtotal_minor,
    deliveryFeeMinor: r.delivery_fee_minor,
    serviceFeeMinor: r.service_fee_minor,
    taxMinor: r.tax_minor,
    taxIncluded: r.tax_included,
    itemsTaxMinor: r.items_tax_minor,
    smallOrderFeeMinor: r.small_order_fee_minor,
    tipMinor: r.tip_minor,
    totalMinor: r.total_minor,
    roundingMinor: r.rounding_minor,
    discountMinor: r.discount_minor,
    promotionFundedBy: r.promotion_funded_by,
    commissionBps: r.commission_bps,
    eventId: r.event_id,
    seq: r.seq,
    type: r.type,
    actorId: r.actor_id,
    // The driver hands timestamps over as text (drizzle's type parsers), as the select builder does.
    occurredAt: new Date(r.occurred_at),
    payload: r.payload,
  }));
}

/** The bookings of every order folded for the ledger, from all of its events (booked or not: writing dedupes). */
export function ledgerBookings(histories: readonly OrderHistoryRow[]): Booking[] {
  const byOrder = new Map<string, { order: LedgerOrder; events: LedgerEvent[] }>();
  for (const row of histories) {
    if (!row.ledger) continue;
    let entry = byOrder.get(row.orderId);
    if (!entry) {
      const order: LedgerOrder = {
        id: row.orderId,
        restaurantId: row.restaurantId,
        courierId: row.courierId,
        currency: row.currency,
        subtotalMinor: row.subtotalMinor,
        deliveryFeeMinor: row.deliveryFeeMinor,
        serviceFeeMinor: row.serviceFeeMinor,
        taxMinor: row.taxMinor,
        taxIncluded: row.taxIncluded,
        itemsTaxMinor: row.itemsTaxMinor,
        smallOrderFeeMinor: row.smallOrderFeeMinor,
        tipMinor: row.tipMinor,
        totalMinor: row.totalMinor,
        roundingMinor: row.roundingMinor,
        discountMinor: row.discountMinor,
        discountFundedBy: row.promotionFundedBy === "restaurant" ? "restaurant" : "platform",
        commissionBps: row.commissionBps,
      };
      entry = { order, events: [] };
      byOrder.set(row.orderId, entry);
    }
    entry.events.push({
      id: row.eventId,
      seq: row.seq,
      type: row.type,
      at: row.occurredAt.getTime(),
      payload: row.payload,
    });
  }
  return [...byOrder.values()].flatMap(({ order, events }) => bookOrder(order, events));
}

/**
 * An order called off before anyone earned from it gives its promotion's
 * discount back (budget and the customer's allowance), in the same
 * transaction as its events; released once, however often the event comes.
 */
export async function releaseCalledOff(tx: Transaction, messages: readonly OrderEventMessage[]): Promise<void> {
  for (const { event, order } of messages) {
    if (!order.promotion) continue;
    const calledOff =
      event.state === "rejected" ||
      event.state === "cancelled" ||
      (event.state === "failed" && event.delivery !== "failed");
    if (calledOff) await releaseRedemption(tx, order.id);
  }
}
