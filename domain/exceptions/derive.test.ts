import { describe, expect, it } from "vitest";
import { deriveExceptions, type ExceptionEvent } from "./derive.ts";

let n = 0;
function ev(seq: number, type: string, state: string, payload: Record<string, unknown> = {}): ExceptionEvent {
  n++;
  return {
    id: `e${seq}-${n}`,
    seq,
    type,
    actorId: payload.actor ? String(payload.actor) : "system:x",
    at: 1000 * seq,
    state,
    payload,
  };
}

describe("deriveExceptions", () => {
  it("opens a no-courier exception and settles it when an operator assigns a courier", () => {
    const events = [
      ev(5, "order.ready", "ready", { previousState: "preparing" }),
      ev(6, "order.courier_escalated", "ready", { reason: "no_courier_accepted", candidatesTried: 3, radiusM: 7000 }),
      ev(7, "order.operator_note", "ready", { note: "calling couriers" }),
      ev(8, "order.courier_assigned", "ready", { courierId: "c9", forced: true, reason: "phoned", actor: "op-1" }),
    ];
    expect(deriveExceptions(events)).toEqual([
      {
        openedEventId: events[1]?.id,
        kind: "no_courier",
        reason: "no_courier_accepted",
        openedSeq: 6,
        openedAt: 6000,
        details: { candidatesTried: 3, radiusM: 7000 },
        resolvedSeq: 8,
        resolvedAt: 8000,
        resolvedBy: "op-1",
        resolution: "courier_assigned_by_operator",
        resolutionNote: "phoned",
      },
    ]);
  });

  it("gives the same answer whatever order the events arrive in", () => {
    const events = [
      ev(3, "order.courier_escalated", "ready", {}),
      ev(4, "order.cancelled", "cancelled", { previousState: "ready", reason: "no courier" }),
    ];
    const forward = deriveExceptions(events);
    expect(deriveExceptions([...events].reverse())).toEqual(forward);
    expect(forward[0]).toMatchObject({ kind: "no_courier", reason: "food_waiting", resolution: "order_cancelled" });
  });

  it("keeps a failed delivery open until someone resolves it, even though the order has ended", () => {
    const opened = ev(9, "order.delivery_failed", "failed", {
      previousState: "picked_up",
      reason: "customer_unreachable",
    });
    const stillOpen = deriveExceptions([
      opened,
      ev(10, "order.refund_requested", "failed", { previousState: "failed" }),
    ]);
    expect(stillOpen[0]).toMatchObject({ kind: "delivery_failed", resolvedSeq: null });
    const resolved = deriveExceptions([
      opened,
      ev(11, "order.exception_resolved", "failed", { note: "refunded half", kinds: null, actor: "op" }),
    ]);
    expect(resolved[0]).toMatchObject({ resolution: "resolved", resolutionNote: "refunded half", resolvedBy: "op" });
  });

  it("resolves only the kinds named", () => {
    const events = [
      ev(2, "order.escalated", "picked_up", { reason: "pin_locked", courierId: "c" }),
      ev(3, "order.escalated", "picked_up", { reason: "courier_dark", courierId: "c" }),
      ev(4, "order.exception_resolved", "picked_up", { note: "gave the PIN by phone", kinds: ["pin_locked"] }),
    ];
    const [pin, dark] = deriveExceptions(events);
    expect(pin).toMatchObject({ kind: "pin_locked", resolution: "resolved" });
    expect(dark).toMatchObject({ kind: "courier_dark", resolution: null });
  });

  it("settles a stuck refund when that refund goes through", () => {
    const events = [
      ev(7, "order.refund_stuck", "cancelled", { requestEventId: "r1", amountMinor: 900, attempts: 4 }),
      ev(8, "order.refunded", "cancelled", { requestEventId: "other" }),
    ];
    expect(deriveExceptions(events)[0]?.resolution).toBeNull();
    expect(
      deriveExceptions([...events, ev(9, "order.refunded", "cancelled", { requestEventId: "r1" })])[0],
    ).toMatchObject({
      resolution: "refunded",
    });
  });

  it("opens nothing for other escalation reasons or ordinary events", () => {
    expect(
      deriveExceptions([ev(1, "order.escalated", "ready", { reason: "something_new" }), ev(2, "order.paid", "paid")]),
    ).toEqual([]);
  });

  it("opens a new exception when the search escalates again after a re-dispatch", () => {
    const events = [
      ev(3, "order.courier_escalated", "ready", {}),
      ev(4, "order.redispatched", "ready", { reason: "try again" }),
      ev(5, "order.courier_escalated", "ready", { reason: "no_courier_in_range" }),
    ];
    const [first, second] = deriveExceptions(events);
    expect(first).toMatchObject({ resolution: "redispatched", resolutionNote: "try again" });
    expect(second).toMatchObject({ reason: "no_courier_in_range", resolution: null });
  });

  it("keeps a customer's problem open through delivery until an operator resolves it", () => {
    const reported = ev(6, "order.problem_reported", "picked_up", { problem: "late", note: "40 min", actor: "cust" });
    const delivered = ev(7, "order.delivered", "delivered", { previousState: "picked_up" });
    const open = deriveExceptions([reported, delivered]);
    expect(open).toEqual([
      expect.objectContaining({
        kind: "customer_problem",
        reason: "late",
        details: { problem: "late", note: "40 min" },
        resolvedAt: null,
      }),
    ]);
    const resolved = deriveExceptions([
      reported,
      delivered,
      ev(8, "order.exception_resolved", "delivered", {
        note: "voucher sent",
        kinds: ["customer_problem"],
        actor: "op",
      }),
    ]);
    expect(resolved[0]).toMatchObject({ resolution: "resolved", resolvedBy: "op", resolutionNote: "voucher sent" });
  });

  it("settles a customer's problem when the order is cancelled (and so refunded)", () => {
    const events = [
      ev(4, "order.problem_reported", "accepted", { problem: "late" }),
      ev(5, "order.cancelled", "cancelled", { previousState: "accepted", reason: "too late" }),
    ];
    expect(deriveExceptions(events)[0]).toMatchObject({ kind: "customer_problem", resolution: "order_cancelled" });
  });
});
