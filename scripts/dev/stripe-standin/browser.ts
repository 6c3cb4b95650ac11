// The browser's side of the Stripe stand-in: what Stripe.js does with a
// publishable key and a PaymentIntent's client secret (retrieve it, confirm it
// with a test card, finish a 3-D Secure step), a stand-in Stripe.js script at
// /v3/ for apps that cannot reach js.stripe.com (offline, tests), and one
// control a test uses. See docs/decisions/0043-stripe-js-stand-in.md.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { decodeForm, type FormObject } from "./form.ts";
import type { PaymentIntent } from "./objects.ts";
import { docUrl, StripeApiError } from "./params.ts";

export interface BrowserHost {
  intents: Map<string, PaymentIntent>;
  baseUrl(): string;
  /** Confirms with a test PaymentMethod token (`pm_card_visa`...); throws StripeApiError like the API. */
  confirm(intent: PaymentIntent, paymentMethod: string, requestId: string): void;
  /** The cardholder's 3-D Secure answer. */
  authenticate(intent: PaymentIntent, passed: boolean, requestId: string): void;
  log(message: string): void;
}

export interface BrowserSide {
  /** True when a browser (not the stand-in's auto-confirm) pays this PaymentIntent. */
  paysInBrowser(intent: PaymentIntent): boolean;
  /** Answers the request when it is the browser's (or a control); false lets the secret-key API have it. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<boolean>;
  close(): void;
}

const SCRIPT = readFileSync(new URL("./stripe-js.js", import.meta.url), "utf8");
const MAX_BODY_BYTES = 16 * 1024;
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, content-type, stripe-version",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Max-Age": "600",
};
const INTENT_PATH = /^\/v1\/payment_intents\/(pi_[A-Za-z0-9]+)(\/confirm|\/authenticate)?$/;

/** What Stripe answers a publishable key with: no metadata, no customer, no charges. */
function publicView(intent: PaymentIntent): Record<string, unknown> {
  const { id, object, amount, currency, status, client_secret, created, description, livemode } = intent;
  return {
    id,
    object,
    amount,
    currency,
    status,
    client_secret,
    created,
    description,
    livemode,
    next_action: intent.next_action,
    last_payment_error: intent.last_payment_error,
    payment_method: intent.payment_method,
  };
}

function publishableKey(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  const key = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  return /^pk_test_[A-Za-z0-9_]+$/.test(key) ? key : null;
}

function readSmallBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function invalid(message: string, param?: string, status = 400): StripeApiError {
  return new StripeApiError(status, { type: "invalid_request_error", message, ...(param ? { param } : {}) });
}

export function createBrowserSide(host: BrowserHost): BrowserSide {
  /** PaymentIntents a browser has taken over (retrieved or confirmed with the publishable key). */
  const claimed = new Set<string>();
  /** Customers (the platform's metadata.customer_id) whose payments a test makes in the browser. */
  const manualPayers = new Set<string>();

  function reply(res: ServerResponse, status: number, body: unknown, requestId: string): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...CORS,
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(text)),
      "Request-Id": requestId,
    });
    res.end(text);
  }

  function intentFor(id: string, params: FormObject): PaymentIntent {
    const intent = host.intents.get(id);
    if (!intent) {
      throw new StripeApiError(404, {
        type: "invalid_request_error",
        code: "resource_missing",
        doc_url: docUrl("resource_missing"),
        message: `No such payment_intent: '${id}'`,
        param: "intent",
      });
    }
    if (params.client_secret !== intent.client_secret) {
      throw invalid(
        "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
        "client_secret",
      );
    }
    return intent;
  }

  function browserCall(method: string, path: string, params: FormObject, requestId: string): unknown {
    const match = INTENT_PATH.exec(path);
    if (!match) {
      throw invalid("This API call cannot be made with a publishable API key. Please use a secret API key.", "", 401);
    }
    const [, id = "", action] = match;
    const intent = intentFor(id, params);
    claimed.add(intent.id);
    if (method === "GET" && !action) return publicView(intent);
    if (method !== "POST" || !action) throw invalid(`Unrecognized request URL (${method}: ${path}).`, "", 404);
    if (action === "/confirm") {
      const paymentMethod = params.payment_method;
      if (typeof paymentMethod !== "string" || !paymentMethod) {
        throw invalid("Missing required param: payment_method.", "payment_method");
      }
      if (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation") {
        throw new StripeApiError(400, {
          type: "invalid_request_error",
          code: "payment_intent_unexpected_state",
          doc_url: docUrl("payment_intent_unexpected_state"),
          message: `You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`,
          payment_intent: publicView(intent),
        });
      }
      try {
        host.confirm(intent, paymentMethod, requestId);
      } catch (error) {
        // Stripe.js hands the customer's app the intent as it now is, without its private fields.
        if (error instanceof StripeApiError && error.body.payment_intent) {
          throw new StripeApiError(error.status, { ...error.body, payment_intent: publicView(intent) });
        }
        throw error;
      }
      return publicView(intent);
    }
    const outcome = params.outcome;
    if (outcome !== "succeed" && outcome !== "fail") throw invalid("outcome must be succeed or fail.", "outcome");
    host.authenticate(intent, outcome === "succeed", requestId);
    return publicView(intent);
  }

  return {
    paysInBrowser(intent) {
      const customer = intent.metadata.customer_id;
      return claimed.has(intent.id) || (typeof customer === "string" && manualPayers.has(customer));
    },

    async handle(req, res, url, requestId) {
      const method = req.method ?? "GET";
      if (method === "OPTIONS") {
        res.writeHead(204, CORS);
        res.end();
        return true;
      }
      if (method === "GET" && (url.pathname === "/v3" || url.pathname === "/v3/")) {
        res.writeHead(200, {
          ...CORS,
          "Content-Type": "text/javascript; charset=utf-8",
          "Cache-Control": "no-cache",
        });
        res.end(SCRIPT);
        return true;
      }
      const control = url.pathname === "/_standin/manual-payers" && method === "POST";
      const key = publishableKey(req);
      if (!control && !key) return false;
      try {
        const raw = method === "GET" ? url.search.slice(1) : await readSmallBody(req);
        const params = decodeForm(raw);
        if (control) {
          // A test paying in the browser keeps auto-confirm off this customer's PaymentIntents.
          const customer = params.customer;
          if (typeof customer !== "string" || !customer) throw invalid("Missing required param: customer.", "customer");
          manualPayers.add(customer);
          reply(res, 200, { customer, manual: true }, requestId);
          return true;
        }
        const body = browserCall(method, url.pathname, params, requestId);
        reply(res, 200, body, requestId);
        host.log(`${method} ${url.pathname} (publishable key) -> 200`);
      } catch (error) {
        if (error instanceof StripeApiError) reply(res, error.status, { error: error.body }, requestId);
        else reply(res, 400, { error: { type: "invalid_request_error", message: String(error) } }, requestId);
        host.log(`${method} ${url.pathname} (browser) -> refused`);
      }
      return true;
    },

    close() {
      claimed.clear();
      manualPayers.clear();
    },
  };
}
