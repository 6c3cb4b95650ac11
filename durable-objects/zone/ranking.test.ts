// The offer loop's choice of courier, as plain functions: stacks kept only
// within the bound, undescribed jobs never stacked, the hold only for searches
// the Order DO timed.
import { describe, expect, it } from "vitest";
import type { DispatchRequest, ZoneCandidate } from "./protocol.ts";
import { holdFor, rankForOrder } from "./ranking.ts";

const NOW = 1_700_000_000_000;
const MIN = 60_000;
const R = { lat: 38.7223, lng: -9.1393 };
const FAR_R = { lat: 38.7223, lng: -9.1093 }; // ~2.6 km east

const request: DispatchRequest = {
  orderId: "new",
  restaurant: R,
  dropoff: { lat: 38.735, lng: -9.14 },
  foodReadyAt: NOW + 5 * MIN,
};

function courier(id: string, overrides: Partial<ZoneCandidate> = {}): ZoneCandidate {
  return {
    courierId: id,
    cell: "eyckr",
    distanceM: 900,
    vehicle: "bicycle",
    activeJobs: 0,
    recentOffers: 0,
    recentAccepts: 0,
    ...overrides,
  };
}

// The first customer lives next door to the new order's: the stack costs the new customer only that door's handover.
const job = (orderId: string, restaurant = R, dropoff = request.dropoff) => ({
  orderId,
  restaurant,
  dropoff,
  foodReadyAt: NOW + 4 * MIN,
});

describe("rankForOrder", () => {
  it("keeps a courier on a job at the same counter as a stack, and drops stacks that do not fit", () => {
    const ranked = rankForOrder(
      [
        courier("free"),
        courier("same-counter", { activeJobs: 1, distanceM: 50, position: R, jobs: [job("first")] }),
        courier("far-kitchen", { activeJobs: 1, distanceM: 100, position: R, jobs: [job("other", FAR_R)] }),
        // Same counter, but the first customer is 2 km the other way: the free courier delivers the new order sooner.
        courier("wrong-way", {
          activeJobs: 1,
          distanceM: 50,
          position: R,
          jobs: [job("south", R, { lat: 38.7043, lng: -9.1393 })],
        }),
        courier("undescribed", { activeJobs: 1, distanceM: 10, position: R, jobs: [] }),
      ],
      request,
      NOW,
    );
    expect(ranked.map((c) => c.courierId).sort()).toEqual(["free", "same-counter"]);
    const stacked = ranked.find((c) => c.courierId === "same-counter");
    expect(stacked?.stack).toMatchObject({ withOrderId: "first", sameRestaurant: true });
  });
});

describe("holdFor", () => {
  it("holds an early courier only for a search the Order DO timed", () => {
    const [near] = rankForOrder(
      [courier("near", { distanceM: 100 })],
      { ...request, foodReadyAt: NOW + 20 * MIN },
      NOW,
    );
    if (!near) throw new Error("no candidate");
    const untimed = { ...request, foodReadyAt: NOW + 20 * MIN };
    expect(holdFor(untimed, near, NOW)).toBeNull();
    const timed = { ...untimed, timing: { predictedReadyAt: NOW + 20 * MIN, holdEarly: true } };
    expect(holdFor(timed, near, NOW)).toBeGreaterThan(NOW + 10 * MIN);
    const notHolding = { ...untimed, timing: { predictedReadyAt: NOW + 20 * MIN, holdEarly: false } };
    expect(holdFor(notHolding, near, NOW)).toBeNull();
  });
});
