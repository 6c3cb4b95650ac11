// Which GPS readings become fixes. A phone reports many readings a second
// when it moves and none when it stands still; the zone needs neither. A
// reading becomes a fix when the courier has moved far enough, or when enough
// time has passed to show they are still there (the zone stops offering work
// to a courier silent for a minute), and never more than once a second.
// Readings worse than the zone accepts are not worth buffering.
import { DEFAULT_FIX_BOUNDS } from "../../../../domain/dispatch/fix.ts";
import { haversineMeters } from "../../../../domain/geo/distance.ts";

export interface FixFilter {
  minDistanceM: number;
  minIntervalMs: number;
  maxIntervalMs: number;
  maxAccuracyM: number;
}

export const DEFAULT_FIX_FILTER: Readonly<FixFilter> = {
  minDistanceM: 10,
  minIntervalMs: 1_000,
  maxIntervalMs: 15_000,
  maxAccuracyM: DEFAULT_FIX_BOUNDS.maxAccuracyM,
};

export interface Reading {
  lat: number;
  lng: number;
  accuracyM: number;
  /** Device time, epoch ms. */
  at: number;
}

export function shouldRecord(last: Reading | null, next: Reading, filter: FixFilter = DEFAULT_FIX_FILTER): boolean {
  if (!Number.isFinite(next.lat) || !Number.isFinite(next.lng) || !(next.accuracyM <= filter.maxAccuracyM))
    return false;
  if (last === null) return true;
  const elapsed = next.at - last.at;
  if (elapsed < filter.minIntervalMs) return false;
  if (elapsed >= filter.maxIntervalMs) return true;
  return haversineMeters(last, next) >= filter.minDistanceM;
}
