import { describe, expect, it } from "vitest";
import {
  DEFAULT_SURGE_POLICY,
  demandRatio,
  lockedMultiplierBps,
  NO_SURGE_BPS,
  nextState,
  PLATFORM_MAX_SURGE_BPS,
  type SurgePolicy,
  type SurgeState,
  surgedFeeMinor,
  surgeOf,
  targetBps,
  validatePolicy,
} from "./surge.ts";

const ON: SurgePolicy = { ...DEFAULT_SURGE_POLICY, enabled: true, startRatio: 1, fullRatio: 3, capBps: 20_000 };
const T0 = 1_800_000_000_000;

describe("surge pricing", () => {
  it("is 1.00× up to the start ratio, linear to the cap, and capped beyond", () => {
    expect(targetBps({ waitingOrders: 5, availableCouriers: 5 }, ON)).toBe(NO_SURGE_BPS);
    expect(targetBps({ waitingOrders: 10, availableCouriers: 5 }, ON)).toBe(15_000);
    expect(targetBps({ waitingOrders: 30, availableCouriers: 5 }, ON)).toBe(20_000);
    expect(targetBps({ waitingOrders: 3, availableCouriers: 0 }, ON)).toBe(20_000);
    expect(targetBps({ waitingOrders: 0, availableCouriers: 0 }, ON)).toBe(NO_SURGE_BPS);
    expect(demandRatio({ waitingOrders: 0, availableCouriers: 0 })).toBe(0);
  });

  it("does nothing when the area's surge is off, and says so", () => {
    const state = nextState(null, { waitingOrders: 50, availableCouriers: 1 }, DEFAULT_SURGE_POLICY, T0);
    expect(surgeOf(state, DEFAULT_SURGE_POLICY)).toMatchObject({
      multiplierBps: NO_SURGE_BPS,
      reason: { code: "surge_off" },
    });
  });

  it("is smoothed in time: half the way to a new target after one half-life, whatever the read rate", () => {
    const start: SurgeState = { levelBps: NO_SURGE_BPS, at: T0, load: { waitingOrders: 0, availableCouriers: 5 } };
    const busy = { waitingOrders: 30, availableCouriers: 5 };
    const once = nextState(start, busy, ON, T0 + ON.halfLifeSeconds * 1000);
    expect(once.levelBps).toBeCloseTo(15_000, 6);
    let often = start;
    for (let s = 1; s <= ON.halfLifeSeconds; s++) often = nextState(often, busy, ON, T0 + s * 1000);
    expect(often.levelBps).toBeCloseTo(15_000, 6);
    // A first reading starts from no surge rather than jumping to the target.
    expect(nextState(null, busy, ON, T0).levelBps).toBe(NO_SURGE_BPS);
  });

  it("shows the level rounded down to 5 % steps with its reason and counts", () => {
    const state: SurgeState = { levelBps: 13_499, at: T0, load: { waitingOrders: 12, availableCouriers: 4 } };
    const surge = surgeOf(state, ON);
    expect(surge.multiplierBps).toBe(13_000);
    expect(surge.reason).toMatchObject({ code: "high_demand", waitingOrders: 12, availableCouriers: 4 });
    expect(surge.reason.message).toContain("1.30×");
    expect(surgeOf({ ...state, levelBps: 10_400 }, ON).reason.code).toBe("normal_demand");
  });

  it("applies a lowered cap at once, and never passes the platform ceiling", () => {
    const high: SurgeState = { levelBps: 20_000, at: T0, load: { waitingOrders: 30, availableCouriers: 1 } };
    const lowered = { ...ON, capBps: 12_000 };
    expect(nextState(high, high.load, lowered, T0 + 1000).levelBps).toBe(12_000);
    expect(targetBps(high.load, { ...ON, capBps: 99_999 })).toBe(PLATFORM_MAX_SURGE_BPS);
    expect(validatePolicy({ ...ON, capBps: 99_999 }).map((e) => e.field)).toEqual(["capBps"]);
  });

  it("refuses nonsense policies field by field", () => {
    expect(validatePolicy(ON)).toEqual([]);
    const fields = validatePolicy({ enabled: true, startRatio: 0, fullRatio: -1, capBps: 9_000, halfLifeSeconds: 1.5 });
    expect(fields.map((e) => e.field)).toEqual(["startRatio", "fullRatio", "capBps", "halfLifeSeconds"]);
    expect(validatePolicy({ ...ON, startRatio: Number.NaN }).map((e) => e.field)).toContain("startRatio");
  });

  it("multiplies the fee in integer arithmetic, rounding half up", () => {
    expect(surgedFeeMinor(299, NO_SURGE_BPS)).toBe(299);
    expect(surgedFeeMinor(299, 15_000)).toBe(449); // 448.5
    expect(surgedFeeMinor(0, 20_000)).toBe(0);
  });

  it("holds a quoted multiplier for its validity, and passes on a fall", () => {
    const lock = { multiplierBps: 12_000, expiresAt: T0 + 60_000 };
    expect(lockedMultiplierBps(15_000, lock, T0)).toBe(12_000);
    expect(lockedMultiplierBps(10_000, lock, T0)).toBe(10_000);
    expect(lockedMultiplierBps(15_000, lock, T0 + 60_000)).toBe(15_000);
    expect(lockedMultiplierBps(15_000, null, T0)).toBe(15_000);
  });
});
