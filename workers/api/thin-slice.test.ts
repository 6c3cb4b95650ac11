// The thin slice end to end inside workerd: sign in, discover, read a menu,
// place (idempotently), pay through Stripe (stand-in), accept, watch it live,
// and find it projected into Postgres exactly once.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { count, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { orderEvents, orderItems, orders, payments, restaurants } from "../../db/schema.ts";
import type { OrderEvent, OrderEventMessage, PlacedOrder } from "../../domain/order/order-event.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signIn, testEnv, type World } from "../../test/world.ts";
import worker from "../index.ts";

let world: World;
let customer: string;
let staff: string;

beforeAll(async () => {
  world = await createWorld();
  customer = await signIn(world.emails.customer);
  staff = await signIn(world.emails.staff);
});

function orderBody(w: World, quantity = 2) {
  return {
    restaurantId: w.restaurantId,
    items: [{ itemId: w.itemId, quantity, optionIds: [w.largeOptionId, w.extraCheeseId] }],
    deliveryAddress: w.address,
    tipMinor: 0,
  };
}

async function openSocket(orderId: string, token: string, since = 0) {
  const res = await api(`/v1/orders/${orderId}/live?since=${since}`, { token, headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket as WebSocket;
  ws.accept();
  const events: OrderEvent[] = [];
  ws.addEventListener("message", (m) => {
    const msg = JSON.parse(m.data as string) as { type: string; event?: OrderEvent };
    if (msg.type === "event" && msg.event) events.push(msg.event);
  });
  return { ws, events };
}

describe("the thin slice", () => {
  it("lists restaurants near a point and serves the menu with an ETag", async () => {
    const near = await api(`/v1/restaurants?lat=${world.address.lat}&lng=${world.address.lng}`);
    expect(near.status).toBe(200);
    const { restaurants } = (await near.json()) as { restaurants: Array<{ id: string; distanceM: number }> };
    expect(restaurants.map((r) => r.id)).toContain(world.restaurantId);

    const menu = await api(`/v1/restaurants/${world.restaurantId}/menu`);
    expect(menu.status).toBe(200);
    const etag = menu.headers.get("etag");
    expect(etag).toMatch(/^"menu-/);
    const body = (await menu.json()) as { categories: Array<{ items: Array<{ id: string }> }> };
    expect(body.categories[0]?.items[0]?.id).toBe(world.itemId);
    // The first read after the seed came from KV or Postgres; the next one within 2 s from the isolate's memo.
    expect(menu.headers.get("server-timing")).toMatch(/^menu;desc=(kv|db);dur=\d+$/);
    const again = await api(`/v1/restaurants/${world.restaurantId}/menu`, { headers: { "if-none-match": etag ?? "" } });
    expect(again.status).toBe(304);
    expect(again.headers.get("server-timing")).toMatch(/^menu;desc=memo;dur=\d+$/);
    const reloaded = await api(`/v1/restaurants/${world.restaurantId}/menu`, {
      headers: { "cache-control": "no-cache" },
    });
    expect(reloaded.headers.get("server-timing")).toMatch(/^menu;desc=db;dur=\d+$/);
  });

  it("places, pays and accepts an order; the watcher sees every transition; Postgres has it exactly once", async () => {
    const key = `slice-${crypto.randomUUID()}`;
    const placed = await api("/v1/orders", {
      method: "POST",
      token: customer,
      json: orderBody(world),
      headers: { "idempotency-key": key },
    });
    expect(placed.status).toBe(201);
    const placedView = (await placed.clone().json()) as PlacedOrder & { placedAt: string };
    const order = (await placed.json()) as {
      id: string;
      status: string;
      subtotalMinor: number;
      deliveryFeeMinor: number;
      serviceFeeMinor: number;
      taxMinor: number;
      totalMinor: number;
    };
    // (900 + 300 large + 150 cheese) x 2; ~290 m away = 1 started km; 5% service; 13% tax on the rest.
    expect(order).toMatchObject({
      status: "placed",
      subtotalMinor: 2700,
      deliveryFeeMinor: 249,
      serviceFeeMinor: 135,
      taxMinor: 401,
      totalMinor: 3485,
    });

    const retry = await api("/v1/orders", {
      method: "POST",
      token: customer,
      json: orderBody(world),
      headers: { "idempotency-key": key },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(((await retry.json()) as { id: string }).id).toBe(order.id);

    const watcher = await openSocket(order.id, customer);
    await payOrder(order.id, customer);
    const accepted = await api(`/v1/orders/${order.id}/accept`, {
      method: "POST",
      token: staff,
      json: { prepTimeMinutes: 10 },
    });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { status: string }).status).toBe("accepted");

    // Accepting also starts the courier search, which runs beside preparation.
    await eventually(async () => watcher.events.some((e) => e.type === "order.dispatch_started"));
    expect(watcher.events.map((e) => e.type)).toEqual([
      "order.placed",
      "order.payment_started",
      "order.paid",
      "order.accepted",
      "order.dispatch_started",
    ]);
    expect(watcher.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    watcher.ws.close();

    const read = await api(`/v1/orders/${order.id}`, { token: customer });
    expect(read.status).toBe(200);
    const { order: view, timeline } = (await read.json()) as {
      order: { status: string; prepTimeMinutes: number };
      timeline: OrderEvent[];
    };
    expect(view).toMatchObject({ status: "accepted", prepTimeMinutes: 10 });
    expect(timeline).toHaveLength(5);

    const { db, close } = openDb(testEnv);
    try {
      const row = await eventually(async () => {
        const rows = await db.select().from(orders).where(eq(orders.id, order.id));
        return rows[0]?.lastEventSeq === 5 ? rows[0] : undefined;
      });
      expect(row).toMatchObject({ status: "accepted", totalMinor: 3485, idempotencyKey: key, prepTimeMinutes: 10 });
      const [events] = await db.select({ n: count() }).from(orderEvents).where(eq(orderEvents.orderId, order.id));
      const [items] = await db.select({ n: count() }).from(orderItems).where(eq(orderItems.orderId, order.id));
      expect(events?.n).toBe(5);
      expect(items?.n).toBe(1);
      const charge = await db.select().from(payments).where(eq(payments.orderId, order.id));
      expect(charge.map((p) => [p.kind, p.status, p.amountMinor])).toEqual([["charge", "succeeded", 3485]]);

      // Deliver every event again, twice, in reverse order: nothing changes.
      const messages: OrderEventMessage[] = timeline.map((event) => ({
        kind: "order_event",
        event,
        order: {
          ...placedView,
          idempotencyKey: key,
          fingerprint: "",
          menuVersion: row.menuVersion,
          restaurantLocation: { lat: 0, lng: 0 },
          placedAt: Date.parse(placedView.placedAt),
          courierId: null,
          prepTimeMinutes: 10,
        },
      }));
      const batch = createMessageBatch(
        "events",
        [...messages, ...messages]
          .reverse()
          .map((body, i) => ({ id: `dup-${i}`, timestamp: Date.now(), attempts: 1, body })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch as MessageBatch<unknown>, testEnv, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.retryMessages).toEqual([]);
      const [eventsAfter] = await db.select({ n: count() }).from(orderEvents).where(eq(orderEvents.orderId, order.id));
      expect(eventsAfter?.n).toBe(5);
      const [after] = await db.select().from(orders).where(eq(orders.id, order.id));
      expect(after).toMatchObject({ status: "accepted", lastEventSeq: 5 });
    } finally {
      await close();
    }
  });

  it("refuses the same Idempotency-Key for a different order with 422", async () => {
    const key = `reuse-${crypto.randomUUID()}`;
    const first = await api("/v1/orders", {
      method: "POST",
      token: customer,
      json: orderBody(world, 1),
      headers: { "idempotency-key": key },
    });
    expect(first.status).toBe(201);
    const second = await api("/v1/orders", {
      method: "POST",
      token: customer,
      json: orderBody(world, 3),
      headers: { "idempotency-key": key },
    });
    expect(second.status).toBe(422);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("idempotency_key_reused");
  });
});

describe("the menu read path", () => {
  it("reads through to Postgres with Cache-Control: no-cache and refreshes the cached copy", async () => {
    const w = await createWorld();
    const cached = await api(`/v1/restaurants/${w.restaurantId}/menu`);
    const etag = cached.headers.get("etag");
    // Change the menu behind the cache's back, as a direct database edit would.
    const { db, close } = openDb(testEnv);
    try {
      await db.update(restaurants).set({ menuVersion: 2 }).where(eq(restaurants.id, w.restaurantId));
    } finally {
      await close();
    }
    expect((await api(`/v1/restaurants/${w.restaurantId}/menu`)).headers.get("etag")).toBe(etag);
    const fresh = await api(`/v1/restaurants/${w.restaurantId}/menu`, { headers: { "cache-control": "no-cache" } });
    expect(fresh.headers.get("etag")).toBe(`"menu-${w.restaurantId}-v2"`);
    expect((await api(`/v1/restaurants/${w.restaurantId}/menu`)).headers.get("etag")).toBe(
      `"menu-${w.restaurantId}-v2"`,
    );
  });
});
