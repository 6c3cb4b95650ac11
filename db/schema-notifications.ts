// Notifications and partner webhooks (issue 15, docs/decisions/0034 and 0035).
// Each notification row is one (event, recipient, channel): its unique key is
// what makes a redelivered event send nothing twice. Each webhook delivery is
// one (endpoint, event), with the same rule.
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { NotificationPreferences } from "../domain/notifications/preferences.ts";
import { restaurants, users } from "./schema.ts";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const notificationPreferences = pgTable("notification_preferences", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  settings: jsonb("settings").$type<Partial<NotificationPreferences>>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Web push subscriptions, as a service worker's PushManager returns them. */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text("endpoint").notNull(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    /** Which app registered it: customer, courier or console. */
    app: text("app").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("push_subscriptions_endpoint_key").on(t.endpoint),
    index("push_subscriptions_user_idx").on(t.userId),
  ],
);

export const notifications = pgTable(
  "notifications",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    eventId: uuid("event_id").notNull(),
    orderId: uuid("order_id"),
    recipientId: uuid("recipient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    template: text("template").notNull(),
    category: text("category").notNull(),
    language: text("language").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    url: text("url").notNull(),
    /** queued, sent, retried (waiting for its next attempt), failed, suppressed (preferences said no). */
    status: text("status").notNull(),
    reason: text("reason"),
    attempts: smallint("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastError: text("last_error"),
    providerRef: text("provider_ref"),
    /** When the event happened, for the latency from event to delivery. */
    eventAt: timestamp("event_at", { withTimezone: true }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    // idempotency: one message per event, recipient and channel
    uniqueIndex("notifications_event_recipient_channel_key").on(t.eventId, t.recipientId, t.channel),
    index("notifications_due_idx").on(t.status, t.nextAttemptAt),
    index("notifications_recipient_idx").on(t.recipientId, t.createdAt),
    check("notifications_channel_known", sql`${t.channel} in ('push', 'email', 'sms')`),
    check("notifications_status_known", sql`${t.status} in ('queued', 'sent', 'retried', 'failed', 'suppressed')`),
  ],
);

export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Null: a platform partner (registered by an operator), sent every restaurant's events. */
    restaurantId: uuid("restaurant_id").references(() => restaurants.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    eventTypes: text("event_types").array().notNull(),
    secret: text("secret").notNull(),
    /** The secret before the last rotation; deliveries carry both signatures until it expires. */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    /** Deliver one order's events in sequence: a later one waits while an earlier one is pending. */
    ordered: boolean("ordered").notNull().default(false),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    disabledReason: text("disabled_reason"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    failingSince: timestamp("failing_since", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_endpoints_restaurant_idx").on(t.restaurantId)],
);

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventId: uuid("event_id").notNull(),
    eventType: text("event_type").notNull(),
    orderId: uuid("order_id").notNull(),
    seq: integer("seq").notNull(),
    /** The exact body sent (and signed) on every attempt. */
    body: text("body").notNull(),
    /** pending, succeeded, failed (retries exhausted). */
    status: text("status").notNull(),
    attempts: smallint("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    eventAt: timestamp("event_at", { withTimezone: true }).notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    // idempotency: one delivery per endpoint and event
    uniqueIndex("webhook_deliveries_endpoint_event_key").on(t.endpointId, t.eventId),
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_log_idx").on(t.endpointId, t.createdAt),
    check("webhook_deliveries_status_known", sql`${t.status} in ('pending', 'succeeded', 'failed')`),
  ],
);
