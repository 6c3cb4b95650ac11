import { DISPUTE_CARD } from "./connect-disputes.ts";
import type { FormObject } from "./form.ts";
import {
  type CardProfile,
  type Metadata,
  type PaymentIntent,
  randomToken,
  type Shipping,
  type StripeObject,
} from "./objects.ts";

export type ErrorType = "api_error" | "card_error" | "idempotency_error" | "invalid_request_error";

export interface StripeErrorBody {
  type: ErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  // The whole object to a secret key; the publishable-key view (browser.ts) to Stripe.js.
  payment_intent?: PaymentIntent | Record<string, unknown>;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    // Stripe saves an idempotent result only once the endpoint started
    // executing; a request rejected by parameter validation is not saved, so
    // the same key can be retried with corrected params.
    readonly savedForIdempotency = true,
  ) {
    super(body.message);
  }
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replaceAll("_", "-")}`;
}

export function invalidParam(message: string, param: string, code?: string): StripeApiError {
  const body: StripeErrorBody = { type: "invalid_request_error", message, param };
  if (code) Object.assign(body, { code, doc_url: docUrl(code) });
  return new StripeApiError(400, body, false);
}

export function stateError(message: string, code: string, param?: string): StripeApiError {
  const body: StripeErrorBody = { type: "invalid_request_error", code, doc_url: docUrl(code), message };
  if (param) body.param = param;
  return new StripeApiError(400, body);
}

export function resourceMissing(kind: string, id: string, param?: string): StripeApiError {
  const body: StripeErrorBody = {
    type: "invalid_request_error",
    code: "resource_missing",
    doc_url: docUrl("resource_missing"),
    message: `No such ${kind}: '${id}'`,
  };
  if (param) body.param = param;
  return new StripeApiError(404, body);
}

// --- parameter reading -------------------------------------------------------

export function checkKnown(params: FormObject, allowed: ReadonlySet<string>): void {
  for (const key of Object.keys(params)) {
    if (!allowed.has(key)) {
      throw invalidParam(`Received unknown parameter: ${key}`, key, "parameter_unknown");
    }
  }
}

export function optString(params: FormObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidParam(`Invalid string: ${JSON.stringify(value)}`, name);
  return value;
}

// Stripe treats an empty string as "unset" for nullable fields.
export function optNullableString(params: FormObject, name: string): string | null | undefined {
  const value = optString(params, name);
  return value === "" ? null : value;
}

export function optInteger(params: FormObject, name: string, min: number): number | undefined {
  const value = optString(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidParam(`Invalid integer: ${value}`, name, "parameter_invalid_integer");
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw invalidParam(`Invalid integer: ${value}`, name, "parameter_invalid_integer");
  if (parsed < min) {
    throw invalidParam(`This value must be greater than or equal to ${min}.`, name, "parameter_invalid_integer");
  }
  return parsed;
}

export function optBoolean(params: FormObject, name: string): boolean | undefined {
  const value = optString(params, name);
  if (value === undefined) return undefined;
  if (value !== "true" && value !== "false") throw invalidParam(`Invalid boolean: ${value}`, name);
  return value === "true";
}

export function optEnum<const T extends string>(params: FormObject, name: string, values: readonly T[]): T | undefined {
  const value = optString(params, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw invalidParam(`Invalid ${name}: must be one of ${values.join(", ")}`, name);
  }
  return value as T;
}

export function optStringArray(params: FormObject, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) {
    throw invalidParam(`Invalid array: ${name}`, name);
  }
  return value;
}

export function optObject(params: FormObject, name: string): FormObject | undefined {
  const value = params[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw invalidParam(`Invalid object: ${name}`, name);
  return value;
}

export function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw invalidParam(`Missing required param: ${name}.`, name, "parameter_missing");
  return value;
}

// `metadata=` clears every key and `metadata[k]=` deletes one key, as on Stripe.
export function applyMetadata(current: Metadata, params: FormObject): Metadata {
  const value = params.metadata;
  if (value === undefined) return current;
  if (value === "") return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw invalidParam("Invalid metadata: must be a hash", "metadata");
  const next: Metadata = { ...current };
  for (const [key, raw] of Object.entries(value)) {
    if (typeof raw !== "string") throw invalidParam(`Invalid value for metadata[${key}]: must be a string`, "metadata");
    if (key.length > 40) throw invalidParam("Metadata keys can have a maximum length of 40 characters.", "metadata");
    if (raw.length > 500)
      throw invalidParam("Metadata values can have a maximum length of 500 characters.", "metadata");
    if (raw === "") delete next[key];
    else next[key] = raw;
  }
  if (Object.keys(next).length > 50) throw invalidParam("Metadata can have a maximum of 50 keys.", "metadata");
  return next;
}

export function readShipping(params: FormObject): Shipping | null | undefined {
  if (params.shipping === "") return null;
  const shipping = optObject(params, "shipping");
  if (!shipping) return undefined;
  const address = optObject(shipping, "address") ?? {};
  const field = (source: FormObject, name: string): string | null => {
    const value = source[name];
    return typeof value === "string" && value !== "" ? value : null;
  };
  return {
    address: {
      city: field(address, "city"),
      country: field(address, "country"),
      line1: field(address, "line1"),
      line2: field(address, "line2"),
      postal_code: field(address, "postal_code"),
      state: field(address, "state"),
    },
    carrier: field(shipping, "carrier"),
    name: required(field(shipping, "name") ?? undefined, "shipping[name]"),
    phone: field(shipping, "phone"),
    tracking_number: field(shipping, "tracking_number"),
  };
}

// Minimum charge amounts from Stripe's docs, in the currency's minor unit.
export const MINIMUM_AMOUNTS: Record<string, number> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
  // Three-decimal: Stripe's table lists no minimum, so about 0.50 USD, in tens of fils.
  bhd: 200,
  jod: 400,
  kwd: 200,
  omr: 200,
  tnd: 2000,
};

/**
 * Stripe: "The API supports three-decimal currencies for the standard payment
 * flows, including Payment Intents, Refunds, and Disputes. However, to ensure
 * compatibility with Stripe's payments partners, these API calls require the
 * least-significant (last) digit to be 0." (docs.stripe.com/currencies).
 */
export const CHARGED_IN_TENS = new Set(["bhd", "jod", "kwd", "omr", "tnd"]);
export const MAX_AMOUNT = 99_999_999;

export function readCurrency(params: FormObject): string | undefined {
  const raw = optString(params, "currency");
  if (raw === undefined) return undefined;
  // Stripe accepts any case and answers in lowercase.
  const currency = raw.toLowerCase();
  if (!/^[a-z]{3}$/.test(currency) || !(currency in MINIMUM_AMOUNTS)) {
    throw invalidParam(
      `Invalid currency: ${raw}. Stripe currently supports these currencies: ${Object.keys(MINIMUM_AMOUNTS).join(", ")}`,
      "currency",
    );
  }
  return currency;
}

export function checkAmount(amount: number, currency: string): void {
  checkThreeDecimal(amount, currency);
  const minimum = MINIMUM_AMOUNTS[currency] ?? 50;
  if (amount < minimum) {
    throw invalidParam(`Amount must be at least ${formatAmount(minimum, currency)}`, "amount", "amount_too_small");
  }
  if (amount > MAX_AMOUNT) {
    throw invalidParam(
      `Amount must be no more than ${formatAmount(MAX_AMOUNT, currency)}`,
      "amount",
      "amount_too_large",
    );
  }
}

/** Refuses an amount in BHD/JOD/KWD/OMR/TND whose last digit is not 0, as Stripe does. */
export function checkThreeDecimal(amount: number, currency: string): void {
  if (CHARGED_IN_TENS.has(currency) && amount % 10 !== 0) {
    throw invalidParam(
      `Invalid amount: ${formatAmount(amount, currency)}. Amounts in ${currency} must be a multiple of 10 (the last digit must be 0); round to the nearest ten, e.g. ${amount - (amount % 10)} or ${amount - (amount % 10) + 10}.`,
      "amount",
      // A code from Stripe's error-code list; the message is the stand-in's own (Stripe's exact words are not documented).
      "invalid_charge_amount",
    );
  }
}

export function formatAmount(amount: number, currency: string): string {
  const value =
    currency === "jpy"
      ? String(amount)
      : CHARGED_IN_TENS.has(currency)
        ? (amount / 1000).toFixed(3)
        : (amount / 100).toFixed(2);
  return `${value} ${currency}`;
}

// --- test payment methods ----------------------------------------------------

export function card(brand: string, last4: string, funding: "credit" | "debit" = "credit"): CardProfile {
  return { brand, last4, funding, country: "US", fingerprint: randomToken(16) };
}

// Stripe's test PaymentMethod tokens; confirming with one resolves it to a
// fresh `pm_...` id, as Stripe does.
export const TEST_PAYMENT_METHODS: Record<string, () => CardProfile> = {
  pm_card_visa: () => card("visa", "4242"),
  pm_card_visa_debit: () => card("visa", "5556", "debit"),
  pm_card_mastercard: () => card("mastercard", "4444"),
  pm_card_amex: () => card("amex", "8431"),
  // Succeeds, then the cardholder disputes it at once (Stripe's 4000 0000 0000 0259).
  [DISPUTE_CARD]: () => card("visa", "0259"),
  // 3-D Secure 2 (4000 0027 6000 3184) and "authentication required" (4000 0025 0000 3155).
  pm_card_threeDSecure2Required: () => ({ ...card("visa", "3184"), authentication: true }),
  pm_card_authenticationRequired: () => ({ ...card("visa", "3155"), authentication: true }),
  pm_card_chargeDeclined: () => ({
    ...card("visa", "0002"),
    decline: { code: "card_declined", declineCode: "generic_decline", message: "Your card was declined." },
  }),
  pm_card_chargeDeclinedInsufficientFunds: () => ({
    ...card("visa", "9995"),
    decline: { code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds." },
  }),
  pm_card_chargeDeclinedExpiredCard: () => ({
    ...card("visa", "0069"),
    decline: { code: "expired_card", declineCode: "expired_card", message: "Your card has expired." },
  }),
  pm_card_chargeDeclinedIncorrectCvc: () => ({
    ...card("visa", "0127"),
    decline: {
      code: "incorrect_cvc",
      declineCode: "incorrect_cvc",
      message: "Your card's security code is incorrect.",
    },
  }),
};

// --- endpoint parameter allow-lists (top level, from the SDK's param types) ---

export const PI_CREATE_PARAMS = new Set([
  "amount",
  "currency",
  "allowed_payment_method_types",
  "amount_details",
  "application_fee_amount",
  "automatic_payment_methods",
  "capture_method",
  "confirm",
  "confirmation_method",
  "confirmation_token",
  "customer",
  "customer_account",
  "description",
  "error_on_requires_action",
  "excluded_payment_method_types",
  "expand",
  "hooks",
  "mandate",
  "mandate_data",
  "metadata",
  "off_session",
  "on_behalf_of",
  "payment_details",
  "payment_method",
  "payment_method_configuration",
  "payment_method_data",
  "payment_method_options",
  "payment_method_types",
  "radar_options",
  "receipt_email",
  "return_url",
  "setup_future_usage",
  "shipping",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "transfer_data",
  "transfer_group",
  "use_stripe_sdk",
]);
export const PI_UPDATE_PARAMS = new Set([
  "allowed_payment_method_types",
  "amount",
  "amount_details",
  "application_fee_amount",
  "capture_method",
  "currency",
  "customer",
  "customer_account",
  "description",
  "excluded_payment_method_types",
  "expand",
  "hooks",
  "metadata",
  "payment_details",
  "payment_method",
  "payment_method_configuration",
  "payment_method_data",
  "payment_method_options",
  "payment_method_types",
  "receipt_email",
  "setup_future_usage",
  "shipping",
  "statement_descriptor",
  "statement_descriptor_suffix",
  "transfer_data",
  "transfer_group",
]);
// What Stripe still lets you change once a PaymentIntent is final.
export const PI_UPDATABLE_WHEN_FINAL = new Set(["description", "expand", "metadata", "receipt_email", "shipping"]);
export const PI_CONFIRM_PARAMS = new Set([
  "allowed_payment_method_types",
  "amount_details",
  "amount_to_confirm",
  "capture_method",
  "confirmation_token",
  "error_on_requires_action",
  "excluded_payment_method_types",
  "expand",
  "hooks",
  "mandate",
  "mandate_data",
  "off_session",
  "payment_details",
  "payment_method",
  "payment_method_data",
  "payment_method_options",
  "payment_method_types",
  "radar_options",
  "receipt_email",
  "return_url",
  "setup_future_usage",
  "shipping",
  "use_stripe_sdk",
]);
export const PI_CANCEL_PARAMS = new Set(["cancellation_reason", "expand"]);
export const PI_RETRIEVE_PARAMS = new Set(["client_secret", "expand"]);
export const REFUND_CREATE_PARAMS = new Set([
  "amount",
  "charge",
  "currency",
  "customer",
  "expand",
  "instructions_email",
  "metadata",
  "origin",
  "payment_intent",
  "reason",
  "refund_application_fee",
  "reverse_transfer",
]);
export const RETRIEVE_PARAMS = new Set(["expand"]);
export const EVENT_LIST_PARAMS = new Set([
  "created",
  "delivery_success",
  "ending_before",
  "expand",
  "limit",
  "starting_after",
  "type",
  "types",
]);

export const EXPANDABLE: Record<StripeObject["object"], readonly string[]> = {
  payment_intent: ["latest_charge"],
  charge: ["payment_intent"],
  refund: ["charge", "payment_intent"],
};

export const CONFIRMABLE = ["requires_payment_method", "requires_confirmation", "requires_action"] as const;
export const CANCELABLE = [
  "requires_payment_method",
  "requires_capture",
  "requires_confirmation",
  "requires_action",
  "processing",
];
