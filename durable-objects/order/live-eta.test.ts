// The live ETA on the order's socket and in its view (decision 53): it moves
// when the kitchen changes its prep estimate, before any courier position,
// and comes from the learned model when one is in KV.
import { beforeAll, describe, expect, it } from "vitest";
import { FIXED_FIT } from "../../domain/eta/calibration.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signIn, testEnv, type World } from "../../test/world.ts";

let world: World;
let customer: string;
let staff: string;

beforeAll(async () => {
  world = await createWorld();
  [customer, staff] = await Promise.all([signIn(world.emails.customer), signIn(world.emails.staff)]);
});

interface EtaMessage {
  type: "eta";
  eta: { pickupAt: number | null; dropoffAt: number; model: "learned" | "fixed" };
}

async function placePaid(): Promise<string> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `live-eta-${crypto.randomUUID()}` },
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

async function watchEtas(orderId: string): Promise<{ etas: EtaMessage[]; close: () => void }> {
  const res = await api(`/v1/orders/${orderId}/live`, { token: customer, headers: { upgrade: "websocket" } });
  expect(res.status).toBe(101);
  const ws = res.webSocket as WebSocket;
  ws.accept();
  const etas: EtaMessage[] = [];
  ws.addEventListener("message", (m) => {
    const text = m.data as string;
    if (text === "pong") return;
    const msg = JSON.parse(text) as { type: string };
    if (msg.type === "eta") etas.push(msg as EtaMessage);
  });
  return { etas, close: () => ws.close() };
}

async function liveEtaOf(orderId: string) {
  const res = await api(`/v1/orders/${orderId}`, { token: customer });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { order: { liveEta?: { dropoffAt: string; model: string } } };
  return body.order.liveEta;
}

describe("the live ETA", () => {
  it("moves with the kitchen's prep estimate before a courier is assigned", async () => {
    await testEnv.MENU_CACHE.delete("eta:calibration:v1");
    const orderId = await placePaid();
    const socket = await watchEtas(orderId);
    await staffCommand(orderId, "accept", { prepTimeMinutes: 20 });
    await eventually(async () => socket.etas.length >= 1);
    const first = socket.etas[0] as EtaMessage;
    expect(first.eta.model).toBe("fixed");

    await staffCommand(orderId, "prep-time", { prepTimeMinutes: 35 });
    await eventually(async () => socket.etas.length >= 2);
    const second = socket.etas[1] as EtaMessage;
    // Fifteen more minutes in the kitchen: fifteen more minutes to the door (give or take the seconds between calls).
    const moved = second.eta.dropoffAt - first.eta.dropoffAt;
    expect(moved).toBeGreaterThan(14 * 60_000);
    expect(moved).toBeLessThan(16 * 60_000);

    const view = await liveEtaOf(orderId);
    expect(view?.model).toBe("fixed");
    expect(Date.parse(view?.dropoffAt ?? "")).toBe(second.eta.dropoffAt);
    socket.close();
  });

  it("uses the learned model when one is fitted", async () => {
    const fixedOrder = await placePaid();
    const fixedSocket = await watchEtas(fixedOrder);
    await testEnv.MENU_CACHE.delete("eta:calibration:v1");
    await staffCommand(fixedOrder, "accept", { prepTimeMinutes: 20 });
    await eventually(async () => fixedSocket.etas.length >= 1);

    // A city where rides take three times the straight line and five minutes at the door.
    const slow = { ...FIXED_FIT, roadFactor: 3.9, overheadMs: 300_000, samples: 500 };
    await testEnv.MENU_CACHE.put(
      "eta:calibration:v1",
      JSON.stringify({ version: 1, computedAt: Date.now(), global: slow, cells: {} }),
    );
    const learnedOrder = await placePaid();
    const learnedSocket = await watchEtas(learnedOrder);
    await staffCommand(learnedOrder, "accept", { prepTimeMinutes: 20 });
    await eventually(async () => learnedSocket.etas.length >= 1);

    const fixed = fixedSocket.etas[0] as EtaMessage;
    const learned = learnedSocket.etas[0] as EtaMessage;
    expect(learned.eta.model).toBe("learned");
    // Same restaurant, address and prep: only the ride differs, and the learned one is slower.
    const ride = (m: EtaMessage) => m.eta.dropoffAt - (m.eta.pickupAt ?? Number.NaN);
    expect(ride(learned)).toBeGreaterThan(ride(fixed));
    expect((await liveEtaOf(learnedOrder))?.model).toBe("learned");
    await testEnv.MENU_CACHE.delete("eta:calibration:v1");
    fixedSocket.close();
    learnedSocket.close();
  });
});
