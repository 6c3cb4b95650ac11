// Connect, transfers, disputes and balance transactions on the stand-in,
// driven with the real `stripe` SDK as the platform drives them.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cardFee } from "./connect-balance.ts";
import { DISPUTE_FEE } from "./connect-disputes.ts";
import { type StripeStandin, signWebhookPayload, startStripeStandin } from "./server.ts";

let standin: StripeStandin;
let stripe: Stripe;

beforeAll(async () => {
  standin = await startStripeStandin({ webhookSecret: "whsec_connect", apiKey: "sk_test_connect" });
  const url = new URL(standin.url);
  stripe = new Stripe("sk_test_connect", { host: url.hostname, port: Number(url.port), protocol: "http" });
});

afterAll(async () => {
  await standin.close();
});

async function pay(amount: number, paymentMethod = "pm_card_visa") {
  const intent = await stripe.paymentIntents.create({
    amount,
    currency: "eur",
    payment_method: paymentMethod,
    confirm: true,
    transfer_group: "order_1",
    metadata: { order_id: "o1" },
  });
  return intent;
}

describe("stand-in Connect", () => {
  it("onboards an Express account through its link, then transfers to it with a transfer group", async () => {
    const account = await stripe.accounts.create({ type: "express", country: "PT", email: "r@example.test" });
    expect(account).toMatchObject({ object: "account", type: "express", payouts_enabled: false });
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: "account_onboarding",
      refresh_url: "http://app.test/refresh",
      return_url: "http://app.test/done",
    });
    expect(link.object).toBe("account_link");
    await expect(
      stripe.transfers.create({ amount: 100, currency: "eur", destination: account.id }),
    ).rejects.toMatchObject({ code: "insufficient_capabilities_for_transfer" });
    const opened = await fetch(link.url, { redirect: "manual" });
    expect(opened.status).toBe(302);
    expect(opened.headers.get("location")).toBe("http://app.test/done");
    expect((await stripe.accounts.retrieve(account.id)).payouts_enabled).toBe(true);

    await pay(5000);
    const transfer = await stripe.transfers.create(
      { amount: 2000, currency: "eur", destination: account.id, transfer_group: "order_1" },
      { idempotencyKey: "payout-1" },
    );
    const again = await stripe.transfers.create(
      { amount: 2000, currency: "eur", destination: account.id, transfer_group: "order_1" },
      { idempotencyKey: "payout-1" },
    );
    expect(again.id).toBe(transfer.id);
    expect(transfer).toMatchObject({ object: "transfer", amount: 2000, transfer_group: "order_1" });
    const txns = await stripe.balanceTransactions.list({ limit: 100 });
    const types = txns.data.map((t) => `${t.type}:${t.amount}:${t.fee}`);
    expect(types).toContain("transfer:-2000:0");
    expect(types).toContain(`charge:5000:${cardFee(5000)}`);
    await expect(
      stripe.transfers.create({ amount: 10_000_000, currency: "eur", destination: account.id }),
    ).rejects.toMatchObject({ code: "balance_insufficient" });
    expect(standin.events.map((e) => e.type)).toContain("account.updated");
  });

  /** The dispute in the latest `charge.dispute.created` event. */
  function lastDisputeCreated() {
    const object = standin.events.filter((e) => e.type === "charge.dispute.created").at(-1)?.data.object;
    if (object?.object !== "dispute") throw new Error("no charge.dispute.created event");
    return object;
  }

  it("disputes a payment made with the dispute card and closes the dispute by evidence", async () => {
    const intent = await pay(3000, "pm_card_createDispute");
    const dispute = lastDisputeCreated();
    expect(dispute).toMatchObject({
      object: "dispute",
      amount: 3000,
      payment_intent: intent.id,
      status: "needs_response",
    });
    expect(dispute.balance_transactions[0]).toMatchObject({ amount: -3000, fee: DISPUTE_FEE });
    const won = await stripe.disputes.update(dispute.id, { evidence: { uncategorized_text: "winning_evidence" } });
    expect(won.status).toBe("won");
    await expect(stripe.disputes.close(dispute.id)).rejects.toMatchObject({ code: "dispute_already_closed" });
    const other = await pay(1000, "pm_card_createDispute");
    const lost = lastDisputeCreated();
    expect(lost.payment_intent).toBe(other.id);
    expect((await stripe.disputes.close(lost.id)).status).toBe("lost");
    expect(standin.events.filter((e) => e.type === "charge.dispute.closed")).toHaveLength(2);
  });

  /** The latest event of a type, as the platform receives it: signed, then verified with the SDK's own verifier. */
  function verified(type: string): Stripe.Event {
    const event = standin.events.filter((e) => e.type === type).at(-1);
    if (!event) throw new Error(`no ${type} event`);
    const payload = JSON.stringify(event);
    const header = signWebhookPayload("whsec_connect", payload, Math.floor(Date.now() / 1000));
    return stripe.webhooks.constructEvent(payload, header, "whsec_connect");
  }

  it("settles a transfer's payout as paid or failed, sent as Connect events naming the account", async () => {
    const account = await stripe.accounts.create({ type: "express", country: "PT" });
    const link = await stripe.accountLinks.create({
      account: account.id,
      type: "account_onboarding",
      refresh_url: "http://app.test/r",
      return_url: "http://app.test/d",
    });
    await fetch(link.url, { redirect: "manual" });
    await pay(9000);
    const first = await stripe.transfers.create({ amount: 1200, currency: "eur", destination: account.id });
    const second = await stripe.transfers.create({ amount: 800, currency: "eur", destination: account.id });

    await stripe.rawRequest("POST", `/v1/test_helpers/transfers/${first.id}/payout`, { outcome: "paid" });
    const paid = verified("payout.paid");
    expect(paid.account).toBe(account.id);
    expect(paid.data.object).toMatchObject({ object: "payout", amount: 1200, status: "paid", failure_code: null });
    await expect(
      stripe.rawRequest("POST", `/v1/test_helpers/transfers/${first.id}/payout`, { outcome: "failed" }),
    ).rejects.toMatchObject({ code: "payout_already_settled" });

    await stripe.rawRequest("POST", `/v1/test_helpers/transfers/${second.id}/payout`, {
      outcome: "failed",
      failure_code: "no_account",
    });
    const failed = verified("payout.failed");
    expect(failed.account).toBe(account.id);
    expect(failed.data.object).toMatchObject({ amount: 800, status: "failed", failure_code: "no_account" });
    expect((failed.data.object as Stripe.Payout).failure_message).toMatch(/bank account/);
  });

  it("fails a refund after creation: refund.updated and refund.failed with failure_reason, money back", async () => {
    const intent = await pay(4000);
    const refund = await stripe.refunds.create({ payment_intent: intent.id, amount: 1500 });
    expect(refund.status).toBe("succeeded");
    await stripe.rawRequest("POST", `/v1/test_helpers/refunds/${refund.id}/fail`, {
      failure_reason: "lost_or_stolen_card",
    });
    for (const type of ["refund.updated", "refund.failed"]) {
      const event = verified(type);
      expect(event.data.object).toMatchObject({
        id: refund.id,
        status: "failed",
        failure_reason: "lost_or_stolen_card",
      });
    }
    const again = await stripe.refunds.retrieve(refund.id);
    expect(again.failure_balance_transaction).toMatch(/^txn_/);
    const txns = await stripe.balanceTransactions.list({ limit: 100 });
    expect(txns.data.map((t) => `${t.type}:${t.amount}`)).toContain("refund_failure:1500");
    expect((await stripe.charges.retrieve(refund.charge as string)).amount_refunded).toBe(0);
    await expect(stripe.rawRequest("POST", `/v1/test_helpers/refunds/${refund.id}/fail`, {})).rejects.toMatchObject({
      code: "refund_unexpected_state",
    });
  });
});
