// What goes wrong on the road, through decide().
import { describe, expect, it } from "vitest";
import { ACTORS, COMMANDS, expectOk, LATE, refundOf, scenario, TOTAL } from "./order-test-kit.ts";
import { DEFAULT_POLICY, decide } from "./state-machine.ts";

describe("decide: what goes wrong on the road", () => {
  const atDoor = () => scenario("picked_up/at_dropoff");

  it("lets the assigned courier hand a job back before pickup, with a reason, and searches again", () => {
    const d = expectOk(
      decide(
        scenario("preparing/at_pickup"),
        { type: "courier_released", reason: "restaurant_closed", note: " shut " },
        ACTORS.courier,
        LATE,
      ),
    );
    expect(d.next).toMatchObject({ state: "preparing", delivery: "searching", courierId: null });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_released",
      payload: { courierId: "courier-1", reason: "restaurant_closed", note: "shut", by: { role: "courier" } },
    });
  });

  it("refuses a hand-back without a known reason, and the system's release for anything but going dark", () => {
    const order = scenario("accepted/assigned");
    expect(decide(order, { type: "courier_released", reason: "bored" }, ACTORS.courier, LATE)).toMatchObject({
      ok: false,
      status: 422,
      code: "invalid_reason",
    });
    expect(decide(order, { type: "courier_released", reason: "went_dark" }, ACTORS.courier, LATE)).toMatchObject({
      ok: false,
      code: "invalid_reason",
    });
    const dark = expectOk(decide(order, { type: "courier_released", reason: "went_dark" }, ACTORS.system, LATE));
    expect(dark.events[0]?.payload).toMatchObject({ reason: "went_dark", courierId: "courier-1" });
  });

  it("refuses a hand-back once the food is picked up", () => {
    const d = decide(scenario("picked_up/picked_up"), COMMANDS.courier_released, ACTORS.courier, LATE);
    expect(d).toMatchObject({ ok: false, status: 409, code: "invalid_transition" });
  });

  it("escalates to operators without changing the order", () => {
    const order = scenario("picked_up/picked_up");
    const d = expectOk(decide(order, { type: "escalate", reason: "pin_locked" }, ACTORS.system, LATE));
    expect(d.next).toEqual(order);
    expect(d.events[0]).toMatchObject({
      type: "order.escalated",
      payload: { reason: "pin_locked", courierId: "courier-1" },
    });
  });

  it("starts the wait for an unreachable customer once, at the drop-off", () => {
    const d = expectOk(decide(atDoor(), COMMANDS.start_customer_wait, ACTORS.courier, LATE));
    expect(d.next.customerWaitUntil).toBe(LATE + DEFAULT_POLICY.customerWaitMs);
    expect(d.events[0]?.payload).toMatchObject({ waitUntil: LATE + DEFAULT_POLICY.customerWaitMs });
    expect(decide(d.next, COMMANDS.start_customer_wait, ACTORS.courier, LATE + 1)).toMatchObject({
      ok: false,
      status: 409,
      code: "already_waiting",
    });
  });

  it("lets the courier fail the delivery only after the wait, with a known reason", () => {
    expect(decide(atDoor(), COMMANDS.delivery_failed, ACTORS.courier, LATE)).toMatchObject({
      ok: false,
      status: 409,
      code: "wait_not_started",
    });
    const waiting = expectOk(decide(atDoor(), COMMANDS.start_customer_wait, ACTORS.courier, LATE)).next;
    const until = waiting.customerWaitUntil ?? 0;
    expect(decide(waiting, COMMANDS.delivery_failed, ACTORS.courier, until - 1)).toMatchObject({
      ok: false,
      status: 409,
      code: "wait_not_over",
    });
    expect(decide(waiting, { type: "delivery_failed", reason: "dog ate it" }, ACTORS.courier, until)).toMatchObject({
      ok: false,
      status: 422,
      code: "invalid_reason",
    });
    expect(decide(waiting, COMMANDS.delivery_failed, { role: "courier", id: "courier-2" }, until)).toMatchObject({
      ok: false,
      status: 403,
    });
    // The customer turning up during the wait still gets their food.
    expect(expectOk(decide(waiting, COMMANDS.delivered, ACTORS.courier, until - 1)).next.state).toBe("delivered");
  });

  it("ends a failed delivery in failed/failed with no refund: the customer is charged in full", () => {
    const waiting = expectOk(decide(atDoor(), COMMANDS.start_customer_wait, ACTORS.courier, LATE)).next;
    const d = expectOk(
      decide(
        waiting,
        { type: "delivery_failed", reason: "customer_unreachable", note: "rang 3 times", photoKey: "k" },
        ACTORS.courier,
        waiting.customerWaitUntil ?? 0,
      ),
    );
    expect(d.next).toMatchObject({ state: "failed", delivery: "failed", paidMinor: TOTAL, refundedMinor: 0 });
    expect(d.events[0]).toMatchObject({
      type: "order.delivery_failed",
      payload: { reason: "customer_unreachable", note: "rang 3 times", photoKey: "k", refund: null },
    });
    expect(refundOf(d)).toBeNull();
    // Support may still refund by hand.
    const refund = expectOk(
      decide(d.next, { type: "refund", amountMinor: 500, reason: "goodwill" }, ACTORS.admin, LATE),
    );
    expect(refund.next.refundedMinor).toBe(500);
  });
});
