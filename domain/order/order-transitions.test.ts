// The order's own track through decide(): payment, acceptance, the kitchen,
// cancellation and admin refunds.
import { describe, expect, it } from "vitest";
import { ACTORS, COMMANDS, expectOk, fresh, LATE, MIN, refundOf, scenario, T0, TOTAL } from "./order-test-kit.ts";
import { DEFAULT_POLICY, deadlines, decide } from "./state-machine.ts";

describe("decide: payment", () => {
  it("marks a placed order paid and records the intent, amount and time", () => {
    const d = expectOk(decide(fresh(), COMMANDS.payment_succeeded, ACTORS.system, T0 + MIN));
    expect(d.next).toMatchObject({ state: "paid", paidMinor: TOTAL, paymentIntentId: "pi_1", paidAt: T0 + MIN });
    expect(d.events[0]).toMatchObject({
      type: "order.paid",
      payload: { amountMinor: TOTAL, paymentIntentId: "pi_1", acceptBy: T0 + MIN + DEFAULT_POLICY.acceptanceTimeoutMs },
    });
  });

  it("refuses a payment whose amount differs from the total with 422 amount_mismatch", () => {
    const d = decide(
      fresh(),
      { type: "payment_succeeded", paymentIntentId: "pi_1", amountMinor: TOTAL - 1, currency: "eur" },
      ACTORS.system,
      T0,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "amount_mismatch" });
  });

  it("refuses a payment for another payment intent with 422 payment_intent_mismatch", () => {
    const d = decide(
      fresh(),
      { type: "payment_succeeded", paymentIntentId: "pi_2", amountMinor: TOTAL, currency: "eur" },
      ACTORS.system,
      T0,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "payment_intent_mismatch" });
  });

  it("answers a payment before the order recorded its payment intent with 409 payment_intent_not_recorded", () => {
    const order = { ...fresh(), paymentIntentId: null };
    expect(decide(order, COMMANDS.payment_succeeded, ACTORS.system, T0)).toMatchObject({
      ok: false,
      status: 409,
      code: "payment_intent_not_recorded",
    });
    expect(decide(order, COMMANDS.payment_failed, ACTORS.system, T0)).toMatchObject({
      ok: false,
      status: 409,
      code: "payment_intent_not_recorded",
    });
    // Once the order no longer awaits payment, the same event is out of date, not early.
    const closed = { ...order, state: "failed" as const };
    expect(decide(closed, COMMANDS.payment_succeeded, ACTORS.system, T0)).toMatchObject({
      ok: false,
      code: "invalid_transition",
    });
  });

  it("refuses a payment in another currency with 422 currency_mismatch", () => {
    const d = decide(
      fresh(),
      { type: "payment_succeeded", paymentIntentId: "pi_1", amountMinor: TOTAL, currency: "usd" },
      ACTORS.system,
      T0,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "currency_mismatch" });
  });

  it("refuses a duplicate payment webhook with 409 invalid_transition naming the state", () => {
    const d = decide(scenario("paid/none"), COMMANDS.payment_succeeded, ACTORS.system, LATE);
    expect(d).toMatchObject({ ok: false, status: 409, code: "invalid_transition" });
    expect(!d.ok && d.message).toContain("paid");
  });

  it("keeps a declined order placed (payable again), records the decline, and refunds nothing", () => {
    const d = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0));
    expect(d.next.state).toBe("placed");
    expect(d.events[0]).toMatchObject({
      type: "order.payment_failed",
      payload: { reason: "card_declined", state: "placed", previousState: "placed" },
    });
    expect(refundOf(d)).toBeNull();
  });

  it("takes a payment after a decline on the same PaymentIntent, within the payment window", () => {
    const declined = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0 + 1_000)).next;
    const twice = expectOk(decide(declined, COMMANDS.payment_failed, ACTORS.system, T0 + 2_000)).next;
    const paid = expectOk(decide(twice, COMMANDS.payment_succeeded, ACTORS.system, T0 + 3_000));
    expect(paid.next.state).toBe("paid");
    expect(paid.events[0]).toMatchObject({ type: "order.paid", payload: { previousState: "placed" } });
  });

  it("keeps the payment deadline after a decline: not due early, fails the order when due", () => {
    const declined = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0 + 1_000)).next;
    expect(deadlines(declined)).toEqual([{ kind: "payment_timeout", at: T0 + DEFAULT_POLICY.paymentTimeoutMs }]);
    expect(decide(declined, COMMANDS.payment_timeout, ACTORS.system, T0 + 2_000)).toMatchObject({ ok: false });
    const expired = expectOk(
      decide(declined, COMMANDS.payment_timeout, ACTORS.system, T0 + DEFAULT_POLICY.paymentTimeoutMs),
    );
    expect(expired.next.state).toBe("failed");
  });

  it("refuses a decline for another PaymentIntent after a first decline", () => {
    const declined = expectOk(decide(fresh(), COMMANDS.payment_failed, ACTORS.system, T0)).next;
    expect(
      decide(declined, { type: "payment_failed", paymentIntentId: "pi_other", reason: "x" }, ACTORS.system, T0),
    ).toMatchObject({ ok: false, status: 422, code: "payment_intent_mismatch" });
  });

  it("expires an unpaid order at the payment deadline with order.payment_expired", () => {
    const at = T0 + DEFAULT_POLICY.paymentTimeoutMs;
    const d = expectOk(decide(fresh(), COMMANDS.payment_timeout, ACTORS.system, at));
    expect(d.next.state).toBe("failed");
    expect(d.events[0]).toMatchObject({ type: "order.payment_expired", payload: { paymentIntentId: "pi_1" } });
  });

  it("refuses a payment timeout that fires before the deadline with 409 not_due", () => {
    const d = decide(fresh(), COMMANDS.payment_timeout, ACTORS.system, T0 + DEFAULT_POLICY.paymentTimeoutMs - 1);
    expect(d).toMatchObject({ ok: false, status: 409, code: "not_due" });
  });
});

describe("decide: acceptance", () => {
  const paid = () => scenario("paid/none");

  it("accepts a paid order with a prep time and announces the ready estimate", () => {
    const d = expectOk(decide(paid(), { type: "accept", prepTimeMinutes: 25 }, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ state: "accepted", prepTimeMinutes: 25, acceptedAt: LATE });
    expect(d.events[0]).toMatchObject({
      type: "order.accepted",
      payload: { prepTimeMinutes: 25, readyAt: LATE + 25 * MIN },
    });
  });

  it.each([0, -5, 121, 12.5, Number.NaN])("refuses prep time %s with 422 invalid_prep_time", (minutes) => {
    const d = decide(paid(), { type: "accept", prepTimeMinutes: minutes }, ACTORS.restaurant_staff, LATE);
    expect(d).toMatchObject({ ok: false, status: 422, code: "invalid_prep_time" });
  });

  it("accepts the boundary prep times 1 and maxPrepTimeMinutes", () => {
    for (const minutes of [1, DEFAULT_POLICY.maxPrepTimeMinutes]) {
      expectOk(decide(paid(), { type: "accept", prepTimeMinutes: minutes }, ACTORS.restaurant_staff, LATE));
    }
  });

  it("honours a policy's own maximum prep time", () => {
    const policy = { ...DEFAULT_POLICY, maxPrepTimeMinutes: 30 };
    const d = decide(paid(), { type: "accept", prepTimeMinutes: 31 }, ACTORS.restaurant_staff, LATE, policy);
    expect(d).toMatchObject({ ok: false, status: 422, code: "invalid_prep_time" });
  });

  it("rejects a paid order with a full refund carrying the reason and an idempotency key", () => {
    const d = expectOk(decide(paid(), COMMANDS.reject, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ state: "rejected", refundedMinor: TOTAL });
    expect(d.events[0]?.type).toBe("order.rejected");
    expect(refundOf(d)).toEqual({
      amountMinor: TOTAL,
      currency: "EUR",
      reason: "out of dough",
      paymentIntentId: "pi_1",
      idempotencyKey: "order:ord-1:refund:0",
    });
  });

  it("refuses a rejection without a reason with 422 reason_required", () => {
    const d = decide(paid(), { type: "reject", reason: "  " }, ACTORS.restaurant_staff, LATE);
    expect(d).toMatchObject({ ok: false, status: 422, code: "reason_required" });
  });

  it("rejects with a full refund when the restaurant does not answer in time", () => {
    const order = paid();
    const at = (order.paidAt ?? 0) + DEFAULT_POLICY.acceptanceTimeoutMs;
    const d = expectOk(decide(order, COMMANDS.acceptance_timeout, ACTORS.system, at));
    expect(d.next.state).toBe("rejected");
    expect(d.events[0]?.type).toBe("order.acceptance_expired");
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
  });

  it("refuses an acceptance timeout before the deadline with 409 not_due", () => {
    const order = paid();
    const at = (order.paidAt ?? 0) + DEFAULT_POLICY.acceptanceTimeoutMs - 1;
    expect(decide(order, COMMANDS.acceptance_timeout, ACTORS.system, at)).toMatchObject({
      status: 409,
      code: "not_due",
    });
  });
});

describe("decide: kitchen", () => {
  it("moves accepted to preparing", () => {
    const d = expectOk(decide(scenario("accepted/none"), COMMANDS.start_preparing, ACTORS.restaurant_staff, LATE));
    expect(d.next.state).toBe("preparing");
    expect(d.events[0]?.type).toBe("order.preparing");
  });

  it("adjusts prep time and announces the new ready estimate measured from acceptance", () => {
    const order = scenario("preparing/none");
    const acceptedAt = order.acceptedAt ?? 0;
    const d = expectOk(
      decide(order, { type: "adjust_prep_time", prepTimeMinutes: 45 }, ACTORS.restaurant_staff, acceptedAt + MIN),
    );
    expect(d.next.prepTimeMinutes).toBe(45);
    expect(d.events[0]).toMatchObject({
      type: "order.prep_time_adjusted",
      payload: { prepTimeMinutes: 45, previousPrepTimeMinutes: 20, readyAt: acceptedAt + 45 * MIN },
    });
  });

  it("refuses an out-of-range prep time adjustment with 422 invalid_prep_time", () => {
    const d = decide(
      scenario("preparing/none"),
      { type: "adjust_prep_time", prepTimeMinutes: 0 },
      ACTORS.restaurant_staff,
      LATE,
    );
    expect(d).toMatchObject({ ok: false, status: 422, code: "invalid_prep_time" });
  });

  it("marks a preparing order ready and records when", () => {
    const d = expectOk(decide(scenario("preparing/assigned"), COMMANDS.mark_ready, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ state: "ready", delivery: "assigned", readyAt: LATE });
    expect(d.events[0]).toMatchObject({ type: "order.ready", payload: { readyAt: LATE } });
  });

  it("refuses marking ready straight from accepted with 409 invalid_transition", () => {
    const d = decide(scenario("accepted/none"), COMMANDS.mark_ready, ACTORS.restaurant_staff, LATE);
    expect(d).toMatchObject({ ok: false, status: 409, code: "invalid_transition" });
  });
});

describe("decide: cancellation", () => {
  it("lets a customer cancel an unpaid order with no refund", () => {
    const d = expectOk(decide(fresh(), COMMANDS.cancel, ACTORS.customer, T0));
    expect(d.next.state).toBe("cancelled");
    expect(d.events[0]).toMatchObject({
      type: "order.cancelled",
      payload: { cancelledBy: "customer", paymentIntentId: "pi_1" },
    });
    expect(refundOf(d)).toBeNull();
  });

  it("lets a customer cancel a paid, not yet accepted order with a full refund", () => {
    const d = expectOk(decide(scenario("paid/none"), COMMANDS.cancel, ACTORS.customer, LATE));
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
    expect(d.next.refundedMinor).toBe(TOTAL);
  });

  it.each(["accepted/none", "preparing/searching", "ready/assigned", "picked_up/picked_up"])(
    "refuses a customer cancelling from %s with 409 cancel_not_allowed",
    (key) => {
      expect(decide(scenario(key), COMMANDS.cancel, ACTORS.customer, LATE)).toMatchObject({
        ok: false,
        status: 409,
        code: "cancel_not_allowed",
      });
    },
  );

  it("lets staff cancel an accepted order with a full refund and names the courier to release", () => {
    const d = expectOk(decide(scenario("preparing/assigned"), COMMANDS.cancel, ACTORS.restaurant_staff, LATE));
    expect(d.next.state).toBe("cancelled");
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
    expect(d.events[0]?.payload).toMatchObject({ cancelledBy: "restaurant_staff", courierId: "courier-1" });
  });

  it("clears an open offer on cancellation and names the offered courier", () => {
    const d = expectOk(decide(scenario("accepted/offered"), COMMANDS.cancel, ACTORS.restaurant_staff, LATE));
    expect(d.next).toMatchObject({ offeredCourierId: null, offerExpiresAt: null });
    expect(d.events[0]?.payload).toMatchObject({ offeredCourierId: "courier-1" });
  });

  it.each(["placed/none", "paid/none", "ready/none"])(
    "refuses staff cancelling from %s with 409 cancel_not_allowed",
    (key) => {
      expect(decide(scenario(key), COMMANDS.cancel, ACTORS.restaurant_staff, LATE)).toMatchObject({
        status: 409,
        code: "cancel_not_allowed",
      });
    },
  );

  it("lets an admin cancel after pickup, refunding only what is not yet refunded", () => {
    const order = { ...scenario("picked_up/at_dropoff"), refundedMinor: 1_000 };
    const d = expectOk(decide(order, COMMANDS.cancel, ACTORS.admin, LATE));
    expect(refundOf(d)).toMatchObject({ amountMinor: TOTAL - 1_000, idempotencyKey: "order:ord-1:refund:1000" });
    expect(d.next.refundedMinor).toBe(TOTAL);
  });

  it("refuses cancelling a terminal order with 409 invalid_transition", () => {
    expect(decide(scenario("delivered/delivered"), COMMANDS.cancel, ACTORS.admin, LATE)).toMatchObject({
      status: 409,
      code: "invalid_transition",
    });
  });

  it("refuses a cancellation without a reason with 422 reason_required", () => {
    expect(decide(fresh(), { type: "cancel", reason: "" }, ACTORS.customer, T0)).toMatchObject({
      status: 422,
      code: "reason_required",
    });
  });
});

describe("decide: admin refund", () => {
  it("requests a partial refund of a delivered order", () => {
    const d = expectOk(
      decide(scenario("delivered/delivered"), { type: "refund", amountMinor: 500, reason: "late" }, ACTORS.admin, LATE),
    );
    expect(d.next).toMatchObject({ state: "delivered", refundedMinor: 500 });
    expect(d.events[0]).toMatchObject({
      type: "order.refund_requested",
      payload: { refund: { amountMinor: 500, reason: "late" } },
    });
  });

  it("gives successive refunds distinct idempotency keys and stops at what was paid", () => {
    let order = scenario("delivered/delivered");
    const keys: string[] = [];
    for (const amountMinor of [1_000, 2_000, TOTAL - 3_000]) {
      const d = expectOk(decide(order, { type: "refund", amountMinor, reason: "goodwill" }, ACTORS.admin, LATE));
      keys.push(refundOf(d)?.idempotencyKey ?? "");
      order = d.next;
    }
    expect(new Set(keys).size).toBe(3);
    expect(order.refundedMinor).toBe(TOTAL);
    expect(decide(order, { type: "refund", amountMinor: 1, reason: "more" }, ACTORS.admin, LATE)).toMatchObject({
      status: 422,
      code: "refund_exceeds_remaining",
    });
  });

  it.each([0, -1, 1.5])("refuses refund amount %s with 422 invalid_refund_amount", (amountMinor) => {
    expect(
      decide(scenario("delivered/delivered"), { type: "refund", amountMinor, reason: "x" }, ACTORS.admin, LATE),
    ).toMatchObject({ status: 422, code: "invalid_refund_amount" });
  });

  it("refunds in KWD only in tens of fils, as Stripe takes them", () => {
    const kwd = { ...scenario("delivered/delivered"), currency: "KWD" };
    expect(decide(kwd, { type: "refund", amountMinor: 1005, reason: "x" }, ACTORS.admin, LATE)).toMatchObject({
      status: 422,
      code: "invalid_refund_amount",
    });
    expectOk(decide(kwd, { type: "refund", amountMinor: 1010, reason: "x" }, ACTORS.admin, LATE));
    // Any amount elsewhere.
    expectOk(
      decide(scenario("delivered/delivered"), { type: "refund", amountMinor: 1005, reason: "x" }, ACTORS.admin, LATE),
    );
  });

  it("refuses a refund above what was paid with 422 refund_exceeds_remaining", () => {
    expect(
      decide(scenario("paid/none"), { type: "refund", amountMinor: TOTAL + 1, reason: "x" }, ACTORS.admin, LATE),
    ).toMatchObject({ status: 422, code: "refund_exceeds_remaining" });
  });

  it("refuses refunding an order that was never paid with 409 invalid_transition", () => {
    for (const key of ["placed/none", "failed/none"]) {
      expect(decide(scenario(key), COMMANDS.refund, ACTORS.admin, LATE)).toMatchObject({
        status: 409,
        code: "invalid_transition",
      });
    }
  });
});
