// The ledger's part of the projection: inside the batch's transaction, after
// its events are written, every order the batch touched is booked from all of
// its projected events (domain/ledger/order-rules.ts). The rules fold only the
// run of events contiguous from seq 1, so an event that arrives early waits
// for the ones before it, and booking again is harmless: each transaction is
// keyed by the event (or Stripe refund) it comes from.
import { asc, eq, inArray } from "drizzle-orm";
import { orderEvents, orders, restaurants } from "../../db/schema.ts";
import { bookOrder, type LedgerEvent, type LedgerOrder } from "../../domain/ledger/order-rules.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { type Transaction, writeBookings } from "../ledger/write.ts";
import { releaseRedemption } from "../promotions/redemptions.ts";

export async function projectLedger(tx: Transaction, messages: readonly OrderEventMessage[]): Promise<number> {
  const orderIds = [...new Set(messages.map((m) => m.event.orderId))].sort();
  if (orderIds.length === 0) return 0;
  const orderRows = await tx
    .select({
      id: orders.id,
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
    })
    .from(orders)
    .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
    .where(inArray(orders.id, orderIds));
  const eventRows = await tx
    .select({
      id: orderEvents.id,
      orderId: orderEvents.orderId,
      seq: orderEvents.seq,
      type: orderEvents.type,
      occurredAt: orderEvents.occurredAt,
      payload: orderEvents.payload,
    })
    .from(orderEvents)
    .where(inArray(orderEvents.orderId, orderIds))
    .orderBy(asc(orderEvents.orderId), asc(orderEvents.seq));
  const byOrder = new Map<string, LedgerEvent[]>();
  for (const row of eventRows) {
    const list = byOrder.get(row.orderId) ?? [];
    list.push({ id: row.id, seq: row.seq, type: row.type, at: row.occurredAt.getTime(), payload: row.payload });
    byOrder.set(row.orderId, list);
  }
  const bookings = orderRows.flatMap((row) => {
    const order: LedgerOrder = {
      ...row,
      discountFundedBy: row.promotionFundedBy === "restaurant" ? "restaurant" : "platform",
    };
    return bookOrder(order, byOrder.get(order.id) ?? []);
  });
  const written = await writeBookings(tx, bookings);
  await releaseCalledOff(tx, messages);
  return written;
}

/**
 * An order called off before anyone earned from it gives its promotion's
 * discount back (budget and the customer's allowance), in the same
 * transaction as its events; released once, however often the event comes.
 */
async function releaseCalledOff(tx: Transaction, messages: readonly OrderEventMessage[]): Promise<void> {
  for (const { event, order } of messages) {
    if (!order.promotion) continue;
    const calledOff =
      event.state === "rejected" ||
      event.state === "cancelled" ||
      (event.state === "failed" && event.delivery !== "failed");
    if (calledOff) await releaseRedemption(tx, order.id);
  }
}
