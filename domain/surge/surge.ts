// Surge: the delivery fee rises when a delivery area has more orders waiting
// for a courier than couriers free to take them, so the price tells
// customers (and, through pay, couriers) that the area is short. It must be
// explainable (the customer sees why), calm (smoothed, so a burst of three
// orders does not double a fee for a minute), bounded (an operator's cap,
// under a platform ceiling) and honest about quotes (a price a customer was
// quoted holds for the quote's validity: see lockedMultiplierBps).
//
// Pure. Counts come from workers/surge/surge-adapter.ts; policies from the
// operators' surge screen.

/** 1.00× in basis points of the fee. */
export const NO_SURGE_BPS = 10_000;
/** No operator setting can price above this. */
export const PLATFORM_MAX_SURGE_BPS = 30_000;
/** Multipliers move in 5 % steps, so customers see 1.15×, never 1.1347×. */
export const SURGE_STEP_BPS = 500;
/** How long a quoted surge holds for the customer who saw it. */
export const QUOTE_VALIDITY_MS = 10 * 60_000;

export interface SurgePolicy {
  enabled: boolean;
  /** Waiting orders per available courier at which surge starts (below it: 1.00×). */
  startRatio: number;
  /** Ratio at which the cap is reached; linear in between. */
  fullRatio: number;
  /** The most this area's fee may be multiplied by, in bps (15000 = 1.5×). */
  capBps: number;
  /** Half of a change in demand shows in the price after this long. */
  halfLifeSeconds: number;
}

export const DEFAULT_SURGE_POLICY: SurgePolicy = Object.freeze({
  enabled: false,
  startRatio: 1.5,
  fullRatio: 4,
  capBps: 15_000,
  halfLifeSeconds: 120,
});

export interface SurgeLoad {
  /** Paid orders of the area still without a courier (searching or offered). */
  waitingOrders: number;
  /** Couriers in the area online, connected, not on a job or an offer. */
  availableCouriers: number;
}

/** The smoothed level, kept between reads (unrounded, so smoothing does not stall on the step). */
export interface SurgeState {
  levelBps: number;
  at: number;
  load: SurgeLoad;
}

export type SurgeReasonCode = "high_demand" | "normal_demand" | "surge_off";

export interface Surge {
  multiplierBps: number;
  reason: {
    code: SurgeReasonCode;
    waitingOrders: number;
    availableCouriers: number;
    /** English, for logs and API readers; the apps translate from code and counts. */
    message: string;
  };
}

export type PolicyError = { field: keyof SurgePolicy; message: string };

export function validatePolicy(p: SurgePolicy): PolicyError[] {
  const errors: PolicyError[] = [];
  if (!(Number.isFinite(p.startRatio) && p.startRatio > 0 && p.startRatio <= 50)) {
    errors.push({ field: "startRatio", message: "startRatio must be above 0 and at most 50" });
  }
  if (!(Number.isFinite(p.fullRatio) && p.fullRatio > p.startRatio && p.fullRatio <= 100)) {
    errors.push({ field: "fullRatio", message: "fullRatio must be above startRatio and at most 100" });
  }
  if (!(Number.isInteger(p.capBps) && p.capBps >= NO_SURGE_BPS && p.capBps <= PLATFORM_MAX_SURGE_BPS)) {
    errors.push({
      field: "capBps",
      message: `capBps must be a whole number from ${NO_SURGE_BPS} to ${PLATFORM_MAX_SURGE_BPS}`,
    });
  }
  if (!(Number.isInteger(p.halfLifeSeconds) && p.halfLifeSeconds >= 0 && p.halfLifeSeconds <= 3600)) {
    errors.push({ field: "halfLifeSeconds", message: "halfLifeSeconds must be a whole number from 0 to 3600" });
  }
  return errors;
}

/** Waiting orders per available courier; no couriers and any waiting order is as short as it gets. */
export function demandRatio(load: SurgeLoad): number {
  const waiting = Math.max(0, load.waitingOrders);
  if (waiting === 0) return 0;
  return load.availableCouriers <= 0 ? Number.POSITIVE_INFINITY : waiting / load.availableCouriers;
}

/** Where the level would settle if the load stayed as it is. */
export function targetBps(load: SurgeLoad, policy: SurgePolicy): number {
  if (!policy.enabled) return NO_SURGE_BPS;
  const cap = Math.min(policy.capBps, PLATFORM_MAX_SURGE_BPS);
  const ratio = demandRatio(load);
  if (ratio <= policy.startRatio) return NO_SURGE_BPS;
  if (ratio >= policy.fullRatio) return cap;
  const share = (ratio - policy.startRatio) / (policy.fullRatio - policy.startRatio);
  return NO_SURGE_BPS + share * (cap - NO_SURGE_BPS);
}

/** Exponential smoothing in time (not per read), so the level does not depend on how often anyone asks. */
export function nextState(prev: SurgeState | null, load: SurgeLoad, policy: SurgePolicy, now: number): SurgeState {
  const target = targetBps(load, policy);
  if (!policy.enabled) return { levelBps: NO_SURGE_BPS, at: now, load };
  // No smoothing follows the load at once; otherwise a first reading starts from no surge and rises.
  if (policy.halfLifeSeconds === 0) return { levelBps: target, at: now, load };
  if (!prev) return { levelBps: NO_SURGE_BPS, at: now, load };
  const dt = Math.max(0, now - prev.at) / 1000;
  const keep = 0.5 ** (dt / policy.halfLifeSeconds);
  const level = target + (prev.levelBps - target) * keep;
  // A cap lowered by an operator applies at once.
  const cap = Math.min(policy.capBps, PLATFORM_MAX_SURGE_BPS);
  return { levelBps: Math.min(cap, Math.max(NO_SURGE_BPS, level)), at: now, load };
}

/** What customers are shown and charged: the level rounded down to a step, with its reason. */
export function surgeOf(state: SurgeState | null, policy: SurgePolicy): Surge {
  const load = state?.load ?? { waitingOrders: 0, availableCouriers: 0 };
  const level = policy.enabled && state ? state.levelBps : NO_SURGE_BPS;
  const multiplierBps = Math.max(NO_SURGE_BPS, Math.floor(level / SURGE_STEP_BPS) * SURGE_STEP_BPS);
  const counts = { waitingOrders: load.waitingOrders, availableCouriers: load.availableCouriers };
  if (!policy.enabled) {
    return { multiplierBps, reason: { code: "surge_off", ...counts, message: "Standard delivery fee." } };
  }
  if (multiplierBps === NO_SURGE_BPS) {
    return { multiplierBps, reason: { code: "normal_demand", ...counts, message: "Standard delivery fee." } };
  }
  return {
    multiplierBps,
    reason: {
      code: "high_demand",
      ...counts,
      message: `High demand: ${counts.waitingOrders} orders are waiting for ${counts.availableCouriers} free couriers nearby, so delivery costs ${formatMultiplier(multiplierBps)} the usual fee.`,
    },
  };
}

export function formatMultiplier(bps: number): string {
  return `${(bps / NO_SURGE_BPS).toFixed(2)}×`;
}

/** The fee with surge, rounded half-up in integer arithmetic (money never goes through a float). */
export function surgedFeeMinor(feeMinor: number, multiplierBps: number): number {
  return Math.floor((feeMinor * multiplierBps + NO_SURGE_BPS / 2) / NO_SURGE_BPS);
}

export interface SurgeLock {
  multiplierBps: number;
  expiresAt: number;
}

/**
 * What placement charges. A customer quoted within the validity pays at most
 * what they were quoted; if surge has since fallen they pay the lower price.
 */
export function lockedMultiplierBps(current: number, lock: SurgeLock | null, now: number): number {
  if (!lock || now >= lock.expiresAt) return current;
  return Math.min(current, Math.max(NO_SURGE_BPS, lock.multiplierBps));
}
