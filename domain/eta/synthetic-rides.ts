// Rides with a known ground truth, for the calibration's held-out test and
// for the simulator: three kinds of Lisbon delivery area (steep old town,
// avenues, riverside) whose real road factor and door overhead differ, and
// traffic that changes through the day. The fixed model knows none of this.
import type { Vehicle } from "../dispatch/eta.ts";
import { VEHICLE_SPEED_MPS } from "../dispatch/eta.ts";
import { seededRandom } from "../random/seeded-random.ts";
import type { RideSample } from "./calibration.ts";

export interface AreaTruth {
  areaId: string;
  roadFactor: number;
  overheadMs: number;
}

export const LISBON_AREAS: readonly AreaTruth[] = [
  // Alfama and Graça: stairs, one-way alleys, no parking.
  { areaId: "old-town", roadFactor: 1.85, overheadMs: 260_000 },
  // Avenidas Novas: a grid of wide streets, lifts in the buildings.
  { areaId: "avenues", roadFactor: 1.15, overheadMs: 110_000 },
  // Belém and the river: long straight roads, few crossings.
  { areaId: "riverside", roadFactor: 1.35, overheadMs: 150_000 },
];

/** Traffic by local hour: free at night, jammed at the evening rush and dinner. */
export function trafficAt(localHour: number): number {
  if (localHour < 7) return 0.85;
  if (localHour < 11) return 1.05;
  if (localHour < 15) return 1.15;
  if (localHour < 18) return 1.05;
  if (localHour < 22) return 1.3;
  return 0.95;
}

const VEHICLES: readonly Vehicle[] = ["bicycle", "bicycle", "bicycle", "scooter", "scooter", "car", "foot"];

/** The ride the world would really produce (before noise). */
export function trueRideMs(area: AreaTruth, localHour: number, distanceM: number, vehicle: Vehicle): number {
  return area.overheadMs + ((area.roadFactor * trafficAt(localHour) * distanceM) / VEHICLE_SPEED_MPS[vehicle]) * 1000;
}

/** Deterministic for a seed; noise is log-normal-ish (a ride is more often late than early). */
export function syntheticRides(count: number, seed: number): RideSample[] {
  const random = seededRandom(seed);
  const rides: RideSample[] = [];
  for (let i = 0; i < count; i++) {
    const area = LISBON_AREAS[Math.floor(random() * LISBON_AREAS.length)] as AreaTruth;
    const localHour = Math.floor(random() * 24);
    const vehicle = VEHICLES[Math.floor(random() * VEHICLES.length)] as Vehicle;
    const distanceM = (vehicle === "foot" ? 200 : 400) + random() * (vehicle === "foot" ? 1200 : 4600);
    // Sum of uniforms ≈ normal; exp gives a right skew, σ ≈ 0.15.
    const z = (random() + random() + random() + random() - 2) * 0.26;
    rides.push({
      areaId: area.areaId,
      localHour,
      vehicle,
      distanceM,
      rideMs: trueRideMs(area, localHour, distanceM, vehicle) * Math.exp(z),
    });
  }
  return rides;
}
