// Stripe API objects as the stand-in serves them. Field sets, types and nesting
// follow Stripe's published examples (stripe/openapi fixtures3.json, copied
// into reference-objects.json); a field is null exactly where Stripe leaves it
// null for an unconfirmed/unrelated object, so code written against these
// works unchanged against api.stripe.com.
import { randomBytes } from "node:crypto";

export type Metadata = Record<string, string>;

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  // 256 % 62 bias is irrelevant for dev identifiers.
  for (const byte of bytes) out += ID_ALPHABET[byte % ID_ALPHABET.length];
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomToken(24)}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export type PaymentIntentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "canceled"
  | "succeeded";

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface Shipping {
  address: Address;
  carrier: string | null;
  name: string;
  phone: string | null;
  tracking_number: string | null;
}

export interface LastPaymentError {
  charge?: string;
  code?: string;
  decline_code?: string;
  doc_url?: string;
  message?: string;
  type: "api_error" | "card_error" | "idempotency_error" | "invalid_request_error";
}

export interface PaymentIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_details: { tip: Record<string, never> };
  amount_received: number;
  application: string | null;
  application_fee_amount: number | null;
  automatic_payment_methods: { enabled: boolean; allow_redirects?: "always" | "never" } | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: "automatic" | "automatic_async";
  client_secret: string;
  confirmation_method: "automatic" | "manual";
  created: number;
  currency: string;
  customer: string | null;
  customer_account: string | null;
  description: string | null;
  excluded_payment_method_types: string[] | null;
  last_payment_error: LastPaymentError | null;
  latest_charge: string | null;
  livemode: false;
  managed_payments: { enabled: boolean };
  metadata: Metadata;
  next_action: { type: string; use_stripe_sdk?: Record<string, unknown> } | null;
  on_behalf_of: string | null;
  payment_method: string | null;
  payment_method_configuration_details: { id: string; parent: string | null } | null;
  payment_method_options: Record<string, unknown>;
  payment_method_types: string[];
  processing: { type: "card" } | null;
  receipt_email: string | null;
  review: string | null;
  setup_future_usage: "off_session" | "on_session" | null;
  shipping: Shipping | null;
  source: string | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: PaymentIntentStatus;
  transfer_data: { destination: string; amount?: number } | null;
  transfer_group: string | null;
}

export interface CardProfile {
  brand: string;
  last4: string;
  funding: "credit" | "debit";
  country: string;
  fingerprint: string;
  // Present for Stripe's test cards that always decline.
  decline?: { code: string; declineCode: string; message: string };
  // Stripe's 3-D Secure test cards: confirming asks the cardholder to authenticate first.
  authentication?: true;
}

export interface ListObject<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  url: string;
}

export interface Charge {
  id: string;
  object: "charge";
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  application: string | null;
  application_fee: string | null;
  application_fee_amount: number | null;
  balance_transaction: string | null;
  billing_details: {
    address: Address;
    email: string | null;
    name: string | null;
    phone: string | null;
    tax_id: string | null;
  };
  calculated_statement_descriptor: string | null;
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  description: string | null;
  disputed: boolean;
  failure_balance_transaction: string | null;
  failure_code: string | null;
  failure_message: string | null;
  fraud_details: Record<string, string>;
  livemode: false;
  metadata: Metadata;
  on_behalf_of: string | null;
  outcome: {
    advice_code: string | null;
    network_advice_code: string | null;
    network_decline_code: string | null;
    network_status: string | null;
    reason: string | null;
    seller_message: string | null;
    type: string;
  };
  paid: boolean;
  payment_intent: string | null;
  payment_method: string | null;
  payment_method_details: { card: CardDetails; type: "card" };
  receipt_email: string | null;
  receipt_number: string | null;
  receipt_url: string | null;
  refunded: boolean;
  refunds: ListObject<Refund>;
  review: string | null;
  shipping: Shipping | null;
  source: null;
  source_transfer: string | null;
  statement_descriptor: string | null;
  statement_descriptor_suffix: string | null;
  status: "succeeded" | "pending" | "failed";
  transfer_data: { amount: number | null; destination: string } | null;
  transfer_group: string | null;
}

export interface CardDetails {
  amount_authorized: number | null;
  authorization_code: string | null;
  brand: string;
  checks: { address_line1_check: string | null; address_postal_code_check: string | null; cvc_check: string | null };
  country: string;
  exp_month: number;
  exp_year: number;
  extended_authorization: { status: string };
  fingerprint: string;
  funding: string;
  incremental_authorization: { status: string };
  installments: { plan: { count: number | null; interval: string | null; type: string } } | null;
  last4: string;
  mandate: string | null;
  multicapture: { status: string };
  network: string;
  network_token: { used: boolean };
  network_transaction_id: string | null;
  overcapture: { maximum_amount_capturable: number; status: string };
  regulated_status: string | null;
  three_d_secure: null;
  transaction_link_id: string | null;
  wallet: null;
}

export interface Refund {
  id: string;
  object: "refund";
  amount: number;
  balance_transaction: string | null;
  charge: string;
  created: number;
  currency: string;
  customer: string | null;
  customer_account: string | null;
  destination_details: { card: { type: "refund" | "reversal" }; type: "card" };
  /** Set once a refund fails after creation (Stripe: the card was closed, the bank refused it...). */
  failure_balance_transaction?: string;
  failure_reason?: "expired_or_canceled_card" | "lost_or_stolen_card" | "unknown";
  metadata: Metadata;
  payment_intent: string | null;
  payment_method: string | null;
  reason: string | null;
  receipt_number: string | null;
  source_transfer_reversal: string | null;
  status: "succeeded" | "pending" | "failed" | "canceled";
  transfer_reversal: string | null;
}

export type EventType =
  | "payment_intent.succeeded"
  | "payment_intent.payment_failed"
  | "payment_intent.requires_action"
  | "payment_intent.canceled"
  | "charge.refunded"
  | "refund.created"
  | "refund.updated"
  | "refund.failed";

export type StripeObject = PaymentIntent | Charge | Refund;

export interface StripeEvent {
  id: string;
  object: "event";
  api_version: string | null;
  created: number;
  data: { object: StripeObject };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: EventType;
  /** The connected account an event is about (Connect events only), as Stripe sends it. */
  account?: string;
}

export function emptyAddress(): Address {
  return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
}

export function buildCharge(input: {
  intent: PaymentIntent;
  paymentMethod: string;
  card: CardProfile;
  receiptBaseUrl: string;
}): Charge {
  const { intent, card } = input;
  const declined = card.decline;
  const id = newId("ch");
  const expYear = new Date().getUTCFullYear() + 3;
  return {
    id,
    object: "charge",
    amount: intent.amount,
    amount_captured: declined ? 0 : intent.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: declined ? null : newId("txn"),
    billing_details: { address: emptyAddress(), email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: "STRIPE STANDIN",
    captured: !declined,
    created: nowSeconds(),
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: declined ? declined.code : null,
    failure_message: declined ? declined.message : null,
    fraud_details: {},
    livemode: false,
    metadata: { ...intent.metadata },
    on_behalf_of: null,
    outcome: declined
      ? {
          advice_code: "try_again_later",
          network_advice_code: null,
          network_decline_code: null,
          network_status: "declined_by_network",
          reason: declined.declineCode,
          seller_message: "The bank did not return any further details with this decline.",
          type: "issuer_declined",
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: "approved_by_network",
          reason: null,
          seller_message: "Payment complete.",
          type: "authorized",
        },
    paid: !declined,
    payment_intent: intent.id,
    payment_method: input.paymentMethod,
    payment_method_details: {
      card: {
        amount_authorized: declined ? null : intent.amount,
        authorization_code: declined ? null : randomToken(6).toUpperCase(),
        brand: card.brand,
        checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: "pass" },
        country: card.country,
        exp_month: 12,
        exp_year: expYear,
        extended_authorization: { status: "disabled" },
        fingerprint: card.fingerprint,
        funding: card.funding,
        incremental_authorization: { status: "unavailable" },
        installments: null,
        last4: card.last4,
        mandate: null,
        multicapture: { status: "unavailable" },
        network: card.brand,
        network_token: { used: false },
        network_transaction_id: declined ? null : randomToken(15).toUpperCase(),
        overcapture: { maximum_amount_capturable: intent.amount, status: "unavailable" },
        regulated_status: "unregulated",
        three_d_secure: null,
        transaction_link_id: null,
        wallet: null,
      },
      type: "card",
    },
    receipt_email: intent.receipt_email,
    receipt_number: null,
    receipt_url: declined ? null : `${input.receiptBaseUrl}/receipts/payment/${id}`,
    refunded: false,
    refunds: { object: "list", data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: intent.shipping,
    source: null,
    source_transfer: null,
    statement_descriptor: intent.statement_descriptor,
    statement_descriptor_suffix: intent.statement_descriptor_suffix,
    status: declined ? "failed" : "succeeded",
    transfer_data: intent.transfer_data
      ? { amount: intent.transfer_data.amount ?? null, destination: intent.transfer_data.destination }
      : null,
    transfer_group: intent.transfer_group,
  };
}
