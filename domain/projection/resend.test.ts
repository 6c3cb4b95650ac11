import { describe, expect, it } from "vitest";
import { ACK_WINDOW_MS, dueForSend, nextOutboxDeadline, resendDelayMs } from "./resend.ts";

describe("re-send schedule of unacknowledged events", () => {
  it("backs off with each send and stays at the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(resendDelayMs)).toEqual([
      15_000, 15_000, 30_000, 60_000, 120_000, 300_000, 300_000, 300_000,
    ]);
    expect(ACK_WINDOW_MS).toBe(15_000);
  });

  it("sends unsent events at once and sent ones only after their delay, in sequence order", () => {
    const now = 100_000;
    const entries = [
      { seq: 4, attempts: 0, sentAt: null },
      { seq: 2, attempts: 1, sentAt: now - 15_000 },
      { seq: 3, attempts: 1, sentAt: now - 14_999 },
      { seq: 1, attempts: 2, sentAt: now - 29_000 },
    ];
    expect(dueForSend(entries, now)).toEqual([2, 4]);
    expect(dueForSend(entries, now + 1_000)).toEqual([1, 2, 3, 4]);
  });

  it("needs no alarm for an empty outbox", () => {
    expect(nextOutboxDeadline([], 100, 0)).toBeNull();
  });

  it("wakes for the earliest re-send", () => {
    const entries = [
      { seq: 1, attempts: 3, sentAt: 1_000 },
      { seq: 2, attempts: 1, sentAt: 2_000 },
    ];
    expect(nextOutboxDeadline(entries, 5_000, 0)).toBe(17_000);
  });

  it("retries an event the queue refused soon, backing off up to a minute", () => {
    const refused = [{ seq: 1, attempts: 0, sentAt: null }];
    expect(nextOutboxDeadline(refused, 10_000, 0)).toBe(11_000);
    expect(nextOutboxDeadline(refused, 10_000, 3)).toBe(18_000);
    expect(nextOutboxDeadline(refused, 10_000, 20)).toBe(70_000);
  });
});
