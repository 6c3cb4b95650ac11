// Operator actions through the state machine: each is an event with the
// operator as actor, refused in states where it makes no sense.
import { describe, expect, it } from "vitest";
import { refundOf } from "./events.ts";
import {
  type Actor,
  DEFAULT_POLICY,
  type Decision,
  deadlines,
  decide,
  newOrderSnapshot,
  type OrderCommand,
  type OrderSnapshot,
} from "./state-machine.ts";

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const admin: Actor = { role: "admin", id: "op-1" };
const system: Actor = { role: "system", id: "system:alarm" };
const staff: Actor = { role: "restaurant_staff", id: "s", restaurantId: "r" };
const courier: Actor = { role: "courier", id: "c1" };

function ok(d: Decision): Extract<Decision, { ok: true }> {
  if (!d.ok) throw new Error(`refused ${d.status} ${d.code}: ${d.message}`);
  return d;
}

function run(order: OrderSnapshot, steps: Array<[OrderCommand, Actor]>, at = T0): OrderSnapshot {
  let o = order;
  let t = at;
  for (const [command, actor] of steps) {
    t += MIN;
    o = ok(decide(o, command, actor, t)).next;
  }
  return o;
}

const placed = newOrderSnapshot({
  id: "o",
  customerId: "cust",
  restaurantId: "r",
  totalMinor: 3000,
  currency: "EUR",
  placedAt: T0,
  paymentIntentId: "pi",
});
const ready = run(placed, [
  [{ type: "payment_succeeded", paymentIntentId: "pi", amountMinor: 3000, currency: "EUR" }, system],
  [{ type: "accept", prepTimeMinutes: 10 }, staff],
  [{ type: "dispatch_started" }, system],
  [{ type: "start_preparing" }, staff],
  [{ type: "mark_ready" }, staff],
]);
const assigned = run(ready, [
  [{ type: "courier_offered", courierId: "c1", expiresAt: T0 + 60 * MIN }, system],
  [{ type: "courier_assigned", courierId: "c1" }, courier],
]);

describe("operator offer", () => {
  it("offers the order to one courier, replacing a live offer, with the operator as actor", () => {
    const offered = run(ready, [[{ type: "courier_offered", courierId: "c1", expiresAt: T0 + 60 * MIN }, system]]);
    const d = ok(
      decide(
        offered,
        { type: "operator_offer", courierId: "c2", expiresAt: T0 + 90 * MIN, reason: "close by" },
        admin,
        T0 + 10 * MIN,
      ),
    );
    expect(d.next).toMatchObject({ delivery: "offered", offeredCourierId: "c2", offerExpiresAt: T0 + 90 * MIN });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_offered",
      payload: { courierId: "c2", byOperator: true, replacedOfferTo: "c1", by: { role: "admin", id: "op-1" } },
    });
    // The courier offered by the operator accepts like any other.
    const accepted = ok(
      decide(d.next, { type: "courier_assigned", courierId: "c2" }, { role: "courier", id: "c2" }, T0 + 11 * MIN),
    );
    expect(accepted.next).toMatchObject({ delivery: "assigned", courierId: "c2" });
  });

  it("needs a reason and an order still looking for a courier", () => {
    expect(
      decide(
        ready,
        { type: "operator_offer", courierId: "c2", expiresAt: T0 + 90 * MIN, reason: " " },
        admin,
        T0 + 10 * MIN,
      ),
    ).toMatchObject({
      ok: false,
      status: 422,
      code: "reason_required",
    });
    expect(
      decide(
        assigned,
        { type: "operator_offer", courierId: "c2", expiresAt: T0 + 90 * MIN, reason: "x" },
        admin,
        T0 + 10 * MIN,
      ),
    ).toMatchObject({
      ok: false,
      status: 409,
    });
  });
});

describe("forced assignment", () => {
  it("gives the order to a courier without asking and names who had it", () => {
    const d = ok(
      decide(
        assigned,
        { type: "operator_assign", courierId: "c2", reason: "c1 has a flat tyre" },
        admin,
        T0 + 20 * MIN,
      ),
    );
    expect(d.next).toMatchObject({ delivery: "assigned", courierId: "c2", offeredCourierId: null });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_assigned",
      payload: { courierId: "c2", forced: true, reason: "c1 has a flat tyre", previousCourierId: "c1" },
    });
    // The courier who lost it can no longer move it; the new one can.
    expect(decide(d.next, { type: "arrived_at_pickup" }, courier, T0 + 21 * MIN)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(decide(d.next, { type: "arrived_at_pickup" }, { role: "courier", id: "c2" }, T0 + 21 * MIN).ok).toBe(true);
  });

  it("is refused after pickup, for the same courier, and for non-admins", () => {
    const pickedUp = run(assigned, [
      [{ type: "arrived_at_pickup" }, courier],
      [{ type: "picked_up" }, courier],
    ]);
    expect(
      decide(pickedUp, { type: "operator_assign", courierId: "c2", reason: "x" }, admin, T0 + 30 * MIN),
    ).toMatchObject({
      status: 409,
      code: "invalid_transition",
    });
    expect(
      decide(assigned, { type: "operator_assign", courierId: "c1", reason: "x" }, admin, T0 + 30 * MIN),
    ).toMatchObject({
      status: 409,
      code: "already_assigned",
    });
    expect(
      decide(assigned, { type: "operator_assign", courierId: "c2", reason: "x" }, staff, T0 + 30 * MIN),
    ).toMatchObject({
      status: 403,
      code: "role_not_allowed",
    });
  });
});

describe("re-dispatch", () => {
  it("drops the courier, clears the escalation and gives the search its full time again", () => {
    const escalated = ok(decide(ready, { type: "courier_timeout" }, system, T0 + 60 * MIN)).next;
    expect(escalated.escalatedAt).not.toBeNull();
    const at = T0 + 70 * MIN;
    const d = ok(decide(escalated, { type: "redispatch", reason: "nobody took it" }, admin, at));
    expect(d.next).toMatchObject({ delivery: "searching", courierId: null, escalatedAt: null, redispatchedAt: at });
    expect(deadlines(d.next).find((x) => x.kind === "courier_timeout")?.at).toBe(
      at + DEFAULT_POLICY.readyWithoutCourierMs,
    );
    const fromAssigned = ok(decide(assigned, { type: "redispatch", reason: "courier stuck" }, admin, at));
    expect(fromAssigned.events[0]?.payload).toMatchObject({ previousCourierId: "c1" });
  });
});

describe("cancel with a partial refund", () => {
  it("refunds what the operator chose, once", () => {
    const d = ok(decide(assigned, { type: "cancel", reason: "kitchen fire", refundMinor: 1200 }, admin, T0 + 30 * MIN));
    expect(d.next).toMatchObject({ state: "cancelled", refundedMinor: 1200 });
    expect(refundOf(d.events[0])).toMatchObject({ amountMinor: 1200, currency: "EUR" });
    // What is left can still be refunded by hand later.
    const later = ok(decide(d.next, { type: "refund", amountMinor: 1800, reason: "goodwill" }, admin, T0 + 31 * MIN));
    expect(later.next.refundedMinor).toBe(3000);
  });

  it("allows no refund at all, and refuses more than was paid or a choice by anyone else", () => {
    const none = ok(decide(assigned, { type: "cancel", reason: "fraud", refundMinor: 0 }, admin, T0 + 30 * MIN));
    expect(refundOf(none.events[0])).toBeNull();
    expect(decide(assigned, { type: "cancel", reason: "x", refundMinor: 3001 }, admin, T0)).toMatchObject({
      status: 422,
      code: "invalid_refund_amount",
    });
    const preparing = run(placed, [
      [{ type: "payment_succeeded", paymentIntentId: "pi", amountMinor: 3000, currency: "EUR" }, system],
      [{ type: "accept", prepTimeMinutes: 10 }, staff],
    ]);
    expect(decide(preparing, { type: "cancel", reason: "x", refundMinor: 10 }, staff, T0)).toMatchObject({
      status: 403,
    });
  });
});

describe("notes and resolutions", () => {
  it("are events on the order, even after it ended", () => {
    const cancelled = ok(decide(assigned, { type: "cancel", reason: "x" }, admin, T0 + 30 * MIN)).next;
    const note = ok(decide(cancelled, { type: "add_note", note: "customer called back" }, admin, T0 + 31 * MIN));
    expect(note.next).toEqual(cancelled);
    expect(note.events[0]).toMatchObject({ type: "order.operator_note", payload: { note: "customer called back" } });
    const resolved = ok(
      decide(
        cancelled,
        { type: "resolve_exceptions", note: "refunded", kinds: ["no_courier", "no_courier"] },
        admin,
        T0,
      ),
    );
    expect(resolved.events[0]).toMatchObject({ type: "order.exception_resolved", payload: { kinds: ["no_courier"] } });
    expect(decide(cancelled, { type: "add_note", note: "" }, admin, T0)).toMatchObject({
      status: 422,
      code: "note_required",
    });
    expect(decide(cancelled, { type: "add_note", note: "x".repeat(1001) }, admin, T0)).toMatchObject({ status: 422 });
  });
});

describe("a customer's problem report", () => {
  const customer: Actor = { role: "customer", id: "cust" };
  it("is an event on a paid order, during it or after it ended, and only by its own customer", () => {
    const report = ok(
      decide(assigned, { type: "report_problem", problem: "late", note: " 40 min late " }, customer, T0),
    );
    expect(report.next).toEqual(assigned);
    expect(report.events[0]).toMatchObject({
      type: "order.problem_reported",
      payload: { problem: "late", note: "40 min late" },
    });
    const cancelled = ok(decide(assigned, { type: "cancel", reason: "x" }, admin, T0 + 30 * MIN)).next;
    const after = ok(
      decide(cancelled, { type: "report_problem", problem: "other", note: "" }, customer, T0 + 31 * MIN),
    );
    expect(after.events[0]?.payload).toMatchObject({ problem: "other", note: null });
  });

  it("is refused before payment, from anyone else, for an unknown problem or an overlong note", () => {
    const report = { type: "report_problem", problem: "missing_items", note: "no drinks" } as const;
    expect(decide(placed, report, customer, T0)).toMatchObject({ status: 409 });
    expect(decide(assigned, report, { role: "customer", id: "someone-else" }, T0)).toMatchObject({ status: 403 });
    expect(decide(assigned, report, staff, T0)).toMatchObject({ status: 403 });
    expect(decide(assigned, report, courier, T0)).toMatchObject({ status: 403 });
    expect(decide(assigned, { ...report, problem: "cold" as unknown as "late" }, customer, T0)).toMatchObject({
      status: 422,
      code: "problem_unknown",
    });
    expect(decide(assigned, { ...report, note: "x".repeat(1001) }, customer, T0)).toMatchObject({ status: 422 });
  });

  it("carries up to three photos uploaded for this order, and refuses more or anyone else's", () => {
    const photo = (n: number, orderId = assigned.id) => `problem-reports/${orderId}/${String(n).repeat(64)}.jpg`;
    const report = { type: "report_problem", problem: "damaged", note: "" } as const;
    const sent = ok(decide(assigned, { ...report, photoKeys: [photo(1), photo(2), photo(2)] }, customer, T0));
    expect(sent.events[0]?.payload).toMatchObject({ photoKeys: [photo(1), photo(2)] });
    expect(ok(decide(assigned, report, customer, T0)).events[0]?.payload).not.toHaveProperty("photoKeys");
    expect(
      decide(assigned, { ...report, photoKeys: [photo(1), photo(2), photo(3), photo(4)] }, customer, T0),
    ).toMatchObject({ status: 422, code: "too_many_photos" });
    expect(
      decide(assigned, { ...report, photoKeys: [photo(1, "11111111-2222-4333-8444-555555555555")] }, customer, T0),
    ).toMatchObject({ status: 422, code: "photo_not_found" });
  });
});
