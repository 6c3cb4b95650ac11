// Partner webhooks end to end inside workerd: a restaurant's endpoint
// receives each of its orders' events once per event id, every delivery
// verified by the independent `standardwebhooks` library in a receiver
// outside the runtime (scripts/dev/notify-standin); forged and stale
// deliveries are refused by that library, a replay carries the same
// webhook-id; rotation, retries with backoff, the delivery log, disabling
// after persistent failure; and the API's refusals.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { webhookDeliveries, webhookEndpoints } from "../../db/schema-notifications.ts";
import { generateSecret, signDelivery } from "../../domain/webhooks/signature.ts";
import { failNext, madeUpEvent, notifyBase, standinMessages } from "../../test/notify-kit.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";
import { notifyProjected } from "./fanout.ts";
import { sweepDue } from "./sweep.ts";

interface Received {
  webhookId: string;
  timestamp: string;
  verified: boolean;
  duplicate: boolean;
  error: string | null;
  type: string | null;
  body: string;
  at: number;
}

interface DeliveryLog {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatus: number | null;
}

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
}, 60_000);

async function register(partner: string, eventTypes = ["order.*"], extra: Record<string, unknown> = {}) {
  const res = await api("/v1/webhook-endpoints", {
    method: "POST",
    token: tokens.staff,
    json: { url: `${notifyBase()}/partners/${partner}`, eventTypes, ...extra },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const endpoint = (await res.json()) as { id: string; secret: string; restaurantId: string };
  await setPartnerSecret(partner, endpoint.secret);
  return endpoint;
}

async function setPartnerSecret(partner: string, secret: string) {
  await fetch(`${notifyBase()}/partners/${partner}/secret`, { method: "PUT", body: JSON.stringify({ secret }) });
}

async function received(partner: string): Promise<Received[]> {
  const res = await fetch(`${notifyBase()}/partners/${partner}/received`);
  return ((await res.json()) as { received: Received[] }).received;
}

async function log(endpointId: string, token = tokens.staff): Promise<DeliveryLog[]> {
  const res = await api(`/v1/webhook-endpoints/${endpointId}/deliveries`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { deliveries: DeliveryLog[] }).deliveries;
}

async function fanOut(...messages: ReturnType<typeof madeUpEvent>[]) {
  const { db, close } = openDb(testEnv);
  try {
    return await notifyProjected(testEnv, db, messages);
  } finally {
    await close();
  }
}

describe("signed deliveries to a partner", () => {
  it("every order event reaches the partner once per event id, verified by standardwebhooks", async () => {
    const partner = `pos-${crypto.randomUUID().slice(0, 8)}`;
    const endpoint = await register(partner, ["order.*"], { ordered: true });
    const placed = await api("/v1/orders", {
      method: "POST",
      token: tokens.customer,
      headers: { "idempotency-key": `webhooks-${crypto.randomUUID()}` },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
        deliveryAddress: world.address,
      },
    });
    const order = (await placed.json()) as { id: string };
    const paidAt = Date.now();
    await payOrder(order.id, tokens.customer);
    const accepted = await api(`/v1/orders/${order.id}/accept`, {
      method: "POST",
      token: tokens.staff,
      json: { prepTimeMinutes: 10 },
    });
    expect(accepted.status).toBe(200);
    const got = await eventually(async () => {
      // A later event that came first waits for the earlier one; the minute's sweep sends it then.
      const { db, close } = openDb(testEnv);
      await sweepDue(testEnv, db, Date.now() + 6_000).finally(close);
      const all = await received(partner);
      const types = all.map((r) => r.type);
      return types.includes("order.paid") && types.includes("order.accepted") ? all : undefined;
    }, 15_000);
    const paid = got.find((r) => r.type === "order.paid");
    console.warn(`measured: payment webhook to the partner's verified order.paid in ${(paid?.at ?? 0) - paidAt} ms`);
    expect(got.map((r) => ({ type: r.type, verified: r.verified, duplicate: r.duplicate, error: r.error }))).toEqual(
      got.map((r) => ({ type: r.type, verified: true, duplicate: false, error: null })),
    );
    expect(new Set(got.map((r) => r.webhookId)).size).toBe(got.length);
    // In sequence order, as the endpoint asked.
    const seqs = got.map((r) => (JSON.parse(r.body) as { data: { seq: number } }).data.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const body = JSON.parse(paid?.body ?? "{}") as { type: string; data: { orderId: string; restaurantId: string } };
    expect(body.data).toMatchObject({ orderId: order.id, restaurantId: world.restaurantId });
    const entries = await log(endpoint.id);
    // Later events (dispatch) may still be on their way; these two have been received.
    const logged = entries.filter((d) => d.eventType === "order.paid" || d.eventType === "order.accepted");
    expect(logged.map((d) => `${d.eventType}:${d.status}:${d.lastStatus}`).sort()).toEqual([
      "order.accepted:succeeded:200",
      "order.paid:succeeded:200",
    ]);

    // A replay carries the same webhook-id (the partner's dedup key) and a fresh signature.
    const paidEntry = entries.find((d) => d.eventType === "order.paid");
    const replay = await api(`/v1/webhook-endpoints/${endpoint.id}/deliveries/${paidEntry?.id}/replay`, {
      method: "POST",
      token: tokens.staff,
    });
    expect(replay.status).toBe(200);
    const copies = (await received(partner)).filter((r) => r.webhookId === paid?.webhookId);
    expect(copies.map((r) => [r.verified, r.duplicate])).toEqual([
      [true, false],
      [true, true],
    ]);
  }, 40_000);

  it("forged and stale deliveries are refused by the library; a rotated secret overlaps", async () => {
    const partner = `crm-${crypto.randomUUID().slice(0, 8)}`;
    const endpoint = await register(partner, ["order.delivered"]);
    const url = `${notifyBase()}/partners/${partner}`;
    const body = JSON.stringify({ type: "order.delivered", timestamp: new Date().toISOString(), data: {} });
    const now = Math.floor(Date.now() / 1000);
    const forged = await signDelivery([generateSecret()], "msg_forged", now, body);
    expect((await fetch(url, { method: "POST", headers: { ...forged }, body })).status).toBe(401);
    const stale = await signDelivery([endpoint.secret], "msg_stale", now - 3600, body);
    expect((await fetch(url, { method: "POST", headers: { ...stale }, body })).status).toBe(401);
    const refused = (await received(partner)).map((r) => r.error);
    expect(refused[0]).toMatch(/no matching signature/i);
    expect(refused[1]).toMatch(/too old/i);

    // Rotation: the partner still holds the old secret and keeps verifying.
    const rotated = await api(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {
      method: "POST",
      token: tokens.staff,
    });
    const { secret } = (await rotated.json()) as { secret: string };
    expect(secret).not.toBe(endpoint.secret);
    await fanOut(madeUpEvent(world, "order.delivered"));
    expect((await received(partner)).at(-1)).toMatchObject({ verified: true });
    await setPartnerSecret(partner, secret);
    await fanOut(madeUpEvent(world, "order.delivered"));
    expect((await received(partner)).at(-1)).toMatchObject({ verified: true });
    // Events the endpoint did not subscribe to are not sent.
    const before = (await received(partner)).length;
    await fanOut(madeUpEvent(world, "order.accepted"));
    expect((await received(partner)).length).toBe(before);
  });

  it("a failed delivery backs off and is retried by the sweep; persistent failure disables the endpoint", async () => {
    const partner = `stock-${crypto.randomUUID().slice(0, 8)}`;
    const endpoint = await register(partner, ["order.paid"]);
    await failNext(`partner:${partner}`, 1, 500);
    const message = madeUpEvent(world, "order.paid");
    await fanOut(message);
    const [pending] = await log(endpoint.id);
    expect(pending).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500 });
    const { db, close } = openDb(testEnv);
    try {
      await sweepDue(testEnv, db, Date.now() + 6_000);
      const [delivered] = await log(endpoint.id);
      expect(delivered).toMatchObject({ status: "succeeded", attempts: 2, lastStatus: 200 });

      // Failing for more than a day and 20 deliveries in a row: the next failure disables it.
      await db
        .update(webhookEndpoints)
        .set({ consecutiveFailures: 19, failingSince: new Date(Date.now() - 2 * 86_400_000) })
        .where(eq(webhookEndpoints.id, endpoint.id));
      await failNext(`partner:${partner}`, 1, 503);
      await fanOut(madeUpEvent(world, "order.paid"));
      const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
      expect(row?.disabledAt).not.toBeNull();
      expect(row?.disabledReason).toMatch(/20 failed deliveries/);
      // Whoever registered it is told by e-mail.
      const notice = (await standinMessages({ kind: "email", to: world.emails.staff })).find(
        (m) => m.subject === "Webhook endpoint disabled",
      );
      expect(notice?.body).toContain(`/partners/${partner}`);
      // Disabled: new events make no deliveries; replays are refused until it is re-enabled.
      const count = (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id)))
        .length;
      await fanOut(madeUpEvent(world, "order.paid"));
      expect(
        (await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id))).length,
      ).toBe(count);
      const replay = await api(`/v1/webhook-endpoints/${endpoint.id}/replay`, {
        method: "POST",
        token: tokens.staff,
        json: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() },
      });
      expect(replay.status).toBe(409);
      const enabled = await api(`/v1/webhook-endpoints/${endpoint.id}`, {
        method: "PATCH",
        token: tokens.staff,
        json: { enabled: true },
      });
      expect(((await enabled.json()) as { disabledAt: string | null }).disabledAt).toBeNull();
      const again = await api(`/v1/webhook-endpoints/${endpoint.id}/replay`, {
        method: "POST",
        token: tokens.staff,
        json: { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() },
      });
      expect(again.status).toBe(202);
      expect(((await again.json()) as { queued: number }).queued).toBeGreaterThanOrEqual(2);
    } finally {
      await close();
    }
  });
});

describe("refusals", () => {
  it("only a restaurant's staff and operators manage its endpoints, with safe URLs", async () => {
    const post = (token: string | undefined, json: unknown) =>
      api("/v1/webhook-endpoints", { method: "POST", token, json });
    const good = { url: "https://pos.example.com/hooks", eventTypes: ["order.paid"] };
    expect((await post(undefined, good)).status).toBe(401);
    expect((await post(tokens.customer, good)).status).toBe(403);
    expect((await post(tokens.courier, good)).status).toBe(403);
    expect((await post(tokens.otherStaff, { ...good, restaurantId: world.restaurantId })).status).toBe(403);
    for (const url of ["http://pos.example.com/hooks", "https://169.254.169.254/latest", "https://10.1.2.3/x"]) {
      const res = await post(tokens.staff, { ...good, url });
      expect(res.status, url).toBe(422);
    }
    expect((await post(tokens.staff, { ...good, eventTypes: ["user.created"] })).status).toBe(400);
    expect((await post(tokens.staff, { ...good, eventTypes: [] })).status).toBe(400);
    expect((await post(tokens.staff, { ...good, secret: "whsec_mine" })).status).toBe(400);

    const mine = await register(`own-${crypto.randomUUID().slice(0, 8)}`, ["order.paid"]);
    const other = await api(`/v1/webhook-endpoints/${mine.id}/deliveries`, { token: tokens.otherStaff });
    expect(other.status).toBe(404);
    const otherList = await api("/v1/webhook-endpoints", { token: tokens.otherStaff });
    const ids = ((await otherList.json()) as { endpoints: Array<{ id: string }> }).endpoints.map((e) => e.id);
    expect(ids).not.toContain(mine.id);
    // The secret is never listed.
    const list = await api("/v1/webhook-endpoints", { token: tokens.staff });
    expect(await list.text()).not.toContain("whsec_");
    const wide = await api(`/v1/webhook-endpoints/${mine.id}/replay`, {
      method: "POST",
      token: tokens.staff,
      json: { from: "2026-01-01T00:00:00Z", to: "2026-03-01T00:00:00Z" },
    });
    expect(wide.status).toBe(422);
    const removed = await api(`/v1/webhook-endpoints/${mine.id}`, { method: "DELETE", token: tokens.otherStaff });
    expect(removed.status).toBe(404);
    expect((await api(`/v1/webhook-endpoints/${mine.id}`, { method: "DELETE", token: tokens.staff })).status).toBe(204);
  });
});
