// The stand-in's Connect and money-movement slice: Express accounts and their
// onboarding links (connect-accounts.ts), transfers to them
// (connect-transfers.ts) and their payouts (connect-payouts.ts), disputes on a
// charge (connect-disputes.ts), and the platform's balance transactions for
// charges, refunds, disputes and transfers (connect-balance.ts), in Stripe's
// object shapes (connect-objects.ts). Split from server.ts, which routes to it
// and hands it the helpers it shares; this file wires the resources together.
import { createAccounts } from "./connect-accounts.ts";
import { cardFee, createBalance } from "./connect-balance.ts";
import { createDisputes, DISPUTE_CARD } from "./connect-disputes.ts";
import type { ConnectDeps } from "./connect-objects.ts";
import { createPayouts } from "./connect-payouts.ts";
import { createTransfers } from "./connect-transfers.ts";
import type { Charge, PaymentIntent, Refund } from "./objects.ts";

export function createConnect(deps: ConnectDeps) {
  const ledger = createBalance(deps);
  const accounts = createAccounts(deps);
  const transfers = createTransfers(deps, accounts, ledger);
  const payouts = createPayouts(deps, transfers);
  const disputes = createDisputes(deps, ledger);

  /** Called by server.ts when a charge succeeds: its balance transaction, and a dispute for the dispute card. */
  function chargeSucceeded(intent: PaymentIntent, charge: Charge, testPaymentMethod: string | undefined): void {
    ledger.record(
      "charge",
      charge.amount,
      cardFee(charge.amount),
      charge.currency,
      charge.id,
      `Charge for ${intent.id}`,
      charge.balance_transaction ?? undefined,
    );
    if (testPaymentMethod === DISPUTE_CARD) disputes.open(intent, charge);
  }

  function refundCreated(refund: Refund): void {
    ledger.record(
      "refund",
      -refund.amount,
      0,
      refund.currency,
      refund.id,
      "REFUND FOR CHARGE",
      refund.balance_transaction ?? undefined,
    );
  }

  function refundFailed(refund: Refund): string {
    return ledger.record("refund_failure", refund.amount, 0, refund.currency, refund.id, "REFUND FAILURE").id;
  }

  const routes = [...accounts.routes, ...transfers.routes, ...payouts.routes, ...disputes.routes, ...ledger.routes];

  return {
    routes,
    chargeSucceeded,
    refundCreated,
    refundFailed,
    completeOnboarding: accounts.completeOnboarding,
    accounts: accounts.accounts,
    disputes: disputes.disputes,
    transfers: transfers.transfers,
    balanceTransaction: ledger.record,
  };
}
