// Refunds made in Stripe and disputes reach the ledger through the signed
// webhook, once per Stripe event however often it is delivered; refunds the
// platform made itself are left to the order's own events.
import { inArray, like } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { ledgerEntries, ledgerTransactions } from "../../db/schema-ledger.ts";
import { PLATFORM } from "../../domain/ledger/accounts.ts";
import { signedWebhook, testStripe } from "../../test/stripe.ts";
import { testEnv } from "../../test/world.ts";

async function eventPayloads(type: string, objectId: (o: Record<string, unknown>) => boolean): Promise<string[]> {
  const list = await testStripe().events.list({ limit: 100 });
  return list.data
    .filter((e) => e.type === type && objectId(e.data.object as unknown as Record<string, unknown>))
    .map((e) => JSON.stringify(e));
}

async function deliverTwice(payload: string) {
  const first = await signedWebhook(payload);
  const second = await signedWebhook(payload);
  return [first.status, await first.json(), second.status, await second.json()];
}

async function booked(keyPrefix: string) {
  const { db, close } = openDb(testEnv);
  try {
    const txs = await db
      .select()
      .from(ledgerTransactions)
      .where(like(ledgerTransactions.idempotencyKey, `${keyPrefix}%`));
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
    return { txs, balance };
  } finally {
    await close();
  }
}

async function paid(paymentMethod: string, amount = 2500): Promise<Stripe.PaymentIntent> {
  return testStripe().paymentIntents.create({
    amount,
    currency: "eur",
    payment_method: paymentMethod,
    confirm: true,
    metadata: { order_id: crypto.randomUUID() },
  });
}

describe("Stripe webhooks in the ledger", () => {
  it("books a refund made in Stripe once, and not one the platform made", async () => {
    const intent = await paid("pm_card_visa");
    const outside = await testStripe().refunds.create({ payment_intent: intent.id, amount: 700 });
    const ours = await testStripe().refunds.create({
      payment_intent: intent.id,
      amount: 300,
      metadata: { order_id: "x", event_id: "e" },
    });
    const payloads = await eventPayloads("charge.refunded", (o) => o.payment_intent === intent.id);
    expect(payloads).toHaveLength(2);
    for (const payload of payloads) {
      const [s1, , s2, b2] = await deliverTwice(payload);
      expect([s1, s2]).toEqual([200, 200]);
      expect(b2).toMatchObject({ duplicate: true, booked: 0 });
    }
    expect((await booked(`refund:${outside.id}`)).txs).toHaveLength(1);
    expect((await booked(`refund:${outside.id}`)).balance(PLATFORM.customerRefunds)).toBe(700);
    expect((await booked(`refund:${ours.id}`)).txs).toHaveLength(0);
  });

  it("books a dispute opened then lost, and one opened then won, once each", async () => {
    const lostIntent = await paid("pm_card_createDispute", 3000);
    const wonIntent = await paid("pm_card_createDispute", 2000);
    const disputeOf = async (intentId: string) => {
      const [payload] = await eventPayloads("charge.dispute.created", (o) => o.payment_intent === intentId);
      if (!payload) throw new Error("no dispute event");
      return { payload, id: (JSON.parse(payload) as { data: { object: { id: string } } }).data.object.id };
    };
    const lost = await disputeOf(lostIntent.id);
    const won = await disputeOf(wonIntent.id);
    await deliverTwice(lost.payload);
    await deliverTwice(won.payload);
    await testStripe().disputes.close(lost.id);
    await testStripe().disputes.update(won.id, { evidence: { uncategorized_text: "winning_evidence" } });
    for (const d of [lost, won]) {
      const [closed] = await eventPayloads("charge.dispute.closed", (o) => o.id === d.id);
      if (!closed) throw new Error("no closed event");
      const [status, body] = await deliverTwice(closed);
      expect(status).toBe(200);
      expect(body).toMatchObject({ duplicate: false, booked: 1 });
    }
    const l = await booked(`dispute:${lost.id}`);
    expect(l.txs.map((t) => t.kind).sort()).toEqual(["dispute_lost", "dispute_opened"]);
    expect(l.balance(PLATFORM.disputes)).toBe(0);
    expect(l.balance(PLATFORM.customerRefunds)).toBe(3000);
    expect(l.balance(PLATFORM.stripeFees)).toBe(1500);
    const w = await booked(`dispute:${won.id}`);
    expect(w.balance(PLATFORM.disputes)).toBe(0);
    expect(w.balance(PLATFORM.stripeBalance)).toBe(-1500);
  });

  it("refuses an unsigned dispute event and books nothing", async () => {
    const res = await (await import("../../test/world.ts")).api("/v1/webhooks/stripe", {
      method: "POST",
      body: JSON.stringify({ id: "evt_forged", type: "charge.dispute.created", data: { object: {} } }),
      headers: { "stripe-signature": "t=1,v1=00", "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
  });
});
