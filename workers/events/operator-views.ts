// What operators read that the order events feed: the audit rows of actions
// taken on orders by admins (and staff cancellations and rejections, which
// move money), and the exceptions queue. Written inside the projection's
// transaction (the audit rows with the batch's events, the exceptions after
// them), so both are exactly as durable as the events and as idempotent: audit
// rows are keyed by event id, and an order's exceptions are recomputed from
// all of its events.
import { type SQL, sql } from "drizzle-orm";
import { excludedSet, insertJsonRows } from "../../db/json-rows.ts";
import { type auditLog, orderExceptions } from "../../db/schema.ts";
import { deriveExceptions, EXCEPTION_EVENT_TYPES, type ExceptionEvent } from "../../domain/exceptions/derive.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import type { OrderHistoryRow } from "./ledger.ts";

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

/** The audit rows of a batch's audited events (keyed by event id: `on conflict do nothing` keeps the first). */
export function auditRows(messages: readonly OrderEventMessage[]): Array<typeof auditLog.$inferInsert> {
  return messages.filter((m) => isAudited(m.event)).map(auditRow);
}

/**
 * The exceptions of every order whose batch events can open or settle one,
 * recomputed from all of its projected events (`histories`, read after the
 * batch's events are written, see ledger.ts `readOrderHistories`).
 */
export function exceptionRows(
  messages: readonly OrderEventMessage[],
  histories: readonly OrderHistoryRow[],
): Array<typeof orderExceptions.$inferInsert> {
  const orderIds = new Set(
    messages.filter((m) => EXCEPTION_EVENT_TYPES.includes(m.event.type)).map((m) => m.event.orderId),
  );
  if (orderIds.size === 0) return [];
  const byOrder = new Map<string, ExceptionEvent[]>();
  for (const row of histories) {
    if (!orderIds.has(row.orderId) || !EXCEPTION_EVENT_TYPES.includes(row.type)) continue;
    const list = byOrder.get(row.orderId) ?? [];
    list.push({
      id: row.eventId,
      seq: row.seq,
      type: row.type,
      actorId: row.actorId,
      at: row.occurredAt.getTime(),
      state: typeof row.payload.state === "string" ? row.payload.state : "",
      payload: row.payload,
    });
    byOrder.set(row.orderId, list);
  }
  return [...byOrder].flatMap(([orderId, events]) =>
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
}

/** The upsert of derived exceptions: an exception keeps its opening, its resolution follows the events. */
export function upsertExceptions(rows: ReadonlyArray<typeof orderExceptions.$inferInsert>): SQL {
  return sql`${insertJsonRows(orderExceptions, rows)} on conflict (${sql.identifier(
    orderExceptions.openedEventId.name,
  )}) do update set ${excludedSet([
    orderExceptions.resolvedSeq,
    orderExceptions.resolvedAt,
    orderExceptions.resolvedBy,
    orderExceptions.resolution,
    orderExceptions.resolutionNote,
  ])}`;
}
