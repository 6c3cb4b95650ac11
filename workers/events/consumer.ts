// The Worker's queue handler. "events" messages are projected into Postgres
// (order events, a batch's worth in one transaction, see projection.ts) or
// refresh the derived read copies in D1 and KV (restaurant_changed, see
// workers/discovery/restaurant-changed.ts); a
// message that keeps failing is retried with backoff and then moved by the
// platform to "events-dlq", whose consumer parks it in the dead_letters table
// where operators see it and can replay it (see routes/admin.ts). Projected
// order events then feed the notification service and partner webhooks
// (workers/notifications/fanout.ts).

import { eq, sql } from "drizzle-orm";
import { type Database, type DbConfig, openDb } from "../../db/client.ts";
import { deadLetters, orderEvents as orderEventsTable } from "../../db/schema.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { traceIdOf } from "../../domain/trace/traceparent.ts";
import { logLine } from "../api/http/log.ts";
import {
  handleRestaurantChanges,
  isRestaurantChangedMessage,
  type RestaurantChangedMessage,
} from "../discovery/restaurant-changed.ts";
import type { Env } from "../env.ts";
import type { ChannelEnv } from "../notifications/channels.ts";
import { notifyProjected } from "../notifications/fanout.ts";
import { projectOrderEvent, projectOrderEvents } from "./projection.ts";
import { type MetricsEnv, queueMetrics, recordDeadLetter, recordProjected } from "./queue-metrics.ts";

export const EVENTS_QUEUE = "events";
export const DEAD_LETTER_QUEUE = "events-dlq";

/** Exponential backoff for a message that failed: 2, 4, 8 ... seconds, at most five minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

function isOrderEventMessage(body: unknown): body is OrderEventMessage {
  const b = body as Partial<OrderEventMessage> | null;
  return !!b && b.kind === "order_event" && typeof b.event?.id === "string" && typeof b.order?.id === "string";
}

/**
 * What the queue handler needs of the Worker, lent as a host (as the Order DO
 * lends durable-objects/order/dispatch.ts its own): settings and bindings it
 * reads (Postgres, notification channels, metrics) and the three calls it makes
 * to other parts of the platform. The Worker builds it from its env
 * (`consumerHost`); the events bench builds its own, counted, with no cast.
 */
export interface ConsumerHost {
  env: DbConfig & ChannelEnv & MetricsEnv;
  /** Parks a message no retry can help in the dead-letter queue. */
  deadLetter(body: unknown): Promise<unknown>;
  /** Tells an Order DO which of its events are now in Postgres. */
  acknowledge(orderId: string, seqs: number[]): Promise<unknown>;
  /** Refreshes the read copies (D1, KV) of the restaurants these messages name. */
  restaurantChanges(db: Database, messages: ReadonlyArray<Message<RestaurantChangedMessage>>): Promise<void>;
}

export function consumerHost(env: Env): ConsumerHost {
  return {
    env,
    deadLetter: (body) => env.EVENTS_DLQ.send(body),
    acknowledge: (orderId, seqs) => env.ORDER.get(env.ORDER.idFromName(orderId)).projected(seqs),
    restaurantChanges: (db, messages) => handleRestaurantChanges(env, db, messages),
  };
}

export function handleQueue(
  batch: MessageBatch<unknown>,
  env: Env,
  ctx?: { waitUntil(promise: Promise<unknown>): void },
): Promise<void> {
  return consumeBatch(batch, consumerHost(env), ctx);
}

export async function consumeBatch(
  batch: MessageBatch<unknown>,
  host: ConsumerHost,
  ctx?: { waitUntil(promise: Promise<unknown>): void },
): Promise<void> {
  // One pool for the whole invocation, notifications included: each connection costs a WebSocket,
  // a PostgreSQL backend, startup and authentication (bench/results/events.md), so the
  // notifications reuse the projection's instead of opening their own.
  const { db, close } = openDb(host.env, 2);
  const metrics = queueMetrics(host.env, ctx);
  let notifying: Promise<void> | undefined;
  try {
    if (batch.queue === DEAD_LETTER_QUEUE) {
      for (const message of batch.messages) {
        try {
          if (await alreadyProjected(db, message.body)) {
            // The Order DO re-sent it and the projection has it: nothing for an operator to do.
            logLine("info", "queue.dead_letter_already_projected", { messageId: message.id });
            message.ack();
            continue;
          }
          await db
            .insert(deadLetters)
            .values({ queue: EVENTS_QUEUE, messageId: message.id, body: message.body, attempts: message.attempts })
            .onConflictDoNothing();
          logLine("error", "queue.dead_letter", { messageId: message.id });
          recordDeadLetter(metrics, message.body);
          message.ack();
        } catch (err) {
          logLine("error", "queue.dead_letter_store_failed", { messageId: message.id, error: String(err) });
          message.retry({ delaySeconds: 30 });
        }
      }
      return;
    }
    const restaurantChanges: Array<Message<RestaurantChangedMessage>> = [];
    const orderEvents: Array<Message<OrderEventMessage>> = [];
    for (const message of batch.messages) {
      if (isRestaurantChangedMessage(message.body)) {
        restaurantChanges.push(message as Message<RestaurantChangedMessage>);
        continue;
      }
      if (!isOrderEventMessage(message.body)) {
        // Unknown shapes cannot succeed on retry: park them at once.
        logLine("error", "queue.unknown_message", { messageId: message.id });
        await host.deadLetter(message.body);
        message.ack();
        continue;
      }
      orderEvents.push(message as Message<OrderEventMessage>);
    }
    const projected = await projectOrderEventMessages(db, orderEvents);
    logProjected(projected);
    recordProjected(metrics, projected);
    // Notifications and partner webhooks for what is now stored, after the batch is done so the
    // projection's pace does not wait on e-mail and push services.
    notifying = notifyThenAcknowledge(host, db, projected);
    if (!ctx) await notifying;
    await host.restaurantChanges(db, restaurantChanges);
  } finally {
    // The pool outlives the handler only while the notifications (in waitUntil) still use it.
    if (ctx && notifying) ctx.waitUntil(notifying.finally(() => close().catch(() => {})));
    else await close();
  }
}

/**
 * One line per event now in Postgres, under the trace of the request that
 * caused it (decision 0049), so an order can be followed from the API to here.
 */
function logProjected(projected: readonly OrderEventMessage[]): void {
  for (const { event, traceparent } of projected) {
    logLine("info", "queue.order_event_projected", {
      orderId: event.orderId,
      seq: event.seq,
      type: event.type,
      traceId: traceIdOf(traceparent),
    });
  }
}

/**
 * An event whose notification rows could not be written stays unacknowledged,
 * so its Order DO sends it again (no new coupling in the DO): at least once.
 */
async function notifyThenAcknowledge(
  host: ConsumerHost,
  db: Database,
  projected: readonly OrderEventMessage[],
): Promise<void> {
  if (projected.length === 0) return;
  try {
    const unnotified = await notifyProjected(host.env, db, projected);
    await acknowledgeToOrders(
      host,
      projected.filter((m) => !unnotified.has(m.event.id)),
    );
  } catch (err) {
    logLine("warn", "notifications.batch_failed", { error: String(err) });
  }
}

async function reachable(db: Database): Promise<boolean> {
  try {
    await db.execute(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

async function alreadyProjected(db: Database, body: unknown): Promise<boolean> {
  if (!isOrderEventMessage(body)) return false;
  const rows = await db
    .select({ id: orderEventsTable.id })
    .from(orderEventsTable)
    .where(eq(orderEventsTable.id, body.event.id))
    .limit(1);
  return rows.length > 0;
}

/**
 * Projects the batch's order events in one transaction. If that fails, each
 * message is projected on its own, so a poison message is retried (and in
 * the end dead-lettered) alone while the others are acked.
 */
async function projectOrderEventMessages(
  db: Database,
  messages: Array<Message<OrderEventMessage>>,
): Promise<OrderEventMessage[]> {
  if (messages.length === 0) return [];
  if (messages.length > 1) {
    try {
      await projectOrderEvents(
        db,
        messages.map((m) => m.body),
      );
      for (const message of messages) message.ack();
      return messages.map((m) => m.body);
    } catch (err) {
      // The driver's error carries the whole statement and its parameters; the cause is enough here.
      const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
      logLine("warn", "queue.batch_projection_failed", {
        messageIds: messages.map((m) => m.id),
        error: String(cause),
      });
      if (!(await reachable(db))) {
        // One by one would only wait out the connect timeout once per message.
        for (const message of messages) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
        logLine("error", "queue.postgres_unreachable", { messageIds: messages.map((m) => m.id) });
        return [];
      }
    }
  }
  const projected: OrderEventMessage[] = [];
  for (const message of messages) {
    try {
      await projectOrderEvent(db, message.body);
      message.ack();
      projected.push(message.body);
    } catch (err) {
      const delaySeconds = retryDelaySeconds(message.attempts);
      logLine("warn", "queue.projection_failed", {
        messageId: message.id,
        eventId: message.body.event.id,
        traceId: traceIdOf(message.body.traceparent),
        attempts: message.attempts,
        error: String(err),
      });
      message.retry({ delaySeconds });
    }
  }
  return projected;
}

/**
 * Tells each Order DO which of its events are now in Postgres, so they leave
 * its outbox (durable-objects/order/projection-outbox.ts). Best effort: an
 * acknowledgement that fails only means the DO sends those events again,
 * which the projection absorbs by event id.
 */
async function acknowledgeToOrders(host: ConsumerHost, projected: readonly OrderEventMessage[]): Promise<void> {
  const seqsByOrder = new Map<string, number[]>();
  for (const { event } of projected) {
    const seqs = seqsByOrder.get(event.orderId) ?? [];
    seqs.push(event.seq);
    seqsByOrder.set(event.orderId, seqs);
  }
  await Promise.all(
    [...seqsByOrder].map(async ([orderId, seqs]) => {
      try {
        await host.acknowledge(orderId, seqs);
      } catch (err) {
        logLine("warn", "queue.acknowledge_failed", { orderId, seqs, error: String(err) });
      }
    }),
  );
}
