// What operators read that the order events feed: the audit rows of actions
// taken on orders by admins (and staff cancellations and rejections, which
// move money), and the exceptions queue. Runs inside the projection's
// transaction, after the batch's events are written, so both are exactly as
// durable as the events and as idempotent: audit rows are keyed by event id,
// and an order's exceptions are recomputed from all of its events.
import { and, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { auditLog, orderEvents, orderExceptions } from "../../db/schema.ts";
import { deriveExceptions, EXCEPTION_EVENT_TYPES, type ExceptionEvent } from "../../domain/exceptions/derive.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Staff actions on orders that take money back from the restaurant's takings. */
const AUDITED_STAFF_EVENTS = ["order.cancelled", "order.rejected"];
/** Envelope fields every payload repeats; the audit row has them in its own columns. */
const ENVELOPE = ["orderId", "by", "at", "state", "delivery", "previousState", "previousDelivery", "operatorKey"];

export function isAudited(event: OrderEventMessage["event"]): boolean {
  return (
    event.actorRole === "admin" || (event.actorRole === "restaurant_staff" && AUDITED_STAFF_EVENTS.includes(event.type))
  );
}

function auditRow({ event }: OrderEventMessage): typeof auditLog.$inferInsert {
  const p = event.payload;
  const details = Object.fromEntries(Object.entries(p).filter(([key]) => !ENVELOPE.includes(key)));
  return {
    at: new Date(event.at),
    actorId: event.actorId,
    actorRole: event.actorRole,
    action: event.type,
    entityType: "order",
    entityId: event.orderId,
    before:
      "previousState" in p ? { state: p.previousState, delivery: p.previousDelivery } : { state: null, delivery: null },
    after: { state: event.state, delivery: event.delivery, ...details },
    note:
      "note" in p && typeof p.note === "string"
        ? p.note
        : "reason" in p && typeof p.reason === "string"
          ? p.reason
          : null,
    sourceEventId: event.id,
  };
}

export async function projectOperatorViews(tx: Transaction, messages: readonly OrderEventMessage[]): Promise<void> {
  const audited = messages.filter((m) => isAudited(m.event));
  if (audited.length > 0) await tx.insert(auditLog).values(audited.map(auditRow)).onConflictDoNothing();
  await refreshExceptions(tx, messages);
}

async function refreshExceptions(tx: Transaction, messages: readonly OrderEventMessage[]): Promise<void> {
  const orderIds = [
    ...new Set(messages.filter((m) => EXCEPTION_EVENT_TYPES.includes(m.event.type)).map((m) => m.event.orderId)),
  ].sort();
  if (orderIds.length === 0) return;
  const rows = await tx
    .select({
      id: orderEvents.id,
      orderId: orderEvents.orderId,
      seq: orderEvents.seq,
      type: orderEvents.type,
      actorId: orderEvents.actorId,
      occurredAt: orderEvents.occurredAt,
      payload: orderEvents.payload,
    })
    .from(orderEvents)
    .where(and(inArray(orderEvents.orderId, orderIds), inArray(orderEvents.type, [...EXCEPTION_EVENT_TYPES])));
  const byOrder = new Map<string, ExceptionEvent[]>();
  for (const row of rows) {
    const list = byOrder.get(row.orderId) ?? [];
    list.push({
      id: row.id,
      seq: row.seq,
      type: row.type,
      actorId: row.actorId,
      at: row.occurredAt.getTime(),
      state: typeof row.payload.state === "string" ? row.payload.state : "",
      payload: row.payload,
    });
    byOrder.set(row.orderId, list);
  }
  const derived = [...byOrder].flatMap(([orderId, events]) =>
    deriveExceptions(events).map((x) => ({
      openedEventId: x.openedEventId,
      orderId,
      kind: x.kind,
      reason: x.reason,
      openedSeq: x.openedSeq,
      openedAt: new Date(x.openedAt),
      details: x.details,
      resolvedSeq: x.resolvedSeq,
      resolvedAt: x.resolvedAt === null ? null : new Date(x.resolvedAt),
      resolvedBy: x.resolvedBy,
      resolution: x.resolution,
      resolutionNote: x.resolutionNote,
    })),
  );
  if (derived.length === 0) return;
  await tx
    .insert(orderExceptions)
    .values(derived)
    .onConflictDoUpdate({
      target: orderExceptions.openedEventId,
      set: {
        resolvedSeq: sql`excluded.resolved_seq`,
        resolvedAt: sql`excluded.resolved_at`,
        resolvedBy: sql`excluded.resolved_by`,
        resolution: sql`excluded.resolution`,
        resolutionNote: sql`excluded.resolution_note`,
      },
    });
}
