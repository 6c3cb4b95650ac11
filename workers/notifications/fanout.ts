// The notification service's entry from the events queue: for each order
// event the projection has stored, the people to tell (domain/notifications)
// and the partner endpoints subscribed to it become rows (one per event,
// recipient and channel; one per endpoint and event), then the new rows are
// delivered at once. A redelivered event finds its rows and sends nothing.
// Rows are written with a short lease (next_attempt_at): if this isolate dies
// mid-delivery, the scheduled sweep (sweep.ts) finds them and sends them.
import { and, eq, isNull, or } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { notifications, webhookDeliveries, webhookEndpoints } from "../../db/schema-notifications.ts";
import { type Channel, decideChannels, isMustGo } from "../../domain/notifications/preferences.ts";
import { planNotifications, templateValues } from "../../domain/notifications/routing.ts";
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

async function notificationRows(env: ChannelEnv, db: Database, message: OrderEventMessage, now: number) {
  const planned = planNotifications(message);
  if (planned.length === 0) return [];
  const members = await expandAudiences(
    db,
    planned.map((p) => p.audience),
  );
  const recipients = await loadRecipients(db, [...members.values()].flat());
  const rows: NotificationRow[] = [];
  for (const plan of planned) {
    for (const userId of members.get(audienceKey(plan.audience)) ?? []) {
      const recipient = recipients.get(userId);
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

type EndpointCache = Map<string, Promise<Array<{ id: string; eventTypes: string[] }>>>;

/** The live endpoints a restaurant's events go to, read once per batch and restaurant. */
function endpointsFor(db: Database, cache: EndpointCache, restaurantId: string) {
  let found = cache.get(restaurantId);
  if (!found) {
    found = db
      .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes })
      .from(webhookEndpoints)
      .where(
        and(
          isNull(webhookEndpoints.disabledAt),
          or(isNull(webhookEndpoints.restaurantId), eq(webhookEndpoints.restaurantId, restaurantId)),
        ),
      );
    cache.set(restaurantId, found);
  }
  return found;
}

async function webhookRows(db: Database, cache: EndpointCache, message: OrderEventMessage, now: number) {
  const endpoints = await endpointsFor(db, cache, message.order.restaurantId);
  const { event } = message;
  const body = JSON.stringify(webhookPayload({ ...event, restaurantId: message.order.restaurantId }));
  return endpoints
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
  const newNotifications: Array<typeof notifications.$inferSelect> = [];
  const newDeliveries: Array<typeof webhookDeliveries.$inferSelect> = [];
  const endpointCache: EndpointCache = new Map();
  const traces = new Map(messages.map((m) => [m.event.id, m.traceparent]));
  const traceOf = (eventId: string) => traces.get(eventId);
  for (const message of messages) {
    await withTrace(message.traceparent, () => fanOutOne(message));
  }
  async function fanOutOne(message: OrderEventMessage): Promise<void> {
    try {
      const rows = await notificationRows(env, db, message, now);
      if (rows.length > 0) {
        const inserted = await db.insert(notifications).values(rows).onConflictDoNothing().returning();
        newNotifications.push(...inserted.filter((r) => r.status === "queued"));
      }
      const deliveries = await webhookRows(db, endpointCache, message, now);
      if (deliveries.length > 0) {
        newDeliveries.push(
          ...(await db.insert(webhookDeliveries).values(deliveries).onConflictDoNothing().returning()),
        );
      }
    } catch (err) {
      failed.add(message.event.id);
      logLine("warn", "notifications.fanout_failed", { eventId: message.event.id, error: String(err) });
    }
  }
  // Must-go messages first: a kitchen's new order and a courier's offer are the ones with a clock.
  newNotifications.sort((a, b) => Number(isMustGo(b.category)) - Number(isMustGo(a.category)));
  await Promise.all([
    deliverNotifications(env, db, newNotifications, traceOf),
    deliverWebhooks(env, db, newDeliveries, traceOf),
  ]);
  return failed;
}
