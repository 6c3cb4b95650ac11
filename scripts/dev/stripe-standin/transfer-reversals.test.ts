// Transfer reversals on the stand-in, driven with the real `stripe` SDK.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StripeStandin, startStripeStandin } from "./server.ts";

let standin: StripeStandin;
let stripe: Stripe;

beforeAll(async () => {
  standin = await startStripeStandin({ webhookSecret: "whsec_rev", apiKey: "sk_test_rev" });
  const url = new URL(standin.url);
  stripe = new Stripe("sk_test_rev", { host: url.hostname, port: Number(url.port), protocol: "http" });
});

afterAll(async () => {
  await standin.close();
});

async function transferOf(amount: number): Promise<Stripe.Transfer> {
  const account = await stripe.accounts.create({ type: "express", country: "PT" });
  const link = await stripe.accountLinks.create({
    account: account.id,
    type: "account_onboarding",
    refresh_url: "http://app.test/r",
    return_url: "http://app.test/d",
  });
  await fetch(link.url, { redirect: "manual" });
  await stripe.paymentIntents.create({
    amount: amount * 2,
    currency: "eur",
    payment_method: "pm_card_visa",
    confirm: true,
  });
  return stripe.transfers.create({ amount, currency: "eur", destination: account.id });
}

describe("stand-in transfer reversals", () => {
  it("reverses a transfer whole, once per idempotency key, and books a transfer_refund", async () => {
    const transfer = await transferOf(1800);
    const before = await stripe.balance.retrieve();
    const reversal = await stripe.transfers.createReversal(
      transfer.id,
      { metadata: { payout: "po_1" } },
      { idempotencyKey: "transfer-reversal:po_1" },
    );
    expect(reversal).toMatchObject({
      object: "transfer_reversal",
      amount: 1800,
      currency: "eur",
      transfer: transfer.id,
      metadata: { payout: "po_1" },
      source_refund: null,
    });
    expect(reversal.id).toMatch(/^trr_/);
    const again = await stripe.transfers.createReversal(
      transfer.id,
      { metadata: { payout: "po_1" } },
      {
        idempotencyKey: "transfer-reversal:po_1",
      },
    );
    expect(again.id).toBe(reversal.id);

    const after = await stripe.transfers.retrieve(transfer.id);
    expect(after).toMatchObject({ amount_reversed: 1800, reversed: true });
    expect(after.reversals.data.map((r) => r.id)).toEqual([reversal.id]);
    expect((await stripe.transfers.retrieveReversal(transfer.id, reversal.id)).amount).toBe(1800);
    expect((await stripe.transfers.listReversals(transfer.id)).data).toHaveLength(1);

    const txn = await stripe.balanceTransactions.retrieve(reversal.balance_transaction as string).catch(() => null);
    const listed = await stripe.balanceTransactions.list({ limit: 5 });
    const booked = listed.data.find((t) => t.source === reversal.id);
    expect(booked ?? txn).toMatchObject({ type: "transfer_refund", amount: 1800, fee: 0, net: 1800 });
    const eur = (b: Stripe.Balance) => b.available.find((a) => a.currency === "eur")?.amount ?? 0;
    expect(eur(await stripe.balance.retrieve()) - eur(before)).toBe(1800);
    expect(standin.events.some((e) => e.type === "transfer.reversed")).toBe(true);
  });

  it("refuses to reverse more than is left, and an unknown transfer", async () => {
    const transfer = await transferOf(500);
    await stripe.transfers.createReversal(transfer.id, { amount: 200 });
    await expect(stripe.transfers.createReversal(transfer.id, { amount: 301 })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      param: "amount",
    });
    const rest = await stripe.transfers.createReversal(transfer.id);
    expect(rest.amount).toBe(300);
    await expect(stripe.transfers.createReversal(transfer.id)).rejects.toMatchObject({ param: "amount" });
    await expect(stripe.transfers.createReversal("tr_missing")).rejects.toMatchObject({ code: "resource_missing" });
  });
});
