// Disputes on a charge: opened when the dispute test card pays, decided at once
// when evidence is submitted, each step a balance transaction.
import type { BalanceLedger } from "./connect-balance.ts";
import type { ConnectDeps, Dispute } from "./connect-objects.ts";
import type { FormObject } from "./form.ts";
import { type Charge, newId, nowSeconds, type PaymentIntent } from "./objects.ts";

/** What Stripe charges for a dispute. */
export const DISPUTE_FEE = 1500;
/** The test card whose payment is disputed right after it succeeds, as Stripe's 4000 0000 0000 0259. */
export const DISPUTE_CARD = "pm_card_createDispute";

const DISPUTE_UPDATE_PARAMS = new Set(["evidence", "metadata", "submit", "expand"]);

export function createDisputes(deps: ConnectDeps, ledger: BalanceLedger) {
  const disputes = new Map<string, Dispute>();

  /** The charge is disputed right after it succeeds: the money and the fee go back. */
  function open(intent: PaymentIntent, charge: Charge): void {
    const disputeId = newId("dp");
    const fee = ledger.record(
      "adjustment",
      -charge.amount,
      DISPUTE_FEE,
      charge.currency,
      disputeId,
      "Chargeback withdrawal",
    );
    const dispute: Dispute = {
      id: disputeId,
      object: "dispute",
      amount: charge.amount,
      balance_transactions: [fee],
      charge: charge.id,
      created: nowSeconds(),
      currency: charge.currency,
      evidence: { uncategorized_text: null, product_description: null },
      evidence_details: {
        due_by: nowSeconds() + 7 * 86_400,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
      payment_intent: intent.id,
      reason: "fraudulent",
      status: "needs_response",
    };
    disputes.set(dispute.id, dispute);
    charge.disputed = true;
    deps.emit("charge.dispute.created", dispute);
  }

  function getDispute(id: string): Dispute {
    const dispute = disputes.get(id);
    if (!dispute) throw deps.resourceMissing("dispute", id);
    return dispute;
  }

  function closeDispute(dispute: Dispute, outcome: "won" | "lost"): Dispute {
    if (dispute.status === "won" || dispute.status === "lost") {
      throw deps.stateError(`This dispute is already closed (${dispute.status}).`, "dispute_already_closed");
    }
    dispute.status = outcome;
    if (outcome === "won") {
      dispute.balance_transactions.push(
        ledger.record("adjustment", dispute.amount, 0, dispute.currency, dispute.id, "Chargeback reversal"),
      );
    }
    deps.emit("charge.dispute.closed", dispute);
    return dispute;
  }

  /** Submitting evidence decides at once: the text `winning_evidence` wins, anything else loses (Stripe's test convention). */
  function updateDispute(params: FormObject, id: string): Dispute {
    deps.checkKnown(params, DISPUTE_UPDATE_PARAMS);
    const dispute = getDispute(id);
    const evidence = (params.evidence ?? {}) as FormObject;
    const text = deps.optString(evidence, "uncategorized_text");
    if (text !== undefined) dispute.evidence.uncategorized_text = text;
    dispute.evidence_details.has_evidence = true;
    dispute.evidence_details.submission_count++;
    dispute.metadata = deps.applyMetadata(dispute.metadata, params);
    return closeDispute(dispute, dispute.evidence.uncategorized_text === "winning_evidence" ? "won" : "lost");
  }

  const ID = "([A-Za-z0-9_]+)";
  const routes = [
    {
      method: "GET" as const,
      pattern: new RegExp(`^/v1/disputes/${ID}$`),
      handler: (_: unknown, id: string) => structuredClone(getDispute(id)),
    },
    {
      method: "POST" as const,
      pattern: new RegExp(`^/v1/disputes/${ID}$`),
      handler: ({ params }: { params: FormObject }, id: string) => structuredClone(updateDispute(params, id)),
    },
    {
      method: "POST" as const,
      pattern: new RegExp(`^/v1/disputes/${ID}/close$`),
      handler: (_: unknown, id: string) => structuredClone(closeDispute(getDispute(id), "lost")),
    },
  ];

  return { disputes, open, routes };
}
