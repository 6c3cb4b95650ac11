// Forged and doctored Stripe webhooks: none may move money or an order. Each
// case is sent, then the order is read back: it must still be unpaid.
import Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { signedWebhook, testStripe } from "../stripe.ts";
import { api, createWorld, signInAll, type World, type WorldTokens } from "../world.ts";
import { tally } from "./tally.ts";

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

async function placeWithIntent(): Promise<{ orderId: string; totalMinor: number; intentId: string }> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: tokens.customer,
    headers: { "idempotency-key": `forgery-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  const order = (await res.json()) as { id: string; totalMinor: number };
  const checkout = await api(`/v1/orders/${order.id}/checkout`, { method: "POST", token: tokens.customer });
  const { paymentIntentId } = (await checkout.json()) as { paymentIntentId: string };
  return { orderId: order.id, totalMinor: order.totalMinor, intentId: paymentIntentId };
}

function event(intent: Record<string, unknown>, type = "payment_intent.succeeded"): string {
  return JSON.stringify({
    id: `evt_${crypto.randomUUID().slice(0, 12)}`,
    object: "event",
    type,
    data: { object: { object: "payment_intent", ...intent } },
  });
}

async function header(payload: string, secret = "whsec_platform_tests", timestamp?: number): Promise<string> {
  return new Stripe("sk_test_unused").webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    ...(timestamp !== undefined ? { timestamp } : {}),
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
}

function post(payload: string, signature?: string): Promise<Response> {
  return api("/v1/webhooks/stripe", {
    method: "POST",
    body: payload,
    headers: {
      "content-type": "application/json",
      ...(signature !== undefined ? { "stripe-signature": signature } : {}),
    },
  });
}

async function status(orderId: string): Promise<{ status: string; paidMinor: number }> {
  const res = await api(`/v1/orders/${orderId}`, { token: tokens.admin });
  return ((await res.json()) as { order: { status: string; paidMinor: number } }).order;
}

describe("webhook forgeries", () => {
  it("no forged, stale, doctored or foreign payment event marks an order paid", async () => {
    const t = tally("webhook forgeries");
    type Target = { orderId: string; totalMinor: number; genuine: Record<string, unknown>; strangerId: string };
    const cases: Array<[string, (o: Target) => Promise<Response>]> = [
      ["no signature", (o) => post(event(o.genuine))],
      ["empty signature", (o) => post(event(o.genuine), "")],
      ["garbage signature", (o) => post(event(o.genuine), "t=1,v1=00")],
      [
        "signed with another secret",
        async (o) => post(event(o.genuine), await header(event(o.genuine), "whsec_someone_else")),
      ],
      [
        "signed six minutes ago",
        async (o) => {
          const p = event(o.genuine);
          return post(p, await header(p, undefined, Math.floor(Date.now() / 1000) - 360));
        },
      ],
      [
        "signed ten minutes in the future",
        async (o) => {
          const p = event(o.genuine);
          return post(p, await header(p, undefined, Math.floor(Date.now() / 1000) + 600));
        },
      ],
      [
        "payload changed after signing",
        async (o) => {
          const p = event({ ...o.genuine, amount: 1 });
          return post(p.replace('"amount":1', `"amount":${o.totalMinor}`), await header(p));
        },
      ],
      [
        "signed, for a PaymentIntent the order never created",
        async (o) => {
          const p = event({ ...o.genuine, id: o.strangerId });
          return post(p, await header(p));
        },
      ],
      [
        "signed, in another currency",
        async (o) => {
          const p = event({ ...o.genuine, currency: "usd" });
          return post(p, await header(p));
        },
      ],
      [
        "signed, for one cent less",
        async (o) => {
          const p = event({ ...o.genuine, amount: o.totalMinor - 1, amount_received: o.totalMinor - 1 });
          return post(p, await header(p));
        },
      ],
      [
        "signed, naming another order",
        async (o) => {
          const p = event({ ...o.genuine, metadata: { order_id: crypto.randomUUID() } });
          return post(p, await header(p));
        },
      ],
      [
        "signed, with no order named",
        async (o) => {
          const p = event({ ...o.genuine, metadata: {} });
          return post(p, await header(p));
        },
      ],
      [
        "signed, another event type carrying the intent",
        async (o) => {
          const p = event(o.genuine, "charge.succeeded");
          return post(p, await header(p));
        },
      ],
      [
        "over 64 KiB",
        async (o) => {
          const p = event({ ...o.genuine, description: "x".repeat(70_000) });
          return post(p, await header(p));
        },
      ],
    ];
    let last: Target | undefined;
    for (const [name, send] of cases) {
      // A fresh unpaid order with its own PaymentIntent for every case, so one case cannot hide another.
      const placed = await placeWithIntent();
      const stranger = await testStripe().paymentIntents.create({
        amount: placed.totalMinor,
        currency: "eur",
        metadata: { order_id: placed.orderId },
        automatic_payment_methods: { enabled: true, allow_redirects: "never" },
      });
      const o: Target = {
        orderId: placed.orderId,
        totalMinor: placed.totalMinor,
        strangerId: stranger.id,
        genuine: {
          id: placed.intentId,
          amount: placed.totalMinor,
          amount_received: placed.totalMinor,
          currency: "eur",
          metadata: { order_id: placed.orderId },
        },
      };
      const res = await send(o);
      const after = await status(o.orderId);
      t.expect(
        res.status < 500 && after.status === "placed" && after.paidMinor === 0,
        true,
        () => `${name}: ${res.status}, order ${after.status} paid ${after.paidMinor}`,
      );
      last = o;
    }
    // The control: the genuine, correctly signed event does pay the order.
    const control = last as Target;
    expect((await signedWebhook(event(control.genuine))).status).toBe(200);
    expect(await status(control.orderId)).toMatchObject({ status: "paid", paidMinor: control.totalMinor });
    t.report();
    expect(t.wrong).toEqual([]);
  });
});
