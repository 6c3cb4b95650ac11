// The number of event queues is configuration (EVENTS_SHARDS, docs/sizing.md):
// with several, the Order DO's outbox must still send every event of one
// order through one queue, in the order of the log, including what it
// re-sends after the reconciler finds Postgres behind. Driven through the
// real outbox and the real Order DO storage, with the shard queues replaced
// by queues that record what they are sent.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrderEvent, OrderEventMessage, PlacedOrder } from "../../domain/order/order-event.ts";
import { testEnv } from "../../test/world.ts";
import { OrderStorage } from "./order-storage.ts";
import { ProjectionOutbox } from "./projection-outbox.ts";

const SHARDS = 4;
const ORDERS = 24;

interface Sent {
  queue: string;
  orderId: string;
  seqs: number[];
}

const metrics = { backlogCount: 0, backlogBytes: 0 };

class RecordingQueue implements Queue<unknown> {
  constructor(
    readonly name: string,
    private readonly log: Sent[],
  ) {}
  async metrics() {
    return metrics;
  }
  async send(body: unknown) {
    return this.sendBatch([{ body }]);
  }
  async sendBatch(messages: Iterable<MessageSendRequest<unknown>>) {
    const bodies = [...messages].map((m) => m.body as OrderEventMessage);
    const orderIds = new Set(bodies.map((b) => b.event.orderId));
    // One send never mixes orders: an Order DO sends only its own events.
    expect(orderIds.size).toBe(1);
    this.log.push({ queue: this.name, orderId: bodies[0]?.event.orderId ?? "", seqs: bodies.map((b) => b.event.seq) });
    return { metadata: { metrics } };
  }
}

function placed(id: string): PlacedOrder {
  return {
    id,
    customerId: "00000000-0000-4000-8000-000000000001",
    restaurantId: "00000000-0000-4000-8000-000000000002",
    idempotencyKey: `shards-${id}`,
    fingerprint: "test",
    menuVersion: 1,
    currency: "EUR",
    lines: [],
    subtotalMinor: 0,
    deliveryFeeMinor: 0,
    serviceFeeMinor: 0,
    taxMinor: 0,
    tipMinor: 0,
    totalMinor: 0,
    deliveryAddress: { line1: "Rua Augusta 1", city: "Lisboa", postcode: "1100-048", lat: 38.71, lng: -9.137 },
    restaurantLocation: { lat: 38.71, lng: -9.14 },
    placedAt: 0,
  };
}

function event(orderId: string, seq: number): OrderEvent {
  return {
    id: crypto.randomUUID(),
    orderId,
    seq,
    actorId: "00000000-0000-4000-8000-000000000002",
    actorRole: "restaurant_staff",
    at: Date.now(),
    state: "preparing",
    delivery: "none",
    type: "order.preparing",
    payload: {
      orderId,
      state: "preparing",
      delivery: "none",
      previousState: "accepted",
      previousDelivery: "none",
      by: { role: "restaurant_staff", id: "00000000-0000-4000-8000-000000000002" },
      at: Date.now(),
      readyAt: null,
    },
  };
}

describe("sharded event queues (EVENTS_SHARDS)", () => {
  it("send each order's events through one queue, in log order, across flushes and re-sends", async () => {
    const log: Sent[] = [];
    const queues = {
      EVENTS: new RecordingQueue("EVENTS", log),
      EVENTS_1: new RecordingQueue("EVENTS_1", log),
      EVENTS_2: new RecordingQueue("EVENTS_2", log),
      EVENTS_3: new RecordingQueue("EVENTS_3", log),
    };
    const env = { ...testEnv, ...queues, EVENTS_SHARDS: String(SHARDS) };
    const orderIds = Array.from({ length: ORDERS }, () => crypto.randomUUID());

    for (const orderId of orderIds) {
      const stub = testEnv.ORDER.get(testEnv.ORDER.idFromName(`shards-test-${orderId}`));
      await runInDurableObject(stub, async (_instance, state) => {
        const store = new OrderStorage(state.storage);
        const outbox = new ProjectionOutbox({
          ctx: state,
          env,
          store,
          orderId: () => orderId,
          message: (e) => ({
            kind: "order_event",
            event: e,
            order: { ...placed(orderId), courierId: null, prepTimeMinutes: null },
          }),
        });
        const append = (from: number, to: number) =>
          store.transaction(() => {
            for (let seq = from; seq <= to; seq++) store.appendEvent(event(orderId, seq));
          });
        // Three transitions' worth, flushed as the Order DO does after each commit.
        append(1, 3);
        await outbox.flush();
        append(4, 5);
        await outbox.flush();
        await outbox.acknowledge([1, 2, 3, 4, 5]);
        append(6, 8);
        await outbox.flush();
        // The reconciler found Postgres at seq 5: 6..8 go again, to the same queue.
        await outbox.requeueAfter(5);
        // This object is a fixture: leave no alarm behind to re-send into the real queue.
        await state.storage.deleteAlarm();
        await state.storage.deleteAll();
      });
    }

    const used = new Set<string>();
    for (const orderId of orderIds) {
      const sends = log.filter((s) => s.orderId === orderId);
      // One queue per order, whichever it is.
      const queuesOfOrder = new Set(sends.map((s) => s.queue));
      expect(queuesOfOrder.size).toBe(1);
      used.add([...queuesOfOrder][0] as string);
      // In the log's order: the first sends are 1..8 exactly, then the re-send of 6..8.
      expect(sends.map((s) => s.seqs)).toEqual([
        [1, 2, 3],
        [4, 5],
        [6, 7, 8],
        [6, 7, 8],
      ]);
    }
    // The configuration spreads orders: with 24 orders over 4 queues, more than one carries events.
    expect(used.size).toBeGreaterThan(1);
    for (const name of used) expect(Object.keys(queues)).toContain(name);
  });

  it("send everything to EVENTS when EVENTS_SHARDS is unset", async () => {
    const log: Sent[] = [];
    const queues = {
      EVENTS: new RecordingQueue("EVENTS", log),
      EVENTS_1: new RecordingQueue("EVENTS_1", log),
    };
    const { EVENTS_SHARDS: _unset, ...base } = testEnv;
    const env = { ...base, ...queues };
    for (let i = 0; i < 8; i++) {
      const orderId = crypto.randomUUID();
      const stub = testEnv.ORDER.get(testEnv.ORDER.idFromName(`shards-test-${orderId}`));
      await runInDurableObject(stub, async (_instance, state) => {
        const store = new OrderStorage(state.storage);
        const outbox = new ProjectionOutbox({
          ctx: state,
          env,
          store,
          orderId: () => orderId,
          message: (e) => ({
            kind: "order_event",
            event: e,
            order: { ...placed(orderId), courierId: null, prepTimeMinutes: null },
          }),
        });
        store.transaction(() => store.appendEvent(event(orderId, 1)));
        await outbox.flush();
        await state.storage.deleteAlarm();
        await state.storage.deleteAll();
      });
    }
    expect(log.length).toBe(8);
    expect(new Set(log.map((s) => s.queue))).toEqual(new Set(["EVENTS"]));
  });
});
