// The live ETA of an order in progress, from the learned model (calibration.ts)
// when one is fitted, else exactly the fixed one (dispatch/eta.ts). The Order
// DO recomputes it on each courier position it broadcasts and whenever the
// kitchen's prep estimate moves while no courier has the food yet, so the
// customer's time follows the kitchen as well as the road.
import { HANDOVER_MS, VEHICLE_SPEED_MPS, type Vehicle } from "../dispatch/eta.ts";
import { DEFAULT_FOOD_READY_POLICY } from "../dispatch/food-ready.ts";
import { haversineMeters, type LatLng } from "../geo/distance.ts";
import { type EtaCalibration, fitFor, predictRideMs } from "./calibration.ts";

/**
 * awaiting_courier: accepted, nobody assigned yet (or the search not started);
 * to_pickup: a courier is on the way to the counter or waiting at it;
 * to_dropoff: the food is on board.
 */
export type LivePhase = "awaiting_courier" | "to_pickup" | "to_dropoff";

export interface LiveEtaInput {
  phase: LivePhase;
  /** The assigned courier's last position; null before one is assigned. */
  courier: LatLng | null;
  /** The courier's vehicle; before assignment the planning vehicle (bicycle). */
  vehicle: Vehicle | null;
  restaurant: LatLng;
  dropoff: LatLng;
  /** When the kitchen expects the food (its latest prep estimate); null: treated as ready now. */
  foodReadyAt: number | null;
  now: number;
  calibration: EtaCalibration | null;
  /** The drop-off's delivery area, and the local hour there: the model's cell. */
  areaId: string | null;
  localHour: number;
}

export interface LiveEta {
  /** When the courier leaves the counter with the food; null once picked up. */
  pickupAt: number | null;
  /** When the customer has the bag. */
  dropoffAt: number;
  model: "learned" | "fixed";
}

/**
 * Before assignment no courier can be at the counter sooner than a search
 * (a few 30 s offer rounds) plus a typical approach; dispatch aims them at
 * the food (decision 37), so a later food time wins.
 */
const APPROACH_MS = 5 * 60_000;

export function liveEta(input: LiveEtaInput): LiveEta {
  const { phase, restaurant, dropoff, now, calibration } = input;
  const vehicle = input.vehicle ?? "bicycle";
  const cell = { areaId: input.areaId, localHour: input.localHour, vehicle };
  const model = calibration ? "learned" : "fixed";
  // Pickup to the customer's door: the model's road factor and door overhead for this area and hour.
  const ride = (from: LatLng) => predictRideMs(calibration, { ...cell, distanceM: haversineMeters(from, dropoff) });
  if (phase === "to_dropoff") {
    const dropoffAt = now + ride(input.courier ?? restaurant);
    return { pickupAt: null, dropoffAt: Math.round(dropoffAt), model };
  }
  let arrivesAt: number;
  if (phase === "to_pickup" && input.courier) {
    // The approach has no door at its end: the road factor alone (the counter's handover is added below).
    const fit = fitFor(calibration, input.areaId, input.localHour);
    const baseMs = (haversineMeters(input.courier, restaurant) / VEHICLE_SPEED_MPS[vehicle]) * 1000;
    arrivesAt = now + fit.roadFactor * baseMs;
  } else {
    arrivesAt = now + DEFAULT_FOOD_READY_POLICY.searchSlackMs + APPROACH_MS;
  }
  // A courier early at the counter waits for the food; the handover starts once both are there.
  const pickupAt = Math.max(arrivesAt, input.foodReadyAt ?? arrivesAt) + HANDOVER_MS;
  const dropoffAt = pickupAt + ride(restaurant);
  return { pickupAt: Math.round(pickupAt), dropoffAt: Math.round(dropoffAt), model };
}
