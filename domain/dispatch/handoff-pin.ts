// The customer's 4-digit hand-off PIN is the proof of delivery. With 10,000
// possible PINs, unlimited guesses make it worthless (5,219 wrong PINs were
// once accepted as attempts in 23 s), so each order allows a few wrong ones
// and then locks the step until an operator steps in.

export const MAX_PIN_FAILURES = 5;

export type PinVerdict =
  | { ok: true }
  /** Asked without a PIN: not an attempt. */
  | { ok: false; code: "pin_required" }
  /** A wrong PIN; `locked` when it was the last one allowed. */
  | { ok: false; code: "pin_mismatch"; failures: number; attemptsLeft: number; locked: boolean }
  | { ok: false; code: "pin_locked"; failures: number };

/** `failures` counts wrong PINs so far; the verdict's `failures` is the count to store after this attempt. */
export function checkHandoffPin(
  expected: string | null,
  given: string | undefined,
  failures: number,
  max = MAX_PIN_FAILURES,
): PinVerdict {
  if (failures >= max) return { ok: false, code: "pin_locked", failures };
  if (expected === null) return { ok: true };
  if (given === undefined) return { ok: false, code: "pin_required" };
  if (given === expected) return { ok: true };
  const after = failures + 1;
  return { ok: false, code: "pin_mismatch", failures: after, attemptsLeft: max - after, locked: after >= max };
}
