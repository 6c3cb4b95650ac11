// Today's dispatch against the new one on the same seed and demand, small:
// the same customers order from the same kitchens in both, the new one
// stacks (only where it costs neither customer), keeps couriers from
// standing at counters, delivers the slowest orders sooner, and both clear
// with their invariants intact.
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
    // Few: the second customer's bound and the overdue-kitchen rule leave only stacks that cost nobody (decision 38).
    expect(next.stackedShare).toBeGreaterThan(0.01);
    expect(next.courierWaitAtPickupMeanMin).toBeLessThan(today.courierWaitAtPickupMeanMin);
    expect(next.courierWaitAtPickupP95Min).toBeLessThan(today.courierWaitAtPickupP95Min);
  });

  it("delivers the slowest orders sooner than today (issue 16's done-when), stacks included", () => {
    expect(next.placedToDeliveredP95Min).toBeLessThan(today.placedToDeliveredP95Min);
    expect(next.placedToDeliveredP50Min).toBeLessThan(today.placedToDeliveredP50Min);
  });

  it("quotes with the model each mode comes with, and the learned one errs less", () => {
    expect(today.etaError.model).toBe("fixed");
    expect(next.etaError.model).toBe("learned");
    for (const r of [today, next]) expect(r.etaErrorLearned.meanAbsMin).toBeLessThan(r.etaErrorFixed.meanAbsMin);
  });
});
