// Ride times learned from completed deliveries. The fixed model
// (domain/dispatch/eta.ts) says a ride takes road factor × distance / vehicle
// speed + one handover, the same in the old town at dinner as on an avenue
// at 3 am. This fits, per delivery area and time-of-day band, the two numbers
// that model guesses: an effective road factor (streets, hills, traffic and
// lights folded together, relative to the vehicle's nominal speed) and the
// fixed overhead (parking, stairs, the handover). A cell with few deliveries
// borrows from the city-wide fit (shrinkage), so one odd ride cannot swing it.
//
// Pure: the rows come from Postgres through workers/eta/calibration-store.ts.

import { HANDOVER_MS, ROAD_FACTOR, VEHICLE_SPEED_MPS, type Vehicle } from "../dispatch/eta.ts";

/** One completed ride, picked up to delivered. */
export interface RideSample {
  areaId: string | null;
  /** Local hour of day (0-23) at pickup, in the restaurant's time zone. */
  localHour: number;
  vehicle: Vehicle;
  /** Straight-line metres from restaurant to drop-off. */
  distanceM: number;
  /** Milliseconds from pickup to delivery. */
  rideMs: number;
}

/** Time-of-day bands: traffic changes at these edges, and each band gets enough rides to fit. */
export const BANDS = [
  { id: "night", fromHour: 0 },
  { id: "morning", fromHour: 7 },
  { id: "lunch", fromHour: 11 },
  { id: "afternoon", fromHour: 15 },
  { id: "dinner", fromHour: 18 },
  { id: "late", fromHour: 22 },
] as const;

export type BandId = (typeof BANDS)[number]["id"];

export function bandOf(localHour: number): BandId {
  let band: BandId = BANDS[0].id;
  for (const b of BANDS) if (localHour >= b.fromHour) band = b.id;
  return band;
}

export interface CellFit {
  /** Multiplies distance / nominal vehicle speed; the fixed model says 1.3. */
  roadFactor: number;
  overheadMs: number;
  /** Actual / predicted at the 10th and 90th percentile of this cell's rides: the window's edges. */
  lowRatio: number;
  highRatio: number;
  samples: number;
}

export interface EtaCalibration {
  version: 1;
  computedAt: number;
  global: CellFit;
  /** Keyed by cellKey(areaId, band). */
  cells: Record<string, CellFit>;
}

/** A cell needs this many rides to stand mostly on its own; fewer lean on the city-wide fit. */
export const PRIOR_WEIGHT = 20;
/** Rides outside these bounds are data errors (a courier who forgot to tap delivered), not traffic. */
const MAX_RIDE_MS = 3 * 3_600_000;
const MIN_RIDE_MS = 30_000;

export const FIXED_FIT: CellFit = Object.freeze({
  roadFactor: ROAD_FACTOR,
  overheadMs: HANDOVER_MS,
  // With no history, the window is the fixed estimate -15 % / +35 % (late is likelier than early).
  lowRatio: 0.85,
  highRatio: 1.35,
  samples: 0,
});

export function cellKey(areaId: string | null, band: BandId): string {
  return `${areaId ?? "-"}|${band}`;
}

/** Nominal seconds the vehicle needs for the straight line, before any road factor. */
function baseSeconds(distanceM: number, vehicle: Vehicle): number {
  return Math.max(0, distanceM) / VEHICLE_SPEED_MPS[vehicle];
}

export function usable(sample: RideSample): boolean {
  return (
    Number.isFinite(sample.distanceM) &&
    sample.distanceM >= 0 &&
    Number.isFinite(sample.rideMs) &&
    sample.rideMs >= MIN_RIDE_MS &&
    sample.rideMs <= MAX_RIDE_MS &&
    sample.vehicle in VEHICLE_SPEED_MPS
  );
}

/**
 * Least squares of rideMs = overhead + k × baseSeconds × 1000, with `prior`
 * added as PRIOR_WEIGHT pseudo-rides (ridge towards it), so an empty or tiny
 * cell returns the prior and a big one its own fit.
 */
function fitCell(samples: readonly RideSample[], prior: CellFit, priorWeight: number): CellFit {
  // Sufficient statistics of a weighted linear regression y = a + b x.
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  const add = (x: number, y: number, w: number) => {
    n += w;
    sx += w * x;
    sy += w * y;
    sxx += w * x * x;
    sxy += w * x * y;
  };
  for (const s of samples) add(baseSeconds(s.distanceM, s.vehicle) * 1000, s.rideMs, 1);
  // The prior as pseudo-rides at two typical lengths (0.5 and 3 km by bicycle), which pins both slope and intercept.
  for (const metres of [500, 3000]) {
    const x = baseSeconds(metres, "bicycle") * 1000;
    add(x, prior.overheadMs + prior.roadFactor * x, priorWeight / 2);
  }
  const varX = sxx - (sx * sx) / n;
  let roadFactor = varX > 0 ? (sxy - (sx * sy) / n) / varX : prior.roadFactor;
  // A physical road factor: a route is never shorter than the straight line, and 4× would be a data problem.
  roadFactor = Math.min(4, Math.max(0.8, roadFactor));
  const overheadMs = Math.min(15 * 60_000, Math.max(0, (sy - roadFactor * sx) / n));
  const fit: CellFit = { roadFactor, overheadMs, lowRatio: prior.lowRatio, highRatio: prior.highRatio, samples: 0 };
  const ratios = samples.map((s) => s.rideMs / predictWithFit(fit, s.distanceM, s.vehicle)).sort((a, b) => a - b);
  const spread = ratios.length >= 10 ? { low: quantile(ratios, 0.1), high: quantile(ratios, 0.9) } : null;
  return {
    roadFactor,
    overheadMs,
    lowRatio: spread ? Math.min(1, spread.low) : prior.lowRatio,
    highRatio: spread ? Math.max(1, spread.high) : prior.highRatio,
    samples: samples.length,
  };
}

export function calibrate(samples: readonly RideSample[], computedAt: number): EtaCalibration {
  const clean = samples.filter(usable);
  // The city-wide fit leans only lightly on the fixed model: with hundreds of rides it is the data.
  const global = fitCell(clean, FIXED_FIT, 4);
  const byCell = new Map<string, RideSample[]>();
  for (const s of clean) {
    const key = cellKey(s.areaId, bandOf(s.localHour));
    const list = byCell.get(key);
    if (list) list.push(s);
    else byCell.set(key, [s]);
  }
  const cells: Record<string, CellFit> = {};
  for (const [key, list] of byCell) cells[key] = fitCell(list, global, PRIOR_WEIGHT);
  return { version: 1, computedAt, global, cells };
}

function predictWithFit(fit: CellFit, distanceM: number, vehicle: Vehicle): number {
  return fit.overheadMs + fit.roadFactor * baseSeconds(distanceM, vehicle) * 1000;
}

export function fitFor(calibration: EtaCalibration | null, areaId: string | null, localHour: number): CellFit {
  if (!calibration) return FIXED_FIT;
  return calibration.cells[cellKey(areaId, bandOf(localHour))] ?? calibration.global;
}

/** Pickup to delivered, ms. With no calibration this is exactly the fixed model's travel + handover. */
export function predictRideMs(
  calibration: EtaCalibration | null,
  q: { areaId: string | null; localHour: number; distanceM: number; vehicle: Vehicle },
): number {
  return predictWithFit(fitFor(calibration, q.areaId, q.localHour), q.distanceM, q.vehicle);
}

/** The fixed model, for comparisons: road factor 1.3 and one handover. */
export function fixedRideMs(distanceM: number, vehicle: Vehicle): number {
  return predictWithFit(FIXED_FIT, distanceM, vehicle);
}

export interface DeliveryWindow {
  /** Whole minutes from now, earliest and latest, and the single best guess between them. */
  earliestMinutes: number;
  latestMinutes: number;
  expectedMinutes: number;
}

/**
 * From ordering to the door before any courier is known: prep, then a ride
 * by the planning vehicle; the ride's spread in this cell gives the edges.
 * Windows are at least 10 minutes wide: a narrower promise would be broken
 * by any ordinary delay.
 */
export function deliveryWindow(
  calibration: EtaCalibration | null,
  q: { areaId: string | null; localHour: number; distanceM: number; prepMinutes: number; vehicle?: Vehicle },
): DeliveryWindow {
  const fit = fitFor(calibration, q.areaId, q.localHour);
  const ride = predictWithFit(fit, q.distanceM, q.vehicle ?? "bicycle") / 60_000;
  const prep = Math.max(0, q.prepMinutes);
  const expected = Math.ceil(prep + ride);
  let earliest = Math.floor(prep + ride * fit.lowRatio);
  let latest = Math.ceil(prep * 1.15 + ride * fit.highRatio);
  if (latest - earliest < 10) {
    const pad = 10 - (latest - earliest);
    earliest = Math.max(1, earliest - Math.floor(pad / 2));
    latest = earliest + 10;
  }
  return {
    earliestMinutes: Math.max(1, earliest),
    latestMinutes: Math.max(latest, expected),
    expectedMinutes: expected,
  };
}

export interface ErrorStats {
  n: number;
  meanAbsMs: number;
  p90AbsMs: number;
}

export function errorStats(pairs: ReadonlyArray<{ predictedMs: number; actualMs: number }>): ErrorStats {
  const errs = pairs.map((p) => Math.abs(p.predictedMs - p.actualMs)).sort((a, b) => a - b);
  if (errs.length === 0) return { n: 0, meanAbsMs: Number.NaN, p90AbsMs: Number.NaN };
  return {
    n: errs.length,
    meanAbsMs: errs.reduce((s, e) => s + e, 0) / errs.length,
    p90AbsMs: quantile(errs, 0.9),
  };
}

/** Nearest-rank quantile of an ascending list. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1));
  return sorted[i] as number;
}

/** Defensive parse of a cached calibration (KV is shared and long-lived). */
export function parseCalibration(value: unknown): EtaCalibration | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Partial<EtaCalibration>;
  if (v.version !== 1 || typeof v.computedAt !== "number" || !v.global || !v.cells) return null;
  return v as EtaCalibration;
}
