import { describe, expect, it } from "vitest";
import { HANDOVER_MS, travelTimeMs } from "./eta.ts";
import { DEFAULT_FOOD_READY_POLICY, holdOfferUntil, planDispatch } from "./food-ready.ts";

const courierLeadMs = () => DEFAULT_FOOD_READY_POLICY.courierLeadMs;

const MIN = 60_000;
const NOW = 1_700_000_000_000;
const calm = { latenessSamplesMs: [], ordersInKitchen: 0, maxActiveOrders: null };

describe("planDispatch", () => {
  it("leads by enough for two offer rounds, 1.5 km by bicycle and parking", () => {
    const needed = DEFAULT_FOOD_READY_POLICY.searchSlackMs + travelTimeMs(1_500, "bicycle") + HANDOVER_MS / 2;
    expect(courierLeadMs()).toBeGreaterThanOrEqual(needed);
  });

  it("starts the search one courier lead before a 25-minute estimate, not at acceptance", () => {
    const plan = planDispatch(NOW + 25 * MIN, calm, NOW);
    expect(plan.predictedReadyAt).toBe(NOW + 25 * MIN);
    expect(plan.searchAt).toBe(NOW + 25 * MIN - courierLeadMs());
    expect(plan.searchAt).toBeGreaterThan(NOW + 10 * MIN);
    expect(plan.reasons.join(" ")).toMatch(/before the food is due/);
  });

  it("searches at once when the food is due within the courier lead", () => {
    const plan = planDispatch(NOW + 6 * MIN, calm, NOW);
    expect(plan.searchAt).toBe(NOW);
    expect(plan.reasons.at(-1)).toMatch(/searching now/);
  });

  it("searches at once without an estimate", () => {
    expect(planDispatch(null, calm, NOW)).toMatchObject({ searchAt: NOW, predictedReadyAt: NOW });
  });

  it("moves the prediction by the kitchen's median lateness once there are enough samples", () => {
    const late = { ...calm, latenessSamplesMs: [4 * MIN, 6 * MIN, 5 * MIN, -1 * MIN, 30 * MIN] };
    const plan = planDispatch(NOW + 20 * MIN, late, NOW);
    expect(plan.predictedReadyAt).toBe(NOW + 25 * MIN);
    expect(plan.reasons.join(" ")).toMatch(/5 orders.*5 min late/);
  });

  it("ignores history below the minimum sample count, and caps it", () => {
    const few = { ...calm, latenessSamplesMs: [10 * MIN, 10 * MIN] };
    expect(planDispatch(NOW + 20 * MIN, few, NOW).predictedReadyAt).toBe(NOW + 20 * MIN);
    const wild = { ...calm, latenessSamplesMs: [90 * MIN, 90 * MIN, 90 * MIN] };
    expect(planDispatch(NOW + 20 * MIN, wild, NOW).predictedReadyAt).toBe(
      NOW + 20 * MIN + DEFAULT_FOOD_READY_POLICY.maxHistoryShiftMs,
    );
  });

  it("an early kitchen brings the search forward, never the food before now", () => {
    const early = { ...calm, latenessSamplesMs: [-5 * MIN, -5 * MIN, -5 * MIN] };
    expect(planDispatch(NOW + 20 * MIN, early, NOW).predictedReadyAt).toBe(NOW + 15 * MIN);
    expect(planDispatch(NOW + 2 * MIN, early, NOW).predictedReadyAt).toBe(NOW);
  });

  it("adds queue time for orders beyond the kitchen's declared capacity, capped", () => {
    const busy = { latenessSamplesMs: [], ordersInKitchen: 6, maxActiveOrders: 4 };
    const plan = planDispatch(NOW + 20 * MIN, busy, NOW);
    expect(plan.predictedReadyAt).toBe(NOW + 20 * MIN + 3 * DEFAULT_FOOD_READY_POLICY.perOrderOverCapacityMs);
    const swamped = { latenessSamplesMs: [], ordersInKitchen: 60, maxActiveOrders: 4 };
    expect(planDispatch(NOW + 20 * MIN, swamped, NOW).predictedReadyAt).toBe(
      NOW + 20 * MIN + DEFAULT_FOOD_READY_POLICY.maxQueueShiftMs,
    );
  });

  it("re-planned after a prep change, a later estimate gives a later search", () => {
    const before = planDispatch(NOW + 20 * MIN, calm, NOW);
    const after = planDispatch(NOW + 35 * MIN, calm, NOW + MIN);
    expect(after.searchAt - before.searchAt).toBe(15 * MIN);
  });
});

describe("holdOfferUntil", () => {
  it("offers at once when the courier would arrive about when the food is ready, or late", () => {
    expect(holdOfferUntil(NOW + 10 * MIN, 9 * MIN, NOW)).toBeNull();
    expect(holdOfferUntil(NOW + 2 * MIN, 9 * MIN, NOW)).toBeNull();
    expect(holdOfferUntil(null, 0, NOW)).toBeNull();
  });

  it("holds a courier two minutes away from food due in twenty until they would arrive on time", () => {
    const until = holdOfferUntil(NOW + 20 * MIN, 2 * MIN, NOW);
    expect(until).not.toBeNull();
    // Offered then, they arrive inside the tolerance before the food.
    expect(holdOfferUntil(NOW + 20 * MIN, 2 * MIN, until as number)).toBeNull();
    const arrival = (until as number) + DEFAULT_FOOD_READY_POLICY.searchSlackMs / 3 + 2 * MIN;
    expect(NOW + 20 * MIN - arrival).toBeLessThanOrEqual(DEFAULT_FOOD_READY_POLICY.earlyToleranceMs);
    expect(NOW + 20 * MIN - arrival).toBeGreaterThanOrEqual(0);
  });
});
