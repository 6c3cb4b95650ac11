// A local stand-in for the slice of the Stripe API the platform uses
// (PaymentIntents, refunds, events, signed webhooks), so a full paid order can
// be taken with the real `stripe` SDK and no network:
//   new Stripe("sk_test_...", { host: "127.0.0.1", port, protocol: "http" })
// Dev tooling only: Node APIs, never bundled into a Worker. State is in memory.
// This file composes the resources (payment-intents.ts, refunds.ts, events.ts,
// connect.ts over store.ts) behind the HTTP side (http.ts).
import Stripe from "stripe";
import { type BrowserSide, createBrowserSide } from "./browser.ts";
import { createConnect } from "./connect.ts";
import { createEvents } from "./events.ts";
import { createApiServer } from "./http.ts";
import {
  applyMetadata,
  checkKnown,
  invalidParam,
  optInteger,
  optString,
  optStringArray,
  resourceMissing,
  stateError,
} from "./params.ts";
import { createPaymentIntents } from "./payment-intents.ts";
import { createRefunds } from "./refunds.ts";
import { createStore, type RequestRef, type StandinEvent } from "./store.ts";
import { createTransferReversals } from "./transfer-reversals.ts";
import { WebhookDispatcher } from "./webhooks.ts";

export type { Charge, PaymentIntent, Refund, StripeEvent } from "./objects.ts";
export type { StandinEvent } from "./store.ts";
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
  events: StandinEvent[];
  // Resolves once every queued webhook delivery has finished or given up.
  webhooksIdle(): Promise<void>;
}

/** What the stand-in does by itself (a customer paying, Connect's side effects): no API request behind it. */
const NO_REQUEST: RequestRef = { id: null, idempotencyKey: null, apiVersion: Stripe.API_VERSION };

export async function startStripeStandin(options: StripeStandinOptions): Promise<StripeStandin> {
  const log = options.log ?? (() => undefined);
  let webhookUrl = options.webhookUrl;
  let baseUrl = "";
  const store = createStore();

  const dispatcher = new WebhookDispatcher({
    secret: options.webhookSecret,
    getUrl: () => webhookUrl,
    // Six attempts, 250 ms doubling (about 8 s in all): long enough for the platform's "not yet"
    // (409 for a payment that overtook checkout's write) to turn into a booking; Stripe goes on for days.
    maxAttempts: options.webhookMaxAttempts ?? 6,
    initialBackoffMs: options.webhookInitialBackoffMs ?? 250,
    timeoutMs: 10_000,
    log,
  });
  const events = createEvents({ dispatcher, webhookUrl: () => webhookUrl });

  const connect = createConnect({
    expandSource: (id) => reversals.byId.get(id),
    emit: (type, object, account) => events.emit(type, object, NO_REQUEST, account),
    charges: store.charges,
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
  const reversals = createTransferReversals({
    transfers: connect.transfers,
    balanceTransaction: (amount, currency, source, description) =>
      connect.balanceTransaction("transfer_refund", amount, 0, currency, source, description).id,
    emitReversed: (transferId) => {
      const transfer = connect.transfers.get(transferId);
      if (transfer) events.emit("transfer.reversed", transfer, NO_REQUEST);
    },
    checkKnown,
    optString,
    optInteger,
    applyMetadata,
    invalidParam,
    resourceMissing,
  });
  const paymentIntents = createPaymentIntents({
    store,
    emit: events.emit,
    chargeSucceeded: connect.chargeSucceeded,
    baseUrl: () => baseUrl,
    log,
    autoConfirm: options.autoConfirm ?? false,
    autoConfirmDelayMs: options.autoConfirmDelayMs ?? 50,
    paysInBrowser: (intent) => browser.paysInBrowser(intent),
  });
  const browser: BrowserSide = createBrowserSide({
    intents: store.intents,
    baseUrl: () => baseUrl,
    confirm: paymentIntents.confirmInBrowser,
    authenticate: paymentIntents.authenticate,
    log,
  });
  const refunds = createRefunds({
    store,
    emit: events.emit,
    refundCreated: connect.refundCreated,
    refundFailed: connect.refundFailed,
  });

  const server = createApiServer({
    routes: [...paymentIntents.routes, ...refunds.routes, ...events.routes, ...connect.routes, ...reversals.routes],
    apiKey: options.apiKey,
    completeOnboarding: connect.completeOnboarding,
    browser: (req, res, url, requestId) => browser.handle(req, res, url, requestId),
    log,
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
    events: events.events,
    setWebhookUrl(url: string) {
      webhookUrl = url;
    },
    webhooksIdle: () => dispatcher.idle(),
    async close() {
      paymentIntents.close();
      browser.close();
      await dispatcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
