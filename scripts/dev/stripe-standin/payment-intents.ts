// PaymentIntents: create, retrieve, update, confirm, cancel, and the
// stand-in paying by itself (auto-confirm) when no browser runs Stripe.js.
import Stripe from "stripe";
import {
  buildCharge,
  type Charge,
  type EventType,
  newId,
  nowSeconds,
  type PaymentIntent,
  randomToken,
} from "./objects.ts";
import {
  applyMetadata,
  CANCELABLE,
  CONFIRMABLE,
  checkAmount,
  checkKnown,
  docUrl,
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
  readCurrency,
  readShipping,
  required,
  resourceMissing,
  StripeApiError,
  stateError,
  TEST_PAYMENT_METHODS,
} from "./params.ts";
import { type Context, ID, type RequestRef, type Route, type Store } from "./store.ts";

/** What the PaymentIntents need from the server that composes them. */
export interface PaymentIntentsHost {
  store: Store;
  emit(type: EventType, object: PaymentIntent, request: RequestRef): void;
  /** Connect's part of a successful charge (its balance transaction, a destination's transfer). */
  chargeSucceeded(intent: PaymentIntent, charge: Charge, testToken: string | undefined): void;
  baseUrl(): string;
  log(message: string): void;
  autoConfirm: boolean;
  autoConfirmDelayMs: number;
  /** True when a browser (the stand-in's Stripe.js) pays this PaymentIntent: auto-confirm leaves it alone. */
  paysInBrowser(intent: PaymentIntent): boolean;
}

export function createPaymentIntents(host: PaymentIntentsHost) {
  const { intents, charges, paymentMethods, testTokens, readExpand, render } = host.store;
  const { emit, log } = host;
  const autoConfirmTimers = new Set<NodeJS.Timeout>();
  /** Payment methods whose cardholder passed the 3-D Secure step. */
  const authenticated = new Set<string>();
  // One per server, like an account's default payment method configuration.
  const paymentMethodConfiguration = newId("pmc");

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
    const charge = buildCharge({ intent, paymentMethod, card: profile, receiptBaseUrl: host.baseUrl() });
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
    host.chargeSucceeded(intent, charge, testTokens.get(paymentMethod));
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

  function scheduleAutoConfirm(id: string): void {
    const timer = setTimeout(() => {
      autoConfirmTimers.delete(timer);
      const intent = intents.get(id);
      if (!intent || (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation")) return;
      // A customer paying in the browser (through the stand-in Stripe.js) chooses the outcome.
      if (host.paysInBrowser(intent)) return;
      try {
        intent.payment_method ??= resolvePaymentMethod("pm_card_visa");
        // No API request caused this, as with a customer paying in the browser.
        confirmIntent(intent, { id: null, idempotencyKey: null, apiVersion: Stripe.API_VERSION });
        log(`auto-confirmed ${id}: ${intent.status}`);
      } catch (error) {
        log(`auto-confirm of ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }, host.autoConfirmDelayMs);
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
    else if (host.autoConfirm) scheduleAutoConfirm(id);
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

  const routes: Route[] = [
    { method: "POST", pattern: /^\/v1\/payment_intents$/, handler: createPaymentIntent },
    { method: "GET", pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: retrievePaymentIntent },
    { method: "POST", pattern: new RegExp(`^/v1/payment_intents/${ID}$`), handler: updatePaymentIntent },
    { method: "POST", pattern: new RegExp(`^/v1/payment_intents/${ID}/confirm$`), handler: confirmPaymentIntent },
    { method: "POST", pattern: new RegExp(`^/v1/payment_intents/${ID}/cancel$`), handler: cancelPaymentIntent },
  ];

  return {
    routes,
    /** Stripe.js's confirm with a test PaymentMethod token (`pm_card_visa`...); throws StripeApiError like the API. */
    confirmInBrowser(intent: PaymentIntent, paymentMethod: string, requestId: string): void {
      intent.payment_method = resolvePaymentMethod(paymentMethod);
      confirmIntent(intent, { id: requestId, idempotencyKey: null, apiVersion: Stripe.API_VERSION });
    },
    authenticate(intent: PaymentIntent, passed: boolean, requestId: string): void {
      finishAuthentication(intent, passed, { id: requestId, idempotencyKey: null, apiVersion: Stripe.API_VERSION });
    },
    /** Stops the pending auto-confirmations. */
    close(): void {
      for (const timer of autoConfirmTimers) clearTimeout(timer);
      autoConfirmTimers.clear();
    },
  };
}
