import { describe, expect, it } from "vitest";
import { DEFAULT_DARK_POLICY, darkVerdict } from "./courier-dark.ts";

const T = 1_700_000_000_000;

describe("darkVerdict", () => {
  it("waits until the deadline that fits the phase", () => {
    expect(darkVerdict(T, false, T + 1000)).toEqual({ action: "wait", until: T + DEFAULT_DARK_POLICY.releaseAfterMs });
    expect(darkVerdict(T, true, T + 1000)).toEqual({ action: "wait", until: T + DEFAULT_DARK_POLICY.escalateAfterMs });
  });

  it("releases before pickup and escalates after it, once the courier has been quiet long enough", () => {
    expect(darkVerdict(T, false, T + DEFAULT_DARK_POLICY.releaseAfterMs)).toEqual({ action: "release" });
    expect(darkVerdict(T, true, T + DEFAULT_DARK_POLICY.releaseAfterMs)).toMatchObject({ action: "wait" });
    expect(darkVerdict(T, true, T + DEFAULT_DARK_POLICY.escalateAfterMs)).toEqual({ action: "escalate" });
  });

  it("keeps a minute-long tunnel from costing the courier the job", () => {
    expect(darkVerdict(T, false, T + 60_000 + 30_000).action).toBe("wait");
  });
});
