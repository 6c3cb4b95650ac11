// Dev-only: a connected account's automatic payout of a transfer reaching its
// bank or bouncing, which real Stripe does on its own schedule.

import type { ConnectDeps, Payout } from "./connect-objects.ts";
import type { ConnectTransfers } from "./connect-transfers.ts";
import type { FormObject } from "./form.ts";
import { newId, nowSeconds, randomToken } from "./objects.ts";

/** Stripe's payout failure codes the stand-in can simulate, with their messages. */
const PAYOUT_FAILURES: Record<string, string> = {
  account_closed: "The bank account has been closed.",
  no_account:
    "The bank account details on file are probably incorrect. No bank account could be located with those details.",
  insufficient_funds: "Your Stripe account has insufficient funds to cover the payout.",
};

const PAYOUT_SETTLE_PARAMS = new Set(["outcome", "failure_code"]);

export function createPayouts(deps: ConnectDeps, transfers: ConnectTransfers) {
  const payoutsByTransfer = new Map<string, Payout>();

  /**
   * Dev-only: the connected account's automatic payout of a transfer reaches
   * its bank (payout.paid) or bounces (payout.failed, the money back in the
   * connected account's balance), sent as a Connect event naming the account.
   * Once per transfer.
   */
  function settlePayout(params: FormObject, transferId: string): Payout {
    deps.checkKnown(params, PAYOUT_SETTLE_PARAMS);
    const transfer = transfers.getTransfer(transferId);
    if (payoutsByTransfer.has(transferId)) {
      throw deps.stateError(`The payout of transfer ${transferId} has already settled.`, "payout_already_settled");
    }
    const outcome = deps.optString(params, "outcome") ?? "paid";
    if (outcome !== "paid" && outcome !== "failed") {
      throw deps.invalidParam("Invalid outcome: must be one of paid or failed", "outcome");
    }
    const failureCode = outcome === "failed" ? (deps.optString(params, "failure_code") ?? "account_closed") : null;
    if (failureCode && !PAYOUT_FAILURES[failureCode]) {
      throw deps.invalidParam(
        `Invalid failure_code: must be one of ${Object.keys(PAYOUT_FAILURES).join(", ")}`,
        "failure_code",
      );
    }
    const payout: Payout = {
      id: newId("po"),
      object: "payout",
      amount: transfer.amount,
      arrival_date: nowSeconds(),
      automatic: true,
      balance_transaction: newId("txn"),
      created: nowSeconds(),
      currency: transfer.currency,
      description: "STRIPE PAYOUT",
      destination: `ba_${randomToken(16)}`,
      failure_balance_transaction: failureCode ? newId("txn") : null,
      failure_code: failureCode,
      failure_message: failureCode ? (PAYOUT_FAILURES[failureCode] ?? null) : null,
      livemode: false,
      metadata: {},
      method: "standard",
      original_payout: null,
      reconciliation_status: failureCode ? "not_applicable" : "completed",
      reversed_by: null,
      source_type: "card",
      statement_descriptor: null,
      status: outcome,
      type: "bank_account",
    };
    payoutsByTransfer.set(transferId, payout);
    deps.emit(outcome === "paid" ? "payout.paid" : "payout.failed", payout, transfer.destination);
    return payout;
  }

  const ID = "([A-Za-z0-9_]+)";
  const routes = [
    {
      method: "POST" as const,
      pattern: new RegExp(`^/v1/test_helpers/transfers/${ID}/payout$`),
      handler: ({ params }: { params: FormObject }, id: string) => structuredClone(settlePayout(params, id)),
    },
  ];

  return { routes };
}
