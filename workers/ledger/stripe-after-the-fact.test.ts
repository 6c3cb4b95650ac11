// Connected accounts' payouts settling or bouncing, and refunds failing after
// creation, reach the ledger through the signed webhook once per Stripe event;
// events about payouts or refunds the platform never made change nothing.
import { eq, like } from "drizzle-orm";
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { ledgerTransactions, payouts } from "../../db/schema-ledger.ts";
import { courierAccount } from "../../domain/ledger/accounts.ts";
import { bookPayout, payoutKey } from "../../domain/ledger/payouts.ts";
import { signedWebhook, testStripe } from "../../test/stripe.ts";
import { testEnv } from "../../test/world.ts";
import { accountBalances, writeBookings } from "./write.ts";

async function withDb<T>(run: (db: ReturnType<typeof openDb>["db"]) => Promise<T>): Promise<T> {
  const { db, close } = openDb(testEnv);
  try {
    return await run(db);
  } finally {
    await close();
  }
}

async function latestEvent(type: string, objectId: string): Promise<string> {
  const list = await testStripe().events.list({ limit: 100 });
  const event = list.data.find((e) => e.type === type && (e.data.object as { id?: string }).id === objectId);
  if (!event) throw new Error(`no ${type} for ${objectId}`);
  return JSON.stringify(event);
}

async function deliver(payload: string) {
  const res = await signedWebhook(payload);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A connected account paid by a transfer, with the payout row and booking the payout run leaves. */
async function transferred(amount: number) {
  const stripe = testStripe();
  const account = await stripe.accounts.create({ type: "express", country: "PT" });
  const link = await stripe.accountLinks.create({
    account: account.id,
    type: "account_onboarding",
    refresh_url: "https://app.example/again",
    return_url: "https://app.example/done",
  });
  await fetch(link.url, { redirect: "manual" });
  await stripe.paymentIntents.create({
    amount: amount * 2,
    currency: "eur",
    payment_method: "pm_card_visa",
    confirm: true,
  });
  const transfer = await stripe.transfers.create({ amount, currency: "eur", destination: account.id });
  const ledgerAccount = courierAccount(crypto.randomUUID());
  const plan = { account: ledgerAccount, currency: "EUR", amountMinor: amount, period: "2026-11-29", key: "" };
  plan.key = payoutKey(ledgerAccount, "EUR", plan.period);
  await withDb(async (db) => {
    await db.insert(payouts).values({
      ledgerAccountId: ledgerAccount,
      stripeAccountId: account.id,
      period: plan.period,
      currency: "EUR",
      amountMinor: amount,
      status: "paid",
      stripeTransferId: transfer.id,
      idempotencyKey: plan.key,
    });
    await db.transaction((tx) => writeBookings(tx, [bookPayout(plan, Date.now())]));
  });
  return { transfer, ledgerAccount, key: plan.key };
}

async function settle(transferId: string, outcome: "paid" | "failed"): Promise<Stripe.Payout> {
  const res = await testStripe().rawRequest("POST", `/v1/test_helpers/transfers/${transferId}/payout`, {
    outcome,
    ...(outcome === "failed" ? { failure_code: "account_closed" } : {}),
  });
  return res as unknown as Stripe.Payout;
}

const payoutRow = (key: string) =>
  withDb(async (db) => (await db.select().from(payouts).where(eq(payouts.idempotencyKey, key)))[0]);

describe("payout webhooks (Connect)", () => {
  it("payout.paid settles the payout row and books nothing, once", async () => {
    const t = await transferred(1100);
    const payout = await settle(t.transfer.id, "paid");
    const payload = await latestEvent("payout.paid", payout.id);
    expect(JSON.parse(payload).account).toBe(t.transfer.destination);
    const first = await deliver(payload);
    const second = await deliver(payload);
    expect(first).toMatchObject({ status: 200, body: { duplicate: false, booked: 0 } });
    expect(first.body.ignored).toBeUndefined();
    expect(second).toMatchObject({ status: 200, body: { duplicate: true, booked: 0 } });
    expect((await payoutRow(t.key))?.status).toBe("settled");
  });

  it("payout.failed marks the row failed and books the reversal once: the account is owed again", async () => {
    const t = await transferred(1300);
    await withDb(async (db) =>
      expect(await accountBalances(db, t.ledgerAccount)).toEqual([{ currency: "EUR", balanceMinor: 1300 }]),
    );
    const payout = await settle(t.transfer.id, "failed");
    const payload = await latestEvent("payout.failed", payout.id);
    expect(await deliver(payload)).toMatchObject({ status: 200, body: { duplicate: false, booked: 1 } });
    expect(await deliver(payload)).toMatchObject({ status: 200, body: { duplicate: true, booked: 0 } });
    expect((await payoutRow(t.key))?.status).toBe("failed");
    await withDb(async (db) => {
      // Paid out then reversed: back to zero here, owed again from what the orders booked.
      expect(await accountBalances(db, t.ledgerAccount)).toEqual([{ currency: "EUR", balanceMinor: 0 }]);
      const reversal = await db
        .select()
        .from(ledgerTransactions)
        .where(eq(ledgerTransactions.idempotencyKey, `payout-failed:${payout.id}`));
      expect(reversal.map((r) => r.kind)).toEqual(["payout_failed"]);
    });
    // The money came back from the connected account: one reversal, whole, tagged with the payout,
    // and its balance transaction reconciles with the booking.
    const back = await testStripe().transfers.retrieve(t.transfer.id);
    expect(back).toMatchObject({ amount_reversed: 1300, reversed: true });
    expect(back.reversals.data.map((r) => [r.amount, r.metadata?.payout])).toEqual([[1300, payout.id]]);
    const txns = await testStripe().balanceTransactions.list({ limit: 20, expand: ["data.source"] });
    const refund = txns.data.find(
      (x) => x.type === "transfer_refund" && (x.source as { id?: string })?.id === back.reversals.data[0]?.id,
    );
    expect(refund).toMatchObject({ amount: 1300 });
    const source = refund?.source as Stripe.TransferReversal | undefined;
    expect(source?.metadata?.payout).toBe(payout.id);
  });

  it("payout.failed redelivered after a lost booking reverses the transfer once (idempotent per payout)", async () => {
    const t = await transferred(700);
    const payout = await settle(t.transfer.id, "failed");
    const payload = await latestEvent("payout.failed", payout.id);
    // As if the first delivery reversed the transfer and then failed before committing its booking.
    await testStripe().transfers.createReversal(
      t.transfer.id,
      { amount: 700, metadata: { payout: payout.id } },
      { idempotencyKey: `transfer-reversal:${payout.id}` },
    );
    expect(await deliver(payload)).toMatchObject({ status: 200, body: { duplicate: false, booked: 1 } });
    const back = await testStripe().transfers.retrieve(t.transfer.id);
    expect(back.amount_reversed).toBe(700);
    expect(back.reversals.data).toHaveLength(1);
  });

  it("acknowledges and ignores a payout of an account the platform never paid", async () => {
    const t = await transferred(700);
    await withDb((db) =>
      db.update(payouts).set({ stripeAccountId: "acct_someone_else" }).where(eq(payouts.idempotencyKey, t.key)),
    );
    const payout = await settle(t.transfer.id, "failed");
    const res = await deliver(await latestEvent("payout.failed", payout.id));
    expect(res).toMatchObject({ status: 200, body: { duplicate: false, booked: 0 } });
    expect(String(res.body.ignored)).toContain(payout.id);
    expect((await payoutRow(t.key))?.status).toBe("paid");
  });
});

describe("refund failures", () => {
  it("refund.failed reverses a refund's booking once (refund.updated too), and an unknown refund is ignored", async () => {
    const stripe = testStripe();
    const intent = await stripe.paymentIntents.create({
      amount: 2400,
      currency: "eur",
      payment_method: "pm_card_visa",
      confirm: true,
      metadata: { order_id: crypto.randomUUID() },
    });
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 900 });
    await deliver(await latestEvent("charge.refunded", intent.latest_charge as string));
    await stripe.rawRequest("POST", `/v1/test_helpers/refunds/${refund.id}/fail`, {
      failure_reason: "lost_or_stolen_card",
    });
    const failed = await latestEvent("refund.failed", refund.id);
    const updated = await latestEvent("refund.updated", refund.id);
    expect(await deliver(updated)).toMatchObject({ status: 200, body: { duplicate: false, booked: 1 } });
    expect(await deliver(failed)).toMatchObject({ status: 200, body: { duplicate: false, booked: 0 } });
    expect(await deliver(failed)).toMatchObject({ status: 200, body: { duplicate: true, booked: 0 } });
    await withDb(async (db) => {
      const txs = await db
        .select()
        .from(ledgerTransactions)
        .where(like(ledgerTransactions.idempotencyKey, `%${refund.id}`));
      expect(txs.map((t) => t.kind).sort()).toEqual(["refund_failed", "refund_outside_platform"]);
    });

    // A refund the platform has no record of (its charge.refunded never arrived).
    const other = await stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
    await stripe.rawRequest("POST", `/v1/test_helpers/refunds/${other.id}/fail`, {});
    const res = await deliver(await latestEvent("refund.failed", other.id));
    expect(res).toMatchObject({ status: 200, body: { duplicate: false, booked: 0 } });
    expect(String(res.body.ignored)).toContain(other.id);
  });
});
