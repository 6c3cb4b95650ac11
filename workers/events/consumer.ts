// The Worker's queue handler. "events" messages are projected into Postgres
// (order events) or refresh the derived read copies in D1 and KV
// (restaurant_changed, see workers/discovery/restaurant-changed.ts); a
// message that keeps failing is retried with backoff and then moved by the
// platform to "events-dlq", whose consumer parks it in the dead_letters table
// where operators see it and can replay it (see routes/admin.ts).
import { openDb } from "../../db/client.ts";
import { deadLetters } from "../../db/schema.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { logLine } from "../api/http/log.ts";
import {
  handleRestaurantChanges,
  isRestaurantChangedMessage,
  type RestaurantChangedMessage,
} from "../discovery/restaurant-changed.ts";
import type { Env } from "../env.ts";
import { projectOrderEvent } from "./projection.ts";

export const EVENTS_QUEUE = "events";
export const DEAD_LETTER_QUEUE = "events-dlq";

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
      try {
        await projectOrderEvent(db, message.body);
        message.ack();
      } catch (err) {
        const delaySeconds = Math.min(300, 2 ** message.attempts);
        logLine("warn", "queue.projection_failed", {
          messageId: message.id,
          eventId: message.body.event.id,
          attempts: message.attempts,
          error: String(err),
        });
        message.retry({ delaySeconds });
      }
    }
    await handleRestaurantChanges(env, db, restaurantChanges);
  } finally {
    await close();
  }
}
