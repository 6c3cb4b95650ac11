// Today's dispatch against the new one on the same seed and demand, small:
// the same customers order from the same kitchens in both, the new one
// stacks, keeps couriers from standing at counters, and both clear with
// their invariants intact.
import { describe, expect, it } from "vitest";
import { runScenario } from "./scenario.ts";
import type { ScenarioOptions } from "./world.ts";

const SMALL: ScenarioOptions = { couriers: 250, kitchens: 40, peakRate: 0.15, hours: 2.5, seed: 11 };

describe("the Lisbon Friday scenario, --dispatch today against new", () => {
  const today = runScenario({ ...SMALL, dispatch: "today" });
  const next = runScenario({ ...SMALL, dispatch: "new" });

  it("sees the same demand in both modes and delivers all of it", () => {
    expect(next.placed).toBe(today.placed);
    expect(next.refusedByKitchens).toBe(today.refusedByKitchens);
    for (const r of [today, next]) {
      expect(r.delivered).toBe(r.placed);
      expect(r.violations).toEqual([]);
    }
  });

  it("stacks only under the new dispatch, and couriers wait less at counters", () => {
    expect(today.stackedShare).toBe(0);
    expect(next.stackedShare).toBeGreaterThan(0.05);
    expect(next.courierWaitAtPickupMeanMin).toBeLessThan(today.courierWaitAtPickupMeanMin);
    expect(next.courierWaitAtPickupP95Min).toBeLessThan(today.courierWaitAtPickupP95Min);
  });

  it("quotes with the model each mode comes with, and the learned one errs less", () => {
    expect(today.etaError.model).toBe("fixed");
    expect(next.etaError.model).toBe("learned");
    for (const r of [today, next]) expect(r.etaErrorLearned.meanAbsMin).toBeLessThan(r.etaErrorFixed.meanAbsMin);
  });
});
