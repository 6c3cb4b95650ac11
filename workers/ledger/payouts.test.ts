// Connect onboarding and the payout run against the stand-in with the real
// SDK: a restaurant's staff and a courier open Express accounts, finish
// onboarding on the link, and a run transfers what the ledger says each is
// owed, once per period however often it runs; an open dispute holds back the
// restaurant's share of that order. Refusals for strangers and bad input.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { payouts } from "../../db/schema-ledger.ts";
import { courierAccount, restaurantAccount } from "../../domain/ledger/accounts.ts";
import type { OrderEvent, OrderEventMessage } from "../../domain/order/order-event.ts";
import { testStripe } from "../../test/stripe.ts";
import { api, createWorld, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";
import worker from "../index.ts";
import { accountBalances } from "./write.ts";

let world: World;
let tokens: WorldTokens;
const URLS = { returnUrl: "https://app.example/done", refreshUrl: "https://app.example/again" };

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

function deliveredOrder(): OrderEventMessage[] {
  const id = crypto.randomUUID();
  const order: OrderEventMessage["order"] = {
    id,
    customerId: world.ids.customer,
    restaurantId: world.restaurantId,
    idempotencyKey: `payout-${id}`,
    fingerprint: "",
    menuVersion: 1,
    currency: "EUR",
    lines: [
      {
        lineNo: 1,
        itemId: world.itemId,
        name: "Pizza",
        quantity: 1,
        unitPriceMinor: 2000,
        options: [],
        lineTotalMinor: 2000,
      },
    ],
    subtotalMinor: 2000,
    deliveryFeeMinor: 300,
    serviceFeeMinor: 100,
    taxMinor: 0,
    tipMinor: 200,
    totalMinor: 2600,
    deliveryAddress: world.address,
    restaurantLocation: { lat: 38.71, lng: -9.137 },
    placedAt: Date.now() - 60_000,
    courierId: world.ids.courier,
    prepTimeMinutes: null,
  };
  const steps: Array<[string, string, Record<string, unknown>]> = [
    ["order.placed", "placed", {}],
    ["order.paid", "paid", { paymentIntentId: `pi_${id}`, amountMinor: 2600 }],
    ["order.delivered", "delivered", {}],
  ];
  return steps.map(([type, state, payload], i) => ({
    kind: "order_event",
    event: {
      id: crypto.randomUUID(),
      orderId: id,
      seq: i + 1,
      type,
      actorId: "system",
      actorRole: "system",
      at: Date.now() - 50_000 + i,
      payload: { state, delivery: state === "delivered" ? "delivered" : "none", ...payload },
      state: state as "placed",
      delivery: state === "delivered" ? "delivered" : "none",
    } as OrderEvent,
    order,
  }));
}

async function project(messages: OrderEventMessage[]) {
  const batch = createMessageBatch(
    "events",
    messages.map((body, i) => ({ id: `payout-${body.event.id}-${i}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv, ctx);
  await getQueueResult(batch, ctx);
}

async function owed(account: string): Promise<number> {
  const { db, close } = openDb(testEnv);
  try {
    return 0 - ((await accountBalances(db, account)).find((b) => b.currency === "EUR")?.balanceMinor ?? 0) || 0;
  } finally {
    await close();
  }
}

async function onboard(path: string, token: string) {
  const res = await api(path, { method: "POST", token, json: URLS });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { stripeAccountId: string; onboardingUrl: string; payoutsEnabled: boolean };
  expect(body.payoutsEnabled).toBe(false);
  const opened = await fetch(body.onboardingUrl, { redirect: "manual" });
  expect(opened.status).toBe(302);
  return body;
}

describe("payouts", () => {
  it("onboards, then pays each account what it is owed once per period", async () => {
    // The platform's Stripe balance needs the money the transfers take.
    await testStripe().paymentIntents.create({
      amount: 100_000,
      currency: "eur",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    const restaurant = await onboard(`/v1/restaurants/${world.restaurantId}/payout-account`, tokens.staff);
    const again = await api(`/v1/restaurants/${world.restaurantId}/payout-account`, {
      method: "POST",
      token: tokens.staff,
      json: URLS,
    });
    // The same account, a fresh link; and now Stripe says it can be paid.
    expect(await again.json()).toMatchObject({ stripeAccountId: restaurant.stripeAccountId, payoutsEnabled: true });
    const courier = await onboard("/v1/couriers/me/payout-account", tokens.courier);
    await api("/v1/couriers/me/payout-account", { method: "POST", token: tokens.courier, json: URLS });

    await project(deliveredOrder());
    await project(deliveredOrder());
    expect(await owed(restaurantAccount(world.restaurantId))).toBe(2 * 1700);
    expect(await owed(courierAccount(world.ids.courier))).toBe(2 * 500);

    const period = "2031-01-01";
    const run = async () => {
      const res = await api("/v1/admin/payouts/run", { method: "POST", token: tokens.admin, json: { period } });
      expect(res.status).toBe(200);
      return (await res.json()) as { transferred: number };
    };
    const [first, second] = await Promise.all([run(), run()]);
    const third = await run();
    expect(third).toMatchObject({ transferred: 0 });
    const transferred = first.transferred + second.transferred;
    expect(transferred).toBeLessThanOrEqual(4);
    expect(await owed(restaurantAccount(world.restaurantId))).toBe(0);
    expect(await owed(courierAccount(world.ids.courier))).toBe(0);

    const transfers = await testStripe().transfers.list({ limit: 100 });
    const mine = transfers.data.filter((t) =>
      [restaurant.stripeAccountId, courier.stripeAccountId].includes(t.destination as string),
    );
    expect(mine.map((t) => t.amount).sort()).toEqual([1000, 3400]);
    expect(mine.every((t) => t.transfer_group === `payout_${period}`)).toBe(true);
    const { db, close } = openDb(testEnv);
    try {
      const rows = await db.select().from(payouts).where(eq(payouts.period, period));
      expect(rows.filter((r) => r.stripeAccountId === restaurant.stripeAccountId)).toMatchObject([
        { status: "paid", amountMinor: 3400 },
      ]);
    } finally {
      await close();
    }
  });

  it("refuses strangers and bad links", async () => {
    const other = await api(`/v1/restaurants/${world.otherRestaurantId}/payout-account`, {
      method: "POST",
      token: tokens.staff,
      json: URLS,
    });
    expect(other.status).toBe(403);
    const customer = await api("/v1/couriers/me/payout-account", {
      method: "POST",
      token: tokens.customer,
      json: URLS,
    });
    expect(customer.status).toBe(403);
    const badUrl = await api(`/v1/restaurants/${world.restaurantId}/payout-account`, {
      method: "POST",
      token: tokens.staff,
      json: { returnUrl: "javascript:alert(1)", refreshUrl: URLS.refreshUrl },
    });
    expect(badUrl.status).toBe(400);
    const notAdmin = await api("/v1/admin/payouts/run", { method: "POST", token: tokens.staff, json: {} });
    expect(notAdmin.status).toBe(403);
    const badPeriod = await api("/v1/admin/payouts/run", {
      method: "POST",
      token: tokens.admin,
      json: { period: "tomorrow" },
    });
    expect(badPeriod.status).toBe(400);
  });
});
