// The single place delivery times are estimated. Everything that shows or
// compares an ETA calls estimateEta (or travelTimeMs for one leg), so swapping
// this crude model for a routed or learned one later touches only this file.

import { haversineMeters, type LatLng } from "../geo/distance.ts";

export type Vehicle = "foot" | "bicycle" | "scooter" | "car";

/** Typical door-to-door city speeds including stops, not top speeds. */
export const VEHICLE_SPEED_MPS: Readonly<Record<Vehicle, number>> = {
  foot: 1.4,
  bicycle: 4.5,
  scooter: 7,
  car: 8,
};

/** Streets are not straight lines: real city routes run ~30 % longer than the great-circle distance. */
export const ROAD_FACTOR = 1.3;

/** Parking, finding the counter or the door, handing the bag over: paid once at each end. */
export const HANDOVER_MS = 120_000;

export function travelTimeMs(distanceM: number, vehicle: Vehicle): number {
  return ((Math.max(0, distanceM) * ROAD_FACTOR) / VEHICLE_SPEED_MPS[vehicle]) * 1000;
}

export type EtaPhase = "to_pickup" | "to_dropoff";

export interface EtaInput {
  courier: LatLng;
  vehicle: Vehicle;
  restaurant: LatLng;
  dropoff: LatLng;
  phase: EtaPhase;
  /** When the kitchen expects the food to be ready; null if unknown, treated as ready now. */
  foodReadyAt: number | null;
  now: number;
}

export interface Eta {
  /** When the courier leaves the restaurant with the food (after the handover); null once picked up. */
  pickupAt: number | null;
  /** When the handover to the customer is complete. */
  dropoffAt: number;
}

/** Epoch ms, rounded to whole milliseconds so estimates are stable when compared or stored. */
export function estimateEta(input: EtaInput): Eta {
  const { courier, vehicle, restaurant, dropoff, phase, foodReadyAt, now } = input;
  if (phase === "to_dropoff") {
    const dropoffAt = now + travelTimeMs(haversineMeters(courier, dropoff), vehicle) + HANDOVER_MS;
    return { pickupAt: null, dropoffAt: Math.round(dropoffAt) };
  }
  const arrivesAt = now + travelTimeMs(haversineMeters(courier, restaurant), vehicle);
  // A courier who arrives early waits at the counter; the handover starts only once both courier and food are there.
  const pickupAt = Math.max(arrivesAt, foodReadyAt ?? arrivesAt) + HANDOVER_MS;
  const dropoffAt = pickupAt + travelTimeMs(haversineMeters(restaurant, dropoff), vehicle) + HANDOVER_MS;
  return { pickupAt: Math.round(pickupAt), dropoffAt: Math.round(dropoffAt) };
}
