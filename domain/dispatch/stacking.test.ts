import { describe, expect, it } from "vitest";
import { type LatLng, metersToLatDegrees, metersToLngDegrees } from "../geo/distance.ts";
import { HANDOVER_MS, travelTimeMs, type Vehicle } from "./eta.ts";
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

describe("checkStack bounds the second customer too", () => {
  // First job: food in 5 min at R, customer 2 km north. Second order: same counter, customer 2 km south,
  // so its bag rides 2 km north and 4 km back before its door.
  const south = { restaurant: R, dropoff: at(-2_000, 0), foodReadyAt: NOW + 5 * MIN };

  it("refuses a stack whose second drop-off is later than a free courier's, and says by how much", () => {
    const verdict = checkStack(at(100, 0), "bicycle", [job()], { ...south, freeApproachMs: 3 * MIN }, NOW);
    expect(verdict).toMatchObject({ ok: false, reason: "second_delay_too_long" });
    if (!verdict.ok) expect(verdict.secondDelayMs).toBeGreaterThan(10 * MIN);
  });

  it("lets the policy allow some delay, and falls back to a search and approach when no free courier was found", () => {
    const lenient = { ...DEFAULT_STACK_POLICY, maxSecondDelayMs: 30 * MIN };
    expect(checkStack(at(100, 0), "bicycle", [job()], south, NOW, lenient)).toMatchObject({ ok: true });
    // No free courier: one is assumed 10 min away; a drop-off on the first one's way still stacks.
    const onTheWay = { restaurant: R, dropoff: at(2_300, 0), foodReadyAt: NOW + 5 * MIN, freeApproachMs: null };
    const verdict = checkStack(at(100, 0), "bicycle", [job()], onTheWay, NOW);
    expect(verdict).toMatchObject({ ok: true, secondDelayMs: 0 });
  });

  it("with a free courier at the counter, a drop-off on the way costs the second customer the first door's handover, which the default allows", () => {
    const onTheWay = { restaurant: R, dropoff: at(2_300, 0), foodReadyAt: NOW + 5 * MIN, freeApproachMs: 0 };
    // The free courier would leave with the food at +7 min and ride 2.3 km; the stack stops at the first door on the way.
    expect(checkStack(at(100, 0), "bicycle", [job()], onTheWay, NOW)).toMatchObject({
      ok: true,
      secondDelayMs: HANDOVER_MS,
    });
    const none = { ...DEFAULT_STACK_POLICY, maxSecondDelayMs: 0 };
    expect(checkStack(at(100, 0), "bicycle", [job()], onTheWay, NOW, none)).toMatchObject({
      ok: false,
      reason: "second_delay_too_long",
      secondDelayMs: HANDOVER_MS,
    });
  });

  it("refuses while the first food is overdue and not on board: the kitchen is behind by an unknown amount", () => {
    const overdue = job({ foodReadyAt: NOW - MIN });
    const near = { restaurant: R, dropoff: at(2_100, 0), foodReadyAt: NOW };
    expect(checkStack(R, "bicycle", [overdue], near, NOW)).toMatchObject({ ok: false, reason: "first_food_overdue" });
    // Once the bag is on board the kitchen no longer matters.
    expect(checkStack(R, "bicycle", [{ ...overdue, pickedUp: true }], near, NOW).ok).toBe(true);
  });
});
