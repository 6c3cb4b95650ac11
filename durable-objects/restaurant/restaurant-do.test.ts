// The restaurant's live board: fed by the Order DOs after every write, newest
// summary wins, terminal orders leave, lost pushes heal, and staff watch it
// over a hibernating WebSocket that only they (or an admin) may open.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signIn, testEnv, type World } from "../../test/world.ts";
import { BOARD_RECHECK_AFTER_MS, type BoardMessage, type BoardOrder } from "./restaurant-do.ts";

let world: World;
const tokens = { customer: "", staff: "", otherStaff: "", admin: "" };

beforeAll(async () => {
  world = await createWorld();
  const [customer, staff, otherStaff, admin] = await Promise.all([
    signIn(world.emails.customer),
    signIn(world.emails.staff),
    signIn(world.emails.otherStaff),
    signIn(world.emails.admin),
  ]);
  Object.assign(tokens, { customer, staff, otherStaff, admin });
});

function boardStub(restaurantId: string) {
  return testEnv.RESTAURANT.get(testEnv.RESTAURANT.idFromName(restaurantId));
}

function summary(overrides: Partial<BoardOrder> = {}): BoardOrder {
  return {
    id: crypto.randomUUID(),
    status: "paid",
    delivery: "none",
    totalMinor: 1234,
    placedAt: new Date().toISOString(),
    prepTimeMinutes: null,
    readyAt: null,
    lastSeq: 3,
    ...overrides,
  };
}

async function place(): Promise<string> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: tokens.customer,
    headers: { "idempotency-key": `board-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function staffCommand(orderId: string, path: string, json: unknown = {}): Promise<void> {
  const res = await api(`/v1/orders/${orderId}/${path}`, { method: "POST", token: tokens.staff, json });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function boardOf(restaurantId: string, token = tokens.staff): Promise<BoardOrder[]> {
  const res = await api(`/v1/restaurants/${restaurantId}/board`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { orders: BoardOrder[] }).orders;
}

async function onBoard(orderId: string): Promise<BoardOrder | undefined> {
  return (await boardOf(world.restaurantId)).find((o) => o.id === orderId);
}

interface BoardSocket {
  ws: WebSocket;
  messages: BoardMessage[];
  pongs: number;
  next: (match: (m: BoardMessage) => boolean) => Promise<BoardMessage>;
}

async function openBoard(restaurantId: string, token = tokens.staff): Promise<BoardSocket> {
  const res = await api(`/v1/restaurants/${restaurantId}/board/live`, { token, headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket as WebSocket;
  ws.accept();
  const socket: BoardSocket = {
    ws,
    messages: [],
    pongs: 0,
    next: (match) => eventually(async () => socket.messages.find(match)),
  };
  ws.addEventListener("message", (m) => {
    const text = m.data as string;
    if (text === "pong") socket.pongs++;
    else socket.messages.push(JSON.parse(text) as BoardMessage);
  });
  return socket;
}

const isOrder = (id: string, status?: string) => (m: BoardMessage) =>
  m.type === "order" && m.order.id === id && (status === undefined || m.order.status === status);

describe("the board kept from Order DO pushes", () => {
  it("keeps the newest summary per order, ignores older ones, and drops terminal orders", async () => {
    const stub = boardStub(crypto.randomUUID());
    const early = summary({ placedAt: "2026-01-01T10:00:00.000Z", lastSeq: 3 });
    const late = summary({ placedAt: "2026-01-01T10:05:00.000Z", lastSeq: 1, status: "placed" });
    expect(await stub.orderChanged(late)).toEqual({ applied: true });
    expect(await stub.orderChanged(early)).toEqual({ applied: true });
    expect((await stub.board()).map((o) => o.id)).toEqual([early.id, late.id]);

    const accepted = { ...early, status: "accepted" as const, prepTimeMinutes: 20, lastSeq: 4 };
    expect(await stub.orderChanged(accepted)).toEqual({ applied: true });
    // A delayed push of an older state is not allowed to roll the board back.
    expect(await stub.orderChanged(early)).toEqual({ applied: false });
    expect((await stub.board())[0]).toEqual(accepted);

    expect(await stub.orderChanged({ ...late, status: "cancelled", lastSeq: 2 })).toEqual({ applied: true });
    expect(await stub.orderChanged(late)).toEqual({ applied: false });
    expect((await stub.board()).map((o) => o.id)).toEqual([early.id]);
  });

  it("gets the card from placement itself, once, and a retry of the placement adds nothing", async () => {
    const key = `board-once-${crypto.randomUUID()}`;
    const body = {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    };
    const post = () =>
      api("/v1/orders", { method: "POST", token: tokens.customer, headers: { "idempotency-key": key }, json: body });
    const first = await post();
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: string };
    // Stored by the restaurant in the placing call (decision 0062): on the board when the 201 arrives.
    expect((await boardStub(world.restaurantId).board()).filter((o) => o.id === id)).toMatchObject([
      { status: "placed", lastSeq: 1 },
    ]);
    const retry = await post();
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect((await boardStub(world.restaurantId).board()).filter((o) => o.id === id)).toHaveLength(1);
  });

  it("follows an order placed through the API from placement to its terminal state", async () => {
    const orderId = await place();
    expect(await onBoard(orderId)).toMatchObject({ status: "placed", lastSeq: 1 });

    await payOrder(orderId, tokens.customer);
    expect(await onBoard(orderId)).toMatchObject({ status: "paid", lastSeq: 3, readyAt: null });

    await staffCommand(orderId, "accept", { prepTimeMinutes: 20 });
    const accepted = await onBoard(orderId);
    // 4 accepted; the courier search waits until ~10 min before the food (decision 37).
    expect(accepted).toMatchObject({ status: "accepted", prepTimeMinutes: 20, lastSeq: 4 });

    await staffCommand(orderId, "prep-time", { prepTimeMinutes: 30 });
    const adjusted = await onBoard(orderId);
    expect(adjusted).toMatchObject({ prepTimeMinutes: 30, lastSeq: 5 });
    expect(Date.parse(adjusted?.readyAt ?? "") - Date.parse(accepted?.readyAt ?? "")).toBe(10 * 60_000);

    await staffCommand(orderId, "cancel", { reason: "oven broke" });
    expect(await onBoard(orderId)).toBeUndefined();
  });

  it("heals a lost push: a quiet order is re-read from its Order DO by the board's alarm", async () => {
    const orderId = await place();
    const stillPlaced = await place();
    await payOrder(orderId, tokens.customer);
    await staffCommand(orderId, "reject", { reason: "closed" });
    const stub = boardStub(world.restaurantId);
    // As if the rejection's push (and the refund's) never arrived, ages ago; the
    // reconcile alarm armed while the order was live would still be pending.
    const stale = summary({ id: orderId, status: "paid", lastSeq: 3 });
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec(
        "update orders set terminal = 0, last_seq = 3, updated_at = ?, body = ? where id = ?",
        Date.now() - BOARD_RECHECK_AFTER_MS - 1,
        JSON.stringify(stale),
        orderId,
      );
      state.storage.sql.exec(
        "update orders set updated_at = ? where id = ?",
        Date.now() - BOARD_RECHECK_AFTER_MS - 1,
        stillPlaced,
      );
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await onBoard(orderId)).toMatchObject({ status: "paid" });
    const socket = await openBoard(world.restaurantId);

    expect(await runDurableObjectAlarm(stub)).toBe(true);

    expect(await onBoard(orderId)).toBeUndefined();
    const healed = await socket.next(isOrder(orderId, "rejected"));
    expect(healed).toMatchObject({ order: { status: "rejected" } });
    // A quiet order that is merely slow stays, unannounced, and keeps the alarm armed.
    expect(await onBoard(stillPlaced)).toMatchObject({ status: "placed", lastSeq: 1 });
    expect(socket.messages.some(isOrder(stillPlaced))).toBe(false);
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now());
    socket.ws.close();
  });
});

describe("the live board socket", () => {
  it("sends the board on connect and every change after, and answers ping", async () => {
    const before = await place();
    const socket = await openBoard(world.restaurantId);
    const first = await socket.next((m) => m.type === "board");
    expect(first.type === "board" && first.orders.some((o) => o.id === before)).toBe(true);

    await payOrder(before, tokens.customer);
    await socket.next(isOrder(before, "paid"));
    await staffCommand(before, "accept", { prepTimeMinutes: 12 });
    const accepted = await socket.next(isOrder(before, "accepted"));
    expect(accepted).toMatchObject({ order: { prepTimeMinutes: 12 } });

    socket.ws.send("ping");
    await eventually(async () => socket.pongs > 0);
    socket.ws.send(JSON.stringify({ type: "refresh" }));
    await eventually(async () => socket.messages.filter((m) => m.type === "board").length === 2);
    socket.ws.send("nonsense");
    expect(await socket.next((m) => m.type === "error")).toMatchObject({ code: "malformed_json" });
    socket.ws.close();
  });

  it("keeps its hibernated sockets across an eviction", async () => {
    const orderId = await place();
    const socket = await openBoard(world.restaurantId);
    await socket.next((m) => m.type === "board");
    const stub = boardStub(world.restaurantId);
    await evictDurableObject(stub);

    await payOrder(orderId, tokens.customer);
    await socket.next(isOrder(orderId, "paid"));
    const watchers = await runInDurableObject(stub, (_instance, state) =>
      state.getWebSockets().map((ws) => ws.deserializeAttachment()),
    );
    expect(watchers).toContainEqual({ userId: world.ids.staff, role: "restaurant_staff" });
    socket.ws.close();
  });

  it("opens only for the restaurant's staff or an admin", async () => {
    const live = (token: string, upgrade = true) =>
      api(`/v1/restaurants/${world.restaurantId}/board/live`, {
        token,
        headers: upgrade ? { upgrade: "websocket" } : {},
      });
    const codeOf = async (res: Response) => [
      res.status,
      ((await res.json()) as { error: { code: string } }).error.code,
    ];

    expect(await codeOf(await live(tokens.otherStaff))).toEqual([403, "not_restaurant_staff"]);
    expect(await codeOf(await live(tokens.customer))).toEqual([403, "role_not_allowed"]);
    expect(await codeOf(await live(tokens.staff, false))).toEqual([426, "upgrade_required"]);
    expect(
      await codeOf(await api(`/v1/restaurants/${world.restaurantId}/board`, { token: tokens.otherStaff })),
    ).toEqual([403, "not_restaurant_staff"]);

    const admin = await live(tokens.admin);
    expect(admin.status).toBe(101);
    admin.webSocket?.accept();
    admin.webSocket?.close();
  });
});
