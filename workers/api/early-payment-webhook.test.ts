// A payment webhook that overtakes checkout (decision 0032, addendum): Stripe
// may deliver payment_intent.succeeded before the Order DO has written the
// PaymentIntent it just created. The webhook answers 409
// payment_intent_not_recorded so Stripe delivers it again; the redelivery after
// the write marks the order paid, and the ledger books the payment once, however
// often the event arrives. An intent for an order the platform does not know is
// acknowledged, so Stripe stops.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { ledgerTransactions } from "../../db/schema-ledger.ts";
import { eventsFor, signedWebhook, testStripe } from "../../test/stripe.ts";
import { api, createWorld, eventually, signIn, testEnv, type World } from "../../test/world.ts";

let world: World;
let customer: string;

beforeAll(async () => {
  world = await createWorld();
  customer = await signIn(world.emails.customer);
});

interface OrderBody {
  id: string;
  status: string;
  totalMinor: number;
  currency: string;
}

async function place(): Promise<OrderBody> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `early-webhook-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as OrderBody;
}

async function paidBookings(orderId: string): Promise<number> {
  const { db, close } = openDb(testEnv);
  try {
    const rows = await db
      .select({ id: ledgerTransactions.id })
      .from(ledgerTransactions)
      .where(and(eq(ledgerTransactions.orderId, orderId), eq(ledgerTransactions.kind, "order_paid")));
    return rows.length;
  } finally {
    await close();
  }
}

async function orderStatus(orderId: string): Promise<string> {
  const res = await api(`/v1/orders/${orderId}`, { token: customer });
  return ((await res.json()) as { order: { status: string } }).order.status;
}

describe("a payment webhook before the order recorded its PaymentIntent", () => {
  it("is refused until checkout has written the intent, then booked exactly once", async () => {
    const order = await place();
    // The intent exactly as the Order DO's checkout creates it (same parameters and idempotency key),
    // paid before the DO has written it down: the race a slow checkout write loses.
    const intent = await testStripe().paymentIntents.create(
      {
        amount: order.totalMinor,
        currency: order.currency.toLowerCase(),
        metadata: { order_id: order.id, customer_id: world.ids.customer },
        automatic_payment_methods: { enabled: true, allow_redirects: "never" },
        description: `Order ${order.id}`,
        transfer_group: `order_${order.id}`,
      },
      { idempotencyKey: `order:${order.id}:payment_intent` },
    );
    await testStripe().paymentIntents.confirm(intent.id, { payment_method: "pm_card_visa" });
    const [payload] = await eventsFor(intent.id, "payment_intent.succeeded");
    if (!payload) throw new Error("the stand-in made no payment_intent.succeeded event");

    const early = await signedWebhook(payload);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: { code: "payment_intent_not_recorded" } });
    expect(await orderStatus(order.id)).toBe("placed");

    // Checkout's write lands: Stripe's idempotency hands the DO the same intent.
    const checkout = await api(`/v1/orders/${order.id}/checkout`, { method: "POST", token: customer });
    expect(checkout.status).toBe(200);
    expect(await checkout.json()).toMatchObject({ paymentIntentId: intent.id });

    // Stripe's retry is booked; a further duplicate changes nothing.
    const retried = await signedWebhook(payload);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ applied: true });
    const duplicate = await signedWebhook(payload);
    expect(duplicate.status).toBe(200);
    expect(await duplicate.json()).toMatchObject({ applied: false });
    expect(await orderStatus(order.id)).toBe("paid");
    await eventually(async () => (await paidBookings(order.id)) > 0);
    expect(await paidBookings(order.id)).toBe(1);
  });

  it("is acknowledged when its metadata names an order the platform does not know", async () => {
    const foreign = crypto.randomUUID();
    const intent = await testStripe().paymentIntents.create({
      amount: 1234,
      currency: "eur",
      metadata: { order_id: foreign },
      automatic_payment_methods: { enabled: true, allow_redirects: "never" },
    });
    await testStripe().paymentIntents.confirm(intent.id, { payment_method: "pm_card_visa" });
    const [payload] = await eventsFor(intent.id, "payment_intent.succeeded");
    const res = await signedWebhook(payload as string);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: false, code: "order_not_found" });
    expect(await paidBookings(foreign)).toBe(0);
  });
});
