// The system of record converges to the Order DO's truth whatever the queue
// loses: events stay in the DO's outbox until the projection acknowledges
// them, the alarm re-sends the rest, the lag monitor and /v1/health show an
// order while it lags, and the reconciler repairs a Postgres that fell behind
// with an empty outbox (a restore to an earlier point).
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { and, eq, gt, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { orderEvents, orders } from "../../db/schema.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signIn, testEnv, type World } from "../../test/world.ts";
import { reconcile } from "../../workers/events/reconciler.ts";
import type { OrderDO } from "./order-do.ts";

let world: World;
let customer: string;
let admin: string;

beforeAll(async () => {
  world = await createWorld();
  [customer, admin] = await Promise.all([signIn(world.emails.customer), signIn(world.emails.admin)]);
});

const orderStub = (id: string) => testEnv.ORDER.get(testEnv.ORDER.idFromName(id));

async function placePaid(): Promise<string> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `outbox-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await payOrder(id, customer);
  return id;
}

type OutboxRow = {
  seq: number;
  attempts: number;
  sent_at: number | null;
};

function outboxOf(id: string): Promise<OutboxRow[]> {
  return runInDurableObject(orderStub(id), (_instance: OrderDO, state) =>
    state.storage.sql.exec<OutboxRow>("select seq, attempts, sent_at from outbox order by seq").toArray(),
  );
}

function logSeqOf(id: string): Promise<number> {
  return runInDurableObject(
    orderStub(id),
    (_instance: OrderDO, state) =>
      state.storage.sql.exec<{ seq: number }>("select max(seq) as seq from events").toArray()[0]?.seq ?? 0,
  );
}

async function postgresEvents(id: string): Promise<number[]> {
  const { db, close } = openDb(testEnv, 1);
  try {
    const rows = await db
      .select({ seq: orderEvents.seq })
      .from(orderEvents)
      .where(eq(orderEvents.orderId, id))
      .orderBy(orderEvents.seq);
    return rows.map((r) => r.seq);
  } finally {
    await close();
  }
}

/** What a lost queue message leaves behind: the DO sent the events, Postgres never got them. */
async function loseInTransit(id: string, sentAgoMs: number): Promise<void> {
  await eventually(async () => (await outboxOf(id)).length === 0);
  const { db, close } = openDb(testEnv, 1);
  try {
    await db.delete(orderEvents).where(eq(orderEvents.orderId, id));
    await db.update(orders).set({ lastEventSeq: 0, status: "placed" }).where(eq(orders.id, id));
  } finally {
    await close();
  }
  await runInDurableObject(orderStub(id), async (_instance: OrderDO, state) => {
    state.storage.sql.exec(
      "insert into outbox (seq, attempts, sent_at) select seq, 1, ? from events",
      Date.now() - sentAgoMs,
    );
    await armNow(state);
  });
}

/** Points the alarm at the outbox's deadline now, as the DO does after a send. */
async function armNow(state: DurableObjectState): Promise<void> {
  state.storage.sql.exec(
    "insert or replace into alarm_schedule (kind, subject, at) values ('projection_resend', '', ?)",
    Date.now(),
  );
  await state.storage.setAlarm(Date.now());
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("the projection acknowledges what it wrote", () => {
  it("empties the Order DO's outbox once every event is in Postgres, each exactly once", async () => {
    const id = await placePaid();
    await eventually(async () => (await outboxOf(id)).length === 0);
    const last = await logSeqOf(id);
    expect(last).toBeGreaterThanOrEqual(3);
    expect(await postgresEvents(id)).toEqual(range(last));
  });
});

describe("a lost queue message is re-sent until acknowledged", () => {
  it("waits out the acknowledgement window before re-sending", async () => {
    const id = await placePaid();
    await loseInTransit(id, 1_000);
    await runDurableObjectAlarm(orderStub(id));
    // Sent a second ago: not yet due, still unacknowledged, nothing in Postgres.
    const rows = await outboxOf(id);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    expect(await postgresEvents(id)).toEqual([]);
  });

  it("re-sends after the window, and Postgres converges with no duplicate", async () => {
    const id = await placePaid();
    const last = await logSeqOf(id);
    await loseInTransit(id, 16_000);
    await runDurableObjectAlarm(orderStub(id));
    await eventually(async () => (await outboxOf(id)).length === 0);
    expect(await postgresEvents(id)).toEqual(range(last));

    // The lost message turning up late as well (a duplicate delivery) changes nothing.
    await runInDurableObject(orderStub(id), async (_instance: OrderDO, state) => {
      state.storage.sql.exec("insert into outbox (seq, attempts, sent_at) select seq, 2, 0 from events");
      await armNow(state);
    });
    await runDurableObjectAlarm(orderStub(id));
    await eventually(async () => (await outboxOf(id)).length === 0);
    expect(await postgresEvents(id)).toEqual(range(last));
    const { db, close } = openDb(testEnv, 1);
    const [row] = await db.select().from(orders).where(eq(orders.id, id)).finally(close);
    expect(row?.lastEventSeq).toBe(last);
    expect(row?.status).toBe("paid");
  });
});

describe("lag is visible while it lasts", () => {
  it("lists an order past the window in the monitor, health and admin status, and clears it on convergence", async () => {
    const id = await placePaid();
    await loseInTransit(id, 16_000);
    // Events 20 s old, last sent a second ago: lagging, and not yet due for a re-send
    // that could repair it before we look.
    await runInDurableObject(orderStub(id), async (_instance: OrderDO, state) => {
      state.storage.sql.exec("update events set at = ?", Date.now() - 20_000);
      state.storage.sql.exec("update outbox set sent_at = ?", Date.now() - 1_000);
      await armNow(state);
    });
    await runDurableObjectAlarm(orderStub(id));

    const health = await (await api("/v1/health")).json<{
      status: string;
      postgres: { reachable: boolean };
      projection: { laggingOrders: number; oldestUnacknowledgedAgeMs: number };
    }>();
    expect(health.postgres.reachable).toBe(true);
    expect(health.status).toBe("degraded");
    expect(health.projection.laggingOrders).toBeGreaterThanOrEqual(1);
    expect(health.projection.oldestUnacknowledgedAgeMs).toBeGreaterThanOrEqual(19_000);

    const status = await api("/v1/admin/projection", { token: admin });
    expect(status.status).toBe(200);
    const body = await status.json<{ laggingOrders: Array<{ orderId: string }> }>();
    expect(body.laggingOrders.map((o) => o.orderId)).toContain(id);
    expect((await api("/v1/admin/projection", { token: customer })).status).toBe(403);
    expect((await api("/v1/admin/projection")).status).toBe(401);

    // The reconciler asks lagging orders to send now; the acknowledgement clears the entry.
    const handle = openDb(testEnv, 1);
    await reconcile(testEnv, handle.db).finally(handle.close);
    await eventually(async () => (await outboxOf(id)).length === 0);
    await eventually(async () => {
      const after = await (await api("/v1/admin/projection", { token: admin })).json<{
        laggingOrders: Array<{ orderId: string }>;
      }>();
      return !after.laggingOrders.some((o) => o.orderId === id);
    });
  });
});

describe("the reconciler", () => {
  it("repairs Postgres behind the log with an empty outbox (a restore to an earlier point)", async () => {
    const id = await placePaid();
    const last = await logSeqOf(id);
    await eventually(async () => (await outboxOf(id)).length === 0);
    const { db, close } = openDb(testEnv, 1);
    try {
      // Postgres as it was after the first event: later events and state gone.
      await db.delete(orderEvents).where(and(eq(orderEvents.orderId, id), gt(orderEvents.seq, 1)));
      await db
        .update(orders)
        .set({ lastEventSeq: 1, status: "placed", updatedAt: new Date(Date.now() - 5 * 60_000), reconciledAt: null })
        .where(eq(orders.id, id));
      const report = await reconcile(testEnv, db);
      expect(report.behind).toBeGreaterThanOrEqual(1);
      await eventually(async () => (await postgresEvents(id)).length === last);
      expect(await postgresEvents(id)).toEqual(range(last));
      const [row] = await db.select().from(orders).where(eq(orders.id, id));
      expect(row?.status).toBe("paid");
      expect(row?.reconciledAt).not.toBeNull();
      // A second run finds nothing to do for it: it was compared a moment ago.
      const again = await reconcile(testEnv, db);
      const [{ n } = { n: 0 }] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(orderEvents)
        .where(eq(orderEvents.orderId, id));
      expect(n).toBe(last);
      expect(again.failures).toBe(0);
    } finally {
      await close();
    }
  });
});
