// The order's lifecycle through the API and the Order DO: every timeout fired
// by its alarm, Stripe webhooks at their worst (duplicated, reordered, forged,
// stale), refunds that follow rejections and cancellations, and the refusals
// for wrong actors and illegal transitions.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { orders, payments } from "../../db/schema.ts";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import type { OrderSnapshot } from "../../domain/order/state-machine.ts";
import { eventsFor, payOrder, signedWebhook, testStripe } from "../../test/stripe.ts";
import { api, createWorld, eventually, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";

interface OrderBody {
  id: string;
  status: string;
  totalMinor: number;
  paidMinor: number;
  refundedMinor: number;
  prepTimeMinutes: number | null;
  readyAt: string | null;
  lastSeq: number;
}

interface ErrorBody {
  error: { code: string; message: string };
}

const MINUTE = 60_000;

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

async function place(): Promise<OrderBody> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: tokens.customer,
    headers: { "idempotency-key": `lifecycle-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as OrderBody;
}

async function placePaid(): Promise<OrderBody & { paymentIntentId: string; payload: string }> {
  const order = await place();
  const paid = await payOrder(order.id, tokens.customer);
  return { ...order, ...paid };
}

function command(orderId: string, path: string, token: string, json: unknown = {}): Promise<Response> {
  return api(`/v1/orders/${orderId}/${path}`, { method: "POST", token, json });
}

async function commandOk(orderId: string, path: string, token: string, json: unknown = {}): Promise<OrderBody> {
  const res = await command(orderId, path, token, json);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as OrderBody;
}

async function refusal(res: Response): Promise<{ status: number; code: string }> {
  return { status: res.status, code: ((await res.json()) as ErrorBody).error.code };
}

async function readOrder(orderId: string): Promise<{ order: OrderBody; timeline: OrderEvent[] }> {
  const res = await api(`/v1/orders/${orderId}`, { token: tokens.admin });
  expect(res.status).toBe(200);
  return (await res.json()) as { order: OrderBody; timeline: OrderEvent[] };
}

function orderStub(orderId: string) {
  return testEnv.ORDER.get(testEnv.ORDER.idFromName(orderId));
}

/**
 * Moves the order `ms` into the past: every timestamp the state machine's
 * deadlines derive from, and the alarm's schedule. The object is then evicted
 * so it reloads from storage, as after a restart.
 */
async function backdate(orderId: string, ms: number): Promise<void> {
  const stub = orderStub(orderId);
  await runInDurableObject(stub, (_instance, state) => {
    const sql = state.storage.sql;
    const row = sql.exec<{ value: string }>("select value from meta where key = 'snapshot'").one();
    const snapshot = JSON.parse(row.value) as OrderSnapshot;
    const shift = (t: number | null) => (t === null ? null : t - ms);
    const moved: OrderSnapshot = {
      ...snapshot,
      placedAt: snapshot.placedAt - ms,
      paidAt: shift(snapshot.paidAt),
      acceptedAt: shift(snapshot.acceptedAt),
      readyAt: shift(snapshot.readyAt),
    };
    sql.exec("update meta set value = ? where key = 'snapshot'", JSON.stringify(moved));
    sql.exec(
      "update alarm_schedule set at = at - ? where kind in ('payment_timeout', 'acceptance_timeout', 'courier_timeout')",
      ms,
    );
  });
  await evictDurableObject(stub);
}

function eventsOf<K extends OrderEvent["type"]>(
  timeline: OrderEvent[],
  type: K,
): Array<Extract<OrderEvent, { type: K }>> {
  return timeline.filter((e): e is Extract<OrderEvent, { type: K }> => e.type === type);
}

async function refundedOnCharge(paymentIntentId: string): Promise<number> {
  const stripe = testStripe();
  const intent = await stripe.paymentIntents.retrieve(paymentIntentId);
  const chargeId = typeof intent.latest_charge === "string" ? intent.latest_charge : intent.latest_charge?.id;
  if (!chargeId) throw new Error(`no charge on ${paymentIntentId}`);
  return (await stripe.charges.retrieve(chargeId)).amount_refunded;
}

async function refundRowsInPostgres(orderId: string, expected: number) {
  const { db, close } = openDb(testEnv);
  try {
    return await eventually(async () => {
      const rows = await db
        .select()
        .from(payments)
        .where(and(eq(payments.orderId, orderId), eq(payments.kind, "refund")));
      return rows.length === expected ? rows : undefined;
    });
  } finally {
    await close();
  }
}

describe("timeouts fire through the order's alarm", () => {
  it("an unpaid order fails when the payment window closes, and its PaymentIntent is cancelled", async () => {
    const order = await place();
    const checkout = await api(`/v1/orders/${order.id}/checkout`, { method: "POST", token: tokens.customer });
    const { paymentIntentId } = (await checkout.json()) as { paymentIntentId: string };

    await backdate(order.id, 16 * MINUTE);
    expect(await runDurableObjectAlarm(orderStub(order.id))).toBe(true);

    const { order: after, timeline } = await readOrder(order.id);
    expect(after.status).toBe("failed");
    expect(timeline.at(-1)).toMatchObject({ type: "order.payment_expired", actorId: "system:alarm", state: "failed" });
    expect((await testStripe().paymentIntents.retrieve(paymentIntentId)).status).toBe("canceled");
  });

  it("an alarm that fires before any deadline is due changes nothing", async () => {
    const order = await placePaid();
    expect(await runDurableObjectAlarm(orderStub(order.id))).toBe(true);
    const { order: after, timeline } = await readOrder(order.id);
    expect(after.status).toBe("paid");
    expect(timeline.map((e) => e.type)).toEqual(["order.placed", "order.payment_started", "order.paid"]);
  });

  it("a paid order the restaurant never accepts is rejected and refunded in full", async () => {
    const order = await placePaid();

    await backdate(order.id, 6 * MINUTE);
    expect(await runDurableObjectAlarm(orderStub(order.id))).toBe(true);

    const { order: after, timeline } = await readOrder(order.id);
    expect(after).toMatchObject({ status: "rejected", paidMinor: order.totalMinor, refundedMinor: order.totalMinor });
    expect(eventsOf(timeline, "order.acceptance_expired")).toHaveLength(1);
    const [refunded] = eventsOf(timeline, "order.refunded");
    expect(refunded?.payload).toMatchObject({
      amountMinor: order.totalMinor,
      reason: "acceptance_timeout",
      status: "succeeded",
    });
    expect(await refundedOnCharge(order.paymentIntentId)).toBe(order.totalMinor);

    const [row] = await refundRowsInPostgres(order.id, 1);
    expect(row).toMatchObject({
      kind: "refund",
      amountMinor: order.totalMinor,
      providerRef: refunded?.payload.refundId,
    });
  });

  it("food ready with no courier for too long is escalated once", async () => {
    const order = await placePaid();
    await commandOk(order.id, "accept", tokens.staff, { prepTimeMinutes: 10 });
    await commandOk(order.id, "preparing", tokens.staff);
    await commandOk(order.id, "ready", tokens.staff);

    await backdate(order.id, 11 * MINUTE);
    expect(await runDurableObjectAlarm(orderStub(order.id))).toBe(true);

    const { order: after, timeline } = await readOrder(order.id);
    expect(after.status).toBe("ready");
    const escalations = eventsOf(timeline, "order.courier_escalated");
    expect(escalations).toHaveLength(1);
    const escalation = escalations[0]?.payload;
    expect(escalation && "waitingMs" in escalation ? escalation.waitingMs : null).toBeGreaterThanOrEqual(10 * MINUTE);
    // Escalated once: a later alarm (the outbox re-sending what the projection has
    // not yet acknowledged, if anything) escalates nothing more.
    await runDurableObjectAlarm(orderStub(order.id));
    const { timeline: later } = await readOrder(order.id);
    expect(eventsOf(later, "order.courier_escalated")).toHaveLength(1);
  });
});

describe("Stripe webhooks", () => {
  it("the same payment webhook delivered twice records one payment", async () => {
    const order = await placePaid();
    const again = await signedWebhook(order.payload);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ applied: false });
    const { order: after, timeline } = await readOrder(order.id);
    expect(after.status).toBe("paid");
    expect(eventsOf(timeline, "order.paid")).toHaveLength(1);
  });

  it("a payment failure arriving after the success is acknowledged but not applied", async () => {
    const order = await placePaid();
    const event = JSON.parse(order.payload) as { id: string; type: string };
    const late = JSON.stringify({
      ...event,
      id: `evt_late_${crypto.randomUUID().slice(0, 8)}`,
      type: "payment_intent.payment_failed",
    });
    const res = await signedWebhook(late);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: false, code: "invalid_transition" });
    const { order: after, timeline } = await readOrder(order.id);
    expect(after.status).toBe("paid");
    expect(eventsOf(timeline, "order.payment_failed")).toHaveLength(0);
  });

  it("refuses a webhook signed with the wrong secret", async () => {
    const order = await place();
    const forged = JSON.stringify({
      id: "evt_forged",
      object: "event",
      type: "payment_intent.succeeded",
      data: {
        object: {
          id: "pi_forged",
          object: "payment_intent",
          amount: order.totalMinor,
          metadata: { order_id: order.id },
        },
      },
    });
    expect(await refusal(await signedWebhook(forged, "whsec_not_the_platforms"))).toEqual({
      status: 400,
      code: "invalid_signature",
    });
    expect((await readOrder(order.id)).order.status).toBe("placed");
  });

  it("a signed success for a PaymentIntent the order never created does not mark it paid", async () => {
    const order = await place();
    // Someone with access to the platform's Stripe account (or a bug elsewhere) makes an intent naming this order.
    const stranger = await testStripe().paymentIntents.create({
      amount: order.totalMinor,
      currency: "eur",
      metadata: { order_id: order.id },
      automatic_payment_methods: { enabled: true, allow_redirects: "never" },
    });
    await testStripe().paymentIntents.confirm(stranger.id, { payment_method: "pm_card_visa" });
    const [payload] = await eventsFor(stranger.id, "payment_intent.succeeded");
    // Before checkout it cannot be told from the order's own intent overtaking checkout: "not yet", so Stripe retries.
    const early = await signedWebhook(payload as string);
    expect(await refusal(early)).toEqual({ status: 409, code: "payment_intent_not_recorded" });
    const { order: after, timeline } = await readOrder(order.id);
    expect(after).toMatchObject({ status: "placed", paidMinor: 0 });
    expect(eventsOf(timeline, "order.paid")).toHaveLength(0);
    // Once the order has its own intent, Stripe's next attempt is acknowledged and changes nothing.
    await commandOk(order.id, "checkout", tokens.customer);
    const retried = await signedWebhook(payload as string);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ applied: false, code: "payment_intent_mismatch" });
    expect((await readOrder(order.id)).order).toMatchObject({ status: "placed", paidMinor: 0 });
  });

  it("a signed success for another intent after checkout is refused, and a closed order refunds nothing for it", async () => {
    const order = await place();
    await command(order.id, "checkout", tokens.customer);
    const stranger = await testStripe().paymentIntents.create({
      amount: order.totalMinor,
      currency: "eur",
      metadata: { order_id: order.id },
      automatic_payment_methods: { enabled: true, allow_redirects: "never" },
    });
    await testStripe().paymentIntents.confirm(stranger.id, { payment_method: "pm_card_visa" });
    const [payload] = await eventsFor(stranger.id, "payment_intent.succeeded");
    const open = await signedWebhook(payload as string);
    expect(await open.json()).toMatchObject({ applied: false, code: "payment_intent_mismatch" });
    expect((await readOrder(order.id)).order.status).toBe("placed");

    await commandOk(order.id, "cancel", tokens.customer, { reason: "changed my mind" });
    expect((await signedWebhook(payload as string)).status).toBe(200);
    const { timeline } = await readOrder(order.id);
    expect(eventsOf(timeline, "order.late_payment_refund_requested")).toHaveLength(0);
    expect(await refundedOnCharge(stranger.id)).toBe(0);
  });

  it("a signed success for the order's own intent in another currency or amount does not mark it paid", async () => {
    const order = await place();
    const checkout = await command(order.id, "checkout", tokens.customer);
    const { paymentIntentId } = (await checkout.json()) as { paymentIntentId: string };
    const event = (cents: number, currency: string) =>
      JSON.stringify({
        id: `evt_${crypto.randomUUID().slice(0, 12)}`,
        object: "event",
        type: "payment_intent.succeeded",
        data: {
          object: {
            id: paymentIntentId,
            object: "payment_intent",
            amount: cents,
            amount_received: cents,
            currency,
            metadata: { order_id: order.id },
          },
        },
      });
    const wrongCurrency = await signedWebhook(event(order.totalMinor, "usd"));
    expect(await wrongCurrency.json()).toMatchObject({ applied: false, code: "currency_mismatch" });
    const wrongAmount = await signedWebhook(event(order.totalMinor - 1, "eur"));
    expect(await wrongAmount.json()).toMatchObject({ applied: false, code: "amount_mismatch" });
    expect((await readOrder(order.id)).order).toMatchObject({ status: "placed", paidMinor: 0 });
  });

  it("refuses a correctly signed webhook older than five minutes", async () => {
    const order = await placePaid();
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await signedWebhook(order.payload, undefined, sixMinutesAgo);
    expect(await refusal(res)).toEqual({ status: 400, code: "invalid_signature" });
  });
});

describe("refunds", () => {
  it("a paid order rejected by the restaurant is refunded in full at Stripe and in Postgres", async () => {
    const order = await placePaid();
    const rejected = await commandOk(order.id, "reject", tokens.staff, { reason: "out of dough" });
    expect(rejected).toMatchObject({ status: "rejected", refundedMinor: order.totalMinor });

    const { timeline } = await readOrder(order.id);
    const [refunded] = eventsOf(timeline, "order.refunded");
    expect(refunded?.payload).toMatchObject({ amountMinor: order.totalMinor, reason: "out of dough" });
    const refund = await testStripe().refunds.retrieve(String(refunded?.payload.refundId));
    expect(refund).toMatchObject({
      amount: order.totalMinor,
      payment_intent: order.paymentIntentId,
      status: "succeeded",
    });
    expect(await refundedOnCharge(order.paymentIntentId)).toBe(order.totalMinor);
    const [row] = await refundRowsInPostgres(order.id, 1);
    expect(row).toMatchObject({ amountMinor: order.totalMinor, providerRef: refund.id, status: "succeeded" });
  });

  it("an admin refunds part of an order, then cannot refund more than what remains", async () => {
    const order = await placePaid();
    await commandOk(order.id, "accept", tokens.staff, { prepTimeMinutes: 15 });

    const partial = await commandOk(order.id, "refunds", tokens.admin, { amountMinor: 500, reason: "missing drink" });
    expect(partial).toMatchObject({ status: "accepted", refundedMinor: 500 });

    const over = await command(order.id, "refunds", tokens.admin, {
      amountMinor: order.totalMinor,
      reason: "goodwill",
    });
    expect(await refusal(over)).toEqual({ status: 422, code: "refund_exceeds_remaining" });

    expect(await refundedOnCharge(order.paymentIntentId)).toBe(500);
    const [row] = await refundRowsInPostgres(order.id, 1);
    expect(row?.amountMinor).toBe(500);
  });

  it("a customer cancelling before acceptance is refunded in full", async () => {
    const order = await placePaid();
    const cancelled = await commandOk(order.id, "cancel", tokens.customer, { reason: "changed my mind" });
    expect(cancelled).toMatchObject({ status: "cancelled", refundedMinor: order.totalMinor });
    const { timeline } = await readOrder(order.id);
    expect(eventsOf(timeline, "order.refunded")[0]?.payload).toMatchObject({ amountMinor: order.totalMinor });
    expect(await refundedOnCharge(order.paymentIntentId)).toBe(order.totalMinor);
  });

  it("a customer cancelling an unpaid order after checkout withdraws its PaymentIntent", async () => {
    const order = await place();
    const checkout = await command(order.id, "checkout", tokens.customer);
    const { paymentIntentId } = (await checkout.json()) as { paymentIntentId: string };
    await commandOk(order.id, "cancel", tokens.customer, { reason: "ordered by mistake" });
    const intent = await testStripe().paymentIntents.retrieve(paymentIntentId);
    expect(intent.status).toBe("canceled");
  });

  it("a payment that lands after the order was cancelled is refunded once, however often its webhook comes", async () => {
    const order = await place();
    const checkout = await command(order.id, "checkout", tokens.customer);
    const { paymentIntentId } = (await checkout.json()) as { paymentIntentId: string };
    // The customer's device pays while they cancel: the money is taken, the webhook not yet delivered.
    await testStripe().paymentIntents.confirm(paymentIntentId, { payment_method: "pm_card_visa" });
    await commandOk(order.id, "cancel", tokens.customer, { reason: "changed my mind" });
    const [payload] = await eventsFor(paymentIntentId, "payment_intent.succeeded");
    expect((await signedWebhook(payload as string)).status).toBe(200);
    expect((await signedWebhook(payload as string)).status).toBe(200);

    const { order: after, timeline } = await readOrder(order.id);
    expect(after.status).toBe("cancelled");
    expect(eventsOf(timeline, "order.late_payment_refund_requested")).toHaveLength(1);
    expect(eventsOf(timeline, "order.refunded")[0]?.payload).toMatchObject({ amountMinor: order.totalMinor });
    expect(await refundedOnCharge(paymentIntentId)).toBe(order.totalMinor);
  });

  it("a customer cannot cancel once the restaurant has accepted", async () => {
    const order = await placePaid();
    await commandOk(order.id, "accept", tokens.staff, { prepTimeMinutes: 15 });
    const res = await command(order.id, "cancel", tokens.customer, { reason: "too slow" });
    expect(await refusal(res)).toEqual({ status: 409, code: "cancel_not_allowed" });
    const { order: after } = await readOrder(order.id);
    expect(after).toMatchObject({ status: "accepted", refundedMinor: 0 });
  });
});

describe("who may do what, and when", () => {
  it("refuses a wrong role with 403, and answers 404 to parties of other orders as if the order did not exist", async () => {
    const order = await placePaid();
    const attempts: Array<[string, string, unknown, number, string]> = [
      ["accept", tokens.otherStaff, { prepTimeMinutes: 10 }, 404, "order_not_found"],
      ["accept", tokens.courier, { prepTimeMinutes: 10 }, 403, "role_not_allowed"],
      ["accept", tokens.customer, { prepTimeMinutes: 10 }, 403, "role_not_allowed"],
      ["cancel", tokens.otherCustomer, { reason: "not mine" }, 404, "order_not_found"],
      ["cancel", tokens.otherStaff, { reason: "not ours" }, 404, "order_not_found"],
      ["checkout", tokens.otherCustomer, {}, 404, "order_not_found"],
      ["refunds", tokens.customer, { amountMinor: 100, reason: "please" }, 403, "role_not_allowed"],
      ["reject", tokens.otherStaff, { reason: "not ours" }, 404, "order_not_found"],
    ];
    for (const [path, token, json, status, code] of attempts) {
      expect(await refusal(await command(order.id, path, token, json)), `${path} ${code}`).toEqual({ status, code });
    }
    // The same answer, byte for byte apart from the request id, as for an order that does not exist.
    const missing = crypto.randomUUID();
    for (const token of [tokens.otherCustomer, tokens.otherStaff]) {
      const real = await refusal(await command(order.id, "cancel", token, { reason: "probe" }));
      const none = await refusal(await command(missing, "cancel", token, { reason: "probe" }));
      expect(real).toEqual(none);
    }
    const { order: after, timeline } = await readOrder(order.id);
    expect(after.status).toBe("paid");
    expect(timeline).toHaveLength(3);
  });

  it("refuses transitions the order's state does not allow with 409 invalid_transition", async () => {
    const order = await place();
    expect(await refusal(await command(order.id, "accept", tokens.staff, { prepTimeMinutes: 10 }))).toEqual({
      status: 409,
      code: "invalid_transition",
    });
    await payOrder(order.id, tokens.customer);
    await commandOk(order.id, "accept", tokens.staff, { prepTimeMinutes: 10 });
    for (const [path, json] of [
      ["ready", {}],
      ["reject", { reason: "too late" }],
      ["accept", { prepTimeMinutes: 5 }],
    ] as const) {
      expect(await refusal(await command(order.id, path, tokens.staff, json)), path).toEqual({
        status: 409,
        code: "invalid_transition",
      });
    }
    expect((await readOrder(order.id)).order.status).toBe("accepted");
  });

  it("adjusting the prep time moves the ready-at estimate by the difference", async () => {
    const order = await placePaid();
    const accepted = await commandOk(order.id, "accept", tokens.staff, { prepTimeMinutes: 20 });
    const before = Date.parse(accepted.readyAt ?? "");
    expect(before - Date.now()).toBeGreaterThan(19 * MINUTE);

    const adjusted = await commandOk(order.id, "prep-time", tokens.staff, { prepTimeMinutes: 35 });
    expect(adjusted.prepTimeMinutes).toBe(35);
    expect(Date.parse(adjusted.readyAt ?? "") - before).toBe(15 * MINUTE);

    const { timeline } = await readOrder(order.id);
    expect(timeline.at(-1)).toMatchObject({
      type: "order.prep_time_adjusted",
      payload: { prepTimeMinutes: 35, previousPrepTimeMinutes: 20, readyAt: Date.parse(adjusted.readyAt ?? "") },
    });
  });

  it("projects the final state of a rejected order into Postgres", async () => {
    const order = await placePaid();
    await commandOk(order.id, "reject", tokens.staff, { reason: "closing early" });
    const { db, close } = openDb(testEnv);
    try {
      // The refund that follows the rejection is an event too: wait for the projection to catch up with it.
      const { order: live } = await eventually(async () => {
        const read = await readOrder(order.id);
        return read.order.refundedMinor === read.order.paidMinor ? read : undefined;
      });
      const row = await eventually(async () => {
        const [r] = await db.select().from(orders).where(eq(orders.id, order.id));
        return r && r.lastEventSeq === live.lastSeq ? r : undefined;
      });
      expect(row.status).toBe("rejected");
    } finally {
      await close();
    }
  });
});
