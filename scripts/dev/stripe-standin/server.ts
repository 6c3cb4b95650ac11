// A local stand-in for the slice of the Stripe API the platform uses
// (PaymentIntents, refunds, events, signed webhooks), so a full paid order can
// be taken with the real `stripe` SDK and no network:
//   new Stripe("sk_test_...", { host: "127.0.0.1", port, protocol: "http" })
// Dev tooling only: Node APIs, never bundled into a Worker. State is in memory.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import Stripe from "stripe";
import { createBrowserSide } from "./browser.ts";
import { type ConnectEventType, type ConnectObject, createConnect } from "./connect.ts";
import { canonicalForm, decodeForm, FormDecodeError, type FormObject, type FormValue } from "./form.ts";
import {
  buildCharge,
  type CardProfile,
  type Charge,
  type EventType,
  newId,
  nowSeconds,
  type PaymentIntent,
  type Refund,
  randomToken,
  type StripeEvent,
  type StripeObject,
} from "./objects.ts";
import {
  applyMetadata,
  CANCELABLE,
  CONFIRMABLE,
  checkAmount,
  checkKnown,
  docUrl,
  EVENT_LIST_PARAMS,
  EXPANDABLE,
  formatAmount,
  invalidParam,
  optBoolean,
  optEnum,
  optInteger,
  optNullableString,
  optObject,
  optString,
  optStringArray,
  PI_CANCEL_PARAMS,
  PI_CONFIRM_PARAMS,
  PI_CREATE_PARAMS,
  PI_RETRIEVE_PARAMS,
  PI_UPDATABLE_WHEN_FINAL,
  PI_UPDATE_PARAMS,
  REFUND_CREATE_PARAMS,
  RETRIEVE_PARAMS,
  readCurrency,
  readShipping,
  required,
  resourceMissing,
  StripeApiError,
  stateError,
  TEST_PAYMENT_METHODS,
} from "./params.ts";
import { WebhookDispatcher } from "./webhooks.ts";

export type { Charge, PaymentIntent, Refund, StripeEvent } from "./objects.ts";
export { signWebhookPayload } from "./webhooks.ts";

export interface StripeStandinOptions {
  port?: number;
  webhookUrl?: string;
  webhookSecret: string;
  // When set, only this key is accepted; otherwise any `sk_test_` key is.
  apiKey?: string;
  // Simulates the customer paying: PaymentIntents still awaiting confirmation
  // shortly after creation are confirmed with their payment method, or with
  // `pm_card_visa` when they have none.
  autoConfirm?: boolean;
  autoConfirmDelayMs?: number;
  webhookMaxAttempts?: number;
  webhookInitialBackoffMs?: number;
  log?: (message: string) => void;
}

export interface StripeStandin {
  url: string;
  port: number;
  setWebhookUrl(url: string): void;
  close(): Promise<void>;
  // Every event generated, oldest first (the live array, not a copy).
  events: StripeEvent[];
  // Resolves once every queued webhook delivery has finished or given up.
  webhooksIdle(): Promise<void>;
}

// --- server ------------------------------------------------------------------

interface RequestRef {
  id: string | null;
  idempotencyKey: string | null;
  apiVersion: string;
}

interface Context {
  params: FormObject;
  request: RequestRef;
}

interface SavedResponse {
  fingerprint: string;
  endpoint: string;
  status: number;
  body: string;
  requestId: string;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SAVED_RESPONSES = 10_000;

export async function startStripeStandin(options: StripeStandinOptions): Promise<StripeStandin> {
  const log = options.log ?? (() => undefined);
  let webhookUrl = options.webhookUrl;
  const intents = new Map<string, PaymentIntent>();
  const charges = new Map<string, Charge>();
  const refunds = new Map<string, Refund>();
  const paymentMethods = new Map<string, CardProfile>();
  /** The test token each resolved payment method came from (`pm_card_visa`...). */
  const testTokens = new Map<string, string>();
  const events: StripeEvent[] = [];
  const eventsById = new Map<string, StripeEvent>();
  const idempotency = new Map<string, SavedResponse>();
  const autoConfirmTimers = new Set<NodeJS.Timeout>();
  /** Payment methods whose cardholder passed the 3-D Secure step. */
  const authenticated = new Set<string>();
  // One per server, like an account's default payment method configuration.
  const paymentMethodConfiguration = newId("pmc");
  let baseUrl = "";

  const dispatcher = new WebhookDispatcher({
    secret: options.webhookSecret,
    getUrl: () => webhookUrl,
    maxAttempts: options.webhookMaxAttempts ?? 4,
    initialBackoffMs: options.webhookInitialBackoffMs ?? 250,
    timeoutMs: 10_000,
    log,
  });

  function emit(type: EventType | ConnectEventType, object: StripeObject | ConnectObject, request: RequestRef): void {
    const event: StripeEvent = {
      id: newId("evt"),
      object: "event",
      api_version: request.apiVersion,
      created: nowSeconds(),
      // Connect objects (connect.ts) travel in the same envelope as the core ones.
      data: { object: structuredClone(object) as StripeObject },
      livemode: false,
      pending_webhooks: webhookUrl ? 1 : 0,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type: type as EventType,
    };
    events.push(event);
    eventsById.set(event.id, event);
    if (webhookUrl) dispatcher.enqueue(event);
  }

  const connect = createConnect({
    emit: (type, object) => emit(type, object, { id: null, idempotencyKey: null, apiVersion: Stripe.API_VERSION }),
    charges,
    baseUrl: () => baseUrl,
    checkKnown,
    optString,
    optInteger,
    optStringArray,
    applyMetadata,
    invalidParam,
    resourceMissing,
    stateError,
  });

  function lookup(id: string): StripeObject | ConnectObject | undefined {
    if (id.startsWith("pi_")) return intents.get(id);
    if (id.startsWith("ch_")) return charges.get(id);
    if (id.startsWith("re_")) return refunds.get(id);
    return undefined;
  }

  function readExpand(params: FormObject, kind: StripeObject["object"]): string[] {
    const expand = optStringArray(params, "expand") ?? [];
    for (const path of expand) {
      if (!EXPANDABLE[kind].includes(path)) throw invalidParam(`This property cannot be expanded (${path}).`, "expand");
    }
    return expand;
  }

  // Responses are copies, so a caller holding one never sees later changes.
  function render(object: StripeObject, expand: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = structuredClone(object) as unknown as Record<string, unknown>;
    for (const path of expand) {
      const id = out[path];
      const target = typeof id === "string" ? lookup(id) : undefined;
      if (target) out[path] = structuredClone(target);
    }
    return out;
  }

  function getIntent(id: string): PaymentIntent {
    const intent = intents.get(id);
    if (!intent) throw resourceMissing("payment_intent", id);
    return intent;
  }

  function resolvePaymentMethod(id: string): string {
    const factory = TEST_PAYMENT_METHODS[id];
    if (factory) {
      const resolved = newId("pm");
      paymentMethods.set(resolved, factory());
      testTokens.set(resolved, id);
      return resolved;
    }
    if (paymentMethods.has(id)) return id;
    throw new StripeApiError(400, {
      type: "invalid_request_error",
      code: "resource_missing",
      doc_url: docUrl("resource_missing"),
      message: `No such PaymentMethod: '${id}'`,
      param: "payment_method",
    });
  }

  function confirmIntent(intent: PaymentIntent, request: RequestRef): void {
    const paymentMethod = intent.payment_method;
    if (!paymentMethod) {
      throw stateError(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
        "payment_intent_unexpected_state",
      );
    }
    const profile = paymentMethods.get(paymentMethod);
    if (!profile) throw resourceMissing("PaymentMethod", paymentMethod, "payment_method");
    if (profile.authentication && !authenticated.has(paymentMethod)) {
      // As Stripe does for its 3-D Secure test cards: no charge until the cardholder authenticates
      // (Stripe.js shows the bank's step; browser.ts's stand-in script shows ours).
      intent.status = "requires_action";
      intent.next_action = {
        type: "use_stripe_sdk",
        use_stripe_sdk: { type: "three_d_secure_redirect", source: `src_standin_${intent.id}` },
      };
      intent.last_payment_error = null;
      emit("payment_intent.requires_action", intent, request);
      return;
    }
    const charge = buildCharge({ intent, paymentMethod, card: profile, receiptBaseUrl: baseUrl });
    charges.set(charge.id, charge);
    intent.latest_charge = charge.id;
    intent.next_action = null;
    intent.processing = null;
    const decline = profile.decline;
    if (decline) {
      intent.status = "requires_payment_method";
      // Stripe detaches a failed payment method so the next attempt needs a new one.
      intent.payment_method = null;
      intent.last_payment_error = {
        charge: charge.id,
        code: decline.code,
        decline_code: decline.declineCode,
        doc_url: docUrl(decline.code),
        message: decline.message,
        type: "card_error",
      };
      emit("payment_intent.payment_failed", intent, request);
      throw new StripeApiError(402, {
        type: "card_error",
        code: decline.code,
        decline_code: decline.declineCode,
        doc_url: docUrl(decline.code),
        message: decline.message,
        charge: charge.id,
        payment_intent: structuredClone(intent),
      });
    }
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
    intent.amount_capturable = 0;
    intent.last_payment_error = null;
    emit("payment_intent.succeeded", intent, request);
    connect.chargeSucceeded(intent, charge, testTokens.get(paymentMethod));
  }

  /** The cardholder's answer to the 3-D Secure step: pays, or fails like Stripe's authentication failure. */
  function finishAuthentication(intent: PaymentIntent, passed: boolean, request: RequestRef): void {
    const paymentMethod = intent.payment_method;
    if (intent.status !== "requires_action" || !paymentMethod) {
      throw stateError(
        `This PaymentIntent has a status of ${intent.status}; there is no authentication to finish.`,
        "payment_intent_unexpected_state",
      );
    }
    if (passed) {
      authenticated.add(paymentMethod);
      confirmIntent(intent, request);
      return;
    }
    intent.status = "requires_payment_method";
    intent.payment_method = null;
    intent.next_action = null;
    intent.last_payment_error = {
      code: "payment_intent_authentication_failure",
      doc_url: docUrl("payment_intent_authentication_failure"),
      message:
        "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
      type: "invalid_request_error",
    };
    emit("payment_intent.payment_failed", intent, request);
  }

  const browser = createBrowserSide({
    intents,
    baseUrl: () => baseUrl,
    confirm(intent, paymentMethod, request) {
      intent.payment_method = resolvePaymentMethod(paymentMethod);
      confirmIntent(intent, { id: request, idempotencyKey: null, apiVersion: Stripe.API_VERSION });
    },
    authenticate(intent, passed, request) {
      finishAuthentication(intent, passed, { id: request, idempotencyKey: null, apiVersion: Stripe.API_VERSION });
    },
    log,
  });

  function scheduleAutoConfirm(id: string): void {
    const timer = setTimeout(() => {
      autoConfirmTimers.delete(timer);
      const intent = intents.get(id);
      if (!intent || (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation")) return;
      // A customer paying in the browser (through the stand-in Stripe.js) chooses the outcome.
      if (browser.paysInBrowser(intent)) return;
      try {
        intent.payment_method ??= resolvePaymentMethod("pm_card_visa");
        // No API request caused this, as with a customer paying in the browser.
        confirmIntent(intent, { id: null, idempotencyKey: null, apiVersion: Stripe.API_VERSION });
        log(`auto-confirmed ${id}: ${intent.status}`);
      } catch (error) {
        log(`auto-confirm of ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, options.autoConfirmDelayMs ?? 50);
    autoConfirmTimers.add(timer);
  }

  function createPaymentIntent({ params, request }: Context): unknown {
    checkKnown(params, PI_CREATE_PARAMS);
    const expand = readExpand(params, "payment_intent");
    const amount = required(optInteger(params, "amount", 1), "amount");
    const currency = required(readCurrency(params), "currency");
    checkAmount(amount, currency);
    const captureMethod = optEnum(params, "capture_method", ["automatic", "automatic_async", "manual"]);
    if (captureMethod === "manual") {
      throw invalidParam("capture_method=manual is not supported by the local Stripe stand-in.", "capture_method");
    }
    const paymentMethodTypes = optStringArray(params, "payment_method_types");
    const automatic = optObject(params, "automatic_payment_methods");
    if (automatic && paymentMethodTypes) {
      throw invalidParam(
        "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
        "automatic_payment_methods",
        "parameters_exclusive",
      );
    }
    const automaticEnabled = automatic ? (optBoolean(automatic, "enabled") ?? false) : !paymentMethodTypes;
    const allowRedirects = automatic ? optEnum(automatic, "allow_redirects", ["always", "never"]) : undefined;
    const confirm = optBoolean(params, "confirm") ?? false;
    const paymentMethodParam = optString(params, "payment_method");
    if (confirm && !paymentMethodParam) {
      throw stateError(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the PaymentIntent with a payment method and then confirm it again.",
        "payment_intent_unexpected_state",
      );
    }
    const transferData = optObject(params, "transfer_data");
    const applicationFee = optInteger(params, "application_fee_amount", 0);
    const id = newId("pi");
    const intent: PaymentIntent = {
      id,
      object: "payment_intent",
      amount,
      amount_capturable: 0,
      amount_details: { tip: {} },
      amount_received: 0,
      application: null,
      application_fee_amount: applicationFee ?? null,
      automatic_payment_methods: automaticEnabled
        ? allowRedirects
          ? { allow_redirects: allowRedirects, enabled: true }
          : { enabled: true }
        : null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: captureMethod ?? "automatic",
      client_secret: `${id}_secret_${randomToken(25)}`,
      confirmation_method: optEnum(params, "confirmation_method", ["automatic", "manual"]) ?? "automatic",
      created: nowSeconds(),
      currency,
      customer: optNullableString(params, "customer") ?? null,
      customer_account: optNullableString(params, "customer_account") ?? null,
      description: optNullableString(params, "description") ?? null,
      excluded_payment_method_types: optStringArray(params, "excluded_payment_method_types") ?? null,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      managed_payments: { enabled: false },
      metadata: applyMetadata({}, params),
      next_action: null,
      on_behalf_of: optNullableString(params, "on_behalf_of") ?? null,
      payment_method: null,
      payment_method_configuration_details: automaticEnabled ? { id: paymentMethodConfiguration, parent: null } : null,
      payment_method_options: {},
      payment_method_types: paymentMethodTypes ?? ["card"],
      processing: null,
      receipt_email: optNullableString(params, "receipt_email") ?? null,
      review: null,
      setup_future_usage: optEnum(params, "setup_future_usage", ["off_session", "on_session"]) ?? null,
      shipping: readShipping(params) ?? null,
      source: null,
      statement_descriptor: optNullableString(params, "statement_descriptor") ?? null,
      statement_descriptor_suffix: optNullableString(params, "statement_descriptor_suffix") ?? null,
      status: "requires_payment_method",
      transfer_data: transferData
        ? {
            destination: required(optString(transferData, "destination"), "transfer_data[destination]"),
            ...(transferData.amount !== undefined ? { amount: optInteger(transferData, "amount", 1) ?? 0 } : {}),
          }
        : null,
      transfer_group: optNullableString(params, "transfer_group") ?? null,
    };
    if (paymentMethodParam) {
      intent.payment_method = resolvePaymentMethod(paymentMethodParam);
      intent.status = "requires_confirmation";
    }
    intents.set(id, intent);
    if (confirm) confirmIntent(intent, request);
    else if (options.autoConfirm) scheduleAutoConfirm(id);
    return render(intent, expand);
  }

  function retrievePaymentIntent({ params }: Context, id: string): unknown {
    checkKnown(params, PI_RETRIEVE_PARAMS);
    const expand = readExpand(params, "payment_intent");
    return render(getIntent(id), expand);
  }

  function updatePaymentIntent({ params }: Context, id: string): unknown {
    checkKnown(params, PI_UPDATE_PARAMS);
    const expand = readExpand(params, "payment_intent");
    const intent = getIntent(id);
    if (!(CONFIRMABLE as readonly string[]).includes(intent.status)) {
      const locked = Object.keys(params).find((key) => !PI_UPDATABLE_WHEN_FINAL.has(key));
      if (locked) {
        throw stateError(
          `This PaymentIntent's ${locked} could not be updated because it has a status of ${intent.status}. You may only update the ${locked} of a PaymentIntent with one of the following statuses: ${CONFIRMABLE.join(", ")}.`,
          "payment_intent_unexpected_state",
          locked,
        );
      }
    }
    // Validate everything before touching the stored object, so a rejected
    // update leaves it unchanged.
    const amount = optInteger(params, "amount", 1);
    const currency = readCurrency(params);
    checkAmount(amount ?? intent.amount, currency ?? intent.currency);
    const metadata = applyMetadata(intent.metadata, params);
    const description = optNullableString(params, "description");
    const receiptEmail = optNullableString(params, "receipt_email");
    const shipping = readShipping(params);
    const setupFutureUsage = optEnum(params, "setup_future_usage", ["off_session", "on_session"]);
    const paymentMethodParam = optString(params, "payment_method");
    const paymentMethod = paymentMethodParam ? resolvePaymentMethod(paymentMethodParam) : undefined;

    if (amount !== undefined) intent.amount = amount;
    if (currency !== undefined) intent.currency = currency;
    intent.metadata = metadata;
    if (description !== undefined) intent.description = description;
    if (receiptEmail !== undefined) intent.receipt_email = receiptEmail;
    if (shipping !== undefined) intent.shipping = shipping;
    if (setupFutureUsage !== undefined) intent.setup_future_usage = setupFutureUsage;
    if (paymentMethod) {
      intent.payment_method = paymentMethod;
      intent.status = "requires_confirmation";
    }
    return render(intent, expand);
  }

  function confirmPaymentIntent({ params, request }: Context, id: string): unknown {
    checkKnown(params, PI_CONFIRM_PARAMS);
    const expand = readExpand(params, "payment_intent");
    const intent = getIntent(id);
    if (!(CONFIRMABLE as readonly string[]).includes(intent.status)) {
      const message =
        intent.status === "succeeded"
          ? "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
          : `You cannot confirm this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be confirmed: ${CONFIRMABLE.join(", ")}.`;
      throw stateError(message, "payment_intent_unexpected_state");
    }
    const paymentMethodParam = optString(params, "payment_method");
    const receiptEmail = optNullableString(params, "receipt_email");
    const shipping = readShipping(params);
    if (paymentMethodParam) intent.payment_method = resolvePaymentMethod(paymentMethodParam);
    if (receiptEmail !== undefined) intent.receipt_email = receiptEmail;
    if (shipping !== undefined) intent.shipping = shipping;
    confirmIntent(intent, request);
    return render(intent, expand);
  }

  function cancelPaymentIntent({ params, request }: Context, id: string): unknown {
    checkKnown(params, PI_CANCEL_PARAMS);
    const expand = readExpand(params, "payment_intent");
    const reason = optEnum(params, "cancellation_reason", [
      "duplicate",
      "fraudulent",
      "requested_by_customer",
      "abandoned",
    ]);
    const intent = getIntent(id);
    if (!CANCELABLE.includes(intent.status)) {
      throw stateError(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(", ")}.`,
        "payment_intent_unexpected_state",
      );
    }
    intent.status = "canceled";
    intent.canceled_at = nowSeconds();
    intent.cancellation_reason = reason ?? null;
    intent.next_action = null;
    emit("payment_intent.canceled", intent, request);
    return render(intent, expand);
  }

  function createRefund({ params, request }: Context): unknown {
    checkKnown(params, REFUND_CREATE_PARAMS);
    const expand = readExpand(params, "refund");
    const intentId = optString(params, "payment_intent");
    const chargeId = optString(params, "charge");
    const amountParam = optInteger(params, "amount", 1);
    const reason = optEnum(params, "reason", ["duplicate", "fraudulent", "requested_by_customer"]);
    const metadata = applyMetadata({}, params);
    if (!intentId && !chargeId) {
      throw invalidParam(
        "One of the following params should be provided for this request: payment_intent or charge.",
        "payment_intent",
        "parameter_missing",
      );
    }
    let charge: Charge | undefined;
    if (intentId) {
      const intent = intents.get(intentId);
      if (!intent) throw resourceMissing("payment_intent", intentId, "payment_intent");
      charge = intent.status === "succeeded" && intent.latest_charge ? charges.get(intent.latest_charge) : undefined;
      if (!charge) {
        throw stateError(
          `This PaymentIntent (${intentId}) does not have a successful charge to refund.`,
          "payment_intent_unexpected_state",
          "payment_intent",
        );
      }
      if (chargeId && chargeId !== charge.id) {
        throw invalidParam(`Charge ${chargeId} does not belong to PaymentIntent ${intentId}.`, "charge");
      }
    } else if (chargeId) {
      charge = charges.get(chargeId);
      if (!charge) throw resourceMissing("charge", chargeId, "charge");
      if (charge.status !== "succeeded") {
        throw stateError(`Charge ${chargeId} cannot be refunded because it has failed.`, "charge_not_refundable");
      }
    }
    if (!charge) throw new Error("unreachable: charge resolved above");
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) {
      throw stateError(`Charge ${charge.id} has already been refunded.`, "charge_already_refunded");
    }
    const amount = amountParam ?? remaining;
    if (amount > remaining) {
      throw stateError(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
        "amount_too_large",
        "amount",
      );
    }
    const refund: Refund = {
      id: newId("re"),
      object: "refund",
      amount,
      balance_transaction: newId("txn"),
      charge: charge.id,
      created: nowSeconds(),
      currency: charge.currency,
      customer: charge.customer,
      customer_account: null,
      // A full refund before settlement reverses the authorisation instead.
      destination_details: { card: { type: amount === charge.amount ? "reversal" : "refund" }, type: "card" },
      metadata,
      payment_intent: charge.payment_intent,
      payment_method: charge.payment_method,
      reason: reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: "succeeded",
      transfer_reversal: null,
    };
    refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    charge.refunds.data.unshift(refund);
    emit("charge.refunded", charge, request);
    emit("refund.created", refund, request);
    connect.refundCreated(refund);
    return render(refund, expand);
  }

  function retrieveRefund({ params }: Context, id: string): unknown {
    checkKnown(params, RETRIEVE_PARAMS);
    const expand = readExpand(params, "refund");
    const refund = refunds.get(id);
    if (!refund) throw resourceMissing("refund", id);
    return render(refund, expand);
  }

  function retrieveCharge({ params }: Context, id: string): unknown {
    checkKnown(params, RETRIEVE_PARAMS);
    const expand = readExpand(params, "charge");
    const charge = charges.get(id);
    if (!charge) throw resourceMissing("charge", id);
    return render(charge, expand);
  }

  function retrieveEvent({ params }: Context, id: string): unknown {
    checkKnown(params, RETRIEVE_PARAMS);
    const event = eventsById.get(id);
    if (!event) throw resourceMissing("event", id);
    return structuredClone(event);
  }

  function listEvents({ params }: Context): unknown {
    checkKnown(params, EVENT_LIST_PARAMS);
    const limit = optInteger(params, "limit", 1) ?? 10;
    if (limit > 100)
      throw invalidParam("This value must be less than or equal to 100.", "limit", "parameter_invalid_integer");
    const type = optString(params, "type");
    const types = optStringArray(params, "types");
    const startingAfter = optString(params, "starting_after");
    const endingBefore = optString(params, "ending_before");
    const matches = (eventType: string, pattern: string): boolean =>
      pattern.endsWith(".*") ? eventType.startsWith(pattern.slice(0, -1)) : eventType === pattern;
    // Newest first, as Stripe lists.
    const all = [...events]
      .reverse()
      .filter((e) => (!type || matches(e.type, type)) && (!types || types.some((t) => matches(e.type, t))));
    let page: StripeEvent[];
    let hasMore: boolean;
    if (endingBefore) {
      const index = all.findIndex((e) => e.id === endingBefore);
      if (index < 0) throw resourceMissing("event", endingBefore, "ending_before");
      const before = all.slice(0, index);
      page = before.slice(-limit);
      hasMore = before.length > limit;
    } else {
      let start = 0;
      if (startingAfter) {
        const index = all.findIndex((e) => e.id === startingAfter);
        if (index < 0) throw resourceMissing("event", startingAfter, "starting_after");
        start = index + 1;
      }
      page = all.slice(start, start + limit);
      hasMore = all.length > start + limit;
    }
    return { object: "list", data: structuredClone(page), has_more: hasMore, url: "/v1/events" };
  }

  interface Route {
    method: "GET" | "POST";
    pattern: RegExp;
    handler: (ctx: Context, id: string) => unknown;
  }
  const ID = "([A-Za-z0-9_]+)";
  const routes: Route[] = [
    { method: "POST", pattern: /^\/v1\/payment_intents$/, handler: createPaymentIntent },
    { method: "GET", pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: retrievePaymentIntent },
    { method: "POST", pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: updatePaymentIntent },
    { method: "POST", pattern: new RegExp(`^/v1/payment_intents/${ID}/confirm$`), handler: confirmPaymentIntent },
    { method: "POST", pattern: new RegExp(`^/v1/payment_intents/${ID}/cancel$`), handler: cancelPaymentIntent },
    { method: "POST", pattern: /^\/v1\/refunds$/, handler: createRefund },
    { method: "GET", pattern: new RegExp(`^/v1/refunds/${ID}$`), handler: retrieveRefund },
    { method: "GET", pattern: new RegExp(`^/v1/charges/${ID}$`), handler: retrieveCharge },
    { method: "GET", pattern: /^\/v1\/events$/, handler: listEvents },
    { method: "GET", pattern: new RegExp(`^/v1/events/${ID}$`), handler: retrieveEvent },
    ...connect.routes,
  ];

  function execute(method: string, path: string, ctx: Context): { status: number; body: unknown; saved: boolean } {
    for (const route of routes) {
      const match = route.method === method ? route.pattern.exec(path) : null;
      if (!match) continue;
      try {
        return { status: 200, body: route.handler(ctx, match[1] ?? ""), saved: true };
      } catch (error) {
        if (error instanceof StripeApiError)
          return { status: error.status, body: { error: error.body }, saved: error.savedForIdempotency };
        if (error instanceof FormDecodeError) {
          return {
            status: 400,
            body: { error: { type: "invalid_request_error", message: error.message } },
            saved: false,
          };
        }
        log(
          `internal error on ${method} ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return {
          status: 500,
          body: { error: { type: "api_error", message: "An unknown error occurred in the Stripe stand-in." } },
          saved: false,
        };
      }
    }
    return {
      status: 404,
      body: {
        error: {
          type: "invalid_request_error",
          message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        },
      },
      saved: false,
    };
  }

  function authenticate(header: string | undefined): string | StripeApiError {
    let key: string | undefined;
    if (header?.startsWith("Bearer ")) key = header.slice(7).trim();
    else if (header?.startsWith("Basic ")) {
      // Stripe also accepts the key as the Basic-auth user name.
      key = Buffer.from(header.slice(6), "base64").toString("utf8").split(":")[0];
    }
    if (!key) {
      return new StripeApiError(401, {
        type: "invalid_request_error",
        message:
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
      });
    }
    const valid = options.apiKey ? key === options.apiKey : /^sk_test_[A-Za-z0-9_]+$/.test(key);
    if (!valid) {
      return new StripeApiError(401, {
        type: "invalid_request_error",
        code: "api_key_invalid",
        message: `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
      });
    }
    return key;
  }

  function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newId("req");
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://stripe-standin");
    const apiVersion = headerValue(req, "stripe-version") ?? Stripe.API_VERSION;
    const baseHeaders: Record<string, string> = { "Request-Id": requestId, "Stripe-Version": apiVersion };
    const reply = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      send(res, status, JSON.stringify(body, null, 2), { ...baseHeaders, ...extra });
      log(`${method} ${url.pathname} -> ${status}`);
    };

    // The onboarding page an account link opens in the person's browser: no API key, and finishing it enables payouts.
    const onboarding = /^\/connect\/onboarding\/(acct_[A-Za-z0-9]+)\/[A-Za-z0-9_-]+$/.exec(url.pathname);
    if (method === "GET" && onboarding) {
      const done = connect.completeOnboarding(onboarding[1] ?? "");
      const back = url.searchParams.get("return_url");
      if (done && back) {
        res.writeHead(302, { Location: back });
        res.end();
      } else reply(done ? 200 : 404, { onboarded: done !== null });
      return;
    }

    // Stripe.js's side (publishable key and client secret) and the stand-in's own controls.
    if (await browser.handle(req, res, url, requestId)) return;

    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      reply(413, { error: { type: "invalid_request_error", message: "Request body too large." } });
      return;
    }
    const auth = authenticate(headerValue(req, "authorization"));
    if (auth instanceof StripeApiError) {
      reply(auth.status, { error: auth.body });
      return;
    }
    let params: FormObject;
    try {
      params = decodeForm(method === "GET" ? url.search.slice(1) : raw);
    } catch (error) {
      const message = error instanceof Error ? error.message : "Invalid request body.";
      reply(400, { error: { type: "invalid_request_error", message } });
      return;
    }

    const idempotencyKey = method === "POST" ? (headerValue(req, "idempotency-key") ?? null) : null;
    const ctx: Context = { params, request: { id: requestId, idempotencyKey, apiVersion } };
    if (!idempotencyKey) {
      const result = execute(method, url.pathname, ctx);
      reply(result.status, result.body);
      return;
    }
    if (idempotencyKey.length > 255) {
      reply(400, {
        error: {
          type: "invalid_request_error",
          message: "Idempotency-Key must be no more than 255 characters long.",
        },
      });
      return;
    }
    // Keys are scoped to the API key, as Stripe scopes them to the account.
    const storeKey = `${auth}\u0000${idempotencyKey}`;
    const endpoint = `${method} ${url.pathname}`;
    const fingerprint = canonicalForm(params as FormValue);
    const saved = idempotency.get(storeKey);
    if (saved) {
      if (saved.endpoint !== endpoint || saved.fingerprint !== fingerprint) {
        const what =
          saved.endpoint !== endpoint
            ? "for the same endpoint they were first used for"
            : "with the same parameters they were first used with";
        reply(400, {
          error: {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used ${what}. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          },
        });
        return;
      }
      send(res, saved.status, saved.body, {
        ...baseHeaders,
        "Idempotency-Key": idempotencyKey,
        "Idempotent-Replayed": "true",
        "Original-Request": saved.requestId,
      });
      log(`${method} ${url.pathname} -> ${saved.status} (idempotent replay)`);
      return;
    }
    const result = execute(method, url.pathname, ctx);
    const body = JSON.stringify(result.body, null, 2);
    if (result.saved) {
      if (idempotency.size >= MAX_SAVED_RESPONSES) {
        const oldest = idempotency.keys().next().value;
        if (oldest !== undefined) idempotency.delete(oldest);
      }
      idempotency.set(storeKey, { fingerprint, endpoint, status: result.status, body, requestId });
    }
    send(res, result.status, body, {
      ...baseHeaders,
      "Idempotency-Key": idempotencyKey,
      "Original-Request": requestId,
    });
    log(`${method} ${url.pathname} -> ${result.status}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`unhandled: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ error: { type: "api_error", message: "Internal error" } }), {});
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    port,
    events,
    setWebhookUrl(url: string) {
      webhookUrl = url;
    },
    webhooksIdle: () => dispatcher.idle(),
    async close() {
      for (const timer of autoConfirmTimers) clearTimeout(timer);
      browser.close();
      autoConfirmTimers.clear();
      await dispatcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
