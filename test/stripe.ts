// Paying as a customer's device would, and relaying the stand-in's webhook to
// the Worker: the stand-in cannot reach a Worker inside the test runtime, so
// the test fetches the event from it and signs it with Stripe's own helper.
import Stripe from "stripe";
import { api, testEnv } from "./world.ts";

export function testStripe(): Stripe {
  const url = new URL(testEnv.STRIPE_API_BASE ?? "");
  return new Stripe(testEnv.STRIPE_SECRET_KEY ?? "", {
    httpClient: Stripe.createFetchHttpClient(),
    host: url.hostname,
    port: url.port,
    protocol: "http",
  });
}

export async function signedWebhook(payload: string, secret = testEnv.STRIPE_WEBHOOK_SECRET ?? "", timestamp?: number) {
  const header = await testStripe().webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    ...(timestamp !== undefined ? { timestamp } : {}),
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return api("/v1/webhooks/stripe", {
    method: "POST",
    body: payload,
    headers: { "stripe-signature": header, "content-type": "application/json" },
  });
}

/** The stand-in's events about one PaymentIntent, oldest first, as raw JSON payloads. */
export async function eventsFor(paymentIntentId: string, type: string): Promise<string[]> {
  const list = await testStripe().events.list({ limit: 100 });
  return list.data
    .filter(
      (e) => e.type === type && (e.data.object as { id?: string; payment_intent?: string }).id === paymentIntentId,
    )
    .reverse()
    .map((e) => JSON.stringify(e));
}

/** Checkout, confirm the card like the customer's device, and deliver the success webhook. */
export async function payOrder(orderId: string, customerToken: string, paymentMethod = "pm_card_visa") {
  const checkout = await api(`/v1/orders/${orderId}/checkout`, { method: "POST", token: customerToken });
  if (checkout.status !== 200) throw new Error(`checkout failed: ${checkout.status} ${await checkout.text()}`);
  const { paymentIntentId } = (await checkout.json()) as { paymentIntentId: string };
  try {
    await testStripe().paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod });
  } catch (err) {
    if (paymentMethod === "pm_card_visa") throw err;
  }
  const type = paymentMethod === "pm_card_visa" ? "payment_intent.succeeded" : "payment_intent.payment_failed";
  const [payload] = await eventsFor(paymentIntentId, type);
  if (!payload) throw new Error(`no ${type} event for ${paymentIntentId}`);
  const res = await signedWebhook(payload);
  if (res.status !== 200) throw new Error(`webhook refused: ${res.status} ${await res.text()}`);
  return { paymentIntentId, payload };
}
