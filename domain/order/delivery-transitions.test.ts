// The courier assignment through decide(): dispatch, offers, pickup and
// drop-off, and escalation when no courier comes.
import { describe, expect, it } from "vitest";
import { ACTORS, COMMANDS, expectOk, LATE, MIN, scenario } from "./order-test-kit.ts";
import { DEFAULT_POLICY, decide } from "./state-machine.ts";

describe("decide: dispatch and delivery", () => {
  it("starts dispatch as soon as the order is accepted", () => {
    const d = expectOk(decide(scenario("accepted/none"), COMMANDS.dispatch_started, ACTORS.system, LATE));
    expect(d.next.delivery).toBe("searching");
    expect(d.events[0]?.type).toBe("order.dispatch_started");
  });

  it("records an offer with its expiry", () => {
    const d = expectOk(
      decide(
        scenario("preparing/searching"),
        { type: "courier_offered", courierId: "c-7", expiresAt: LATE + 30_000 },
        ACTORS.system,
        LATE,
      ),
    );
    expect(d.next).toMatchObject({ delivery: "offered", offeredCourierId: "c-7", offerExpiresAt: LATE + 30_000 });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_offered",
      payload: { courierId: "c-7", expiresAt: LATE + 30_000 },
    });
  });

  it("refuses an offer that has already expired with 422 invalid_offer_expiry", () => {
    const d = decide(
      scenario("preparing/searching"),
      { type: "courier_offered", courierId: "c-7", expiresAt: LATE },
      ACTORS.system,
      LATE,
    );
    expect(d).toMatchObject({ status: 422, code: "invalid_offer_expiry" });
  });

  it("returns to searching when the offered courier declines", () => {
    const d = expectOk(decide(scenario("accepted/offered"), COMMANDS.offer_declined, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({ delivery: "searching", offeredCourierId: null, offerExpiresAt: null });
    expect(d.events[0]).toMatchObject({
      type: "order.offer_declined",
      payload: { courierId: "courier-1", expired: false },
    });
  });

  it("marks a system decline as an expiry", () => {
    const d = expectOk(decide(scenario("accepted/offered"), COMMANDS.offer_declined, ACTORS.system, LATE));
    const event = d.events[0];
    expect(event?.type === "order.offer_declined" && event.payload.expired).toBe(true);
  });

  it("refuses a system expiry for an offer that was replaced with 409 stale_offer", () => {
    const d = decide(
      scenario("accepted/offered"),
      { type: "offer_declined", courierId: "courier-old" },
      ACTORS.system,
      LATE,
    );
    expect(d).toMatchObject({ status: 409, code: "stale_offer" });
  });

  it("assigns the offered courier who accepts in time", () => {
    const d = expectOk(decide(scenario("ready/offered"), COMMANDS.courier_assigned, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({
      delivery: "assigned",
      courierId: "courier-1",
      offeredCourierId: null,
      offerExpiresAt: null,
    });
    expect(d.events[0]).toMatchObject({ type: "order.courier_assigned", payload: { courierId: "courier-1" } });
  });

  it("refuses a courier accepting after the offer expired with 409 offer_expired", () => {
    const order = scenario("ready/offered");
    const d = decide(order, COMMANDS.courier_assigned, ACTORS.courier, (order.offerExpiresAt ?? 0) + 1);
    expect(d).toMatchObject({ status: 409, code: "offer_expired" });
  });

  it("refuses pickup while the food is still being prepared with 409 order_not_ready", () => {
    const d = decide(scenario("preparing/at_pickup"), COMMANDS.picked_up, ACTORS.courier, LATE);
    expect(d).toMatchObject({ status: 409, code: "order_not_ready" });
  });

  it("moves order and delivery to picked_up together", () => {
    const d = expectOk(decide(scenario("ready/at_pickup"), COMMANDS.picked_up, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({ state: "picked_up", delivery: "picked_up", pickedUpAt: LATE });
  });

  it("refuses pickup before arriving at the restaurant with 409 invalid_transition", () => {
    const d = decide(scenario("ready/assigned"), COMMANDS.picked_up, ACTORS.courier, LATE);
    expect(d).toMatchObject({ status: 409, code: "invalid_transition" });
  });

  it("moves order and delivery to delivered together", () => {
    const d = expectOk(decide(scenario("picked_up/at_dropoff"), COMMANDS.delivered, ACTORS.courier, LATE));
    expect(d.next).toMatchObject({ state: "delivered", delivery: "delivered", deliveredAt: LATE });
    expect(d.events[0]?.type).toBe("order.delivered");
  });
});

describe("decide: courier escalation", () => {
  const ready = () => scenario("ready/searching");

  it("escalates once when a ready order has waited too long for a courier, leaving state alone", () => {
    const order = ready();
    const at = (order.readyAt ?? 0) + DEFAULT_POLICY.readyWithoutCourierMs;
    const d = expectOk(decide(order, COMMANDS.courier_timeout, ACTORS.system, at));
    expect(d.next).toMatchObject({ state: "ready", delivery: "searching", escalatedAt: at });
    expect(d.events[0]).toMatchObject({
      type: "order.courier_escalated",
      payload: { waitingMs: DEFAULT_POLICY.readyWithoutCourierMs },
    });
    expect(decide(d.next, COMMANDS.courier_timeout, ACTORS.system, at + MIN)).toMatchObject({
      status: 409,
      code: "already_escalated",
    });
  });

  it("refuses escalation before the wait is over with 409 not_due", () => {
    const order = ready();
    const at = (order.readyAt ?? 0) + DEFAULT_POLICY.readyWithoutCourierMs - 1;
    expect(decide(order, COMMANDS.courier_timeout, ACTORS.system, at)).toMatchObject({ status: 409, code: "not_due" });
  });

  it("refuses escalation once a courier is assigned with 409 invalid_transition", () => {
    expect(decide(scenario("ready/assigned"), COMMANDS.courier_timeout, ACTORS.system, LATE)).toMatchObject({
      status: 409,
      code: "invalid_transition",
    });
  });
});
