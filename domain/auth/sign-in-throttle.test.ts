import { describe, expect, it } from "vitest";
import { beginAttempt, delayAfter, SIGN_IN_THROTTLE, type ThrottleState } from "./sign-in-throttle.ts";

const policy = SIGN_IN_THROTTLE;

function fail(times: number, start: number | null = null, at = 0): ThrottleState | null {
  let state: ThrottleState | null = start === null ? null : { failures: start, blockedUntil: null, lastFailureAt: at };
  for (let i = 0; i < times; i++) {
    const d = beginAttempt(state, at, policy);
    if (!d.allowed) throw new Error(`blocked at ${i}`);
    state = d.next;
  }
  return state;
}

describe("sign-in back-off", () => {
  it("lets the free failures through back to back, and counts each before the password is checked", () => {
    const state = fail(policy.freeFailures);
    expect(state).toEqual({ failures: policy.freeFailures, blockedUntil: null, lastFailureAt: 0 });
  });

  it("the next failure still goes ahead but makes the one after wait", () => {
    const state = fail(policy.freeFailures + 1);
    expect(state?.blockedUntil).toBe(policy.firstDelayMs);
    expect(beginAttempt(state, 1, policy)).toEqual({ allowed: false, retryAfterMs: policy.firstDelayMs - 1 });
    expect(beginAttempt(state, policy.firstDelayMs, policy).allowed).toBe(true);
  });

  it("doubles the wait with each further failure, up to the cap", () => {
    expect(delayAfter(policy.freeFailures)).toBe(0);
    expect(delayAfter(policy.freeFailures + 1)).toBe(policy.firstDelayMs);
    expect(delayAfter(policy.freeFailures + 2)).toBe(2 * policy.firstDelayMs);
    expect(delayAfter(policy.freeFailures + 3)).toBe(4 * policy.firstDelayMs);
    expect(delayAfter(1_000)).toBe(policy.maxDelayMs);
  });

  it("bounds guesses: a minute of hammering gets the free ones and one more", () => {
    let state: ThrottleState | null = null;
    let tried = 0;
    for (let t = 0; t < 60_000; t += 10) {
      const d = beginAttempt(state, t, policy);
      if (d.allowed) {
        tried++;
        state = d.next;
      }
    }
    expect(tried).toBe(policy.freeFailures + 2);
  });

  it("forgets a count after a quiet spell", () => {
    const state = fail(policy.freeFailures + 1);
    const later = (state?.lastFailureAt ?? 0) + policy.forgetAfterMs;
    const d = beginAttempt(state, later, policy);
    expect(d).toEqual({ allowed: true, next: { failures: 1, blockedUntil: null, lastFailureAt: later } });
  });
});
