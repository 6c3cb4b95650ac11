import { describe, expect, it } from "vitest";
import type { OrderEvent } from "../api.ts";
import { awaitsSupport, problemOutcomes } from "./outcome.ts";

let seq = 0;
function event(type: string, payload: Record<string, unknown> = {}): OrderEvent {
  seq += 1;
  return {
    id: crypto.randomUUID(),
    orderId: "o",
    seq,
    type,
    actorId: "a",
    actorRole: "system",
    at: 1_000 * seq,
    state: "delivered",
    delivery: "delivered",
    payload,
  };
}

describe("problemOutcomes", () => {
  it("is empty with no report, and open while nobody acted", () => {
    expect(problemOutcomes([event("order.delivered")])).toEqual([]);
    const [open] = problemOutcomes([event("order.delivered"), event("order.problem_reported", { problem: "late" })]);
    expect(open).toMatchObject({ problem: "late", state: "open", refundMinor: 0 });
  });

  it("follows a refund from requested to confirmed by Stripe", () => {
    const events = [
      event("order.problem_reported", { problem: "missing_items" }),
      event("order.refund_requested", { refund: { amountMinor: 450, currency: "EUR" } }),
    ];
    expect(problemOutcomes(events)[0]).toMatchObject({ state: "refund_pending", refundMinor: 450 });
    events.push(event("order.refunded", { amountMinor: 450 }), event("order.exception_resolved", { kinds: null }));
    expect(problemOutcomes(events)[0]).toMatchObject({ state: "refunded", refundMinor: 450 });
  });

  it("resolves without a refund, and ignores a resolution of other kinds", () => {
    const report = event("order.problem_reported", { problem: "late" });
    const other = event("order.exception_resolved", { kinds: ["courier_escalated"] });
    expect(problemOutcomes([report, other])[0]?.state).toBe("open");
    const mine = event("order.exception_resolved", { kinds: ["customer_problem"] });
    expect(problemOutcomes([report, other, mine])[0]).toMatchObject({ state: "resolved", refundMinor: 0 });
  });

  it("does not credit a report with a refund made before it, and reads events in sequence order", () => {
    const earlier = event("order.refund_requested", { refund: { amountMinor: 100 } });
    const done = event("order.refunded", { amountMinor: 100 });
    const report = event("order.problem_reported", { problem: "damaged" });
    expect(problemOutcomes([report, done, earlier])[0]).toMatchObject({ state: "open", refundMinor: 0 });
  });

  it("settles every open report at once, as one operator action does", () => {
    const events = [
      event("order.problem_reported", { problem: "late" }),
      event("order.problem_reported", { problem: "damaged" }),
      event("order.refund_requested", { refund: { amountMinor: 300 } }),
      event("order.refunded", {}),
    ];
    expect(problemOutcomes(events).map((r) => r.state)).toEqual(["refunded", "refunded"]);
  });

  it("awaits support while a report is open or its refund unconfirmed", () => {
    const report = event("order.problem_reported", { problem: "late" });
    expect(awaitsSupport([event("order.delivered")])).toBe(false);
    expect(awaitsSupport([report])).toBe(true);
    const requested = event("order.refund_requested", { refund: { amountMinor: 100 } });
    expect(awaitsSupport([report, requested])).toBe(true);
    expect(awaitsSupport([report, requested, event("order.refunded", {})])).toBe(false);
  });
});
