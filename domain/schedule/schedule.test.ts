import { describe, expect, it } from "vitest";
import { deadlineOf, dueAt, nextDue, type Schedule, scheduleOf } from "./schedule.ts";

type Kind = "offer" | "retry" | "payment_timeout";
const empty: Schedule<Kind> = [];

describe("schedule of named deadlines", () => {
  it("keeps deadlines in time order and points the alarm at the earliest", () => {
    const s = scheduleOf<Kind>([
      { kind: "retry", subject: "o1", at: 300 },
      { kind: "offer", subject: "o2", at: 100 },
      { kind: "payment_timeout", subject: "", at: 200 },
    ]);
    expect(s.map((d) => d.at)).toEqual([100, 200, 300]);
    expect(nextDue(s)).toBe(100);
    expect(nextDue(empty)).toBeUndefined();
  });

  it("holds one deadline per kind and subject, the later one winning", () => {
    const s = scheduleOf<Kind>([
      { kind: "offer", subject: "o1", at: 300 },
      { kind: "offer", subject: "o1", at: 100 },
      { kind: "retry", subject: "o1", at: 200 },
    ]);
    expect(s).toEqual([
      { kind: "offer", subject: "o1", at: 100 },
      { kind: "retry", subject: "o1", at: 200 },
    ]);
  });

  it("tells kinds and subjects apart", () => {
    const s = scheduleOf<Kind>([
      { kind: "offer", subject: "o1", at: 100 },
      { kind: "offer", subject: "o2", at: 200 },
      { kind: "retry", subject: "o1", at: 300 },
      { kind: "payment_timeout", subject: "", at: 400 },
    ]);
    expect(deadlineOf(s, "offer", "o2")).toBe(200);
    expect(deadlineOf(s, "retry", "o1")).toBe(300);
    expect(deadlineOf(s, "retry", "o2")).toBeNull();
    expect(deadlineOf(s, "payment_timeout")).toBe(400);
    expect(deadlineOf(empty, "payment_timeout")).toBeNull();
  });

  it("finds what is due, earliest first, equal times in a fixed order", () => {
    const s = scheduleOf<Kind>([
      { kind: "retry", subject: "o1", at: 100 },
      { kind: "offer", subject: "o2", at: 100 },
      { kind: "offer", subject: "o1", at: 100 },
      { kind: "payment_timeout", subject: "", at: 50 },
      { kind: "offer", subject: "o3", at: 101 },
    ]);
    expect(dueAt(s, 100).map((d) => `${d.kind}:${d.subject}`)).toEqual([
      "payment_timeout:",
      "offer:o1",
      "offer:o2",
      "retry:o1",
    ]);
    expect(dueAt(s, 49)).toEqual([]);
    // Looking leaves the schedule as it was: each handler moves or cancels its own deadline.
    expect(s).toHaveLength(5);
  });
});
