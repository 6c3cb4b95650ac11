// The Worker's queue handler. "events" messages are projected into Postgres
// (order events, a batch's worth in one transaction, see projection.ts) or
// refresh the derived read copies in D1 and KV (restaurant_changed, see
// workers/discovery/restaurant-changed.ts); a
// message that keeps failing is retried with backoff and then moved by the
// platform to "events-dlq", whose consumer parks it in the dead_letters table
// where operators see it and can replay it (see routes/admin.ts).
import { type Database, openDb } from "../../db/client.ts";
import { deadLetters } from "../../db/schema.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { logLine } from "../api/http/log.ts";
import {
  handleRestaurantChanges,
  isRestaurantChangedMessage,
  type RestaurantChangedMessage,
} from "../discovery/restaurant-changed.ts";
import type { Env } from "../env.ts";
import { projectOrderEvent, projectOrderEvents } from "./projection.ts";

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

export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const { db, close } = openDb(env, 2);
  try {
    if (batch.queue === DEAD_LETTER_QUEUE) {
      for (const message of batch.messages) {
        try {
          await db
            .insert(deadLetters)
            .values({ queue: EVENTS_QUEUE, messageId: message.id, body: message.body, attempts: message.attempts })
            .onConflictDoNothing();
          logLine("error", "queue.dead_letter", { messageId: message.id });
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
        await env.EVENTS_DLQ.send(message.body);
        message.ack();
        continue;
      }
      orderEvents.push(message as Message<OrderEventMessage>);
    }
    await projectOrderEventMessages(db, orderEvents);
    await handleRestaurantChanges(env, db, restaurantChanges);
  } finally {
    await close();
  }
}

/**
 * Projects the batch's order events in one transaction. If that fails, each
 * message is projected on its own, so a poison message is retried (and in
 * the end dead-lettered) alone while the others are acked.
 */
async function projectOrderEventMessages(db: Database, messages: Array<Message<OrderEventMessage>>): Promise<void> {
  if (messages.length === 0) return;
  if (messages.length > 1) {
    try {
      await projectOrderEvents(
        db,
        messages.map((m) => m.body),
      );
      for (const message of messages) message.ack();
      return;
    } catch (err) {
      // The driver's error carries the whole statement and its parameters; the cause is enough here.
      const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
      logLine("warn", "queue.batch_projection_failed", { messages: messages.length, error: String(cause) });
    }
  }
  for (const message of messages) {
    try {
      await projectOrderEvent(db, message.body);
      message.ack();
    } catch (err) {
      const delaySeconds = retryDelaySeconds(message.attempts);
      logLine("warn", "queue.projection_failed", {
        messageId: message.id,
        eventId: message.body.event.id,
        attempts: message.attempts,
        error: String(err),
      });
      message.retry({ delaySeconds });
    }
  }
}
