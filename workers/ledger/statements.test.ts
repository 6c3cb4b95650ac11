// Statements show a restaurant's and a courier's ledger lines and balance to
// them alone; the reconciliation report is empty where the ledger and Stripe
// agree and names each injected difference.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import type { OrderEvent, OrderEventMessage } from "../../domain/order/order-event.ts";
import { signedWebhook, testStripe } from "../../test/stripe.ts";
import { api, createWorld, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";
import worker from "../index.ts";
import { runDailyReconciliation } from "./reconciliation-runs.ts";

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

function paidAndDelivered(intentId: string, totalMinor = 2600): OrderEventMessage[] {
  const id = crypto.randomUUID();
  const order: OrderEventMessage["order"] = {
    id,
    customerId: world.ids.customer,
    restaurantId: world.restaurantId,
    idempotencyKey: `statement-${id}`,
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
    tipMinor: totalMinor - 2400,
    totalMinor,
    deliveryAddress: world.address,
    restaurantLocation: { lat: 38.71, lng: -9.137 },
    placedAt: Date.now() - 60_000,
    courierId: world.ids.courier,
    prepTimeMinutes: null,
  };
  const steps: Array<[string, string]> = [
    ["order.placed", "placed"],
    ["order.paid", "paid"],
    ["order.delivered", "delivered"],
  ];
  return steps.map(([type, state], i) => ({
    kind: "order_event",
    event: {
      id: crypto.randomUUID(),
      orderId: id,
      seq: i + 1,
      type,
      actorId: "system",
      actorRole: "system",
      at: Date.now() - 30_000 + i,
      payload: {
        state,
        delivery: state === "delivered" ? "delivered" : "none",
        ...(type === "order.paid" ? { paymentIntentId: intentId, amountMinor: totalMinor } : {}),
      },
      state: state as "placed",
      delivery: state === "delivered" ? "delivered" : "none",
    } as OrderEvent,
    order,
  }));
}

async function project(messages: OrderEventMessage[]) {
  const batch = createMessageBatch(
    "events",
    messages.map((body) => ({ id: `statement-${body.event.id}`, timestamp: Date.now(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv, ctx);
  await getQueueResult(batch, ctx);
}

async function pay(amount: number) {
  return testStripe().paymentIntents.create({ amount, currency: "eur", payment_method: "pm_card_visa", confirm: true });
}

describe("statements and reconciliation", () => {
  it("shows the restaurant and the courier their own lines and balance, and nobody else", async () => {
    const intent = await pay(2600);
    await project(paidAndDelivered(intent.id));
    const res = await api(`/v1/restaurants/${world.restaurantId}/statement`, { token: tokens.staff });
    expect(res.status).toBe(200);
    const statement = (await res.json()) as {
      balances: Array<{ currency: string; owedMinor: number }>;
      lines: Array<{ kind: string; amountMinor: number }>;
    };
    expect(statement.balances).toEqual([{ currency: "EUR", owedMinor: 1700, heldForDisputesMinor: 0 }]);
    expect(statement.lines).toMatchObject([{ kind: "order_delivered", amountMinor: 1700 }]);
    const courier = (await (await api("/v1/couriers/me/statement", { token: tokens.courier })).json()) as {
      lines: Array<{ memo: string; amountMinor: number }>;
    };
    expect(courier.lines.map((l) => `${l.memo}:${l.amountMinor}`).sort()).toEqual(["delivery pay:300", "tip:200"]);

    const stranger = await api(`/v1/restaurants/${world.otherRestaurantId}/statement`, { token: tokens.staff });
    expect(stranger.status).toBe(403);
    expect((await api("/v1/couriers/me/statement", { token: tokens.customer })).status).toBe(403);
    const tooLong = await api(
      `/v1/restaurants/${world.restaurantId}/statement?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z`,
      { token: tokens.staff },
    );
    expect(tooLong.status).toBe(400);
    expect(
      (await api(`/v1/restaurants/${world.restaurantId}/statement?limit=100000`, { token: tokens.staff })).status,
    ).toBe(400);
  });

  it("holds back the restaurant's share of an order under an open dispute, and releases it when the dispute is won", async () => {
    const intent = await testStripe().paymentIntents.create({
      amount: 2600,
      currency: "eur",
      payment_method: "pm_card_createDispute",
      confirm: true,
    });
    await project(paidAndDelivered(intent.id));
    const events = await testStripe().events.list({ limit: 100 });
    const created = events.data.find(
      (e) =>
        e.type === "charge.dispute.created" &&
        (e.data.object as { payment_intent?: string }).payment_intent === intent.id,
    );
    if (!created) throw new Error("no dispute event");
    expect((await signedWebhook(JSON.stringify(created))).status).toBe(200);
    const held = async () => {
      const res = await api(`/v1/restaurants/${world.restaurantId}/statement`, { token: tokens.staff });
      return ((await res.json()) as { balances: Array<{ heldForDisputesMinor: number }> }).balances[0]
        ?.heldForDisputesMinor;
    };
    expect(await held()).toBe(1700);
    const disputeId = (created.data.object as { id: string }).id;
    await testStripe().disputes.update(disputeId, { evidence: { uncategorized_text: "winning_evidence" } });
    const closed = (await testStripe().events.list({ limit: 100 })).data.find(
      (e) => e.type === "charge.dispute.closed" && (e.data.object as { id: string }).id === disputeId,
    );
    expect((await signedWebhook(JSON.stringify(closed))).status).toBe(200);
    expect(await held()).toBe(0);
  });

  it("reconciles: matched items are not differences; a wrong amount, an unbooked refund and a booking Stripe never saw are", async () => {
    const from = new Date(Date.now() - 5 * 60_000).toISOString();
    const matched = await pay(2600);
    const mismatched = await pay(2500);
    await project(paidAndDelivered(matched.id));
    await project(paidAndDelivered(mismatched.id, 2600));
    const unbooked = await testStripe().refunds.create({ payment_intent: matched.id, amount: 100 });
    const ghost = `pi_ghost${crypto.randomUUID().replaceAll("-", "")}`;
    await project(paidAndDelivered(ghost));
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await api(`/v1/admin/reconciliation?from=${from}&to=${to}`, { token: tokens.admin });
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      differences: Array<{ ref: string; kind: string; stripeMinor: number | null; ledgerMinor: number | null }>;
      cardFees: Array<{ currency: string; feesMinor: number }>;
    };
    const about = (ref: string) => report.differences.filter((d) => d.ref === ref);
    expect(about(`charge:${matched.id}`)).toEqual([]);
    expect(about(`charge:${mismatched.id}`)).toMatchObject([
      { kind: "amount_mismatch", stripeMinor: 2500, ledgerMinor: 2600 },
    ]);
    expect(about(`refund:${unbooked.id}`)).toMatchObject([{ kind: "missing_in_ledger", stripeMinor: -100 }]);
    expect(about(`charge:${ghost}`)).toMatchObject([{ kind: "missing_in_stripe", ledgerMinor: 2600 }]);
    expect(report.cardFees.find((f) => f.currency === "EUR")?.feesMinor).toBeGreaterThan(0);

    expect((await api("/v1/admin/reconciliation", { token: tokens.staff })).status).toBe(403);
    expect(
      (await api("/v1/admin/reconciliation?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z", { token: tokens.admin }))
        .status,
    ).toBe(400);
  });

  it("answers a month's statement, opening + lines = closing, as JSON or CSV, to its holder only", async () => {
    const intent = await pay(2600);
    await project(paidAndDelivered(intent.id));
    const month = new Date().toISOString().slice(0, 7);
    const res = await api(`/v1/couriers/me/statements/${month}`, { token: tokens.courier });
    expect(res.status).toBe(200);
    const statement = (await res.json()) as {
      totals: Array<{ currency: string; openingMinor: number; tipsMinor: number; closingMinor: number }>;
      lines: Array<{ amountMinor: number }>;
    };
    const eur = statement.totals.find((t) => t.currency === "EUR");
    expect(eur?.tipsMinor).toBeGreaterThanOrEqual(200);
    const sum = statement.lines.reduce((a, l) => a + l.amountMinor, 0);
    expect(eur?.closingMinor).toBe((eur?.openingMinor ?? 0) + sum);

    const csv = await api(`/v1/restaurants/${world.restaurantId}/statements/${month}?format=csv`, {
      token: tokens.staff,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("date,kind,order,memo,currency,amount_minor");
    expect(text).toContain('"closing"');
    expect(
      (await api(`/v1/restaurants/${world.otherRestaurantId}/statements/${month}`, { token: tokens.staff })).status,
    ).toBe(403);
    expect((await api(`/v1/couriers/me/statements/2026-13`, { token: tokens.courier })).status).toBe(400);
  });

  it("answers a month's statement as a printable HTML page, in Portuguese when asked, to its holder only", async () => {
    const intent = await pay(2600);
    await project(paidAndDelivered(intent.id));
    const month = new Date().toISOString().slice(0, 7);
    const page = await api(`/v1/restaurants/${world.restaurantId}/statements/${month}?format=html`, {
      token: tokens.staff,
      headers: { "accept-language": "pt-PT,pt;q=0.9" },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<html lang="pt">');
    expect(html).toContain("Extrato mensal");
    expect(html).toContain("Saldo final (a receber)");
    expect(html).not.toContain("<script");
    const courier = await api(`/v1/couriers/me/statements/${month}?format=html&lang=en`, { token: tokens.courier });
    expect(courier.status).toBe(200);
    expect(await courier.text()).toContain("Closing balance (owed to you)");
    // Refusals: another restaurant's page, an unknown format or language, no token.
    expect(
      (await api(`/v1/restaurants/${world.otherRestaurantId}/statements/${month}?format=html`, { token: tokens.staff }))
        .status,
    ).toBe(403);
    expect((await api(`/v1/couriers/me/statements/${month}?format=pdf`, { token: tokens.courier })).status).toBe(400);
    expect(
      (await api(`/v1/couriers/me/statements/${month}?format=html&lang=xx`, { token: tokens.courier })).status,
    ).toBe(400);
    expect((await api(`/v1/couriers/me/statements/${month}?format=html`, {})).status).toBe(401);
  });

  it("runs the daily reconciliation for the day before and keeps its report for admins", async () => {
    const ghost = `pi_ghost${crypto.randomUUID().replaceAll("-", "")}`;
    await project(paidAndDelivered(ghost));
    const { db, close } = openDb(testEnv);
    try {
      const run = await runDailyReconciliation(testEnv, db, Date.now() + 86_400_000);
      expect(run.period).toBe(new Date().toISOString().slice(0, 10));
      expect(run.differences).toBeGreaterThan(0);
      // A rerun of the same day replaces its report.
      await runDailyReconciliation(testEnv, db, Date.now() + 86_400_000);
    } finally {
      await close();
    }
    const res = await api("/v1/admin/reconciliation/runs", { token: tokens.admin });
    expect(res.status).toBe(200);
    const { runs } = (await res.json()) as {
      runs: Array<{ period: string; differences: number; report: { differences: Array<{ ref: string }> } }>;
    };
    const today = runs.filter((r) => r.period === new Date().toISOString().slice(0, 10));
    expect(today).toHaveLength(1);
    expect(today[0]?.report.differences.map((d) => d.ref)).toContain(`charge:${ghost}`);
    expect((await api("/v1/admin/reconciliation/runs", { token: tokens.staff })).status).toBe(403);
  });
});
