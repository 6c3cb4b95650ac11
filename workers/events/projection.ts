// Projects order events into Postgres. Idempotent by construction: the event
// row is keyed by its id, order lines by (order, line), and the order row only
// moves forward (last_event_seq guards it), so duplicate, reordered and
// retried deliveries leave exactly one row per event and the newest state.
//
// A queue batch is projected in one transaction of three statements
// (`projectOrderEvents`, see `projectRows`); `projectOrderEvent` projects a
// single message the same way and is the consumer's fallback when a batch
// fails, so one poison message is retried alone.
import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { excludedSet, insertJsonRows } from "../../db/json-rows.ts";
import { auditLog, orderEvents, orderItems, orders, payments } from "../../db/schema.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { foldScope } from "../../domain/projection/fold-scope.ts";
import { bookingCtes, type Transaction } from "../ledger/write.ts";
import { ledgerBookings, readOrderHistories, releaseCalledOff } from "./ledger.ts";
import { auditRows, exceptionRows, upsertExceptions } from "./operator-views.ts";

type OrderRow = typeof orders.$inferInsert;
type OrderItemRow = typeof orderItems.$inferInsert;
type OrderEventRow = typeof orderEvents.$inferInsert;
type PaymentRow = typeof payments.$inferInsert;

/** Columns an event may move forward; the rest is fixed at placement. Only ever forward: last_event_seq guards it. */
const orderUpsert = sql`on conflict (${sql.identifier(orders.id.name)}) do update set ${excludedSet([
  orders.status,
  orders.deliveryStatus,
  orders.courierId,
  orders.prepTimeMinutes,
  orders.lastEventSeq,
  orders.updatedAt,
])} where ${orders.lastEventSeq} < excluded.${sql.identifier(orders.lastEventSeq.name)}`;

/** A late "started" must not demote a succeeded charge. */
const chargeUpsert = sql`on conflict (${sql.identifier(payments.provider.name)}, ${sql.identifier(
  payments.providerRef.name,
)}) do update set ${excludedSet([payments.status, payments.updatedAt])} where ${payments.status} <> 'succeeded'`;

function orderRow({ event, order }: OrderEventMessage): OrderRow {
  return {
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
    taxIncluded: order.taxIncluded ?? false,
    itemsTaxMinor: order.itemsTaxMinor ?? 0,
    smallOrderFeeMinor: order.smallOrderFeeMinor ?? 0,
    tipMinor: order.tipMinor,
    totalMinor: order.totalMinor,
    roundingMinor: order.roundingMinor ?? 0,
    discountMinor: order.discountMinor ?? 0,
    promotionId: order.promotion?.id ?? null,
    promotionFundedBy: order.promotion?.fundedBy ?? null,
    deliveryAddress: order.deliveryAddress,
    prepTimeMinutes: order.prepTimeMinutes,
    // Fixed at placement, so the insert sets them and the upsert never needs to.
    scheduledFor: order.schedule ? new Date(order.schedule.deliverAt) : null,
    deliverySlot: order.schedule?.slot?.id ?? null,
    lastEventSeq: event.seq,
    placedAt: new Date(order.placedAt),
    updatedAt: new Date(event.at),
  };
}

function itemRows({ order }: OrderEventMessage): OrderItemRow[] {
  return order.lines.map((line) => ({
    orderId: order.id,
    lineNo: line.lineNo,
    menuItemId: line.itemId,
    name: line.name,
    quantity: line.quantity,
    unitPriceMinor: line.unitPriceMinor,
    options: line.options,
    lineTotalMinor: line.lineTotalMinor,
  }));
}

function eventRow({ event }: OrderEventMessage): OrderEventRow {
  return {
    id: event.id,
    orderId: event.orderId,
    seq: event.seq,
    type: event.type,
    actorId: event.actorId,
    actorRole: event.actorRole,
    payload: event.payload,
    occurredAt: new Date(event.at),
  };
}

/** The charge row an event upserts: from `order.payment_started` / `order.paid` with an intent id. */
function chargeRow({ event, order }: OrderEventMessage): PaymentRow | null {
  if (event.type !== "order.payment_started" && event.type !== "order.paid") return null;
  const intentId = event.payload.paymentIntentId;
  return {
    orderId: order.id,
    kind: "charge",
    providerRef: intentId,
    status: event.type === "order.paid" ? "succeeded" : "requires_payment_method",
    amountMinor: order.totalMinor,
    currency: order.currency,
    idempotencyKey: `order:${order.id}:payment_intent`,
    updatedAt: new Date(event.at),
  };
}

/** The refund row an `order.refunded` event inserts once. */
function refundRow({ event, order }: OrderEventMessage): PaymentRow | null {
  if (event.type !== "order.refunded") return null;
  const payload = event.payload;
  return {
    orderId: order.id,
    kind: "refund",
    providerRef: payload.refundId,
    status: payload.status ?? "succeeded",
    amountMinor: payload.amountMinor,
    currency: order.currency,
    idempotencyKey: `order:${order.id}:refund:${payload.requestEventId}`,
    updatedAt: new Date(event.at),
  };
}

/** Projects one message in its own transaction: the fallback when a batch fails. */
export async function projectOrderEvent(db: Database, message: OrderEventMessage): Promise<void> {
  await db.transaction((tx) => projectRows(tx, [message]));
}

/** The rows a batch writes, one entry per row key (see `projectOrderEvents`). */
export interface BatchRows {
  orders: OrderRow[];
  items: OrderItemRow[];
  events: OrderEventRow[];
  charges: PaymentRow[];
  refunds: PaymentRow[];
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Folds a batch into the rows to write, with every row key at most once so a
 * single multi-row `INSERT ... ON CONFLICT` never meets the same key twice:
 * - orders: per order, the message with the highest sequence (the guarded
 *   upsert then keeps whichever of it and the stored row is newer);
 * - order lines: per (order, line), the first seen (lines never change);
 * - events: per event id, the first seen;
 * - charges: per provider reference, a succeeded one over any other, then the
 *   highest sequence, which is where applying them one by one ends;
 * - refunds: per refund id and per idempotency key, the first seen, as
 *   `on conflict do nothing` one by one would keep.
 * Rows are sorted by key so concurrent batches lock rows in the same order.
 */
export function batchRows(messages: readonly OrderEventMessage[]): BatchRows {
  const newest = new Map<string, OrderEventMessage>();
  const items = new Map<string, OrderItemRow>();
  const events = new Map<string, OrderEventRow>();
  const charges = new Map<string, { row: PaymentRow; seq: number }>();
  const refunds = new Map<string, PaymentRow>();
  const refundKeys = new Set<string>();
  for (const message of messages) {
    const { event, order } = message;
    const current = newest.get(order.id);
    if (!current || current.event.seq < event.seq) newest.set(order.id, message);
    for (const item of itemRows(message)) {
      const key = `${item.orderId}:${item.lineNo}`;
      if (!items.has(key)) items.set(key, item);
    }
    if (!events.has(event.id)) events.set(event.id, eventRow(message));
    const charge = chargeRow(message);
    if (charge) {
      const seen = charges.get(charge.providerRef);
      const succeeded = charge.status === "succeeded";
      const seenSucceeded = seen?.row.status === "succeeded";
      if (!seen || (succeeded && !seenSucceeded) || (succeeded === seenSucceeded && seen.seq < event.seq)) {
        charges.set(charge.providerRef, { row: charge, seq: event.seq });
      }
    }
    const refund = refundRow(message);
    if (refund && !refunds.has(refund.providerRef) && !refundKeys.has(refund.idempotencyKey)) {
      refunds.set(refund.providerRef, refund);
      refundKeys.add(refund.idempotencyKey);
    }
  }
  const sorted = <T>(map: Map<string, T>) => [...map.entries()].sort(([a], [b]) => byKey(a, b)).map(([, v]) => v);
  return {
    orders: sorted(newest).map(orderRow),
    items: [...items.values()].sort((a, b) => byKey(a.orderId, b.orderId) || a.lineNo - b.lineNo),
    events: sorted(events),
    charges: sorted(charges).map((c) => c.row),
    refunds: sorted(refunds),
  };
}

/**
 * Projects a whole queue batch in one transaction, the same effect as
 * `projectOrderEvent` applied to each message in turn. All or nothing: if it
 * throws, nothing was written and the caller falls back to projecting message
 * by message.
 *
 * Parameters stay far below Postgres' 65,535: a batch holds at most 50
 * messages and an order at most 50 lines of 8 columns.
 */
export async function projectOrderEvents(db: Database, messages: readonly OrderEventMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db.transaction((tx) => projectRows(tx, messages));
}

/**
 * Three statements between BEGIN and COMMIT, whatever the batch (each one
 * round trip, the cost that counts per batch, bench/results/events.md):
 * 1. every row the batch writes, one multi-row insert per table, as the
 *    data-modifying parts of one `WITH` (foreign keys are checked at the end
 *    of the statement, so the order rows need not come first);
 * 2. the projected events of the touched orders whose bookings or exceptions
 *    the batch can change (`foldScope`), with the order's terms, read after
 *    (1), for the ledger and the exceptions queue;
 * 3. the ledger's bookings and the recomputed exceptions, one `WITH` again.
 * A promotion released by a called-off order adds its own statements (rare).
 * Each table's rows go as one JSON parameter (`insertJsonRows`): drizzle's
 * `.values()` rendering was half of the consumer's CPU (decision 61).
 */
async function projectRows(tx: Transaction, messages: readonly OrderEventMessage[]): Promise<void> {
  const rows = batchRows(messages);
  const audits = auditRows(messages);
  const writes: SQL[] = [sql`p_orders as (${insertJsonRows(orders, rows.orders)} ${orderUpsert})`];
  if (rows.items.length > 0) {
    writes.push(sql`p_items as (${insertJsonRows(orderItems, rows.items)} on conflict do nothing)`);
  }
  writes.push(sql`p_events as (${insertJsonRows(orderEvents, rows.events)} on conflict do nothing)`);
  if (rows.charges.length > 0)
    writes.push(sql`p_charges as (${insertJsonRows(payments, rows.charges)} ${chargeUpsert})`);
  if (rows.refunds.length > 0) {
    writes.push(sql`p_refunds as (${insertJsonRows(payments, rows.refunds)} on conflict do nothing)`);
  }
  if (audits.length > 0) writes.push(sql`p_audit as (${insertJsonRows(auditLog, audits)} on conflict do nothing)`);
  await tx.execute(sql`with ${sql.join(writes, sql`, `)} select 1`);

  const histories = await readOrderHistories(tx, foldScope(messages.map((m) => m.event)));
  const derived = [...bookingCtes(ledgerBookings(histories))];
  const exceptions = exceptionRows(messages, histories);
  if (exceptions.length > 0) derived.push(sql`p_exceptions as (${upsertExceptions(exceptions)})`);
  if (derived.length > 0) await tx.execute(sql`with ${sql.join(derived, sql`, `)} select 1`);
  await releaseCalledOff(tx, messages);
}
