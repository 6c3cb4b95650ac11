import { describe, expect, it } from "vitest";
import { HANDOVER_MS, travelTimeMs } from "../dispatch/eta.ts";
import {
  bandOf,
  calibrate,
  deliveryWindow,
  errorStats,
  FIXED_FIT,
  fixedRideMs,
  parseCalibration,
  predictRideMs,
  type RideSample,
} from "./calibration.ts";
import { LISBON_AREAS, syntheticRides, trafficAt } from "./synthetic-rides.ts";

const NOW = Date.UTC(2026, 10, 27, 20);

describe("ETA calibration", () => {
  it("with no history is exactly the fixed model (speed × 1.3 + one handover)", () => {
    for (const d of [0, 800, 3500]) {
      expect(predictRideMs(null, { areaId: "a", localHour: 20, distanceM: d, vehicle: "bicycle" })).toBeCloseTo(
        travelTimeMs(d, "bicycle") + HANDOVER_MS,
        6,
      );
    }
    const empty = calibrate([], NOW);
    expect(empty.global.roadFactor).toBeCloseTo(FIXED_FIT.roadFactor, 6);
    expect(empty.global.overheadMs).toBeCloseTo(FIXED_FIT.overheadMs, 0);
    expect(empty.cells).toEqual({});
  });

  it("puts hours into time-of-day bands", () => {
    expect([0, 6, 7, 11, 14, 15, 18, 21, 22, 23].map(bandOf)).toEqual([
      "night",
      "night",
      "morning",
      "lunch",
      "lunch",
      "afternoon",
      "dinner",
      "dinner",
      "late",
      "late",
    ]);
  });

  it("recovers each area's road factor and overhead from noisy rides", () => {
    const model = calibrate(syntheticRides(6000, 7), NOW);
    for (const area of LISBON_AREAS) {
      const dinner = model.cells[`${area.areaId}|dinner`];
      expect(dinner).toBeDefined();
      // Truth × dinner traffic; the skewed noise shifts the mean up ~1 %.
      expect(dinner?.roadFactor).toBeGreaterThan(area.roadFactor * trafficAt(19) * 0.93);
      expect(dinner?.roadFactor).toBeLessThan(area.roadFactor * trafficAt(19) * 1.1);
      expect(Math.abs((dinner?.overheadMs ?? 0) - area.overheadMs)).toBeLessThan(60_000);
    }
  });

  it("a thin cell leans on the city-wide fit instead of following one odd ride", () => {
    const rides = syntheticRides(2000, 3);
    const odd: RideSample = {
      areaId: "new",
      localHour: 20,
      vehicle: "bicycle",
      distanceM: 2000,
      rideMs: 2 * 3_600_000,
    };
    const model = calibrate([...rides, odd], NOW);
    const thin = model.cells["new|dinner"];
    expect(thin?.samples).toBe(1);
    expect(thin?.roadFactor).toBeLessThan(model.global.roadFactor * 1.6);
  });

  it("ignores rides that are data errors (zero, negative, over three hours, unknown vehicle)", () => {
    const bad: RideSample[] = [
      { areaId: "x", localHour: 1, vehicle: "bicycle", distanceM: 1000, rideMs: 0 },
      { areaId: "x", localHour: 1, vehicle: "bicycle", distanceM: -5, rideMs: 600_000 },
      { areaId: "x", localHour: 1, vehicle: "bicycle", distanceM: 1000, rideMs: 5 * 3_600_000 },
      { areaId: "x", localHour: 1, vehicle: "rocket" as "car", distanceM: 1000, rideMs: 600_000 },
    ];
    expect(calibrate(bad, NOW).cells).toEqual({});
  });

  // The figure the README quotes: train on 80 %, score the 20 % held out.
  it("beats the fixed speed × 1.3 model on held-out rides (mean absolute error and p90)", () => {
    const rides = syntheticRides(5000, 42);
    const cut = Math.floor(rides.length * 0.8);
    const model = calibrate(rides.slice(0, cut), NOW);
    const heldOut = rides.slice(cut);
    const learned = errorStats(heldOut.map((r) => ({ predictedMs: predictRideMs(model, r), actualMs: r.rideMs })));
    const fixed = errorStats(
      heldOut.map((r) => ({ predictedMs: fixedRideMs(r.distanceM, r.vehicle), actualMs: r.rideMs })),
    );
    const min = (ms: number) => (ms / 60_000).toFixed(2);
    console.log(
      `ETA held-out (n=${learned.n}): fixed MAE ${min(fixed.meanAbsMs)} min p90 ${min(fixed.p90AbsMs)} min; ` +
        `learned MAE ${min(learned.meanAbsMs)} min p90 ${min(learned.p90AbsMs)} min`,
    );
    expect(learned.meanAbsMs).toBeLessThan(fixed.meanAbsMs * 0.7);
    expect(learned.p90AbsMs).toBeLessThan(fixed.p90AbsMs * 0.7);
  });

  it("gives a delivery window around the expected time, at least 10 minutes wide, wider where rides vary more", () => {
    const model = calibrate(syntheticRides(4000, 5), NOW);
    const w = deliveryWindow(model, { areaId: "avenues", localHour: 20, distanceM: 2000, prepMinutes: 12 });
    expect(w.earliestMinutes).toBeLessThanOrEqual(w.expectedMinutes);
    expect(w.latestMinutes).toBeGreaterThanOrEqual(w.expectedMinutes);
    expect(w.latestMinutes - w.earliestMinutes).toBeGreaterThanOrEqual(10);
    const old = deliveryWindow(model, { areaId: "old-town", localHour: 20, distanceM: 2000, prepMinutes: 12 });
    expect(old.expectedMinutes).toBeGreaterThan(w.expectedMinutes);
    const none = deliveryWindow(null, { areaId: null, localHour: 20, distanceM: 2000, prepMinutes: 12 });
    expect(none.earliestMinutes).toBeGreaterThan(12);
  });

  it("refuses a cached calibration of another shape", () => {
    expect(parseCalibration(null)).toBeNull();
    expect(parseCalibration({ version: 2 })).toBeNull();
    const model = calibrate(syntheticRides(100, 1), NOW);
    expect(parseCalibration(JSON.parse(JSON.stringify(model)))).toEqual(model);
  });
});
