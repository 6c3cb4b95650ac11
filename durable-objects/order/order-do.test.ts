// The Order DO's watchers and durability: a watcher that reconnects or asks to
// resume gets exactly the events it missed, and an object evicted mid-order
// comes back with its state and its hibernated sockets.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signIn, testEnv, type World } from "../../test/world.ts";
import type { WatcherAttachment } from "./watchers.ts";

let world: World;
let customer: string;
let staff: string;
let otherCustomer: string;

beforeAll(async () => {
  world = await createWorld();
  [customer, staff, otherCustomer] = await Promise.all([
    signIn(world.emails.customer),
    signIn(world.emails.staff),
    signIn(world.emails.otherCustomer),
  ]);
});

async function placePaid(): Promise<string> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `order-do-${crypto.randomUUID()}` },
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

async function staffCommand(orderId: string, path: string, json: unknown = {}): Promise<void> {
  const res = await api(`/v1/orders/${orderId}/${path}`, { method: "POST", token: staff, json });
  expect(res.status, await res.clone().text()).toBe(200);
}

interface Watcher {
  ws: WebSocket;
  seqs: number[];
  texts: string[];
  waitForSeq: (seq: number) => Promise<void>;
}

async function watch(orderId: string, since?: number, token = customer): Promise<Watcher> {
  const query = since === undefined ? "" : `?since=${since}`;
  const res = await api(`/v1/orders/${orderId}/live${query}`, { token, headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket as WebSocket;
  ws.accept();
  const seqs: number[] = [];
  const texts: string[] = [];
  ws.addEventListener("message", (m) => {
    const text = m.data as string;
    texts.push(text);
    if (text === "pong") return;
    const msg = JSON.parse(text) as { type: string; event?: OrderEvent };
    if (msg.type === "event" && msg.event) seqs.push(msg.event.seq);
  });
  return { ws, seqs, texts, waitForSeq: (seq) => eventually(async () => seqs.includes(seq)).then(() => undefined) };
}

/** Lets in-flight messages land, so "nothing more arrived" is a real observation. */
const settle = () => new Promise((r) => setTimeout(r, 150));

function orderStub(orderId: string) {
  return testEnv.ORDER.get(testEnv.ORDER.idFromName(orderId));
}

describe("watchers resume without gaps or duplicates", () => {
  it("a watcher reconnecting with ?since=N receives exactly the events it missed, then the live ones", async () => {
    const orderId = await placePaid();
    const first = await watch(orderId);
    await first.waitForSeq(3);
    expect(first.seqs).toEqual([1, 2, 3]);
    first.ws.close();

    // Missed while disconnected.
    await staffCommand(orderId, "accept", { prepTimeMinutes: 10 });
    await staffCommand(orderId, "preparing");

    // 4 accepted, 5 dispatch started (food due within the courier lead: the search starts at once), 6 preparing.
    const second = await watch(orderId, 3);
    await second.waitForSeq(6);
    await staffCommand(orderId, "prep-time", { prepTimeMinutes: 25 });
    await second.waitForSeq(7);
    await settle();
    expect(second.seqs).toEqual([4, 5, 6, 7]);
    second.ws.close();
  });

  it("a connected watcher that sends {type:resume, since:N} is re-sent exactly the events after N", async () => {
    const orderId = await placePaid();
    await staffCommand(orderId, "accept", { prepTimeMinutes: 10 });
    const watcher = await watch(orderId);
    await watcher.waitForSeq(5);

    watcher.ws.send(JSON.stringify({ type: "resume", since: 2 }));
    await eventually(async () => watcher.seqs.length >= 8);
    await staffCommand(orderId, "preparing");
    await watcher.waitForSeq(6);
    await settle();
    expect(watcher.seqs).toEqual([1, 2, 3, 4, 5, 3, 4, 5, 6]);
    watcher.ws.close();
  });

  it("answers malformed and unknown messages with an error instead of dropping the socket", async () => {
    const orderId = await placePaid();
    const watcher = await watch(orderId, 3);
    watcher.ws.send("{not json");
    watcher.ws.send(JSON.stringify({ type: "subscribe" }));
    await eventually(async () => watcher.texts.length >= 2);
    expect(watcher.texts.map((t) => (JSON.parse(t) as { code: string }).code)).toEqual([
      "malformed_json",
      "unknown_message",
    ]);
    watcher.ws.send("ping");
    await eventually(async () => watcher.texts.includes("pong"));
    watcher.ws.close();
  });

  it("does not let someone else's customer watch the order", async () => {
    const orderId = await placePaid();
    const res = await api(`/v1/orders/${orderId}/live`, { token: otherCustomer, headers: { upgrade: "websocket" } });
    expect(res.status).toBe(404);
  });
});

describe("eviction mid-order", () => {
  it("an evicted Order DO resumes with its state, its schedule and its hibernated sockets", async () => {
    const orderId = await placePaid();
    await staffCommand(orderId, "accept", { prepTimeMinutes: 10 });
    const watcher = await watch(orderId);
    await watcher.waitForSeq(5);
    const stub = orderStub(orderId);
    const alarmBefore = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());

    await evictDurableObject(stub);

    // The socket survived hibernation: heartbeats are answered, and it still knows what it was sent.
    watcher.ws.send("ping");
    await eventually(async () => watcher.texts.includes("pong"));
    const attachments = await runInDurableObject(stub, (_instance, state) =>
      state.getWebSockets().map((ws) => ws.deserializeAttachment() as WatcherAttachment),
    );
    expect(attachments).toEqual([
      expect.objectContaining({ role: "customer", userId: world.ids.customer, lastSeq: 5 }),
    ]);
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBe(alarmBefore);

    const read = await api(`/v1/orders/${orderId}`, { token: customer });
    expect(
      ((await read.json()) as { order: { status: string; prepTimeMinutes: number; lastSeq: number } }).order,
    ).toMatchObject({
      status: "accepted",
      prepTimeMinutes: 10,
      lastSeq: 5,
    });

    await staffCommand(orderId, "preparing");
    await staffCommand(orderId, "ready");
    await watcher.waitForSeq(7);
    await settle();
    expect(watcher.seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    watcher.ws.close();
  });
});
