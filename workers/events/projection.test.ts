// The queue consumer projects a batch of order events in one transaction:
// duplicated, reordered and interleaved deliveries leave one row per event
// and the newest state per order; a poison message falls back to
// message-by-message projection so only it is retried.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { asc, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { openDb } from "../../db/client.ts";
import { orderEvents, orderItems, orders, payments } from "../../db/schema.ts";
import type { OrderEvent, OrderEventMessage } from "../../domain/order/order-event.ts";
import type { DeliveryState, OrderState } from "../../domain/order/state-machine.ts";
import { createWorld, testEnv, type World } from "../../test/world.ts";
import worker from "../index.ts";
import { batchRows } from "./projection.ts";

let world: World;

beforeAll(async () => {
  world = await createWorld();
});

type Order = OrderEventMessage["order"];

function newOrder(overrides: Partial<Order> = {}): Order {
  const id = crypto.randomUUID();
  return {
    id,
    customerId: world.ids.customer,
    restaurantId: world.restaurantId,
    idempotencyKey: `projection-${id}`,
    fingerprint: "",
    menuVersion: 1,
    currency: "EUR",
    lines: [
      {
        lineNo: 1,
        itemId: world.itemId,
        name: "Margherita",
        quantity: 2,
        unitPriceMinor: 1200,
        options: [{ optionId: world.largeOptionId, groupId: world.sizeGroupId, name: "Large", priceDeltaMinor: 300 }],
        lineTotalMinor: 2400,
      },
      {
        lineNo: 2,
        itemId: world.itemId,
        name: "Margherita",
        quantity: 1,
        unitPriceMinor: 900,
        options: [],
        lineTotalMinor: 900,
      },
    ],
    subtotalMinor: 3300,
    deliveryFeeMinor: 249,
    serviceFeeMinor: 165,
    taxMinor: 450,
    tipMinor: 0,
    totalMinor: 4164,
    deliveryAddress: world.address,
    restaurantLocation: { lat: 38.71, lng: -9.137 },
    placedAt: Date.now() - 60_000,
    courierId: null,
    prepTimeMinutes: null,
    ...overrides,
  };
}

interface Step {
  type: string;
  state: OrderState;
  delivery?: DeliveryState;
  payload?: Record<string, unknown>;
  prepTimeMinutes?: number;
}

/** The messages an Order DO would send for these steps, seq 1, 2, 3... */
function eventsOf(order: Order, steps: Step[]): OrderEventMessage[] {
  return steps.map((step, i) => ({
    kind: "order_event",
    event: {
      id: crypto.randomUUID(),
      orderId: order.id,
      seq: i + 1,
      type: step.type,
      actorId: "system",
      actorRole: "system",
      at: order.placedAt + (i + 1) * 1000,
      payload: step.payload ?? {},
      state: step.state,
      delivery: step.delivery ?? "none",
      // Steps name payloads loosely, as events stored by older versions may be.
    } as OrderEvent,
    order: { ...order, prepTimeMinutes: step.prepTimeMinutes ?? order.prepTimeMinutes },
  }));
}

function paidLifecycle(order: Order, intentId = `pi_${crypto.randomUUID()}`): OrderEventMessage[] {
  return eventsOf(order, [
    { type: "order.placed", state: "placed" },
    { type: "order.payment_started", state: "placed", payload: { paymentIntentId: intentId } },
    { type: "order.paid", state: "paid", payload: { paymentIntentId: intentId } },
    { type: "order.accepted", state: "accepted", prepTimeMinutes: 20 },
  ]);
}

let delivery = 0;
/** Delivers one batch to the consumer; `warnings` names the warn-level log events it wrote. */
async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "events",
    bodies.map((body) => ({ id: `projection-${delivery++}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const warnings: string[] = [];
  const warn = vi
    .spyOn(console, "warn")
    .mockImplementation((line: unknown) => warnings.push((JSON.parse(String(line)) as { event: string }).event));
  try {
    await worker.queue(batch as MessageBatch<unknown>, testEnv, ctx);
  } finally {
    warn.mockRestore();
  }
  return { ...(await getQueueResult(batch, ctx)), warnings };
}

/** Every message acked by the batch path: nothing retried, no fallback to one by one. */
function expectProjectedAsOneBatch(result: Awaited<ReturnType<typeof deliver>>) {
  expect({ retried: result.retryMessages, warnings: result.warnings }).toEqual({ retried: [], warnings: [] });
}

async function stored(orderIds: string[]) {
  const { db, close } = openDb(testEnv);
  try {
    const [orderRows, eventRows, itemRows, paymentRows] = await Promise.all([
      db.select().from(orders).where(inArray(orders.id, orderIds)),
      db.select().from(orderEvents).where(inArray(orderEvents.orderId, orderIds)).orderBy(asc(orderEvents.seq)),
      db.select().from(orderItems).where(inArray(orderItems.orderId, orderIds)),
      db.select().from(payments).where(inArray(payments.orderId, orderIds)).orderBy(asc(payments.kind)),
    ]);
    const byOrder = <T extends { orderId: string }>(rows: T[], id: string) => rows.filter((r) => r.orderId === id);
    return {
      order: (id: string) => orderRows.find((o) => o.id === id),
      events: (id: string) => byOrder(eventRows, id),
      items: (id: string) => byOrder(itemRows, id),
      payments: (id: string) => byOrder(paymentRows, id),
      orderCount: orderRows.length,
    };
  } finally {
    await close();
  }
}

/** Interleaves several lists: a1, b1, c1, a2, b2, ... */
function interleave<T>(...lists: T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; i < Math.max(...lists.map((l) => l.length)); i++) {
    for (const list of lists) if (list[i]) out.push(list[i] as T);
  }
  return out;
}

describe("batched order projection", () => {
  it("projects interleaved, duplicated and reordered events of several orders: one row per event, newest state", async () => {
    const a = newOrder();
    const b = newOrder();
    const c = newOrder();
    const aEvents = paidLifecycle(a);
    const bEvents = eventsOf(b, [
      { type: "order.placed", state: "placed" },
      { type: "order.cancelled", state: "cancelled" },
    ]);
    const cEvents = eventsOf(c, [{ type: "order.placed", state: "placed" }]);
    const mixed = interleave([...aEvents].reverse(), bEvents, cEvents);
    const result = await deliver([...mixed, ...[...mixed].reverse(), aEvents[3], bEvents[0]]);
    expectProjectedAsOneBatch(result);
    expect(result.explicitAcks).toHaveLength(mixed.length * 2 + 2);

    const db = await stored([a.id, b.id, c.id]);
    expect(db.orderCount).toBe(3);
    expect(db.order(a.id)).toMatchObject({
      status: "accepted",
      lastEventSeq: 4,
      prepTimeMinutes: 20,
      totalMinor: 4164,
    });
    expect(db.order(b.id)).toMatchObject({ status: "cancelled", lastEventSeq: 2 });
    expect(db.order(c.id)).toMatchObject({ status: "placed", lastEventSeq: 1 });
    expect(db.events(a.id).map((e) => [e.seq, e.type, e.id])).toEqual(
      aEvents.map((m) => [m.event.seq, m.event.type, m.event.id]),
    );
    expect(db.events(b.id)).toHaveLength(2);
    expect(db.events(c.id)).toHaveLength(1);
    for (const id of [a.id, b.id, c.id])
      expect(
        db
          .items(id)
          .map((i) => i.lineNo)
          .sort(),
      ).toEqual([1, 2]);
    expect(db.payments(a.id).map((p) => [p.kind, p.status, p.amountMinor])).toEqual([["charge", "succeeded", 4164]]);
  });

  it("an older event in a later batch never moves the order back", async () => {
    const order = newOrder();
    const events = paidLifecycle(order);
    expectProjectedAsOneBatch(await deliver(events.slice(2)));
    expectProjectedAsOneBatch(await deliver(events.slice(0, 2)));
    const db = await stored([order.id]);
    expect(db.order(order.id)).toMatchObject({ status: "accepted", lastEventSeq: 4 });
    expect(db.events(order.id).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    // A late "started" does not demote the succeeded charge.
    expect(db.payments(order.id).map((p) => [p.kind, p.status])).toEqual([["charge", "succeeded"]]);
  });

  it("a poison message is retried alone; the rest of the batch is acked and projected", async () => {
    const good = newOrder();
    const other = newOrder();
    // The restaurant does not exist: the order row violates its foreign key.
    const poison = newOrder({ restaurantId: crypto.randomUUID() });
    const goodEvents = paidLifecycle(good);
    const [poisonEvent] = eventsOf(poison, [{ type: "order.placed", state: "placed" }]);
    const otherEvents = eventsOf(other, [{ type: "order.placed", state: "placed" }]);
    const batch = [...goodEvents.slice(0, 2), poisonEvent, ...goodEvents.slice(2), ...otherEvents];
    const ids = batch.map((_, i) => `projection-${delivery + i}`);
    const result = await deliver(batch);

    const poisonId = ids[2];
    expect(result.retryMessages.map((m) => m.msgId)).toEqual([poisonId]);
    expect(result.warnings).toEqual(["queue.batch_projection_failed", "queue.projection_failed"]);
    expect([...result.explicitAcks].sort()).toEqual(ids.filter((id) => id !== poisonId).sort());
    const db = await stored([good.id, other.id, poison.id]);
    expect(db.order(poison.id)).toBeUndefined();
    expect(db.order(good.id)).toMatchObject({ status: "accepted", lastEventSeq: 4 });
    expect(db.events(good.id)).toHaveLength(4);
    expect(db.order(other.id)).toMatchObject({ status: "placed", lastEventSeq: 1 });
  });

  it("projects a charge and its refunds from one batch, once", async () => {
    const order = newOrder();
    const intentId = `pi_${crypto.randomUUID()}`;
    const requestA = crypto.randomUUID();
    const requestB = crypto.randomUUID();
    const events = eventsOf(order, [
      { type: "order.placed", state: "placed" },
      { type: "order.payment_started", state: "placed", payload: { paymentIntentId: intentId } },
      { type: "order.paid", state: "paid", payload: { paymentIntentId: intentId } },
      { type: "order.accepted", state: "accepted" },
      { type: "order.refund_requested", state: "accepted", payload: { amountMinor: 500 } },
      {
        type: "order.refunded",
        state: "accepted",
        payload: { refundId: `re_${requestA}`, amountMinor: 500, status: "succeeded", requestEventId: requestA },
      },
      { type: "order.rejected", state: "rejected" },
      {
        type: "order.refunded",
        state: "rejected",
        payload: { refundId: `re_${requestB}`, amountMinor: 3664, status: "pending", requestEventId: requestB },
      },
    ]);
    const result = await deliver([...events].reverse().concat(events));
    expectProjectedAsOneBatch(result);

    const db = await stored([order.id]);
    expect(db.order(order.id)).toMatchObject({ status: "rejected", lastEventSeq: 8 });
    expect(db.events(order.id)).toHaveLength(8);
    const rows = db.payments(order.id).map((p) => ({
      kind: p.kind,
      providerRef: p.providerRef,
      status: p.status,
      amountMinor: p.amountMinor,
      idempotencyKey: p.idempotencyKey,
    }));
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          kind: "charge",
          providerRef: intentId,
          status: "succeeded",
          amountMinor: 4164,
          idempotencyKey: `order:${order.id}:payment_intent`,
        },
        {
          kind: "refund",
          providerRef: `re_${requestA}`,
          status: "succeeded",
          amountMinor: 500,
          idempotencyKey: `order:${order.id}:refund:${requestA}`,
        },
        {
          kind: "refund",
          providerRef: `re_${requestB}`,
          status: "pending",
          amountMinor: 3664,
          idempotencyKey: `order:${order.id}:refund:${requestB}`,
        },
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it("is idempotent when the same batch is delivered twice", async () => {
    const a = newOrder();
    const b = newOrder();
    const batch = interleave(paidLifecycle(a), [...paidLifecycle(b)].reverse());
    expectProjectedAsOneBatch(await deliver(batch));
    const first = await stored([a.id, b.id]);
    expectProjectedAsOneBatch(await deliver(batch));
    const second = await stored([a.id, b.id]);
    for (const id of [a.id, b.id]) {
      expect(second.order(id)).toEqual(first.order(id));
      expect(second.order(id)).toMatchObject({ status: "accepted", lastEventSeq: 4 });
      expect(second.events(id)).toEqual(first.events(id));
      expect(second.events(id)).toHaveLength(4);
      expect(second.items(id)).toEqual(first.items(id));
      expect(second.payments(id)).toEqual(first.payments(id));
      expect(second.payments(id)).toHaveLength(1);
    }
  });
});

describe("batchRows", () => {
  it("writes every key once: the newest message per order, a succeeded charge over a started one", () => {
    const order = newOrder();
    const events = paidLifecycle(order, "pi_same");
    const rows = batchRows([...events, ...[...events].reverse(), ...events]);
    expect(rows.orders).toHaveLength(1);
    expect(rows.orders[0]).toMatchObject({ id: order.id, lastEventSeq: 4, status: "accepted", prepTimeMinutes: 20 });
    expect(rows.items.map((i) => i.lineNo)).toEqual([1, 2]);
    expect(rows.events.map((e) => e.seq).sort()).toEqual([1, 2, 3, 4]);
    expect(rows.charges).toEqual([expect.objectContaining({ providerRef: "pi_same", status: "succeeded" })]);
    expect(rows.refunds).toEqual([]);
  });

  it("keeps the newest started charge when none has succeeded yet", () => {
    const order = newOrder();
    const events = eventsOf(order, [
      { type: "order.payment_started", state: "placed", payload: { paymentIntentId: "pi_x" } },
      { type: "order.payment_started", state: "placed", payload: { paymentIntentId: "pi_x" } },
    ]);
    const rows = batchRows([events[1], events[0]] as OrderEventMessage[]);
    expect(rows.charges).toEqual([
      expect.objectContaining({ status: "requires_payment_method", updatedAt: new Date(events[1]?.event.at ?? 0) }),
    ]);
  });
});
