// Drives the stand-in with the real `stripe` SDK (and its real webhook
// verifier), so the tests fail when the stand-in drifts from what the SDK and
// the platform's webhook handler expect of api.stripe.com.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeForm } from "./form.ts";
import { type StripeStandin, signWebhookPayload, startStripeStandin } from "./server.ts";

const SECRET = "whsec_test_standin_secret";
const KEY = "sk_test_standin_platform";

type ReferenceName = "payment_intent" | "charge" | "refund" | "event";
const reference = JSON.parse(readFileSync(new URL("./reference-objects.json", import.meta.url), "utf8")) as Record<
  ReferenceName,
  unknown
>;

function kind(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return kind(value) === "object";
}

// Differences in field set, type and nesting between Stripe's example object
// and ours. Null on either side matches anything: Stripe's examples fill
// nullable fields that a real object leaves null and vice versa. An empty
// example object is a map (metadata) and matches any keys. `open` paths are
// examples Stripe truncated (the fixture's last_payment_error has only `type`),
// where extra fields are expected; `skip` paths are compared elsewhere.
function shapeDiff(
  expected: unknown,
  actual: unknown,
  options: { open?: string[]; skip?: string[] } = {},
  path = "",
): string[] {
  if (options.skip?.includes(path) || expected === null || actual === null) return [];
  if (kind(expected) !== kind(actual)) return [`${path || "<root>"}: expected ${kind(expected)}, got ${kind(actual)}`];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return expected.length > 0 && actual.length > 0 ? shapeDiff(expected[0], actual[0], options, `${path}[]`) : [];
  }
  if (!isRecord(expected) || !isRecord(actual)) return [];
  const keys = Object.keys(expected);
  if (keys.length === 0) return [];
  const diffs: string[] = [];
  if (!options.open?.includes(path)) {
    for (const key of Object.keys(actual)) if (!(key in expected)) diffs.push(`${path}.${key}: unexpected field`);
  }
  for (const key of keys) {
    if (!(key in actual)) diffs.push(`${path}.${key}: missing`);
    else diffs.push(...shapeDiff(expected[key], actual[key], options, path ? `${path}.${key}` : key));
  }
  return diffs;
}

interface Delivery {
  body: string;
  signature: string;
  at: number;
}

// A stand-in for the platform's webhook endpoint: records raw bodies and
// answers with the next scripted status (200 once the script runs out).
async function startReceiver(script: number[] = []): Promise<{ url: string; deliveries: Delivery[]; server: Server }> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      deliveries.push({
        body: Buffer.concat(chunks).toString("utf8"),
        signature: String(req.headers["stripe-signature"]),
        at: Date.now(),
      });
      res.writeHead(script.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/v1/webhooks/stripe`, deliveries, server };
}

function client(standin: StripeStandin, key = KEY): Stripe {
  return new Stripe(key, { host: "127.0.0.1", port: standin.port, protocol: "http", maxNetworkRetries: 0 });
}

async function stripeError(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("stripe stand-in", () => {
  let standin: StripeStandin;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let stripe: Stripe;

  beforeAll(async () => {
    receiver = await startReceiver();
    standin = await startStripeStandin({ webhookSecret: SECRET, webhookUrl: receiver.url });
    stripe = client(standin);
  });

  afterAll(async () => {
    await standin.close();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  async function paidIntent(amount = 2500): Promise<Stripe.PaymentIntent> {
    return stripe.paymentIntents.create({
      amount,
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: true,
      metadata: { order_id: "ord_1" },
    });
  }

  it("creates a PaymentIntent shaped like Stripe's", async () => {
    const intent = await stripe.paymentIntents.create({
      amount: 2500,
      currency: "usd",
      automatic_payment_methods: { enabled: true },
      metadata: { order_id: "ord_123", restaurant_id: "r_9" },
      description: "Order ord_123",
    });
    expect(intent.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_[A-Za-z0-9]+$`));
    expect(intent.status).toBe("requires_payment_method");
    expect(intent.metadata).toEqual({ order_id: "ord_123", restaurant_id: "r_9" });
    expect(intent.latest_charge).toBeNull();
    const { lastResponse: _, ...body } = intent;
    expect(shapeDiff(reference.payment_intent, body)).toEqual([]);
    expect((await stripe.paymentIntents.retrieve(intent.id)).amount).toBe(2500);
  });

  it("confirms with pm_card_visa: succeeded, with a charge shaped like Stripe's", async () => {
    const created = await stripe.paymentIntents.create({ amount: 1800, currency: "eur" });
    const intent = await stripe.paymentIntents.confirm(created.id, {
      payment_method: "pm_card_visa",
      expand: ["latest_charge"],
    });
    expect(intent.status).toBe("succeeded");
    expect(intent.amount_received).toBe(1800);
    expect(intent.payment_method).toMatch(/^pm_/);
    const charge = intent.latest_charge as Stripe.Charge;
    expect(charge.id).toMatch(/^ch_[A-Za-z0-9]{24}$/);
    expect(charge).toMatchObject({ amount: 1800, currency: "eur", paid: true, status: "succeeded", captured: true });
    expect(charge.payment_intent).toBe(intent.id);
    expect(shapeDiff(reference.charge, charge)).toEqual([]);
    expect((await stripe.paymentIntents.retrieve(intent.id)).latest_charge).toBe(charge.id);
  });

  it("declines pm_card_chargeDeclined with a 402 card_error, then accepts a good card", async () => {
    const created = await stripe.paymentIntents.create({ amount: 1200, currency: "usd" });
    const error = await stripeError(
      stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_chargeDeclined" }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.statusCode).toBe(402);
    expect(error.code).toBe("card_declined");
    expect(error.decline_code).toBe("generic_decline");
    expect(error.payment_intent?.status).toBe("requires_payment_method");

    const failed = await stripe.paymentIntents.retrieve(created.id);
    expect(failed.status).toBe("requires_payment_method");
    expect(failed.last_payment_error).toMatchObject({
      code: "card_declined",
      decline_code: "generic_decline",
      type: "card_error",
    });
    const { lastResponse: _, ...body } = failed;
    expect(shapeDiff(reference.payment_intent, body, { open: ["last_payment_error"] })).toEqual([]);

    const retried = await stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_visa" });
    expect(retried.status).toBe("succeeded");
    expect(retried.last_payment_error).toBeNull();
    expect(retried.latest_charge).not.toBe(failed.latest_charge);
  });

  it("creates and confirms in one call, and refuses to confirm twice", async () => {
    const intent = await paidIntent();
    expect(intent.status).toBe("succeeded");
    const error = await stripeError(stripe.paymentIntents.confirm(intent.id, { payment_method: "pm_card_visa" }));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("payment_intent_unexpected_state");
  });

  it("updates amount and metadata until the PaymentIntent succeeds", async () => {
    const created = await stripe.paymentIntents.create({ amount: 1000, currency: "usd", metadata: { a: "1", b: "2" } });
    const updated = await stripe.paymentIntents.update(created.id, { amount: 1500, metadata: { b: "", c: "3" } });
    expect(updated.amount).toBe(1500);
    expect(updated.metadata).toEqual({ a: "1", c: "3" });
    await stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_visa" });
    const error = await stripeError(stripe.paymentIntents.update(created.id, { amount: 2000 }));
    expect(error.code).toBe("payment_intent_unexpected_state");
    expect((await stripe.paymentIntents.update(created.id, { metadata: { d: "4" } })).metadata.d).toBe("4");
  });

  it("cancels, and refuses to confirm or cancel a canceled PaymentIntent", async () => {
    const created = await stripe.paymentIntents.create({ amount: 900, currency: "usd" });
    const canceled = await stripe.paymentIntents.cancel(created.id, { cancellation_reason: "abandoned" });
    expect(canceled.status).toBe("canceled");
    expect(canceled.cancellation_reason).toBe("abandoned");
    expect(typeof canceled.canceled_at).toBe("number");
    expect((await stripeError(stripe.paymentIntents.cancel(created.id))).code).toBe("payment_intent_unexpected_state");
    const error = await stripeError(stripe.paymentIntents.confirm(created.id, { payment_method: "pm_card_visa" }));
    expect(error.code).toBe("payment_intent_unexpected_state");
  });

  it("replays an idempotent request and rejects a reused key with other params", async () => {
    const params = { amount: 3100, currency: "usd", metadata: { order_id: "ord_idem" } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: "order-ord_idem" });
    const again = await stripe.paymentIntents.create(params, { idempotencyKey: "order-ord_idem" });
    expect(again.id).toBe(first.id);
    expect(again.client_secret).toBe(first.client_secret);
    expect(again.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(first.lastResponse.headers["idempotent-replayed"]).toBeUndefined();

    const error = await stripeError(
      stripe.paymentIntents.create({ ...params, amount: 3200 }, { idempotencyKey: "order-ord_idem" }),
    );
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.statusCode).toBe(400);
    expect(error.type).toBe("StripeIdempotencyError");

    // Keys belong to the API key (Stripe scopes them per account).
    const other = await client(standin, "sk_test_other_account").paymentIntents.create(params, {
      idempotencyKey: "order-ord_idem",
    });
    expect(other.id).not.toBe(first.id);
  });

  it("replays a declined confirmation instead of charging again", async () => {
    const created = await stripe.paymentIntents.create({ amount: 700, currency: "usd" });
    const confirm = () =>
      stripe.paymentIntents.confirm(
        created.id,
        { payment_method: "pm_card_chargeDeclinedInsufficientFunds" },
        { idempotencyKey: `confirm-${created.id}` },
      );
    const first = await stripeError(confirm());
    const second = await stripeError(confirm());
    expect(first.decline_code).toBe("insufficient_funds");
    expect(second.charge).toBe(first.charge);
    expect(second.headers?.["idempotent-replayed"]).toBe("true");
  });

  it("refunds partially, then the remainder, then refuses", async () => {
    const intent = await paidIntent(5000);
    const partial = await stripe.refunds.create({
      payment_intent: intent.id,
      amount: 2000,
      reason: "requested_by_customer",
    });
    expect(partial.id).toMatch(/^re_[A-Za-z0-9]{24}$/);
    expect(partial).toMatchObject({ amount: 2000, status: "succeeded", payment_intent: intent.id });
    expect(partial.charge).toBe(intent.latest_charge);
    const { lastResponse: _, ...body } = partial;
    expect(shapeDiff(reference.refund, body)).toEqual([]);

    const tooMuch = await stripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 3001 }));
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.code).toBe("amount_too_large");

    const rest = await stripe.refunds.create({ payment_intent: intent.id, metadata: { why: "late" } });
    expect(rest.amount).toBe(3000);
    expect(rest.metadata).toEqual({ why: "late" });
    const charge = await stripe.charges.retrieve(String(intent.latest_charge));
    expect(charge).toMatchObject({ amount_refunded: 5000, refunded: true });

    const again = await stripeError(stripe.refunds.create({ payment_intent: intent.id }));
    expect(again.code).toBe("charge_already_refunded");
    expect((await stripe.refunds.retrieve(partial.id)).amount).toBe(2000);
  });

  it("refunds the whole amount by default and refuses unpaid intents", async () => {
    const intent = await paidIntent(4200);
    const refund = await stripe.refunds.create({ payment_intent: intent.id });
    expect(refund.amount).toBe(4200);
    const unpaid = await stripe.paymentIntents.create({ amount: 4200, currency: "usd" });
    const error = await stripeError(stripe.refunds.create({ payment_intent: unpaid.id }));
    expect(error.statusCode).toBe(400);
  });

  it("takes BHD/JOD/KWD/OMR/TND only in tens of fils, for charges, updates and refunds (Stripe's rule)", async () => {
    for (const currency of ["bhd", "jod", "kwd", "omr", "tnd"]) {
      const odd = await stripeError(stripe.paymentIntents.create({ amount: 5124, currency }));
      expect(odd).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(odd.statusCode).toBe(400);
      expect(odd.type).toBe("StripeInvalidRequestError");
      expect(odd.raw).toMatchObject({ type: "invalid_request_error", param: "amount", code: "invalid_charge_amount" });
      expect(odd.message).toContain("5120 or 5130");
    }
    const intent = await stripe.paymentIntents.create({
      amount: 5120,
      currency: "kwd",
      payment_method: "pm_card_visa",
      confirm: true,
    });
    expect(intent).toMatchObject({ status: "succeeded", amount: 5120, currency: "kwd" });
    const update = await stripe.paymentIntents.create({ amount: 5120, currency: "bhd" });
    expect((await stripeError(stripe.paymentIntents.update(update.id, { amount: 5125 }))).code).toBe(
      "invalid_charge_amount",
    );
    expect((await stripeError(stripe.refunds.create({ payment_intent: intent.id, amount: 1005 }))).code).toBe(
      "invalid_charge_amount",
    );
    expect((await stripe.refunds.create({ payment_intent: intent.id, amount: 1010 })).amount).toBe(1010);
    // Two-decimal and zero-decimal currencies take any last digit.
    expect((await stripe.paymentIntents.create({ amount: 5125, currency: "eur" })).amount).toBe(5125);
  });

  it("answers unknown ids with 404 resource_missing", async () => {
    const error = await stripeError(stripe.paymentIntents.retrieve("pi_doesnotexist"));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("resource_missing");
    expect((await stripeError(stripe.refunds.retrieve("re_nope"))).statusCode).toBe(404);
    expect((await stripeError(stripe.events.retrieve("evt_nope"))).code).toBe("resource_missing");
  });

  it("validates parameters like Stripe", async () => {
    const post = async (path: string, body: string) => {
      const response = await fetch(`${standin.url}${path}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/x-www-form-urlencoded" },
        body,
      });
      return { status: response.status, body: (await response.json()) as { error: Record<string, string> } };
    };
    const missing = await post("/v1/payment_intents", "currency=usd");
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "parameter_missing",
      param: "amount",
    });
    const notInteger = await post("/v1/payment_intents", "amount=12.5&currency=usd");
    expect(notInteger.body.error.code).toBe("parameter_invalid_integer");
    const negative = await post("/v1/payment_intents", "amount=-5&currency=usd");
    expect(negative.body.error.code).toBe("parameter_invalid_integer");
    const currency = await post("/v1/payment_intents", "amount=500&currency=dollars");
    expect(currency.status).toBe(400);
    expect(currency.body.error.param).toBe("currency");
    const unknown = await post("/v1/payment_intents", "amount=500&currency=usd&colour=red");
    expect(unknown.body.error.code).toBe("parameter_unknown");
    const nested = await post(
      "/v1/payment_intents",
      "amount=500&currency=USD&metadata[order_id]=o1&metadata[0]=zero&payment_method_types[]=card&expand[0]=latest_charge",
    );
    expect(nested.status).toBe(200);
    expect(nested.body).toMatchObject({
      currency: "usd",
      metadata: { order_id: "o1", "0": "zero" },
      payment_method_types: ["card"],
      automatic_payment_methods: null,
    });
  });

  it("refuses requests without a valid test API key", async () => {
    const noKey = await fetch(`${standin.url}/v1/payment_intents/pi_x`);
    expect(noKey.status).toBe(401);
    const body = (await noKey.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/did not provide an API key/);

    const live = await stripeError(
      client(standin, "sk_live_nope").paymentIntents.create({ amount: 500, currency: "usd" }),
    );
    expect(live).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(live.statusCode).toBe(401);

    const pinned = await startStripeStandin({ webhookSecret: SECRET, apiKey: KEY });
    try {
      const wrong = await stripeError(client(pinned, "sk_test_someone_else").paymentIntents.retrieve("pi_x"));
      expect(wrong.statusCode).toBe(401);
      expect((await stripeError(client(pinned).paymentIntents.retrieve("pi_x"))).statusCode).toBe(404);
    } finally {
      await pinned.close();
    }
  });

  it("delivers signed webhooks that the SDK verifier accepts", async () => {
    const intent = await paidIntent(2100);
    await stripe.refunds.create({ payment_intent: intent.id, amount: 100 });
    await standin.webhooksIdle();

    const verified = await Promise.all(
      receiver.deliveries.map((d) => stripe.webhooks.constructEventAsync(d.body, d.signature, SECRET)),
    );
    const forIntent = verified.filter((event) => {
      const object = event.data.object as { id: string; payment_intent?: string | null };
      return object.id === intent.id || object.payment_intent === intent.id;
    });
    expect(forIntent.map((e) => e.type)).toEqual(["payment_intent.succeeded", "charge.refunded", "refund.created"]);

    const succeeded = forIntent[0] as Stripe.Event;
    expect(succeeded.id).toMatch(/^evt_/);
    expect(succeeded).toMatchObject({ object: "event", livemode: false, pending_webhooks: 1 });
    expect(succeeded.request?.id).toMatch(/^req_/);
    expect(succeeded.request?.idempotency_key).toMatch(/^stripe-node-retry-/);
    expect(shapeDiff(reference.event, succeeded, { skip: ["data.object"] })).toEqual([]);
    expect(shapeDiff(reference.payment_intent, succeeded.data.object)).toEqual([]);
    expect(shapeDiff(reference.charge, forIntent[1]?.data.object)).toEqual([]);
    expect(shapeDiff(reference.refund, forIntent[2]?.data.object)).toEqual([]);

    // Delivered events are also served by the events API, newest first.
    const stored = await stripe.events.retrieve(succeeded.id);
    expect(stored.type).toBe("payment_intent.succeeded");
    expect(stored.pending_webhooks).toBe(0);
    const listed = await stripe.events.list({ type: "refund.*", limit: 1 });
    expect(listed.object).toBe("list");
    expect(listed.url).toBe("/v1/events");
    expect(listed.data[0]?.type).toBe("refund.created");
    expect(listed.has_more).toBe(true);
    expect(standin.events.at(-1)?.type).toBe("refund.created");
  });

  it("produces signatures the SDK verifier rejects once forged or tampered with", async () => {
    const intent = await stripe.paymentIntents.create({ amount: 600, currency: "usd" });
    await stripe.paymentIntents.cancel(intent.id);
    await standin.webhooksIdle();
    const delivery = receiver.deliveries.at(-1) as Delivery;
    await expect(stripe.webhooks.constructEventAsync(delivery.body, delivery.signature, SECRET)).resolves.toMatchObject(
      {
        type: "payment_intent.canceled",
      },
    );

    const verifierError = Stripe.errors.StripeSignatureVerificationError;
    const forged = signWebhookPayload("whsec_attacker", delivery.body, Math.floor(Date.now() / 1000));
    await expect(stripe.webhooks.constructEventAsync(delivery.body, forged, SECRET)).rejects.toBeInstanceOf(
      verifierError,
    );
    const tampered = delivery.body.replace('"amount": 600', '"amount": 1');
    expect(tampered).not.toBe(delivery.body);
    await expect(stripe.webhooks.constructEventAsync(tampered, delivery.signature, SECRET)).rejects.toBeInstanceOf(
      verifierError,
    );
    const stale = signWebhookPayload(SECRET, delivery.body, Math.floor(Date.now() / 1000) - 3600);
    await expect(stripe.webhooks.constructEventAsync(delivery.body, stale, SECRET)).rejects.toBeInstanceOf(
      verifierError,
    );
  });
});

describe("stripe stand-in webhook delivery", () => {
  it("retries non-2xx deliveries (a 409 'not yet' as a 503) with backoff, re-signing each attempt", async () => {
    const receiver = await startReceiver([409, 503]);
    const standin = await startStripeStandin({
      webhookSecret: SECRET,
      webhookUrl: receiver.url,
      webhookInitialBackoffMs: 20,
    });
    try {
      const intent = await client(standin).paymentIntents.create({
        amount: 500,
        currency: "usd",
        payment_method: "pm_card_visa",
        confirm: true,
      });
      await standin.webhooksIdle();
      expect(receiver.deliveries).toHaveLength(3);
      // The wait doubles: 20 ms, then 40 ms (lower bounds; the machine may add to them).
      const [first, second, third] = receiver.deliveries.map((d) => d.at);
      expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(19);
      expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(39);
      for (const delivery of receiver.deliveries) {
        const event = await client(standin).webhooks.constructEventAsync(delivery.body, delivery.signature, SECRET);
        expect((event.data.object as { id: string }).id).toBe(intent.id);
      }
      expect(standin.events[0]?.pending_webhooks).toBe(0);
    } finally {
      await standin.close();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });

  it("gives up on an unreachable endpoint without failing API calls, and can be re-pointed", async () => {
    const standin = await startStripeStandin({
      webhookSecret: SECRET,
      webhookUrl: "http://127.0.0.1:9/unreachable",
      webhookMaxAttempts: 2,
      webhookInitialBackoffMs: 10,
      autoConfirm: true,
      autoConfirmDelayMs: 5,
    });
    const receiver = await startReceiver();
    try {
      const stripe = client(standin);
      const first = await stripe.paymentIntents.create({ amount: 500, currency: "usd" });
      expect(first.status).toBe("requires_payment_method");
      await expect.poll(() => standin.events.length).toBe(1);
      await standin.webhooksIdle();
      expect(standin.events[0]?.pending_webhooks).toBe(1);

      standin.setWebhookUrl(receiver.url);
      const second = await stripe.paymentIntents.create({ amount: 800, currency: "usd" });
      await expect.poll(() => standin.events.length).toBe(2);
      await standin.webhooksIdle();
      expect(receiver.deliveries).toHaveLength(1);
      const event = await stripe.webhooks.constructEventAsync(
        receiver.deliveries[0]?.body ?? "",
        receiver.deliveries[0]?.signature ?? "",
        SECRET,
      );
      expect(event.type).toBe("payment_intent.succeeded");
      expect(event.request).toEqual({ id: null, idempotency_key: null });
      expect((await stripe.paymentIntents.retrieve(second.id)).status).toBe("succeeded");
    } finally {
      await standin.close();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });
});

describe("form decoding", () => {
  it("rebuilds Stripe's bracket notation into nested objects and arrays", () => {
    const decoded = decodeForm(
      "amount=100&metadata[order_id]=o%201&metadata[7]=x&expand[0]=a&expand[1]=b&types[]=c&types[]=d" +
        "&shipping[address][line1]=1+Main&shipping[name]=Al&items[0][price]=p1&items[1][price]=p2",
    );
    expect(decoded).toEqual({
      amount: "100",
      metadata: { order_id: "o 1", "7": "x" },
      expand: ["a", "b"],
      types: ["c", "d"],
      shipping: { address: { line1: "1 Main" }, name: "Al" },
      items: [{ price: "p1" }, { price: "p2" }],
    });
  });

  it("stores __proto__ as data and rejects conflicting shapes", () => {
    const decoded = decodeForm("metadata[__proto__]=x");
    expect(Object.getPrototypeOf({})).not.toHaveProperty("x");
    expect(Object.keys(decoded.metadata as object)).toEqual(["__proto__"]);
    expect(() => decodeForm("a=1&a[b]=2")).toThrow();
  });
});
