// The deadlines the Order DO's alarm runs, the ready-time estimates, and
// orders for later.
import { describe, expect, it } from "vitest";
import { deadlines, estimatedReadyAt, etaFor } from "./deadlines.ts";
import {
  ACTORS,
  COMMANDS,
  expectOk,
  fresh,
  LATE,
  MIN,
  refundOf,
  SCENARIOS,
  scenario,
  step,
  T0,
  TOTAL,
} from "./order-test-kit.ts";
import { DEFAULT_POLICY } from "./policy.ts";
import { newOrderSnapshot } from "./snapshot.ts";
import { decide, type OrderSnapshot } from "./state-machine.ts";

describe("deadlines", () => {
  it("arms the payment deadline for a placed order", () => {
    expect(deadlines(fresh())).toEqual([{ kind: "payment_timeout", at: T0 + 15 * MIN }]);
  });

  it("arms the acceptance deadline for a paid order", () => {
    const order = scenario("paid/none");
    expect(deadlines(order)).toEqual([{ kind: "acceptance_timeout", at: (order.paidAt ?? 0) + 5 * MIN }]);
  });

  it.each(["ready/none", "ready/searching", "ready/offered"])("arms the courier deadline for %s", (key) => {
    const order = scenario(key);
    expect(deadlines(order)).toEqual([{ kind: "courier_timeout", at: (order.readyAt ?? 0) + 10 * MIN }]);
  });

  it("arms nothing for a ready order that has already escalated", () => {
    expect(deadlines({ ...scenario("ready/searching"), escalatedAt: LATE })).toEqual([]);
  });

  it("arms nothing in every other state", () => {
    const armed = new Set(["placed/none", "paid/none", "ready/none", "ready/searching", "ready/offered"]);
    for (const [key, order] of Object.entries(SCENARIOS)) {
      if (!armed.has(key)) expect(deadlines(order), key).toEqual([]);
    }
  });

  it("uses the policy it is given", () => {
    const policy = { ...DEFAULT_POLICY, paymentTimeoutMs: 1_000 };
    expect(deadlines(fresh(), policy)).toEqual([{ kind: "payment_timeout", at: T0 + 1_000 }]);
  });

  it("names deadlines that decide accepts exactly at their time", () => {
    for (const order of Object.values(SCENARIOS)) {
      for (const { kind, at } of deadlines(order)) {
        const type = kind === "release_due" ? "release_to_kitchen" : kind;
        expect(decide(order, { type }, ACTORS.system, at).ok, `${order.state} ${kind}`).toBe(true);
      }
    }
  });
});

describe("etaFor", () => {
  it("has no estimate before acceptance", () => {
    expect(etaFor(scenario("paid/none"), LATE)).toEqual({ readyAt: null });
  });

  it("estimates ready time from acceptance plus prep time", () => {
    const order = scenario("accepted/none");
    const acceptedAt = order.acceptedAt ?? 0;
    expect(etaFor(order, acceptedAt)).toEqual({ readyAt: acceptedAt + 20 * MIN });
  });

  it("never estimates a ready time in the past for a late kitchen", () => {
    const order = scenario("preparing/none");
    const now = (order.acceptedAt ?? 0) + 60 * MIN;
    expect(etaFor(order, now)).toEqual({ readyAt: now });
  });

  it("reports the actual ready time once ready", () => {
    const order = scenario("ready/none");
    expect(etaFor(order, LATE + 60 * MIN)).toEqual({ readyAt: order.readyAt });
  });

  it("has no estimate for an order cancelled before it was ready", () => {
    expect(etaFor(scenario("cancelled/assigned"), LATE)).toEqual({ readyAt: null });
  });
});

describe("orders for later", () => {
  const releaseAt = T0 + 3 * 60 * MIN;
  const readyBy = releaseAt + 25 * MIN;
  function scheduled(): OrderSnapshot {
    const placed = newOrderSnapshot({
      id: "ord-1",
      customerId: "cust-1",
      restaurantId: "rest-1",
      totalMinor: TOTAL,
      currency: "EUR",
      placedAt: T0,
      paymentIntentId: "pi_1",
      releaseAt,
      readyBy,
    });
    return step(placed, "payment_succeeded", "system", T0 + MIN);
  }

  it("waits, paid, for its release: no acceptance deadline until then, and the kitchen cannot accept early", () => {
    const order = scheduled();
    expect(deadlines(order)).toEqual([{ kind: "release_due", at: releaseAt }]);
    expect(decide(order, COMMANDS.accept, ACTORS.restaurant_staff, T0 + 2 * MIN)).toMatchObject({
      ok: false,
      status: 409,
      code: "not_released_yet",
    });
    expect(decide(order, { type: "release_to_kitchen" }, ACTORS.system, releaseAt - 1)).toMatchObject({
      ok: false,
      code: "not_due",
    });
    expect(decide(order, { type: "acceptance_timeout" }, ACTORS.system, LATE)).toMatchObject({ ok: false });
  });

  it("is released by the alarm at its time, then runs the usual acceptance deadline from the release", () => {
    const released = expectOk(decide(scheduled(), { type: "release_to_kitchen" }, ACTORS.system, releaseAt + 5));
    expect(released.events[0]).toMatchObject({ type: "order.released", payload: { releaseAt, readyBy } });
    expect(released.next.releasedAt).toBe(releaseAt + 5);
    expect(deadlines(released.next)).toEqual([
      { kind: "acceptance_timeout", at: releaseAt + 5 + DEFAULT_POLICY.acceptanceTimeoutMs },
    ]);
    expect(decide(released.next, { type: "release_to_kitchen" }, ACTORS.system, LATE)).toMatchObject({
      ok: false,
      status: 409,
    });
    const accepted = expectOk(decide(released.next, COMMANDS.accept, ACTORS.restaurant_staff, releaseAt + MIN));
    // Accepted with 20 minutes at release + 1: still due at the planned time, not earlier.
    expect(etaFor(accepted.next, releaseAt + MIN)).toEqual({ readyAt: readyBy });
  });

  it("can be cancelled by the customer while it waits, with a full refund", () => {
    const d = expectOk(decide(scheduled(), COMMANDS.cancel, ACTORS.customer, T0 + 2 * MIN));
    expect(d.next.state).toBe("cancelled");
    expect(refundOf(d)?.amountMinor).toBe(TOTAL);
    expect(deadlines(d.next)).toEqual([]);
  });

  it("tells the customer the planned time before acceptance, and the quote for an order now", () => {
    expect(estimatedReadyAt(scheduled(), T0 + 2 * MIN)).toBe(readyBy);
    const quoted = step(
      newOrderSnapshot({
        id: "o",
        customerId: "cust-1",
        restaurantId: "rest-1",
        totalMinor: TOTAL,
        currency: "EUR",
        placedAt: T0,
        paymentIntentId: "pi_1",
        quotedPrepMinutes: 35,
      }),
      "payment_succeeded",
      "system",
      T0 + MIN,
    );
    expect(estimatedReadyAt(quoted, T0 + 2 * MIN)).toBe(T0 + MIN + 35 * MIN);
    expect(estimatedReadyAt(scenario("paid/none"), LATE)).toBeNull();
    const accepted = scenario("accepted/none");
    expect(estimatedReadyAt(accepted, accepted.acceptedAt ?? 0)).toBe(
      etaFor(accepted, accepted.acceptedAt ?? 0).readyAt,
    );
  });
});
