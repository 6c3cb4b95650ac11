// Projects order events into Postgres. Idempotent by construction: the event
// row is keyed by its id, order lines by (order, line), and the order row only
// moves forward (last_event_seq guards it), so duplicate, reordered and
// retried deliveries leave exactly one row per event and the newest state.
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { orderEvents, orderItems, orders, payments } from "../../db/schema.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";

export async function projectOrderEvent(db: Database, message: OrderEventMessage): Promise<void> {
  const { event, order } = message;
  const at = new Date(event.at);
  await db.transaction(async (tx) => {
    await tx
      .insert(orders)
      .values({
        id: order.id,
        customerId: order.customerId,
        restaurantId: order.restaurantId,
        courierId: order.courierId,
        status: event.state,
        deliveryStatus: event.delivery,
        idempotencyKey: order.idempotencyKey,
        menuVersion: order.menuVersion,
        currency: order.currency,
        subtotalMinor: order.subtotalMinor,
        deliveryFeeMinor: order.deliveryFeeMinor,
        serviceFeeMinor: order.serviceFeeMinor,
        taxMinor: order.taxMinor,
        tipMinor: order.tipMinor,
        totalMinor: order.totalMinor,
        deliveryAddress: order.deliveryAddress,
        prepTimeMinutes: order.prepTimeMinutes,
        lastEventSeq: event.seq,
        placedAt: new Date(order.placedAt),
        updatedAt: at,
      })
      .onConflictDoUpdate({
        target: orders.id,
        set: {
          status: sql`excluded.status`,
          deliveryStatus: sql`excluded.delivery_status`,
          courierId: sql`excluded.courier_id`,
          prepTimeMinutes: sql`excluded.prep_time_minutes`,
          lastEventSeq: sql`excluded.last_event_seq`,
          updatedAt: sql`excluded.updated_at`,
        },
        setWhere: sql`${orders.lastEventSeq} < excluded.last_event_seq`,
      });
    if (order.lines.length > 0) {
      await tx
        .insert(orderItems)
        .values(
          order.lines.map((line) => ({
            orderId: order.id,
            lineNo: line.lineNo,
            menuItemId: line.itemId,
            name: line.name,
            quantity: line.quantity,
            unitPriceMinor: line.unitPriceMinor,
            options: line.options,
            lineTotalMinor: line.lineTotalMinor,
          })),
        )
        .onConflictDoNothing();
    }
    await tx
      .insert(orderEvents)
      .values({
        id: event.id,
        orderId: event.orderId,
        seq: event.seq,
        type: event.type,
        actorId: event.actorId,
        actorRole: event.actorRole,
        payload: event.payload,
        occurredAt: at,
      })
      .onConflictDoNothing();
    await projectPayment(tx as unknown as Database, message);
  });
}

async function projectPayment(db: Database, { event, order }: OrderEventMessage): Promise<void> {
  const payload = event.payload;
  const intentId = typeof payload.paymentIntentId === "string" ? payload.paymentIntentId : null;
  if ((event.type === "order.payment_started" || event.type === "order.paid") && intentId) {
    await db
      .insert(payments)
      .values({
        orderId: order.id,
        kind: "charge",
        providerRef: intentId,
        status: event.type === "order.paid" ? "succeeded" : "requires_payment_method",
        amountMinor: order.totalMinor,
        currency: order.currency,
        idempotencyKey: `order:${order.id}:payment_intent`,
        updatedAt: new Date(event.at),
      })
      .onConflictDoUpdate({
        target: [payments.provider, payments.providerRef],
        set: { status: sql`excluded.status`, updatedAt: sql`excluded.updated_at` },
        // A late "started" must not demote a succeeded charge.
        setWhere: sql`${payments.status} <> 'succeeded'`,
      });
  }
  if (
    event.type === "order.refunded" &&
    typeof payload.refundId === "string" &&
    typeof payload.amountMinor === "number"
  ) {
    await db
      .insert(payments)
      .values({
        orderId: order.id,
        kind: "refund",
        providerRef: payload.refundId,
        status: typeof payload.status === "string" ? payload.status : "succeeded",
        amountMinor: payload.amountMinor,
        currency: order.currency,
        idempotencyKey: `order:${order.id}:refund:${String(payload.requestEventId)}`,
        updatedAt: new Date(event.at),
      })
      .onConflictDoNothing();
  }
}
