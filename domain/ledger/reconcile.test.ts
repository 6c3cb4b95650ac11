import { describe, expect, it } from "vitest";
import { reconcile } from "./reconcile.ts";

describe("reconcile", () => {
  it("is empty when both sides agree, and names every injected difference", () => {
    const stripe = [
      { ref: "charge:pi_1", currency: "eur", amountMinor: 2600 },
      { ref: "refund:re_1", currency: "eur", amountMinor: -500 },
      { ref: "transfer:tr_1", currency: "eur", amountMinor: -1700 },
    ];
    const ledger = [
      { ref: "charge:pi_1", currency: "EUR", amountMinor: 2600 },
      { ref: "refund:re_1", currency: "EUR", amountMinor: -500 },
      { ref: "transfer:tr_1", currency: "EUR", amountMinor: -1700 },
    ];
    expect(reconcile(stripe, ledger)).toEqual([]);
    const diffs = reconcile(
      [...stripe, { ref: "refund:re_2", currency: "eur", amountMinor: -100 }],
      [
        { ref: "charge:pi_1", currency: "EUR", amountMinor: 2500 },
        ledger[1] as (typeof ledger)[number],
        ledger[2] as (typeof ledger)[number],
        { ref: "transfer:tr_9", currency: "EUR", amountMinor: -50 },
      ],
    );
    expect(diffs).toEqual([
      { ref: "charge:pi_1", kind: "amount_mismatch", currency: "EUR", stripeMinor: 2600, ledgerMinor: 2500 },
      { ref: "refund:re_2", kind: "missing_in_ledger", currency: "EUR", stripeMinor: -100, ledgerMinor: null },
      { ref: "transfer:tr_9", kind: "missing_in_stripe", currency: "EUR", stripeMinor: null, ledgerMinor: -50 },
    ]);
  });

  it("does not report a Stripe item whose booking fell just outside the window", () => {
    const stripe = [{ ref: "charge:pi_2", currency: "eur", amountMinor: 100 }];
    expect(reconcile(stripe, [], [{ ref: "charge:pi_2", currency: "EUR", amountMinor: 100 }])).toEqual([]);
  });
});
