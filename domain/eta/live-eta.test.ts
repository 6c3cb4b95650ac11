import { describe, expect, it } from "vitest";
import { estimateEta } from "../dispatch/eta.ts";
import { destinationPoint } from "../geo/distance.ts";
import { calibrate } from "./calibration.ts";
import { liveEta } from "./live-eta.ts";
import { syntheticRides } from "./synthetic-rides.ts";

const restaurant = { lat: 38.7139, lng: -9.1294 };
const dropoff = destinationPoint(restaurant, 90, 1800);
const courier = destinationPoint(restaurant, 200, 900);
const now = Date.UTC(2026, 10, 27, 20, 0);
const base = { restaurant, dropoff, now, areaId: "old-town", localHour: 20 };
const learned = calibrate(syntheticRides(4000, 3), 0);

describe("the live ETA", () => {
  it("is exactly the fixed model's when no model is fitted", () => {
    for (const phase of ["to_pickup", "to_dropoff"] as const) {
      const foodReadyAt = now + 12 * 60_000;
      const live = liveEta({ ...base, phase, courier, vehicle: "scooter", foodReadyAt, calibration: null });
      const fixed = estimateEta({ courier, vehicle: "scooter", restaurant, dropoff, phase, foodReadyAt, now });
      expect(live).toEqual({ ...fixed, model: "fixed" });
    }
  });

  it("uses the learned cell: slower in the steep old town than the fixed model says", () => {
    const input = { ...base, phase: "to_dropoff" as const, courier, vehicle: "bicycle" as const, foodReadyAt: null };
    const fixed = liveEta({ ...input, calibration: null });
    const old = liveEta({ ...input, calibration: learned });
    const avenues = liveEta({ ...input, calibration: learned, areaId: "avenues" });
    expect(old.model).toBe("learned");
    expect(old.dropoffAt).toBeGreaterThan(fixed.dropoffAt);
    expect(avenues.dropoffAt).toBeLessThan(old.dropoffAt);
  });

  it("moves with the kitchen's prep estimate while the food is not on board", () => {
    const at = (phase: "awaiting_courier" | "to_pickup", minutes: number) =>
      liveEta({
        ...base,
        phase,
        courier: phase === "to_pickup" ? courier : null,
        vehicle: phase === "to_pickup" ? "bicycle" : null,
        foodReadyAt: now + minutes * 60_000,
        calibration: learned,
      });
    for (const phase of ["awaiting_courier", "to_pickup"] as const) {
      expect(at(phase, 25).dropoffAt - at(phase, 15).dropoffAt).toBe(10 * 60_000);
      expect(at(phase, 25).pickupAt).toBe(now + 25 * 60_000 + 120_000);
    }
    // Food due now: before assignment the search and the approach bound it, not the kitchen.
    expect(at("awaiting_courier", 0).pickupAt).toBeGreaterThan(now + 5 * 60_000);
  });

  it("ignores the kitchen once the food is on board", () => {
    const input = { ...base, phase: "to_dropoff" as const, courier, vehicle: "car" as const, calibration: learned };
    expect(liveEta({ ...input, foodReadyAt: now + 3_600_000 })).toEqual(liveEta({ ...input, foodReadyAt: null }));
  });
});
