// Messages that keep failing are retried with backoff, then (by the queue's
// max_retries) land on events-dlq; its consumer parks them in dead_letters
// where an operator sees them and replays them once the cause is fixed.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { deadLetters, orders } from "../../db/schema.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { api, createWorld, signIn, testEnv, type World } from "../../test/world.ts";
import worker from "../index.ts";
import { retryDelaySeconds } from "./consumer.ts";

let world: World;
let admin: string;

beforeAll(async () => {
  world = await createWorld();
  admin = await signIn(world.emails.admin);
});

async function deliver(queue: "events" | "events-dlq", bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body) => ({ id: `msg-${crypto.randomUUID()}`, timestamp: Date.now(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv, ctx);
  return { batch, result: await getQueueResult(batch, ctx) };
}

/** An order.placed message for an order whose restaurant id does not exist (yet): it cannot be projected. */
function orphanPlacement(restaurantId: string): OrderEventMessage {
  const id = crypto.randomUUID();
  const placedAt = Date.now();
  return {
    kind: "order_event",
    event: {
      id: crypto.randomUUID(),
      orderId: id,
      seq: 1,
      type: "order.placed",
      actorId: world.ids.customer,
      actorRole: "customer",
      at: placedAt,
      payload: { totalMinor: 4164, currency: "EUR" },
      state: "placed",
      delivery: "none",
    },
    order: {
      id,
      customerId: world.ids.customer,
      restaurantId,
      idempotencyKey: `dlq-${id}`,
      fingerprint: "",
      menuVersion: 1,
      currency: "EUR",
      lines: [],
      subtotalMinor: 900,
      deliveryFeeMinor: 0,
      serviceFeeMinor: 0,
      taxMinor: 0,
      tipMinor: 0,
      totalMinor: 900,
      deliveryAddress: world.address,
      restaurantLocation: { lat: 0, lng: 0 },
      placedAt,
      courierId: null,
      prepTimeMinutes: null,
    },
  };
}

describe("the dead-letter path", () => {
  it("retries a message that cannot be projected instead of acknowledging it", async () => {
    const message = orphanPlacement(crypto.randomUUID());
    const { batch, result } = await deliver("events", [message], 1);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([batch.messages[0]?.id]);
  });

  it("backs off exponentially between retries, up to five minutes", () => {
    expect([1, 2, 4, 8, 9, 20].map(retryDelaySeconds)).toEqual([2, 4, 16, 256, 300, 300]);
  });

  it("parks a dead letter once, lists it for admins, and replays it into a projection once fixed", async () => {
    // A message that failed during an outage and projects fine once it is over.
    const message = orphanPlacement(world.otherRestaurantId);
    const { db, close } = openDb(testEnv);
    try {
      const { batch } = await deliver("events-dlq", [message], 6);
      const messageId = batch.messages[0]?.id as string;
      // The same dead letter delivered twice is stored once.
      const again = createMessageBatch("events-dlq", [
        { id: messageId, timestamp: Date.now(), attempts: 6, body: message },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(again as MessageBatch<unknown>, testEnv, ctx);
      await getQueueResult(again, ctx);
      const rows = await db.select().from(deadLetters).where(eq(deadLetters.messageId, messageId));
      expect(rows).toHaveLength(1);

      const staff = await signIn(world.emails.staff);
      expect((await api("/v1/admin/dead-letters", { token: staff })).status).toBe(403);
      const listed = await api("/v1/admin/dead-letters", { token: admin });
      const { deadLetters: pending } = (await listed.json()) as {
        deadLetters: Array<{ id: number; messageId: string }>;
      };
      const row = pending.find((d) => d.messageId === messageId);
      expect(row).toBeDefined();

      const replayed = await api(`/v1/admin/dead-letters/${row?.id}/replay`, { method: "POST", token: admin });
      expect(replayed.status).toBe(200);
      expect(((await replayed.json()) as { replayedAt: string | null }).replayedAt).not.toBeNull();
      // The replayed message travels through the real queue to the consumer and is projected.
      const deadline = Date.now() + 10_000;
      let projected = false;
      while (!projected && Date.now() < deadline) {
        projected = (await db.select().from(orders).where(eq(orders.id, message.order.id))).length === 1;
        if (!projected) await new Promise((r) => setTimeout(r, 100));
      }
      expect(projected).toBe(true);
      const stillPending = (await (await api("/v1/admin/dead-letters", { token: admin })).json()) as {
        deadLetters: Array<{ messageId: string }>;
      };
      expect(stillPending.deadLetters.map((d) => d.messageId)).not.toContain(messageId);
    } finally {
      await close();
    }
  });

  it("answers 404 when replaying a dead letter that does not exist", async () => {
    const res = await api("/v1/admin/dead-letters/999999999/replay", { method: "POST", token: admin });
    expect(res.status).toBe(404);
  });
});
