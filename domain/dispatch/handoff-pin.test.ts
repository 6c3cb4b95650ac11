import { describe, expect, it } from "vitest";
import { checkHandoffPin, MAX_PIN_FAILURES } from "./handoff-pin.ts";

describe("checkHandoffPin", () => {
  it("accepts the right PIN, and anything when the order has none", () => {
    expect(checkHandoffPin("0420", "0420", 0)).toEqual({ ok: true });
    expect(checkHandoffPin(null, undefined, 0)).toEqual({ ok: true });
  });

  it("does not count a missing PIN as an attempt", () => {
    expect(checkHandoffPin("0420", undefined, 2)).toEqual({ ok: false, code: "pin_required" });
  });

  it("counts wrong PINs and locks at the fifth, after which even the right PIN is refused", () => {
    let failures = 0;
    const left: number[] = [];
    for (let i = 0; i < MAX_PIN_FAILURES; i++) {
      const verdict = checkHandoffPin("0420", "1111", failures);
      if (verdict.ok || verdict.code !== "pin_mismatch") throw new Error("expected a mismatch");
      failures = verdict.failures;
      left.push(verdict.attemptsLeft);
      expect(verdict.locked).toBe(i === MAX_PIN_FAILURES - 1);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect(checkHandoffPin("0420", "0420", failures)).toEqual({ ok: false, code: "pin_locked", failures: 5 });
  });
});
