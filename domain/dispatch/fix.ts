// Validation of courier GPS fixes before they reach the spatial index. Phones
// resend on flaky networks, deliver buffered fixes out of order after a tunnel,
// report wild positions on a cold GPS start and sometimes have wrong clocks;
// each of those is rejected here with a reason that can be counted per courier.

import { haversineMeters, isValidLatLng } from "../geo/distance.ts";

/**
 * A courier whose phone has gone quiet this long may be in a tunnel or have
 * quit the app: dispatch gives them no new work and the city map shows them
 * stale. One threshold for both, so the map shows what dispatch does.
 */
export const COURIER_STALE_AFTER_MS = 60_000;

export interface Fix {
  lat: number;
  lng: number;
  /** Radius of the phone's 68 % confidence circle, metres. */
  accuracyM: number;
  /** Optional: iOS reports -1 when unknown, so see normalizeFix before trusting it. */
  headingDeg?: number;
  speedMps?: number;
  /** Device time of the fix, epoch ms. */
  at: number;
  /** Per-courier counter set by the app; the order of fixes, since device clocks can jump. */
  seq: number;
}

export type FixRejectReason =
  | "duplicate"
  | "out_of_order"
  | "implausible_speed"
  | "poor_accuracy"
  | "out_of_range"
  | "from_future"
  | "too_old";

export type FixVerdict = { ok: true } | { ok: false; reason: FixRejectReason };

export interface FixBounds {
  maxAccuracyM: number;
  /** ~250 km/h: faster than any courier in a city, slow enough to catch teleports. */
  maxSpeedMps: number;
  maxFutureSkewMs: number;
  maxAgeMs: number;
}

export const DEFAULT_FIX_BOUNDS: Readonly<FixBounds> = {
  maxAccuracyM: 100,
  maxSpeedMps: 70,
  maxFutureSkewMs: 30_000,
  maxAgeMs: 10 * 60_000,
};

/**
 * Device timestamps often have one-second resolution, so two fixes can share a
 * timestamp or be 1 ms apart; the speed check never divides by less than this.
 */
export const MIN_SPEED_INTERVAL_MS = 1_000;

/**
 * Checks run cheapest and most certain first: malformed input, then replays
 * (so a resent fix is reported as a duplicate whatever else is wrong with it),
 * then clock checks, accuracy, and finally speed against the previous fix.
 *
 * `prev` must be the last accepted fix. The speed check subtracts both fixes'
 * accuracy radii from the jump, so ordinary GPS jitter does not read as speed.
 * If a bad fix does get accepted, later good fixes are refused only until the
 * elapsed time makes the jump back plausible (distance / maxSpeedMps), so a
 * courier can never be locked out for long.
 */
export function acceptFix(prev: Fix | undefined, fix: Fix, now: number, bounds: Partial<FixBounds> = {}): FixVerdict {
  const reason = rejectReason(prev, fix, now, { ...DEFAULT_FIX_BOUNDS, ...bounds });
  return reason === null ? { ok: true } : { ok: false, reason };
}

/** `acceptFix` with the bounds already resolved and no verdict object: a batch checks many fixes. */
function rejectReason(prev: Fix | undefined, fix: Fix, now: number, b: Readonly<FixBounds>): FixRejectReason | null {
  if (
    !isValidLatLng(fix.lat, fix.lng) ||
    !Number.isFinite(fix.at) ||
    !Number.isSafeInteger(fix.seq) ||
    !(fix.accuracyM >= 0) ||
    !Number.isFinite(fix.accuracyM)
  ) {
    return "out_of_range";
  }
  if (prev !== undefined) {
    if (fix.seq === prev.seq) return "duplicate";
    if (fix.seq < prev.seq) return "out_of_order";
  }
  if (fix.at > now + b.maxFutureSkewMs) return "from_future";
  if (fix.at < now - b.maxAgeMs) return "too_old";
  if (fix.accuracyM > b.maxAccuracyM) return "poor_accuracy";
  if (prev !== undefined) {
    const jumpM = haversineMeters(prev, fix) - prev.accuracyM - fix.accuracyM;
    if (jumpM > 0) {
      const seconds = Math.max(MIN_SPEED_INTERVAL_MS, fix.at - prev.at) / 1000;
      if (jumpM / seconds > b.maxSpeedMps) return "implausible_speed";
    }
  }
  return null;
}

/**
 * Drops heading and speed the device marked unknown (iOS uses -1) or that are
 * nonsense, instead of rejecting the whole fix. A fix with nothing to drop or
 * fold is returned as it is (no copy: this runs on every fix a zone takes).
 */
export function normalizeFix(fix: Fix): Fix {
  const h = fix.headingDeg;
  const v = fix.speedMps;
  if ((h === undefined || (h >= 0 && h < 360)) && (v === undefined || (v >= 0 && v < Number.POSITIVE_INFINITY))) {
    return fix;
  }
  const out: Fix = { lat: fix.lat, lng: fix.lng, accuracyM: fix.accuracyM, at: fix.at, seq: fix.seq };
  if (fix.headingDeg !== undefined && Number.isFinite(fix.headingDeg) && fix.headingDeg >= 0 && fix.headingDeg <= 360) {
    out.headingDeg = fix.headingDeg % 360;
  }
  if (fix.speedMps !== undefined && Number.isFinite(fix.speedMps) && fix.speedMps >= 0) out.speedMps = fix.speedMps;
  return out;
}

/** `normalizeFix` over a frame's fixes: the same array when nothing in it needs dropping (no copy per frame). */
export function normalizeFixes(fixes: readonly Fix[]): readonly Fix[] {
  for (let i = 0; i < fixes.length; i++) {
    const fix = fixes[i] as Fix;
    if (normalizeFix(fix) !== fix) return fixes.map(normalizeFix);
  }
  return fixes;
}

export interface FixBatchResult {
  /** The fix to keep as `prev`: the newest accepted one, or the old `prev` if nothing was accepted. */
  latest: Fix | undefined;
  /** Accepted fixes in seq order, e.g. to draw the trail for the order's watchers. */
  accepted: Fix[];
  dropped: Record<FixRejectReason, number>;
  /** The sum of `dropped`, for the ack. */
  droppedTotal: number;
}

/** The default bounds argument, told apart by identity so a batch does not copy DEFAULT_FIX_BOUNDS. */
const NO_BOUNDS: Partial<FixBounds> = Object.freeze({});

/**
 * Applies fixes a phone buffered while offline. They are sorted by seq first
 * (stable, so a resent seq keeps its first copy) because buffered uploads
 * arrive in any order; each is then checked against the last accepted fix.
 */
export function applyFixBatch(
  prev: Fix | undefined,
  fixes: readonly Fix[],
  now: number,
  bounds: Partial<FixBounds> = NO_BOUNDS,
): FixBatchResult {
  const dropped: Record<FixRejectReason, number> = {
    duplicate: 0,
    out_of_order: 0,
    implausible_speed: 0,
    poor_accuracy: 0,
    out_of_range: 0,
    from_future: 0,
    too_old: 0,
  };
  const accepted: Fix[] = [];
  let latest = prev;
  let droppedTotal = 0;
  const b = bounds === NO_BOUNDS ? DEFAULT_FIX_BOUNDS : { ...DEFAULT_FIX_BOUNDS, ...bounds };
  // A live app sends its fixes in seq order: then the (stable) sort would change nothing, and is skipped.
  const sorted = inSeqOrder(fixes) ? fixes : [...fixes].sort(bySeq);
  for (const fix of sorted) {
    const reason = rejectReason(latest, fix, now, b);
    if (reason === null) {
      accepted.push(fix);
      latest = fix;
    } else {
      dropped[reason]++;
      droppedTotal++;
    }
  }
  return { latest, accepted, dropped, droppedTotal };
}

// Module-level rather than closures per call: the bundle names every function
// it creates (esbuild's keepNames), which per frame was a measurable cost.
/** Malformed seqs (NaN) sort last instead of poisoning the comparator; the checks reject them anyway. */
function seqKey(f: Fix): number {
  return Number.isFinite(f.seq) ? f.seq : Number.POSITIVE_INFINITY;
}

function bySeq(x: Fix, y: Fix): number {
  return seqKey(x) - seqKey(y) || 0;
}

function inSeqOrder(fixes: readonly Fix[]): boolean {
  for (let i = 1; i < fixes.length; i++) if (seqKey(fixes[i - 1] as Fix) > seqKey(fixes[i] as Fix)) return false;
  return true;
}
