import { describe, expect, it } from "vitest";
import { visibleTo } from "./visibility.ts";

describe("visibleTo", () => {
  const note = { type: "order.operator_note", payload: { note: "customer was rude", operatorKey: "k1", at: 1 } };

  it("shows operators everything", () => {
    expect(visibleTo("admin", note)).toBe(note);
  });

  it("keeps the event but not the operator's words for everyone else", () => {
    expect(visibleTo("customer", note)).toEqual({ type: "order.operator_note", payload: { at: 1 } });
    const forced = { type: "order.courier_assigned", payload: { courierId: "c", forced: true, reason: "phoned" } };
    expect(visibleTo("courier", forced).payload).toEqual({ courierId: "c", forced: true });
  });

  it("leaves other events alone, including a cancellation's reason", () => {
    const cancelled = { type: "order.cancelled", payload: { reason: "restaurant closed", refund: null } };
    expect(visibleTo("customer", cancelled)).toBe(cancelled);
  });
});
