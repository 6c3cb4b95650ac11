// Delivers partner webhooks: the stored body, signed per Standard Webhooks
// with the endpoint's secret (and the previous one while a rotation
// overlaps), POSTed without following redirects. Failures back off for about
// three days; an endpoint failing persistently is disabled, with the reason
// on the endpoint and an error log line for operators.
import { and, count, eq, gt, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { orderEvents } from "../../db/schema.ts";
import { notifications, webhookDeliveries, webhookEndpoints } from "../../db/schema-notifications.ts";
import { render } from "../../domain/notifications/templates.ts";
import { isDelivered, nextWebhookAttempt, shouldDisable } from "../../domain/webhooks/endpoints.ts";
import { messageIdFor, signDelivery } from "../../domain/webhooks/signature.ts";
import { withTrace } from "../../platform/trace-scope.ts";
import { logLine } from "../api/http/log.ts";
import type { ChannelEnv } from "./channels.ts";
import { deliverNotification } from "./deliver.ts";
import { loadRecipients } from "./recipients.ts";

type Delivery = typeof webhookDeliveries.$inferSelect;
type Endpoint = typeof webhookEndpoints.$inferSelect;

const TIMEOUT_MS = 10_000;
/** A later event of an ordered endpoint waits this long for an earlier one still pending. */
const ORDERED_WAIT_MS = 5_000;

export function signingSecrets(endpoint: Endpoint, now: number): string[] {
  const previous =
    endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt.getTime() > now
      ? [endpoint.previousSecret]
      : [];
  return [endpoint.secret, ...previous];
}

async function post(
  endpoint: Endpoint,
  delivery: Delivery,
  now: number,
): Promise<{ status: number | null; error: string | null }> {
  const headers = await signDelivery(
    signingSecrets(endpoint, now),
    messageIdFor(delivery.eventId),
    Math.floor(now / 1000),
    delivery.body,
  );
  try {
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": "edge-delivery-webhooks/1" },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel();
    return { status: res.status, error: isDelivered(res.status) ? null : `answered ${res.status}` };
  } catch (err) {
    return { status: null, error: String(err).slice(0, 300) };
  }
}

/**
 * Whether an earlier event of the same order may still have to go first: one
 * of its deliveries is pending, or not every earlier event is projected yet
 * (sequences are dense, so fewer than seq - 1 rows means one is on its way).
 */
async function earlierPending(db: Database, delivery: Delivery): Promise<boolean> {
  const [projected] = await db
    .select({ n: count() })
    .from(orderEvents)
    .where(and(eq(orderEvents.orderId, delivery.orderId), lt(orderEvents.seq, delivery.seq)));
  if ((projected?.n ?? 0) < delivery.seq - 1) return true;
  const rows = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, delivery.endpointId),
        eq(webhookDeliveries.orderId, delivery.orderId),
        eq(webhookDeliveries.status, "pending"),
        lt(webhookDeliveries.seq, delivery.seq),
      ),
    )
    .limit(1);
  return rows.length > 0;
}

/** The notice: an e-mail to whoever registered the endpoint, tracked like any notification. */
async function noticeOfDisabling(
  env: ChannelEnv,
  db: Database,
  endpoint: Endpoint,
  delivery: Delivery,
  reason: string,
) {
  if (!endpoint.createdBy) return;
  try {
    const recipient = (await loadRecipients(db, [endpoint.createdBy])).get(endpoint.createdBy);
    if (!recipient) return;
    const language = recipient.prefs.language;
    const text = render("webhook_disabled", language, { url: endpoint.url, reason });
    const [row] = await db
      .insert(notifications)
      .values({
        // Its own id: the failing event may have notified this person already (a kitchen's new order).
        eventId: crypto.randomUUID(),
        orderId: delivery.orderId,
        recipientId: recipient.userId,
        channel: "email",
        template: "webhook_disabled",
        category: "account",
        language,
        title: text.title,
        body: text.body,
        url: "/",
        status: "queued",
        nextAttemptAt: new Date(Date.now() + 60_000),
        eventAt: new Date(),
      })
      .onConflictDoNothing()
      .returning();
    if (row) await deliverNotification(env, db, row);
  } catch (err) {
    logLine("warn", "webhooks.disable_notice_failed", { endpointId: endpoint.id, error: String(err) });
  }
}

export async function deliverWebhook(
  env: ChannelEnv,
  db: Database,
  delivery: Delivery,
  now = Date.now(),
): Promise<void> {
  const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId));
  if (!endpoint) return;
  if (endpoint.disabledAt) {
    // Kept pending without a time: a re-enabled endpoint's range replay picks it up.
    await db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: null, lastError: "endpoint disabled" })
      .where(eq(webhookDeliveries.id, delivery.id));
    return;
  }
  if (endpoint.ordered && (await earlierPending(db, delivery))) {
    await db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: new Date(now + ORDERED_WAIT_MS) })
      .where(eq(webhookDeliveries.id, delivery.id));
    return;
  }
  const { status, error } = await post(endpoint, delivery, now);
  const attempts = delivery.attempts + 1;
  const at = Date.now();
  if (error === null) {
    await db
      .update(webhookDeliveries)
      .set({
        status: "succeeded",
        attempts,
        lastStatus: status,
        lastError: null,
        deliveredAt: new Date(at),
        nextAttemptAt: null,
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    await db
      .update(webhookEndpoints)
      .set({ consecutiveFailures: 0, failingSince: null })
      .where(and(eq(webhookEndpoints.id, endpoint.id), gt(webhookEndpoints.consecutiveFailures, 0)));
    logLine("info", "webhooks.delivered", {
      deliveryId: delivery.id,
      status,
      latencyMs: at - delivery.eventAt.getTime(),
    });
    return;
  }
  const next = nextWebhookAttempt(attempts, now);
  await db
    .update(webhookDeliveries)
    .set({
      status: next === null ? "failed" : "pending",
      attempts,
      lastStatus: status,
      lastError: error,
      nextAttemptAt: next === null ? null : new Date(next),
    })
    .where(eq(webhookDeliveries.id, delivery.id));
  const [updated] = await db
    .update(webhookEndpoints)
    .set({
      consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`,
      failingSince: sql`coalesce(${webhookEndpoints.failingSince}, now())`,
    })
    .where(eq(webhookEndpoints.id, endpoint.id))
    .returning({ failures: webhookEndpoints.consecutiveFailures, since: webhookEndpoints.failingSince });
  logLine("warn", "webhooks.delivery_failed", {
    deliveryId: delivery.id,
    endpointId: endpoint.id,
    attempts,
    status,
    error,
  });
  if (updated && shouldDisable(updated.failures, updated.since?.getTime() ?? null, now)) {
    const reason = `disabled after ${updated.failures} failed deliveries in a row since ${updated.since?.toISOString()}`;
    await db
      .update(webhookEndpoints)
      .set({ disabledAt: new Date(now), disabledReason: reason })
      .where(eq(webhookEndpoints.id, endpoint.id));
    logLine("error", "webhooks.endpoint_disabled", {
      endpointId: endpoint.id,
      restaurantId: endpoint.restaurantId,
      reason,
    });
    await noticeOfDisabling(env, db, endpoint, delivery, reason);
  }
}

/** `traceOf` names the trace of each delivery's event, so its log lines carry it (decision 0054). */
export async function deliverWebhooks(
  env: ChannelEnv,
  db: Database,
  deliveries: readonly Delivery[],
  traceOf: (eventId: string) => string | undefined = () => undefined,
): Promise<void> {
  // One lane per endpoint and order, in sequence order: an ordered endpoint's first event is
  // answered before its second is tried. Lanes run side by side, a few at a time.
  const lanes = new Map<string, Delivery[]>();
  for (const d of [...deliveries].sort((a, b) => a.seq - b.seq)) {
    const key = `${d.endpointId}:${d.orderId}`;
    lanes.set(key, [...(lanes.get(key) ?? []), d]);
  }
  const queue = [...lanes.values()];
  const worker = async () => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const d of lane) await withTrace(traceOf(d.eventId), () => deliverWebhook(env, db, d));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}
