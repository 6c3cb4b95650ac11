// The browser's side of the stand-in, called the way its Stripe.js script
// (stripe-js.js) calls it: the publishable key, the client secret, test
// cards that pay, decline and ask for 3-D Secure, and auto-confirm keeping
// off PaymentIntents a browser pays.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StripeStandin, startStripeStandin } from "./server.ts";

const KEY = "sk_test_standin_browser";
const PK = "pk_test_standin_browser";

let standin: StripeStandin;
let stripe: Stripe;

beforeAll(async () => {
  standin = await startStripeStandin({
    webhookSecret: "whsec_browser",
    apiKey: KEY,
    autoConfirm: true,
    autoConfirmDelayMs: 300,
  });
  stripe = new Stripe(KEY, { host: "127.0.0.1", port: standin.port, protocol: "http", maxNetworkRetries: 0 });
});

afterAll(async () => {
  await standin?.close();
});

async function browser(
  method: "GET" | "POST",
  path: string,
  params: Record<string, string>,
  key = PK,
): Promise<{ status: number; body: Record<string, unknown> & { error?: Record<string, unknown> } }> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${standin.url}${path}${method === "GET" ? `?${query}` : ""}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/x-www-form-urlencoded" },
    ...(method === "POST" ? { body: query } : {}),
  });
  return { status: response.status, body: (await response.json()) as never };
}

async function intentFor(customer: string): Promise<{ id: string; secret: string }> {
  const intent = await stripe.paymentIntents.create({
    amount: 1999,
    currency: "eur",
    metadata: { customer_id: customer },
    automatic_payment_methods: { enabled: true, allow_redirects: "never" },
  });
  return { id: intent.id, secret: intent.client_secret ?? "" };
}

const eventsOf = (id: string) =>
  standin.events.filter((e) => (e.data.object as { id?: string }).id === id).map((e) => e.type);

describe("Stripe stand-in, the browser's side", () => {
  it("serves its Stripe.js at /v3/ with CORS, and answers a preflight", async () => {
    const script = await fetch(`${standin.url}/v3/`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect(script.headers.get("access-control-allow-origin")).toBe("*");
    expect(await script.text()).toContain("window.Stripe = function Stripe");
    const preflight = await fetch(`${standin.url}/v1/payment_intents/pi_x/confirm`, { method: "OPTIONS" });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
  });

  it("declines, then takes a retry on the same PaymentIntent, with a webhook event for each", async () => {
    const customer = "cus_decline_retry";
    await browser("POST", "/_standin/manual-payers", { customer });
    const { id, secret } = await intentFor(customer);
    const declined = await browser("POST", `/v1/payment_intents/${id}/confirm`, {
      client_secret: secret,
      payment_method: "pm_card_chargeDeclined",
    });
    expect(declined.status).toBe(402);
    expect(declined.body.error).toMatchObject({ type: "card_error", code: "card_declined" });
    expect(declined.body.error?.payment_intent).toMatchObject({ id, status: "requires_payment_method" });
    // The public view carries no metadata (Stripe answers a publishable key with less).
    expect(declined.body.error?.payment_intent).not.toHaveProperty("metadata");
    const paid = await browser("POST", `/v1/payment_intents/${id}/confirm`, {
      client_secret: secret,
      payment_method: "pm_card_visa",
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ id, status: "succeeded", amount: 1999 });
    expect(eventsOf(id)).toEqual(["payment_intent.payment_failed", "payment_intent.succeeded"]);
  });

  it("asks for 3-D Secure: failing it is a payment failure, completing it pays", async () => {
    const { id, secret } = await intentFor("cus_3ds");
    const confirmed = await browser("POST", `/v1/payment_intents/${id}/confirm`, {
      client_secret: secret,
      payment_method: "pm_card_threeDSecure2Required",
    });
    expect(confirmed.body).toMatchObject({ status: "requires_action", next_action: { type: "use_stripe_sdk" } });
    const failed = await browser("POST", `/v1/payment_intents/${id}/authenticate`, {
      client_secret: secret,
      outcome: "fail",
    });
    expect(failed.body).toMatchObject({
      status: "requires_payment_method",
      last_payment_error: { code: "payment_intent_authentication_failure" },
    });
    await browser("POST", `/v1/payment_intents/${id}/confirm`, {
      client_secret: secret,
      payment_method: "pm_card_threeDSecure2Required",
    });
    const passed = await browser("POST", `/v1/payment_intents/${id}/authenticate`, {
      client_secret: secret,
      outcome: "succeed",
    });
    expect(passed.body).toMatchObject({ status: "succeeded", next_action: null });
    expect(eventsOf(id)).toEqual([
      "payment_intent.requires_action",
      "payment_intent.payment_failed",
      "payment_intent.requires_action",
      "payment_intent.succeeded",
    ]);
    // Nothing to authenticate once paid.
    const again = await browser("POST", `/v1/payment_intents/${id}/authenticate`, {
      client_secret: secret,
      outcome: "succeed",
    });
    expect(again.status).toBe(400);
  });

  it("refuses a wrong client secret, a secret-key-only call, and a bad outcome, changing nothing", async () => {
    const { id, secret } = await intentFor("cus_refusals");
    const wrong = await browser("POST", `/v1/payment_intents/${id}/confirm`, {
      client_secret: `${id}_secret_wrong`,
      payment_method: "pm_card_visa",
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ param: "client_secret" });
    const refund = await browser("POST", "/v1/refunds", { payment_intent: id });
    expect(refund.status).toBe(401);
    const outcome = await browser("POST", `/v1/payment_intents/${id}/authenticate`, {
      client_secret: secret,
      outcome: "maybe",
    });
    expect(outcome.status).toBe(400);
    const seen = await browser("GET", `/v1/payment_intents/${id}`, { client_secret: secret });
    expect(seen.body).toMatchObject({ id, status: "requires_payment_method" });
    expect(eventsOf(id)).toEqual([]);
  });

  it("auto-confirms an intent nobody pays in the browser, and leaves a claimed one alone", async () => {
    const alone = await intentFor("cus_alone");
    const claimed = await intentFor("cus_claimed");
    await browser("GET", `/v1/payment_intents/${claimed.id}`, { client_secret: claimed.secret });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await stripe.paymentIntents.retrieve(alone.id)).status).toBe("succeeded");
    expect((await stripe.paymentIntents.retrieve(claimed.id)).status).toBe("requires_payment_method");
  });
});
