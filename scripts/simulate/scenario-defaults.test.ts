// A small Lisbon Friday: the scenario runs, clears, and its monitor fails
// the run when the projection loses an event.
import { describe, expect, it } from "vitest";
import { demandRate, runScenario, type ScenarioOptions } from "./scenario.ts";

const SMALL: ScenarioOptions = { couriers: 250, kitchens: 40, peakRate: 0.15, hours: 2.5, seed: 7, eta: "learned" };

describe("the Lisbon Friday scenario", () => {
  it("peaks at 20:30 and never drops to nothing", () => {
    expect(demandRate(10, 20.5)).toBe(10);
    expect(demandRate(10, 18.5)).toBeGreaterThan(0);
    expect(demandRate(10, 19.5)).toBeLessThan(demandRate(10, 20));
  });

  it("delivers every order, with the learned ETA closer than the fixed one, and its invariants hold", () => {
    const r = runScenario(SMALL);
    expect(r.placed).toBeGreaterThan(300);
    expect(r.delivered).toBe(r.placed);
    expect(r.violations).toEqual([]);
    expect(r.placedToDeliveredP95Min).toBeGreaterThanOrEqual(r.placedToDeliveredP50Min);
    expect(r.offersPerAssignment).toBeGreaterThanOrEqual(1);
    expect(r.courierUtilisation).toBeGreaterThan(0);
    expect(r.courierUtilisation).toBeLessThanOrEqual(1);
    // Nobody stacks under today's dispatch; the figure is read from overlapping rides, not assumed.
    expect(r.stackedShare).toBe(0);
    expect(r.etaErrorLearned.meanAbsMin).toBeLessThan(r.etaErrorFixed.meanAbsMin);
  });

  it("is repeatable for a seed", () => {
    const a = runScenario(SMALL);
    const b = runScenario(SMALL);
    expect({ ...a, wallMs: 0 }).toEqual({ ...b, wallMs: 0 });
  });

  it("fails when the projection loses events", () => {
    const r = runScenario({ ...SMALL, loseEventEvery: 50 });
    expect(r.violations.some((v) => v.includes("never reached the projection"))).toBe(true);
    expect(r.violations.some((v) => v.includes("disagree"))).toBe(true);
  });
});
