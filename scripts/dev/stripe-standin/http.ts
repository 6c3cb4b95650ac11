// The HTTP side: API keys, form-encoded parameters, routing to the resource
// modules, errors in Stripe's shape, and idempotent replays (a retried POST
// with the same Idempotency-Key gets the first answer, not a second charge).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Stripe from "stripe";
import { canonicalForm, decodeForm, FormDecodeError, type FormObject, type FormValue } from "./form.ts";
import { newId } from "./objects.ts";
import { StripeApiError } from "./params.ts";
import type { Context, Route } from "./store.ts";

interface SavedResponse {
  fingerprint: string;
  endpoint: string;
  status: number;
  body: string;
  requestId: string;
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SAVED_RESPONSES = 10_000;

export interface ApiHost {
  routes: readonly Route[];
  /** When set, only this key is accepted; otherwise any `sk_test_` key is. */
  apiKey: string | undefined;
  /** Finishes a Connect account's onboarding (the page an account link opens); null when there is no such account. */
  completeOnboarding(accountId: string): unknown;
  /** Stripe.js's side (publishable key and client secret) and the stand-in's own controls; false passes the request on. */
  browser(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<boolean>;
  log(message: string): void;
}

export function createApiServer(host: ApiHost): Server {
  const { routes, log } = host;
  const idempotency = new Map<string, SavedResponse>();

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
    const valid = host.apiKey ? key === host.apiKey : /^sk_test_[A-Za-z0-9_]+$/.test(key);
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
      const done = host.completeOnboarding(onboarding[1] ?? "");
      const back = url.searchParams.get("return_url");
      if (done && back) {
        res.writeHead(302, { Location: back });
        res.end();
      } else reply(done ? 200 : 404, { onboarded: done !== null });
      return;
    }

    if (await host.browser(req, res, url, requestId)) return;

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

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`unhandled: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ error: { type: "api_error", message: "Internal error" } }), {});
      else res.destroy();
    });
  });
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
