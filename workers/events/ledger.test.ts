// The ledger as the queue consumer writes it: duplicated, replayed and
// reordered order events book each transaction once; an event that arrives
// before the ones it follows waits for them; what the database holds always
// balances, and it refuses to change or remove an entry.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { eq, inArray, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { orders } from "../../db/schema.ts";
import { ledgerEntries, ledgerTransactions } from "../../db/schema-ledger.ts";
import { courierAccount, PLATFORM, restaurantAccount } from "../../domain/ledger/accounts.ts";
import type { OrderEvent, OrderEventMessage } from "../../domain/order/order-event.ts";
import type { DeliveryState, OrderState } from "../../domain/order/state-machine.ts";
import { createWorld, testEnv, type World } from "../../test/world.ts";
import worker from "../index.ts";
import { readOrderHistories } from "./ledger.ts";

let world: World;

beforeAll(async () => {
  world = await createWorld();
});

type Order = OrderEventMessage["order"];

function newOrder(): Order {
  const id = crypto.randomUUID();
  return {
    id,
    customerId: world.ids.customer,
    restaurantId: world.restaurantId,
    idempotencyKey: `ledger-${id}`,
    fingerprint: "",
    menuVersion: 1,
    currency: "EUR",
    lines: [
      {
        lineNo: 1,
        itemId: world.itemId,
        name: "Margherita",
        quantity: 1,
        unitPriceMinor: 3300,
        options: [],
        lineTotalMinor: 3300,
      },
    ],
    subtotalMinor: 3300,
    deliveryFeeMinor: 249,
    serviceFeeMinor: 165,
    taxMinor: 450,
    tipMinor: 300,
    totalMinor: 4464,
    deliveryAddress: world.address,
    restaurantLocation: { lat: 38.71, lng: -9.137 },
    placedAt: Date.now() - 60_000,
    courierId: world.ids.courier,
    prepTimeMinutes: null,
  };
}

function eventsOf(
  order: Order,
  steps: Array<{ type: string; state: OrderState; delivery?: DeliveryState; payload?: Record<string, unknown> }>,
): OrderEventMessage[] {
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
      payload: { state: step.state, delivery: step.delivery ?? "none", ...step.payload },
      state: step.state,
      delivery: step.delivery ?? "none",
    } as OrderEvent,
    order,
  }));
}

function deliveredLifecycle(order: Order): OrderEventMessage[] {
  return eventsOf(order, [
    { type: "order.placed", state: "placed" },
    { type: "order.paid", state: "paid", payload: { paymentIntentId: `pi_${order.id}`, amountMinor: 4464 } },
    { type: "order.accepted", state: "accepted" },
    { type: "order.picked_up", state: "picked_up", delivery: "picked_up" },
    { type: "order.delivered", state: "delivered", delivery: "delivered" },
    {
      type: "order.refund_requested",
      state: "delivered",
      delivery: "delivered",
      payload: { refund: { amountMinor: 500 } },
    },
    {
      type: "order.refunded",
      state: "delivered",
      delivery: "delivered",
      payload: { refundId: `re_${order.id}`, amountMinor: 500, requestEventId: "r", status: "succeeded" },
    },
  ]);
}

let delivery = 0;
async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    "events",
    bodies.map((body) => ({ id: `ledger-${delivery++}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv, ctx);
  return getQueueResult(batch, ctx);
}

async function ledgerOf(orderIds: string[]) {
  const { db, close } = openDb(testEnv);
  try {
    const txs = await db.select().from(ledgerTransactions).where(inArray(ledgerTransactions.orderId, orderIds));
    const entries =
      txs.length === 0
        ? []
        : await db
            .select()
            .from(ledgerEntries)
            .where(
              inArray(
                ledgerEntries.transactionId,
                txs.map((t) => t.id),
              ),
            );
    const balance = (account: string) =>
      entries.filter((e) => e.accountId === account).reduce((sum, e) => sum + e.amountMinor, 0);
    return { txs, entries, balance };
  } finally {
    await close();
  }
}

describe("ledger projection", () => {
  it("books a delivered and refunded order once however often its events are delivered", async () => {
    const order = newOrder();
    const events = deliveredLifecycle(order);
    // One batch with every event twice, reversed, then each event again on its own, then the lot again.
    const first = await deliver([...events, ...[...events].reverse()]);
    expect(first.retryMessages).toEqual([]);
    for (const message of events) await deliver([message]);
    await deliver(events);
    const { txs, entries, balance } = await ledgerOf([order.id]);
    expect(txs.map((t) => t.kind).sort()).toEqual(["order_delivered", "order_paid", "refund"]);
    expect(entries.reduce((sum, e) => sum + e.amountMinor, 0)).toBe(0);
    // Subtotal 3300 less 15% commission, less the 500 refund the restaurant bears after delivery.
    expect(balance(restaurantAccount(world.restaurantId))).toBe(-(2805 - 500));
    expect(balance(courierAccount(world.ids.courier))).toBe(-(249 + 300));
    expect(balance(PLATFORM.customerFunds)).toBe(0);
  });

  it("books an order whose prices include VAT: the tax inside the total goes to taxes collected", async () => {
    // 33.00 food incl. 13 % (3.80), 2.49 delivery and a 1.50 small-order fee incl. 23 % (0.47 + 0.28).
    const order: Order = {
      ...newOrder(),
      taxIncluded: true,
      taxMinor: 380 + 47 + 28,
      itemsTaxMinor: 380,
      smallOrderFeeMinor: 150,
      totalMinor: 3300 + 249 + 165 + 150 + 300,
    };
    const paid = order.totalMinor;
    const events = eventsOf(order, [
      { type: "order.placed", state: "placed" },
      { type: "order.paid", state: "paid", payload: { paymentIntentId: `pi_${order.id}`, amountMinor: paid } },
      { type: "order.accepted", state: "accepted" },
      { type: "order.picked_up", state: "picked_up", delivery: "picked_up" },
      { type: "order.delivered", state: "delivered", delivery: "delivered" },
    ]);
    expect((await deliver(events)).retryMessages).toEqual([]);
    const { entries, balance } = await ledgerOf([order.id]);
    expect(entries.reduce((sum, e) => sum + e.amountMinor, 0)).toBe(0);
    expect(balance(PLATFORM.taxesCollected)).toBe(-455);
    // The food's VAT leaves the restaurant's share; the courier keeps the delivery fee as shown.
    expect(balance(restaurantAccount(world.restaurantId))).toBe(-(3300 - 495 - 380));
    expect(balance(courierAccount(world.ids.courier))).toBe(-(249 + 300));
    expect(balance(PLATFORM.revenue)).toBe(-(495 + 165 + 150 - 75));
    expect(balance(PLATFORM.customerFunds)).toBe(0);
    const { db, close } = openDb(testEnv);
    try {
      const [row] = await db.select().from(orders).where(eq(orders.id, order.id));
      expect(row).toMatchObject({ taxIncluded: true, itemsTaxMinor: 380, smallOrderFeeMinor: 150, totalMinor: paid });
    } finally {
      await close();
    }
  });

  it("waits for a missing event before booking what follows it, then books it once", async () => {
    const order = newOrder();
    const events = deliveredLifecycle(order);
    const withoutAccepted = events.filter((m) => m.event.seq !== 3);
    await deliver(withoutAccepted);
    expect((await ledgerOf([order.id])).txs.map((t) => t.kind)).toEqual(["order_paid"]);
    // The missing event cannot book itself, but it unblocks what follows it: booked by its own batch.
    await deliver([events[2]]);
    expect((await ledgerOf([order.id])).txs.map((t) => t.kind).sort()).toEqual([
      "order_delivered",
      "order_paid",
      "refund",
    ]);
    await deliver(withoutAccepted);
    const { txs } = await ledgerOf([order.id]);
    expect(txs.map((t) => t.kind).sort()).toEqual(["order_delivered", "order_paid", "refund"]);
  });

  it("reads for the fold only the orders whose bookings or exceptions a batch can change", async () => {
    const order = newOrder();
    const events = eventsOf(order, [
      { type: "order.placed", state: "placed" },
      { type: "order.paid", state: "paid", payload: { paymentIntentId: `pi_${order.id}`, amountMinor: 4464 } },
      { type: "order.accepted", state: "accepted" },
      { type: "order.courier_assigned", state: "accepted", delivery: "assigned" },
      { type: "order.picked_up", state: "picked_up", delivery: "picked_up" },
      { type: "order.delivered", state: "delivered", delivery: "delivered" },
    ]);
    expect((await deliver(events.slice(0, 5))).retryMessages).toEqual([]);
    const { db, close } = openDb(testEnv);
    try {
      const read = (fromSeq: number, exceptions: boolean) =>
        db.transaction((tx) => readOrderHistories(tx, [{ orderId: order.id, fromSeq, exceptions }]));
      // From seq 3 on nothing stored can book (accepted, courier assigned, picked up): nothing to read.
      expect(await read(3, false)).toEqual([]);
      // From seq 2 the paid event is in reach: the whole history, for the ledger, with the order's terms.
      const fromPaid = await read(2, false);
      expect(fromPaid.map((r) => [r.seq, r.ledger])).toEqual([
        [1, true],
        [2, true],
        [3, true],
        [4, true],
        [5, true],
      ]);
      expect(fromPaid[1]).toMatchObject({ type: "order.paid", commissionBps: 1500, totalMinor: 4464 });
      expect(fromPaid[1]?.occurredAt.getTime()).toBe(order.placedAt + 2000);
      // For the exceptions alone: only the events that can open or settle one.
      expect((await read(4, true)).map((r) => [r.type, r.ledger])).toEqual([["order.courier_assigned", false]]);
      await deliver([events[5] as OrderEventMessage]);
      expect((await read(6, false)).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await close();
    }
  });

  it("concurrent batches of the same events book each transaction once", async () => {
    const orders = [newOrder(), newOrder(), newOrder()];
    const all = orders.flatMap(deliveredLifecycle);
    await Promise.all([deliver(all), deliver([...all].reverse()), deliver(all)]);
    const { txs, entries } = await ledgerOf(orders.map((o) => o.id));
    expect(txs).toHaveLength(9);
    expect(entries.reduce((sum, e) => sum + e.amountMinor, 0)).toBe(0);
  });

  it("refuses an unbalanced transaction and any change to an entry, whoever writes", async () => {
    const order = newOrder();
    await deliver(deliveredLifecycle(order));
    const { db, close } = openDb(testEnv);
    try {
      const [tx] = await db.select().from(ledgerTransactions).where(eq(ledgerTransactions.orderId, order.id)).limit(1);
      if (!tx) throw new Error("no transaction booked");
      await expect(
        db.execute(sql`update ledger_entries set amount_minor = amount_minor + 1 where transaction_id = ${tx.id}`),
      ).rejects.toThrow();
      await expect(db.execute(sql`delete from ledger_transactions where id = ${tx.id}`)).rejects.toThrow();
      await expect(
        db.transaction(async (t) => {
          const [row] = await t
            .insert(ledgerTransactions)
            .values({ idempotencyKey: `test:${order.id}`, kind: "test", currency: "EUR", occurredAt: new Date() })
            .returning({ id: ledgerTransactions.id });
          await t.insert(ledgerEntries).values([
            {
              transactionId: row?.id as string,
              accountId: PLATFORM.revenue,
              currency: "EUR",
              amountMinor: 5,
              memo: "",
              occurredAt: new Date(),
            },
            {
              transactionId: row?.id as string,
              accountId: PLATFORM.stripeBalance,
              currency: "EUR",
              amountMinor: -4,
              memo: "",
              occurredAt: new Date(),
            },
          ]);
        }),
      ).rejects.toThrow();
      const [left] = await db
        .select()
        .from(ledgerTransactions)
        .where(eq(ledgerTransactions.idempotencyKey, `test:${order.id}`));
      expect(left).toBeUndefined();
    } finally {
      await close();
    }
  });
});
