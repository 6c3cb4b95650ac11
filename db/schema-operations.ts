
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** Queue messages that exhausted their retries: visible to operators and replayable. */
export const deadLetters = pgTable(
  "dead_letters",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    queue: text("queue").notNull(),
    messageId: text("message_id").notNull(),
    body: jsonb("body").$type<unknown>().notNull(),
    attempts: integer("attempts").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    replayedAt: timestamp("replayed_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("dead_letters_message_key").on(t.queue, t.messageId)],
);

/**
 * Who changed what, when, with the values before and after. Append-only: a
 * trigger (migrations/*_audit_append_only.sql) refuses UPDATE and DELETE. Rows written from order
 * events carry the event id, so a redelivered event never writes twice.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: text("actor_id").notNull(),
    actorRole: text("actor_role").notNull(),
    /** `<entity>.<verb>`, e.g. `restaurant.update`, `order.refund_requested`. */
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    before: jsonb("before").$type<Record<string, unknown> | null>(),
    after: jsonb("after").$type<Record<string, unknown> | null>(),
    note: text("note"),
    requestId: text("request_id"),
    sourceEventId: uuid("source_event_id"),
  },
  (t) => [
    // idempotency: one audit row per order event
    uniqueIndex("audit_log_source_event_key").on(t.sourceEventId),
    index("audit_log_at_idx").on(t.at),
    index("audit_log_entity_idx").on(t.entityType, t.entityId, t.at),
    index("audit_log_actor_idx").on(t.actorId, t.at),
  ],
);
