import { describe, expect, it } from "vitest";
import type { Schedule } from "../restaurant/schedule.ts";
import {
  DEFAULT_SCHEDULING,
  dispatchAt,
  plannedTravelMinutes,
  planScheduledDelivery,
  planSlotDelivery,
} from "./scheduling.ts";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;
// Tuesday 2026-11-24 10:00 in Lisbon.
const NOW = at("2026-11-24T10:00:00Z");
const schedule: Schedule = {
  timeZone: "Europe/Lisbon",
  weekly: [{ day: 2, open: "12:00", close: "15:00" }],
  specialDays: [],
  pausedUntil: null,
};

describe("planScheduledDelivery", () => {
  it("works back from the delivery time to when the food is ready and when the kitchen gets it", () => {
    const travel = plannedTravelMinutes(2000);
    expect(travel).toBe(14); // 2 km × 1.3 at 4.5 m/s ≈ 9.6 min, plus two 2-minute handovers
    const result = planScheduledDelivery({
      deliverAt: at("2026-11-24T13:00:00Z"),
      now: NOW,
      prepMinutes: 20,
      distanceM: 2000,
      schedule,
    });
    expect(result).toEqual({
      ok: true,
      plan: {
        deliverAt: at("2026-11-24T13:00:00Z"),
        readyBy: at("2026-11-24T12:46:00Z"),
        releaseAt: at("2026-11-24T12:21:00Z"),
      },
    });
  });

  it("refuses a time too soon to cook and bring, naming the earliest", () => {
    const result = planScheduledDelivery({
      deliverAt: NOW + 30 * MIN,
      now: NOW,
      prepMinutes: 20,
      distanceM: 2000,
      schedule,
    });
    expect(result).toMatchObject({ ok: false, code: "scheduled_too_soon", earliest: NOW + (20 + 14 + 15) * MIN });
  });

  it("refuses more than a week ahead", () => {
    const result = planScheduledDelivery({
      deliverAt: NOW + (DEFAULT_SCHEDULING.maxDaysAhead * 24 * 60 + 1) * MIN,
      now: NOW,
      prepMinutes: 20,
      distanceM: 2000,
      schedule,
    });
    expect(result).toMatchObject({ ok: false, code: "scheduled_too_far" });
  });

  it("refuses a time the kitchen would be closed while preparing it", () => {
    // Ready by 12:06 means starting before noon, when the kitchen is closed.
    const early = planScheduledDelivery({
      deliverAt: at("2026-11-24T12:20:00Z"),
      now: NOW,
      prepMinutes: 20,
      distanceM: 2000,
      schedule,
    });
    expect(early).toMatchObject({ ok: false, code: "scheduled_outside_hours" });
    const late = planScheduledDelivery({
      deliverAt: at("2026-11-24T15:20:00Z"),
      now: NOW,
      prepMinutes: 20,
      distanceM: 2000,
      schedule,
    });
    expect(late).toMatchObject({ ok: false, code: "scheduled_outside_hours" });
  });

  it("lets a pause that is over by then pass", () => {
    const paused = { ...schedule, pausedUntil: NOW + 60 * MIN };
    const result = planScheduledDelivery({
      deliverAt: at("2026-11-24T13:00:00Z"),
      now: NOW,
      prepMinutes: 20,
      distanceM: 2000,
      schedule: paused,
    });
    expect(result.ok).toBe(true);
  });
});

describe("planSlotDelivery and dispatchAt", () => {
  it("aims a quarter into the window and sends the courier ahead of the food", () => {
    const plan = planSlotDelivery(
      { startsAt: at("2026-11-24T18:00:00Z"), endsAt: at("2026-11-24T19:00:00Z") },
      30,
      2000,
    );
    expect(plan.deliverAt).toBe(at("2026-11-24T18:15:00Z"));
    expect(plan.readyBy).toBe(at("2026-11-24T18:01:00Z"));
    expect(plan.releaseAt).toBe(at("2026-11-24T17:26:00Z"));
    expect(dispatchAt(plan.readyBy, NOW)).toBe(at("2026-11-24T17:51:00Z"));
    expect(dispatchAt(NOW + 5 * MIN, NOW)).toBe(NOW);
  });
});
