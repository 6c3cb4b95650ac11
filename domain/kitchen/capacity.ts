// How much a kitchen can take on. A restaurant sets how many orders it can
// prepare at once, or how many it can start in any 15 minutes, or both; when
// a new order would go past that, it either gets a longer quoted prep time
// (it waits its turn) or is refused, as the restaurant chose. Staff can also
// switch busy mode on by hand, which counts as being at capacity.
//
// The Restaurant DO calls admitOrder for every placement, one at a time, so
// two concurrent placements can never both take the last place.

export type WhenFull = "quote_longer" | "refuse";

export interface CapacityPolicy {
  /** Orders in the kitchen at once (admitted, not yet ready or finished); null: no limit. */
  maxActiveOrders: number | null;
  /** Orders started in any 15 minutes; null: no limit. */
  maxOrdersPer15Min: number | null;
  whenFull: WhenFull;
  /** Added to the quote while busy mode is on and the policy quotes longer. */
  busyExtraPrepMinutes: number;
  /** A quote longer than this is refused even when the policy quotes longer. */
  maxQuotedPrepMinutes: number;
}

export const WINDOW_MS = 15 * 60_000;

export const DEFAULT_CAPACITY: CapacityPolicy = Object.freeze({
  maxActiveOrders: null,
  maxOrdersPer15Min: null,
  whenFull: "quote_longer",
  busyExtraPrepMinutes: 15,
  maxQuotedPrepMinutes: 90,
});

export interface KitchenLoad {
  /** Orders admitted and not yet ready, rejected, cancelled or failed. */
  activeOrders: number;
  /** Epoch ms of every admission in the last 15 minutes (older ones are ignored). */
  recentAdmissions: readonly number[];
}

export interface ManualBusy {
  /** Epoch ms when busy mode ends by itself; null: until switched off. */
  until: number | null;
}

export type BusyReason = "manual" | "at_capacity";

export type Admission =
  | { ok: true; quotedPrepMinutes: number; busy: BusyReason | null }
  | { ok: false; code: "kitchen_busy"; message: string; reason: BusyReason; quotedPrepMinutes: number | null };

export interface KitchenStatus {
  busy: boolean;
  reason: BusyReason | null;
  /** What the next order would be quoted; null when it would be refused. */
  quotedPrepMinutes: number | null;
  acceptingOrders: boolean;
  activeOrders: number;
  startedLast15Min: number;
  manualUntil: number | null;
}

export function isManualBusy(busy: ManualBusy | null, now: number): boolean {
  return busy !== null && (busy.until === null || now < busy.until);
}

function inWindow(load: KitchenLoad, now: number): number {
  return load.recentAdmissions.filter((t) => t > now - WINDOW_MS && t <= now).length;
}

/**
 * The prep time to quote the next order, and whether that is beyond what the
 * kitchen can do right now. An order past the limit waits for whole rounds:
 * with room for 4 at once, the 5th to 8th wait one prep time, the 9th two.
 * Past the 15-minute limit it waits one window per full window ahead of it.
 */
export function quoteNext(
  policy: CapacityPolicy,
  load: KitchenLoad,
  basePrepMinutes: number,
  now: number,
  manual: ManualBusy | null,
): { quotedPrepMinutes: number; busy: BusyReason | null } {
  let quoted = basePrepMinutes;
  let busy: BusyReason | null = null;
  const max = policy.maxActiveOrders;
  if (max !== null && load.activeOrders + 1 > max) {
    const rounds = Math.ceil((load.activeOrders + 1 - max) / max);
    quoted = Math.max(quoted, basePrepMinutes * (1 + rounds));
    busy = "at_capacity";
  }
  const perWindow = policy.maxOrdersPer15Min;
  const started = inWindow(load, now);
  if (perWindow !== null && started + 1 > perWindow) {
    const windows = Math.ceil((started + 1 - perWindow) / perWindow);
    quoted = Math.max(quoted, basePrepMinutes + 15 * windows);
    busy = "at_capacity";
  }
  if (isManualBusy(manual, now)) {
    quoted += policy.busyExtraPrepMinutes;
    busy = "manual";
  }
  return { quotedPrepMinutes: quoted, busy };
}

export function admitOrder(
  policy: CapacityPolicy,
  load: KitchenLoad,
  basePrepMinutes: number,
  now: number,
  manual: ManualBusy | null,
): Admission {
  const { quotedPrepMinutes, busy } = quoteNext(policy, load, basePrepMinutes, now, manual);
  if (busy === null) return { ok: true, quotedPrepMinutes, busy: null };
  if (policy.whenFull === "refuse") {
    return {
      ok: false,
      code: "kitchen_busy",
      reason: busy,
      quotedPrepMinutes: null,
      message:
        busy === "manual"
          ? "The restaurant is busy and is not taking new orders right now; try again shortly."
          : "The kitchen is at capacity and is not taking new orders right now; try again shortly.",
    };
  }
  if (quotedPrepMinutes > policy.maxQuotedPrepMinutes) {
    return {
      ok: false,
      code: "kitchen_busy",
      reason: busy,
      quotedPrepMinutes,
      message: `The kitchen is so busy that your order would take about ${quotedPrepMinutes} minutes; try again shortly.`,
    };
  }
  return { ok: true, quotedPrepMinutes, busy };
}

/** What staff and customers are shown: would the next order go through, and with what quote. */
export function kitchenStatus(
  policy: CapacityPolicy,
  load: KitchenLoad,
  basePrepMinutes: number,
  now: number,
  manual: ManualBusy | null,
): KitchenStatus {
  const admission = admitOrder(policy, load, basePrepMinutes, now, manual);
  const reason = admission.ok ? admission.busy : admission.reason;
  return {
    busy: reason !== null,
    reason,
    quotedPrepMinutes: admission.ok ? admission.quotedPrepMinutes : null,
    acceptingOrders: admission.ok,
    activeOrders: load.activeOrders,
    startedLast15Min: inWindow(load, now),
    manualUntil: isManualBusy(manual, now) ? (manual?.until ?? null) : null,
  };
}

export interface CapacityIssue {
  path: string;
  message: string;
}

export function checkCapacityPolicy(policy: CapacityPolicy): CapacityIssue[] {
  const issues: CapacityIssue[] = [];
  const positive = (value: number | null, path: string, max: number) => {
    if (value !== null && (!Number.isInteger(value) || value < 1 || value > max)) {
      issues.push({ path, message: `Use a whole number from 1 to ${max}, or null for no limit.` });
    }
  };
  positive(policy.maxActiveOrders, "maxActiveOrders", 500);
  positive(policy.maxOrdersPer15Min, "maxOrdersPer15Min", 500);
  if (
    !Number.isInteger(policy.busyExtraPrepMinutes) ||
    policy.busyExtraPrepMinutes < 0 ||
    policy.busyExtraPrepMinutes > 120
  ) {
    issues.push({ path: "busyExtraPrepMinutes", message: "Use a whole number of minutes from 0 to 120." });
  }
  if (
    !Number.isInteger(policy.maxQuotedPrepMinutes) ||
    policy.maxQuotedPrepMinutes < 5 ||
    policy.maxQuotedPrepMinutes > 240
  ) {
    issues.push({ path: "maxQuotedPrepMinutes", message: "Use a whole number of minutes from 5 to 240." });
  }
  return issues;
}
