// Sends one notification row on its channel and records what happened:
// sent, retried (with its next attempt, domain/notifications/routing.ts) or
// failed. A push subscription the push service calls gone is deleted.
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { notifications, pushSubscriptions } from "../../db/schema-notifications.ts";
import { isMustGo } from "../../domain/notifications/preferences.ts";
import { nextNotificationAttempt } from "../../domain/notifications/routing.ts";
import { withTrace } from "../../platform/trace-scope.ts";
import { logLine } from "../api/http/log.ts";
import type { ChannelEnv } from "./channels.ts";
import { type OutgoingMessage, type SendResult, sendEmail, sendPush, sendSms } from "./channels.ts";
import { contactOf, pushTargetsOf } from "./recipients.ts";

type Row = typeof notifications.$inferSelect;

async function sendRow(env: ChannelEnv, db: Database, row: Row): Promise<SendResult> {
  const message: OutgoingMessage = {
    title: row.title,
    body: row.body,
    url: row.url,
    tag: `${row.template}:${row.orderId}`,
  };
  const contact = await contactOf(db, row.recipientId);
  if (!contact) return { ok: false, retry: false, error: "recipient deactivated or gone" };
  if (row.channel === "email") return sendEmail(env, contact.email, message);
  if (row.channel === "sms") {
    if (!contact.phone) return { ok: false, retry: false, error: "no phone number" };
    return sendSms(env, contact.phone, message);
  }
  const targets = await pushTargetsOf(db, row.recipientId);
  if (targets.length === 0) return { ok: false, retry: false, error: "no push subscription" };
  const urgent = isMustGo(row.category);
  const results = await Promise.all(targets.map((t) => sendPush(env, t, message, { urgent })));
  const gone = targets.filter((_, i) => results[i]?.ok === false && (results[i] as { gone?: boolean }).gone);
  if (gone.length > 0) {
    await db.delete(pushSubscriptions).where(
      inArray(
        pushSubscriptions.id,
        gone.map((t) => t.id),
      ),
    );
    logLine("info", "notifications.push_subscription_gone", { userId: row.recipientId, removed: gone.length });
  }
  const sent = results.find((r) => r.ok);
  if (sent) return sent;
  const retry = results.some((r) => !r.ok && r.retry);
  return { ok: false, retry, error: results.map((r) => (r.ok ? "" : r.error)).join("; ") };
}

export async function deliverNotification(env: ChannelEnv, db: Database, row: Row, now = Date.now()): Promise<void> {
  let result: SendResult;
  try {
    result = await sendRow(env, db, row);
  } catch (err) {
    result = { ok: false, retry: true, error: String(err) };
  }
  const attempts = row.attempts + 1;
  const at = Date.now();
  if (result.ok) {
    await db
      .update(notifications)
      .set({
        status: "sent",
        attempts,
        sentAt: new Date(at),
        nextAttemptAt: null,
        providerRef: result.ref,
        lastError: null,
      })
      .where(eq(notifications.id, row.id));
    logLine("info", "notifications.sent", { id: row.id, channel: row.channel, latencyMs: at - row.eventAt.getTime() });
    return;
  }
  const next = result.retry ? nextNotificationAttempt(attempts, now) : null;
  await db
    .update(notifications)
    .set({
      status: next === null ? "failed" : "retried",
      attempts,
      nextAttemptAt: next === null ? null : new Date(next),
      lastError: result.error.slice(0, 500),
    })
    .where(and(eq(notifications.id, row.id)));
  logLine(next === null ? "error" : "warn", "notifications.send_failed", {
    id: row.id,
    channel: row.channel,
    attempts,
    error: result.error.slice(0, 200),
  });
}

/** `traceOf` names the trace of each row's event, so its log lines carry it (decision 0054). */
export async function deliverNotifications(
  env: ChannelEnv,
  db: Database,
  rows: readonly Row[],
  traceOf: (eventId: string) => string | undefined = () => undefined,
): Promise<void> {
  // Bounded: a batch of events may fan out to many rows, each with its own HTTP call.
  const queue = [...rows];
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const current = row;
      await withTrace(traceOf(current.eventId), () => deliverNotification(env, db, current));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}
