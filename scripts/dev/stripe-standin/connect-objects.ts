// The Connect slice's object shapes, as Stripe sends them
// (reference: ../shared/stripe/fixtures3.json), and what server.ts lends the
// resource modules (connect-*.ts). Apart so those modules share them without
// importing one another or connect.ts.
import type { FormObject } from "./form.ts";
import type { Charge, Metadata } from "./objects.ts";
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
