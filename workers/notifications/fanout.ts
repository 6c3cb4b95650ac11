// The notification service's entry from the events queue: for each order
// event the projection has stored, the people to tell (domain/notifications)
// and the partner endpoints subscribed to it become rows (one per event,
// recipient and channel; one per endpoint and event), then the new rows are
// delivered at once. A redelivered event finds its rows and sends nothing.
// Rows are written with a short lease (next_attempt_at): if this isolate dies
// mid-delivery, the scheduled sweep (sweep.ts) finds them and sends them.
import { and, inArray, isNull, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { fromDriverRows, insertJsonRows } from "../../db/json-rows.ts";
import { notifications, webhookDeliveries, webhookEndpoints } from "../../db/schema-notifications.ts";
import { type Channel, decideChannels, isMustGo } from "../../domain/notifications/preferences.ts";
import { type PlannedNotification, planNotifications, templateValues } from "../../domain/notifications/routing.ts";
import { formatMoney, render } from "../../domain/notifications/templates.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { matchesEventTypes, webhookPayload } from "../../domain/webhooks/endpoints.ts";
import { withTrace } from "../../platform/trace-scope.ts";
import { logLine } from "../api/http/log.ts";
import type { ChannelEnv } from "./channels.ts";
import { emailConfigured, pushConfigured, smsConfigured } from "./channels.ts";
import { deliverNotifications } from "./deliver.ts";
import { audienceKey, expandAudiences, loadRecipients, type Recipient } from "./recipients.ts";
import { deliverWebhooks } from "./webhook-delivery.ts";

/** How long a row being delivered is held before the sweep may take it over. */
export const LEASE_MS = 60_000;

type NotificationRow = typeof notifications.$inferInsert;

function unavailable(env: ChannelEnv, channel: Channel, recipient: Recipient): string | null {
  if (channel === "email") return emailConfigured(env) ? null : "not_configured";
  if (channel === "sms") {
    if (!smsConfigured(env)) return "not_configured";
    return recipient.phone ? null : "no_phone";
  }
  if (!pushConfigured(env)) return "not_configured";
  return recipient.pushTargets > 0 ? null : "no_subscription";
}

/** What a batch's fan-out reads before it writes: the people behind each audience, and their contacts. */
interface Audiences {
  members: Map<string, string[]>;
  recipients: Map<string, Recipient>;
}

/** Reads the audiences of all the batch's planned notifications at once: two round trips, whatever the batch. */
async function loadAudiences(db: Database, planned: readonly PlannedNotification[]): Promise<Audiences> {
  if (planned.length === 0) return { members: new Map(), recipients: new Map() };
  const members = await expandAudiences(
    db,
    planned.map((p) => p.audience),
  );
  const recipients = await loadRecipients(db, [...members.values()].flat());
  return { members, recipients };
}

function notificationRows(
  env: ChannelEnv,
  message: OrderEventMessage,
  planned: readonly PlannedNotification[],
  audiences: Audiences,
  now: number,
): NotificationRow[] {
  const rows: NotificationRow[] = [];
  for (const plan of planned) {
    for (const userId of audiences.members.get(audienceKey(plan.audience)) ?? []) {
      const recipient = audiences.recipients.get(userId);
      if (!recipient) continue;
      const language = recipient.prefs.language;
      const money = formatMoney(message.order.totalMinor, message.order.currency, language);
      const text = render(plan.template, language, templateValues(message, money));
      for (const decision of decideChannels(plan.category, plan.channels, recipient.prefs, now)) {
        const missing = decision.send ? unavailable(env, decision.channel, recipient) : null;
        const reason = decision.send ? missing : decision.reason;
        rows.push({
          eventId: message.event.id,
          orderId: message.order.id,
          recipientId: userId,
          channel: decision.channel,
          template: plan.template,
          category: plan.category,
          language,
          title: text.title,
          body: text.body,
          url: plan.url,
          status: reason ? "suppressed" : "queued",
          reason,
          nextAttemptAt: reason ? null : new Date(now + LEASE_MS),
          eventAt: new Date(message.event.at),
        });
      }
    }
  }
  return rows;
}

type Endpoint = { id: string; restaurantId: string | null; eventTypes: string[] };

/** The live endpoints the batch's restaurants' events go to (platform-wide ones included): one round trip. */
async function liveEndpoints(db: Database, restaurantIds: readonly string[]): Promise<Endpoint[]> {
  if (restaurantIds.length === 0) return [];
  return db
    .select({
      id: webhookEndpoints.id,
      restaurantId: webhookEndpoints.restaurantId,
      eventTypes: webhookEndpoints.eventTypes,
    })
    .from(webhookEndpoints)
    .where(
      and(
        isNull(webhookEndpoints.disabledAt),
        or(isNull(webhookEndpoints.restaurantId), inArray(webhookEndpoints.restaurantId, [...new Set(restaurantIds)])),
      ),
    );
}

function webhookRows(endpoints: readonly Endpoint[], message: OrderEventMessage, now: number) {
  const { event } = message;
  const restaurantId = message.order.restaurantId;
  const mine = endpoints.filter((e) => e.restaurantId === null || e.restaurantId === restaurantId);
  if (mine.length === 0) return [];
  const body = JSON.stringify(webhookPayload({ ...event, restaurantId }));
  return mine
    .filter((e) => matchesEventTypes(e.eventTypes, event.type))
    .map((e) => ({
      endpointId: e.id,
      eventId: event.id,
      eventType: event.type,
      orderId: event.orderId,
      seq: event.seq,
      body,
      status: "pending",
      nextAttemptAt: new Date(now + LEASE_MS),
      eventAt: new Date(event.at),
    }));
}

interface Stored {
  notifications: Array<typeof notifications.$inferSelect>;
  deliveries: Array<typeof webhookDeliveries.$inferSelect>;
}

/**
 * The rows of all the given events, read and written with one statement per kind for
 * the whole set (audiences, contacts, endpoints, notifications, deliveries): a queue
 * batch of 50 events costs five round trips, not five per event. Adds what was new to
 * `stored` as soon as it is written, so rows stored before a failure are still sent.
 */
async function fanOut(
  env: ChannelEnv,
  db: Database,
  messages: readonly OrderEventMessage[],
  now: number,
  stored: Stored,
): Promise<void> {
  const planned = messages.map((m) => planNotifications(m));
  const audiences = await loadAudiences(db, planned.flat());
  const endpoints = await liveEndpoints(
    db,
    messages.map((m) => m.order.restaurantId),
  );
  const rows = messages.flatMap((m, i) => notificationRows(env, m, planned[i] ?? [], audiences, now));
  const deliveries = messages.flatMap((m) => webhookRows(endpoints, m, now));
  if (rows.length > 0) {
    // Rows as one JSON parameter (db/json-rows.ts); only the new queued rows come back, the rest is not sent.
    const inserted = await db.execute<Record<string, unknown>>(
      sql`with n as (${insertJsonRows(notifications, rows)} on conflict do nothing returning *) select * from n where ${sql.identifier(notifications.status.name)} = 'queued'`,
    );
    stored.notifications.push(...fromDriverRows(notifications, inserted.rows));
  }
  if (deliveries.length > 0) {
    stored.deliveries.push(
      ...(await db.insert(webhookDeliveries).values(deliveries).onConflictDoNothing().returning()),
    );
  }
}

/**
 * Stores and sends what the events call for. Returns the ids of events whose
 * rows could not be stored: the caller leaves those unacknowledged to their
 * Order DO, which sends them again, so nothing is lost to a brief outage.
 */
export async function notifyProjected(
  env: ChannelEnv,
  db: Database,
  messages: readonly OrderEventMessage[],
  now = Date.now(),
): Promise<Set<string>> {
  const failed = new Set<string>();
  const traces = new Map(messages.map((m) => [m.event.id, m.traceparent]));
  const traceOf = (eventId: string) => traces.get(eventId);
  const stored: Stored = { notifications: [], deliveries: [] };
  try {
    await fanOut(env, db, messages, now, stored);
  } catch (err) {
    // Event by event, as the projection falls back, so an event whose rows cannot be stored
    // is left unacknowledged alone while the others go out (rows already stored are skipped
    // by their keys).
    if (messages.length > 1) logLine("warn", "notifications.batch_fanout_failed", { error: String(err) });
    for (const message of messages) {
      await withTrace(message.traceparent, async () => {
        try {
          if (messages.length === 1) throw err;
          await fanOut(env, db, [message], now, stored);
        } catch (error) {
          failed.add(message.event.id);
          logLine("warn", "notifications.fanout_failed", { eventId: message.event.id, error: String(error) });
        }
      });
    }
  }
  const newNotifications = stored.notifications;
  const newDeliveries = stored.deliveries;
  // Must-go messages first: a kitchen's new order and a courier's offer are the ones with a clock.
  newNotifications.sort((a, b) => Number(isMustGo(b.category)) - Number(isMustGo(a.category)));
  await Promise.all([
    deliverNotifications(env, db, newNotifications, traceOf),
    deliverWebhooks(env, db, newDeliveries, traceOf),
  ]);
  return failed;
}
