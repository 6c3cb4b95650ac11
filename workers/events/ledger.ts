// The ledger's part of the projection: inside the batch's transaction, after
// its events are written, every order the batch touched is booked from all of
// its projected events (domain/ledger/order-rules.ts). The rules fold only the
// run of events contiguous from seq 1, so an event that arrives early waits
// for the ones before it, and booking again is harmless: each transaction is
// keyed by the event (or Stripe refund) it comes from.
//
// One read serves the ledger and the exceptions queue (operator-views.ts):
// every projected event of the touched orders with its order's terms, so a
// batch pays one round trip for both.
import { asc, eq, inArray } from "drizzle-orm";
import { orderEvents, orders, restaurants } from "../../db/schema.ts";
import type { Booking } from "../../domain/ledger/booking.ts";
import { bookOrder, type LedgerEvent, type LedgerOrder } from "../../domain/ledger/order-rules.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import type { Transaction } from "../ledger/write.ts";
import { releaseRedemption } from "../promotions/redemptions.ts";

/** Reads every projected event of these orders, in order, each with its order's terms. */
export async function readOrderHistories(tx: Transaction, orderIds: readonly string[]) {
  if (orderIds.length === 0) return [];
  return tx
    .select({
      orderId: orders.id,
      restaurantId: orders.restaurantId,
      courierId: orders.courierId,
      currency: orders.currency,
      subtotalMinor: orders.subtotalMinor,
      deliveryFeeMinor: orders.deliveryFeeMinor,
      serviceFeeMinor: orders.serviceFeeMinor,
      taxMinor: orders.taxMinor,
      taxIncluded: orders.taxIncluded,
      itemsTaxMinor: orders.itemsTaxMinor,
      smallOrderFeeMinor: orders.smallOrderFeeMinor,
      tipMinor: orders.tipMinor,
      totalMinor: orders.totalMinor,
      roundingMinor: orders.roundingMinor,
      discountMinor: orders.discountMinor,
      promotionFundedBy: orders.promotionFundedBy,
      commissionBps: restaurants.commissionBps,
      eventId: orderEvents.id,
      seq: orderEvents.seq,
      type: orderEvents.type,
      actorId: orderEvents.actorId,
      occurredAt: orderEvents.occurredAt,
      payload: orderEvents.payload,
    })
    .from(orderEvents)
    .innerJoin(orders, eq(orders.id, orderEvents.orderId))
    .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
    .where(inArray(orderEvents.orderId, [...orderIds]))
    .orderBy(asc(orderEvents.orderId), asc(orderEvents.seq));
}

export type OrderHistoryRow = Awaited<ReturnType<typeof readOrderHistories>>[number];

/** The bookings of every order in the histories, from all of its events (booked or not: writing dedupes). */
export function ledgerBookings(histories: readonly OrderHistoryRow[]): Booking[] {
  const byOrder = new Map<string, { order: LedgerOrder; events: LedgerEvent[] }>();
  for (const row of histories) {
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
