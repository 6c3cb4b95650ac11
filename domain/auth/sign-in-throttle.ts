// Per-account back-off for sign-in. An attempt is counted as a failure
// *before* the password is checked (and the count cleared on success), so
// parallel guesses cannot all slip in under the same count. After a few free
// failures each further one doubles the wait, up to a cap, and a quiet hour
// forgets the count. The same rules apply to e-mails that have no account.

export interface ThrottleState {
  failures: number;
  blockedUntil: number | null;
  lastFailureAt: number;
}

export interface ThrottlePolicy {
  /** Wrong passwords allowed back to back before any wait: typos, a forgotten caps lock. */
  freeFailures: number;
  /** The wait after the first failure past the free ones; it doubles with each further one. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** A count this old starts again from zero. */
  forgetAfterMs: number;
}

export const SIGN_IN_THROTTLE: ThrottlePolicy = {
  freeFailures: 5,
  firstDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
};

export type AttemptDecision = { allowed: true; next: ThrottleState } | { allowed: false; retryAfterMs: number };

export function delayAfter(failures: number, policy: ThrottlePolicy = SIGN_IN_THROTTLE): number {
  const over = failures - policy.freeFailures;
  if (over <= 0) return 0;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(over - 1, 30));
}

/**
 * May this attempt go ahead? If so, the state to store before checking the
 * password: the attempt already counted, and the wait it would cause if wrong.
 */
export function beginAttempt(
  state: ThrottleState | null,
  now: number,
  policy: ThrottlePolicy = SIGN_IN_THROTTLE,
): AttemptDecision {
  const current = state && now - state.lastFailureAt < policy.forgetAfterMs ? state : null;
  if (current?.blockedUntil != null && current.blockedUntil > now) {
    return { allowed: false, retryAfterMs: current.blockedUntil - now };
  }
  const failures = (current?.failures ?? 0) + 1;
  const delay = delayAfter(failures, policy);
  return { allowed: true, next: { failures, blockedUntil: delay > 0 ? now + delay : null, lastFailureAt: now } };
}
