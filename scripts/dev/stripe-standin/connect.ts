// The stand-in's Connect and money-movement slice: Express accounts and their
// onboarding links, transfers to them (with transfer groups), disputes on a
// charge, and the platform's balance transactions for charges, refunds,
// disputes and transfers, in Stripe's object shapes
// (reference: ../shared/stripe/fixtures3.json). Split from server.ts, which
// routes to it and hands it the helpers it shares.
import type { FormObject } from "./form.ts";
import {
  type Charge,
  type Metadata,
  newId,
  nowSeconds,
  type PaymentIntent,
  type Refund,
  randomToken,
} from "./objects.ts";
import type { TransferReversal } from "./transfer-reversals.ts";

export interface Account {
  id: string;
  object: "account";
  type: "express";
  business_profile: { name: string | null; url: string | null; mcc: string | null };
  business_type: string | null;
  capabilities: { card_payments?: "active" | "inactive"; transfers?: "active" | "inactive" };
  charges_enabled: boolean;
  country: string;
  created: number;
  default_currency: string;
  details_submitted: boolean;
  email: string | null;
  metadata: Metadata;
  payouts_enabled: boolean;
  requirements: { currently_due: string[]; disabled_reason: string | null; past_due: string[] };
  settings: { payouts: { schedule: { interval: "manual" | "daily" } } };
}

export interface AccountLink {
  object: "account_link";
  created: number;
  expires_at: number;
  url: string;
}

export interface Transfer {
  id: string;
  object: "transfer";
  amount: number;
  amount_reversed: number;
  balance_transaction: string;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  destination_payment: string;
  livemode: false;
  metadata: Metadata;
  reversals: { object: "list"; data: TransferReversal[]; has_more: false; url: string };
  reversed: boolean;
  source_transaction: string | null;
  source_type: "card";
  transfer_group: string | null;
}

export interface Dispute {
  id: string;
  object: "dispute";
  amount: number;
  balance_transactions: BalanceTransaction[];
  charge: string;
  created: number;
  currency: string;
  evidence: { uncategorized_text: string | null; product_description: string | null };
  evidence_details: { due_by: number; has_evidence: boolean; past_due: boolean; submission_count: number };
  is_charge_refundable: boolean;
  livemode: false;
  metadata: Metadata;
  payment_intent: string | null;
  reason: "fraudulent" | "general" | "product_not_received";
  status: "needs_response" | "under_review" | "won" | "lost";
}

export interface BalanceTransaction {
  id: string;
  object: "balance_transaction";
  amount: number;
  available_on: number;
  created: number;
  currency: string;
  description: string | null;
  exchange_rate: null;
  fee: number;
  fee_details: Array<{ amount: number; application: null; currency: string; description: string; type: "stripe_fee" }>;
  net: number;
  reporting_category: string;
  source: string;
  status: "available" | "pending";
  type: "charge" | "refund" | "refund_failure" | "adjustment" | "transfer" | "transfer_refund";
}

export interface Payout {
  id: string;
  object: "payout";
  amount: number;
  arrival_date: number;
  automatic: true;
  balance_transaction: string;
  created: number;
  currency: string;
  description: string;
  destination: string;
  failure_balance_transaction: string | null;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  method: "standard";
  original_payout: null;
  reconciliation_status: "completed" | "not_applicable";
  reversed_by: null;
  source_type: "card";
  statement_descriptor: null;
  status: "paid" | "failed";
  type: "bank_account";
}

/** Stripe's payout failure codes the stand-in can simulate, with their messages. */
const PAYOUT_FAILURES: Record<string, string> = {
  account_closed: "The bank account has been closed.",
  no_account:
    "The bank account details on file are probably incorrect. No bank account could be located with those details.",
  insufficient_funds: "Your Stripe account has insufficient funds to cover the payout.",
};

export type ConnectObject = Account | Transfer | Dispute | Payout;
export type ConnectEventType =
  | "account.updated"
  | "payout.paid"
  | "payout.failed"
  | "transfer.created"
  | "transfer.reversed"
  | "charge.dispute.created"
  | "charge.dispute.closed";

/** What server.ts shares: its parameter readers, its errors and its event stream. */
export interface ConnectDeps {
  /** `account`: the connected account the event is about, as Stripe sends Connect events. */
  emit(type: ConnectEventType, object: ConnectObject, account?: string): void;
  charges: Map<string, Charge>;
  baseUrl(): string;
  checkKnown(params: FormObject, allowed: ReadonlySet<string>): void;
  optString(params: FormObject, name: string): string | undefined;
  optInteger(params: FormObject, name: string, min: number): number | undefined;
  optStringArray(params: FormObject, name: string): string[] | undefined;
  applyMetadata(current: Metadata, params: FormObject): Metadata;
  invalidParam(message: string, param: string, code?: string): Error;
  resourceMissing(kind: string, id: string, param?: string): Error;
  stateError(message: string, code: string, param?: string): Error;
  /** Another slice's object behind a balance transaction (a transfer reversal), for `expand[]=data.source`. */
  expandSource?(id: string): unknown;
}

/** Stripe's European card pricing, close enough to reconcile against: 1.5% + 25. */
export function cardFee(amount: number): number {
  return Math.round(amount * 0.015) + 25;
}
/** What Stripe charges for a dispute. */
export const DISPUTE_FEE = 1500;
/** The test card whose payment is disputed right after it succeeds, as Stripe's 4000 0000 0000 0259. */
export const DISPUTE_CARD = "pm_card_createDispute";

const ACCOUNT_CREATE_PARAMS = new Set([
  "type",
  "country",
  "email",
  "default_currency",
  "metadata",
  "capabilities",
  "business_type",
  "business_profile",
  "expand",
]);
const LINK_PARAMS = new Set(["account", "refresh_url", "return_url", "type", "collect", "expand"]);
const TRANSFER_PARAMS = new Set([
  "amount",
  "currency",
  "destination",
  "transfer_group",
  "metadata",
  "description",
  "source_transaction",
  "expand",
]);
const LIST_PARAMS = new Set(["limit", "starting_after", "type", "source", "expand"]);
const DISPUTE_UPDATE_PARAMS = new Set(["evidence", "metadata", "submit", "expand"]);
const PAYOUT_SETTLE_PARAMS = new Set(["outcome", "failure_code"]);

export function createConnect(deps: ConnectDeps) {
  const accounts = new Map<string, Account>();
  const transfers = new Map<string, Transfer>();
  const disputes = new Map<string, Dispute>();
  const payoutsByTransfer = new Map<string, Payout>();
  const balanceTransactions: BalanceTransaction[] = [];

  function balanceTransaction(
    type: BalanceTransaction["type"],
    amount: number,
    fee: number,
    currency: string,
    source: string,
    description: string,
    id: string = newId("txn"),
  ): BalanceTransaction {
    const txn: BalanceTransaction = {
      id,
      object: "balance_transaction",
      amount,
      available_on: nowSeconds(),
      created: nowSeconds(),
      currency,
      description,
      exchange_rate: null,
      fee,
      fee_details:
        fee === 0
          ? []
          : [{ amount: fee, application: null, currency, description: "Stripe processing fees", type: "stripe_fee" }],
      net: amount - fee,
      reporting_category: type === "adjustment" ? "dispute" : type,
      source,
      status: "available",
      type,
    };
    balanceTransactions.push(txn);
    return txn;
  }

  /** Called by server.ts when a charge succeeds: its balance transaction, and a dispute for the dispute card. */
  function chargeSucceeded(intent: PaymentIntent, charge: Charge, testPaymentMethod: string | undefined): void {
    balanceTransaction(
      "charge",
      charge.amount,
      cardFee(charge.amount),
      charge.currency,
      charge.id,
      `Charge for ${intent.id}`,
      charge.balance_transaction ?? undefined,
    );
    if (testPaymentMethod === DISPUTE_CARD) {
      const disputeId = newId("dp");
      const fee = balanceTransaction(
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
  }

  function refundCreated(refund: Refund): void {
    balanceTransaction(
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
    return balanceTransaction("refund_failure", refund.amount, 0, refund.currency, refund.id, "REFUND FAILURE").id;
  }

  /**
   * Dev-only: the connected account's automatic payout of a transfer reaches
   * its bank (payout.paid) or bounces (payout.failed, the money back in the
   * connected account's balance), sent as a Connect event naming the account.
   * Once per transfer.
   */
  function settlePayout(params: FormObject, transferId: string): Payout {
    deps.checkKnown(params, PAYOUT_SETTLE_PARAMS);
    const transfer = transfers.get(transferId);
    if (!transfer) throw deps.resourceMissing("transfer", transferId);
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

  function getAccount(id: string): Account {
    const account = accounts.get(id);
    if (!account) throw deps.resourceMissing("account", id, "account");
    return account;
  }

  function createAccount(params: FormObject): Account {
    deps.checkKnown(params, ACCOUNT_CREATE_PARAMS);
    const type = deps.optString(params, "type");
    if (type !== "express") throw deps.invalidParam("Only Express accounts are supported by the stand-in.", "type");
    const account: Account = {
      id: `acct_${randomToken(16)}`,
      object: "account",
      type: "express",
      business_profile: { name: null, url: null, mcc: null },
      business_type: deps.optString(params, "business_type") ?? null,
      capabilities: { transfers: "inactive" },
      charges_enabled: false,
      country: deps.optString(params, "country") ?? "PT",
      created: nowSeconds(),
      default_currency: (deps.optString(params, "default_currency") ?? "eur").toLowerCase(),
      details_submitted: false,
      email: deps.optString(params, "email") ?? null,
      metadata: deps.applyMetadata({}, params),
      payouts_enabled: false,
      requirements: {
        currently_due: ["external_account", "tos_acceptance.date"],
        disabled_reason: "requirements.past_due",
        past_due: [],
      },
      settings: { payouts: { schedule: { interval: "daily" } } },
    };
    accounts.set(account.id, account);
    return account;
  }

  function createAccountLink(params: FormObject): AccountLink {
    deps.checkKnown(params, LINK_PARAMS);
    const accountId = deps.optString(params, "account");
    if (!accountId) throw deps.invalidParam("Missing required param: account.", "account", "parameter_missing");
    getAccount(accountId);
    const type = deps.optString(params, "type");
    if (type !== "account_onboarding" && type !== "account_update") {
      throw deps.invalidParam("Invalid type: must be one of account_onboarding or account_update", "type");
    }
    const returnUrl = deps.optString(params, "return_url");
    const refreshUrl = deps.optString(params, "refresh_url");
    if (!returnUrl || !refreshUrl)
      throw deps.invalidParam("Missing required param: return_url.", "return_url", "parameter_missing");
    const url = new URL(`/connect/onboarding/${accountId}/${randomToken(12)}`, deps.baseUrl());
    url.searchParams.set("return_url", returnUrl);
    return { object: "account_link", created: nowSeconds(), expires_at: nowSeconds() + 300, url: url.toString() };
  }

  /** The person finishing onboarding on the link: the account can now be paid. */
  function completeOnboarding(accountId: string): string | null {
    const account = accounts.get(accountId);
    if (!account) return null;
    account.details_submitted = true;
    account.payouts_enabled = true;
    account.charges_enabled = true;
    account.capabilities = { card_payments: "active", transfers: "active" };
    account.requirements = { currently_due: [], disabled_reason: null, past_due: [] };
    deps.emit("account.updated", account);
    return account.id;
  }

  function createTransfer(params: FormObject): Transfer {
    deps.checkKnown(params, TRANSFER_PARAMS);
    const amount = deps.optInteger(params, "amount", 1);
    const currency = deps.optString(params, "currency")?.toLowerCase();
    const destination = deps.optString(params, "destination");
    if (amount === undefined) throw deps.invalidParam("Missing required param: amount.", "amount", "parameter_missing");
    if (!currency) throw deps.invalidParam("Missing required param: currency.", "currency", "parameter_missing");
    if (!destination)
      throw deps.invalidParam("Missing required param: destination.", "destination", "parameter_missing");
    const account = getAccount(destination);
    if (account.capabilities.transfers !== "active") {
      throw deps.stateError(
        "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
        "insufficient_capabilities_for_transfer",
        "destination",
      );
    }
    const available = balanceTransactions.filter((t) => t.currency === currency).reduce((sum, t) => sum + t.net, 0);
    if (amount > available) {
      throw deps.stateError(
        "You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card.",
        "balance_insufficient",
      );
    }
    const id = newId("tr");
    const txn = balanceTransaction(
      "transfer",
      -amount,
      0,
      currency,
      id,
      deps.optString(params, "description") ?? "Transfer",
    );
    const transfer: Transfer = {
      id,
      object: "transfer",
      amount,
      amount_reversed: 0,
      balance_transaction: txn.id,
      created: nowSeconds(),
      currency,
      description: deps.optString(params, "description") ?? null,
      destination,
      destination_payment: newId("py"),
      livemode: false,
      metadata: deps.applyMetadata({}, params),
      reversals: { object: "list", data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
      reversed: false,
      source_transaction: deps.optString(params, "source_transaction") ?? null,
      source_type: "card",
      transfer_group: deps.optString(params, "transfer_group") ?? null,
    };
    transfers.set(id, transfer);
    deps.emit("transfer.created", transfer);
    return transfer;
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
        balanceTransaction("adjustment", dispute.amount, 0, dispute.currency, dispute.id, "Chargeback reversal"),
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

  function list<T extends { id: string }>(params: FormObject, all: T[], url: string) {
    deps.checkKnown(params, LIST_PARAMS);
    const limit = Math.min(100, deps.optInteger(params, "limit", 1) ?? 10);
    const newestFirst = [...all].reverse();
    const after = deps.optString(params, "starting_after");
    const start = after ? newestFirst.findIndex((o) => o.id === after) + 1 : 0;
    const page = newestFirst.slice(start, start + limit);
    return { object: "list", data: structuredClone(page), has_more: newestFirst.length > start + limit, url };
  }

  function balance() {
    const byCurrency = new Map<string, number>();
    for (const t of balanceTransactions) byCurrency.set(t.currency, (byCurrency.get(t.currency) ?? 0) + t.net);
    const amounts = [...byCurrency].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
    return {
      object: "balance",
      available: amounts,
      connect_reserved: amounts.map((a) => ({ amount: 0, currency: a.currency })),
      livemode: false,
      pending: amounts.map((a) => ({ amount: 0, currency: a.currency, source_types: { card: 0 } })),
    };
  }

  const ID = "([A-Za-z0-9_]+)";
  const routes = [
    {
      method: "POST" as const,
      pattern: /^\/v1\/accounts$/,
      handler: ({ params }: { params: FormObject }) => createAccount(params),
    },
    {
      method: "GET" as const,
      pattern: new RegExp(`^/v1/accounts/${ID}$`),
      handler: (_: unknown, id: string) => structuredClone(getAccount(id)),
    },
    {
      method: "POST" as const,
      pattern: /^\/v1\/account_links$/,
      handler: ({ params }: { params: FormObject }) => createAccountLink(params),
    },
    {
      method: "POST" as const,
      pattern: /^\/v1\/transfers$/,
      handler: ({ params }: { params: FormObject }) => structuredClone(createTransfer(params)),
    },
    {
      method: "GET" as const,
      pattern: new RegExp(`^/v1/transfers/${ID}$`),
      handler: (_: unknown, id: string) => {
        const t = transfers.get(id);
        if (!t) throw deps.resourceMissing("transfer", id);
        return structuredClone(t);
      },
    },
    {
      method: "POST" as const,
      pattern: new RegExp(`^/v1/test_helpers/transfers/${ID}/payout$`),
      handler: ({ params }: { params: FormObject }, id: string) => structuredClone(settlePayout(params, id)),
    },
    {
      method: "GET" as const,
      pattern: /^\/v1\/transfers$/,
      handler: ({ params }: { params: FormObject }) => list(params, [...transfers.values()], "/v1/transfers"),
    },
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
    { method: "GET" as const, pattern: /^\/v1\/balance$/, handler: () => balance() },
    {
      method: "GET" as const,
      pattern: /^\/v1\/balance_transactions$/,
      handler: ({ params }: { params: FormObject }) => {
        const type = deps.optString(params, "type");
        const page = list(
          params,
          balanceTransactions.filter((t) => !type || t.type === type),
          "/v1/balance_transactions",
        );
        if ((deps.optStringArray(params, "expand") ?? []).includes("data.source")) {
          // As Stripe expands it: the charge behind a charge's transaction (its payment_intent says which order).
          for (const t of page.data as Array<{ source: unknown }>) {
            const charge = typeof t.source === "string" ? deps.charges.get(t.source) : undefined;
            const other = typeof t.source === "string" ? deps.expandSource?.(t.source) : undefined;
            if (charge) t.source = structuredClone(charge);
            else if (other) t.source = structuredClone(other);
          }
        }
        return page;
      },
    },
  ];

  return {
    routes,
    chargeSucceeded,
    refundCreated,
    refundFailed,
    completeOnboarding,
    accounts,
    disputes,
    transfers,
    balanceTransaction,
  };
}
