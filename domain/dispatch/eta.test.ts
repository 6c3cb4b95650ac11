import { describe, expect, it } from "vitest";
import { destinationPoint } from "../geo/distance.ts";
import { estimateEta, HANDOVER_MS, ROAD_FACTOR, travelTimeMs, VEHICLE_SPEED_MPS } from "./eta.ts";

const NOW = 1_750_000_000_000;
const restaurant = { lat: 52.52, lng: 13.405 };
const courier = destinationPoint(restaurant, 200, 1_000);
const dropoff = destinationPoint(restaurant, 45, 2_000);

describe("travelTimeMs", () => {
  it("applies the road factor to the straight-line distance at the vehicle's city speed", () => {
    expect(ROAD_FACTOR).toBe(1.3);
    expect(VEHICLE_SPEED_MPS).toEqual({ foot: 1.4, bicycle: 4.5, scooter: 7, car: 8 });
    expect(travelTimeMs(900, "bicycle")).toBeCloseTo(260_000, 6);
  });

  it("ranks a car faster than a scooter, bicycle or walking over the same distance", () => {
    const times = (["car", "scooter", "bicycle", "foot"] as const).map((v) => travelTimeMs(1_000, v));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe("estimateEta", () => {
  it("adds travel to the restaurant, a handover, the ride to the customer and a second handover", () => {
    const eta = estimateEta({
      courier,
      vehicle: "bicycle",
      restaurant,
      dropoff,
      phase: "to_pickup",
      foodReadyAt: null,
      now: NOW,
    });
    const toRestaurant = (1_000 * 1.3 * 1000) / 4.5;
    const toCustomer = (2_000 * 1.3 * 1000) / 4.5;
    expect(eta.pickupAt).toBe(Math.round(NOW + toRestaurant + HANDOVER_MS));
    expect(eta.dropoffAt).toBe(Math.round(NOW + toRestaurant + HANDOVER_MS + toCustomer + HANDOVER_MS));
    expect(HANDOVER_MS).toBe(120_000);
  });

  it("makes a courier who arrives early wait for the food before the handover", () => {
    const foodReadyAt = NOW + 20 * 60_000;
    const eta = estimateEta({
      courier,
      vehicle: "car",
      restaurant,
      dropoff,
      phase: "to_pickup",
      foodReadyAt,
      now: NOW,
    });
    expect(eta.pickupAt).toBe(foodReadyAt + HANDOVER_MS);
  });

  it("ignores a ready time the courier cannot reach anyway", () => {
    const early = estimateEta({
      courier,
      vehicle: "foot",
      restaurant,
      dropoff,
      phase: "to_pickup",
      foodReadyAt: NOW,
      now: NOW,
    });
    const unknown = estimateEta({
      courier,
      vehicle: "foot",
      restaurant,
      dropoff,
      phase: "to_pickup",
      foodReadyAt: null,
      now: NOW,
    });
    expect(early).toEqual(unknown);
  });

  it("has no pickup time once the food is on board and measures from the courier to the customer", () => {
    const eta = estimateEta({
      courier: dropoff,
      vehicle: "scooter",
      restaurant,
      dropoff,
      phase: "to_dropoff",
      foodReadyAt: null,
      now: NOW,
    });
    expect(eta).toEqual({ pickupAt: null, dropoffAt: NOW + HANDOVER_MS });
  });
});
