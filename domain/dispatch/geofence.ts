// Pickup and drop-off confirmations must happen near the restaurant or the
// customer. A phone's reported position can be off by its stated accuracy, so
// an honest courier standing at the door in an urban canyon (accuracy 40-80 m)
// would be refused by a strict radius. We therefore widen the radius by the
// reported accuracy, but only up to a cap: otherwise a fix claiming 2 km
// accuracy could confirm a delivery from across town.

import { haversineMeters, type LatLng } from "../geo/distance.ts";

export const DEFAULT_GEOFENCE_RADIUS_M = 150;
/** Largest widening granted for poor accuracy; matches the worst accuracy acceptFix lets through. */
export const MAX_ACCURACY_ALLOWANCE_M = 100;

export interface GeofencePosition extends LatLng {
  accuracyM: number;
}

export type GeofenceResult =
  | { ok: true; distanceM: number }
  /** radiusM is the effective radius applied, so the app can tell the courier how close they must get. */
  | { ok: false; code: "outside_geofence"; distanceM: number; radiusM: number };

export function checkGeofence(
  position: GeofencePosition,
  target: LatLng,
  radiusM = DEFAULT_GEOFENCE_RADIUS_M,
): GeofenceResult {
  const distanceM = haversineMeters(position, target);
  // A missing or nonsensical accuracy earns no allowance rather than the maximum.
  const allowance =
    Number.isFinite(position.accuracyM) && position.accuracyM > 0
      ? Math.min(position.accuracyM, MAX_ACCURACY_ALLOWANCE_M)
      : 0;
  const effective = radiusM + allowance;
  if (distanceM <= effective) return { ok: true, distanceM };
  // NaN coordinates make distanceM NaN, which fails the comparison above and lands here, refused.
  return { ok: false, code: "outside_geofence", distanceM, radiusM: effective };
}
