import { describe, expect, it } from "vitest";
import { type LatLng, metersToLatDegrees, metersToLngDegrees } from "../geo/distance.ts";
import { travelTimeMs, type Vehicle } from "./eta.ts";
import { checkStack, DEFAULT_STACK_POLICY, type StackJob } from "./stacking.ts";

const MIN = 60_000;
const NOW = 1_700_000_000_000;
const R = { lat: 38.7223, lng: -9.1393 };
const at = (north: number, east: number): LatLng => ({
  lat: R.lat + metersToLatDegrees(north),
  lng: R.lng + metersToLngDegrees(east, R.lat),
});

function job(overrides: Partial<StackJob> = {}): StackJob {
  return { orderId: "first", restaurant: R, dropoff: at(2_000, 0), foodReadyAt: NOW + 5 * MIN, ...overrides };
}

describe("checkStack", () => {
  it("stacks a second order from the same counter with a small delay to the first", () => {
    const verdict = checkStack(
      at(300, 0),
      "bicycle",
      [job()],
      { restaurant: R, dropoff: at(2_200, 200), foodReadyAt: NOW + 6 * MIN },
      NOW,
    );
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.sameRestaurant).toBe(true);
    expect(verdict.withOrderId).toBe("first");
    // Only the second food's extra minute delays the first customer.
    expect(verdict.firstDelayMs).toBe(MIN);
    expect(verdict.secondDropoffAt).toBeGreaterThan(NOW + 6 * MIN);
  });

  it("accepts a nearby restaurant within the bound and says how late the first order gets", () => {
    const verdict = checkStack(
      at(0, 0),
      "bicycle",
      [job({ foodReadyAt: NOW })],
      { restaurant: at(0, 500), dropoff: at(2_000, 500), foodReadyAt: NOW },
      NOW,
    );
    expect(verdict.ok).toBe(true);
    if (verdict.ok) {
      expect(verdict.sameRestaurant).toBe(false);
      expect(verdict.firstDelayMs).toBeGreaterThan(2 * MIN);
      expect(verdict.firstDelayMs).toBeLessThanOrEqual(DEFAULT_STACK_POLICY.maxFirstDelayMs);
    }
  });

  it("refuses a restaurant beyond the gap, a third job, and a detour past the bound", () => {
    const order = { restaurant: at(0, 1_500), dropoff: at(2_000, 1_500), foodReadyAt: NOW };
    expect(checkStack(R, "bicycle", [job()], order, NOW)).toMatchObject({ ok: false, reason: "restaurant_too_far" });
    const near = { restaurant: R, dropoff: at(1_000, 0), foodReadyAt: NOW };
    expect(checkStack(R, "bicycle", [job(), job({ orderId: "second" })], near, NOW)).toMatchObject({
      ok: false,
      reason: "too_many_jobs",
    });
    expect(checkStack(R, "bicycle", [], near, NOW)).toMatchObject({ ok: false, reason: "too_many_jobs" });
    // The second food is 20 minutes behind the first: the first customer would wait for it.
    const slow = { restaurant: R, dropoff: at(1_000, 0), foodReadyAt: NOW + 25 * MIN };
    const verdict = checkStack(R, "bicycle", [job()], slow, NOW);
    expect(verdict).toMatchObject({ ok: false, reason: "first_delay_too_long" });
    if (!verdict.ok) expect(verdict.firstDelayMs).toBeGreaterThan(DEFAULT_STACK_POLICY.maxFirstDelayMs);
  });

  it("with the first food on board, routes from the courier straight to the second counter", () => {
    const onBoard = job({ pickedUp: true, foodReadyAt: NOW - MIN });
    const order = { restaurant: at(0, 300), dropoff: at(2_000, 300), foodReadyAt: NOW };
    const verdict = checkStack(at(100, 100), "bicycle", [onBoard], order, NOW);
    expect(verdict.ok).toBe(true);
    if (verdict.ok) expect(verdict.arrivesAtPickupAt).toBeLessThan(NOW + 2 * MIN);
  });
});

describe("checkStack with a learned leg time", () => {
  it("refuses a stack the fixed model allows when the area's rides are much slower", () => {
    const first = job({ foodReadyAt: null, dropoff: at(0, 1_200) });
    const order = { restaurant: at(600, 0), dropoff: at(0, 2_000), foodReadyAt: null };
    expect(checkStack(R, "bicycle", [first], order, NOW).ok).toBe(true);
    const slow = (m: number, v: Vehicle) => travelTimeMs(m, v) * 6;
    expect(checkStack(R, "bicycle", [first], order, NOW, DEFAULT_STACK_POLICY, slow)).toMatchObject({
      ok: false,
      reason: "first_delay_too_long",
    });
  });
});
