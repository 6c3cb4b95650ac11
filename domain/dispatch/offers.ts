// Offer sequencing for one order, as pure state transitions: the Zone DO holds
// the state, persists it, sets an alarm for `expiresAt`, and feeds events back
// in. Two invariants are kept here so no caller can break them:
//
// - An order never gets two couriers: only the courier holding the one live
//   offer can accept, and once assigned every other accept is refused.
// - A courier never gets two offers for the same order. Anyone in
//   candidatesTried (declined or let it expire) is skipped for the rest of the
//   order's life, in every round, not just the current one. Re-offering a
//   courier who just declined is the main complaint couriers have about
//   dispatch; once all radius steps are exhausted the order goes to a human,
//   who may still phone a courier who earlier declined.

export interface OfferPolicy {
  offerTtlMs: number;
  /** Search radius per round, increasing; after the last one is exhausted the order is escalated. */
  radiusStepsM: readonly number[];
}

export const DEFAULT_OFFER_POLICY: Readonly<OfferPolicy> = {
  offerTtlMs: 30_000,
  radiusStepsM: [2000, 4000, 7000],
};

export interface LiveOffer {
  courierId: string;
  expiresAt: number;
}

export interface OfferState {
  orderId: string;
  /** Everyone ever offered this order, in offer order. */
  candidatesTried: string[];
  /** Index into policy.radiusStepsM. */
  round: number;
  radiusM: number;
  current: LiveOffer | null;
  assignedCourierId: string | null;
  escalated: boolean;
  /**
   * An operator's offer interrupted a search that had already given up: when
   * that offer ends unanswered the search gives up again instead of starting
   * over. Absent in states stored before operators could offer.
   */
  resumeEscalated?: boolean;
}

/** Candidates in rank order, e.g. the output of rankCandidates. */
export interface OfferCandidate {
  courierId: string;
  distanceM: number;
}

export type OfferDecision =
  | { action: "offer"; courierId: string; expiresAt: number; state: OfferState }
  /** No untried courier within radiusM: search again with the new radius, then call nextOffer again. */
  | { action: "widen"; radiusM: number; state: OfferState }
  | { action: "escalate"; state: OfferState }
  /** An offer is still live; come back at `until` (or on decline). */
  | { action: "wait"; until: number; state: OfferState }
  /** Nothing left to do; repeated calls after settling are harmless. */
  | { action: "settled"; outcome: "assigned" | "escalated"; state: OfferState };

export type AcceptResult =
  | { ok: true; state: OfferState }
  | { ok: false; refused: "offer_not_yours" | "offer_expired" | "already_assigned" };

function assertPolicy(policy: OfferPolicy): void {
  const steps = policy.radiusStepsM;
  if (steps.length === 0 || steps.some((r, i) => !(r > 0) || (i > 0 && r <= (steps[i - 1] as number)))) {
    throw new RangeError("radiusStepsM must be a non-empty, strictly increasing list of positive radii");
  }
  if (!(policy.offerTtlMs > 0)) throw new RangeError(`invalid offer TTL: ${policy.offerTtlMs}`);
}

export function startOffers(orderId: string, policy: OfferPolicy = DEFAULT_OFFER_POLICY): OfferState {
  assertPolicy(policy);
  return {
    orderId,
    candidatesTried: [],
    round: 0,
    radiusM: policy.radiusStepsM[0] as number,
    current: null,
    assignedCourierId: null,
    escalated: false,
  };
}

/**
 * Decides the next step. A live offer that has passed its expiry is treated as
 * expired here too, so a late or lost alarm cannot stall the order.
 */
export function nextOffer(
  state: OfferState,
  rankedCandidates: readonly OfferCandidate[],
  now: number,
  policy: OfferPolicy = DEFAULT_OFFER_POLICY,
): OfferDecision {
  assertPolicy(policy);
  if (state.assignedCourierId !== null) return { action: "settled", outcome: "assigned", state };
  if (state.escalated) return { action: "settled", outcome: "escalated", state };
  if (state.current !== null && now < state.current.expiresAt) {
    return { action: "wait", until: state.current.expiresAt, state };
  }
  const base = state.current === null ? state : { ...state, current: null };
  if (base.resumeEscalated) {
    return { action: "settled", outcome: "escalated", state: { ...base, escalated: true, resumeEscalated: false } };
  }
  const tried = new Set(base.candidatesTried);
  const pick = rankedCandidates.find((c) => c.distanceM <= base.radiusM && !tried.has(c.courierId));
  if (pick !== undefined) {
    const expiresAt = now + policy.offerTtlMs;
    const current = { courierId: pick.courierId, expiresAt };
    return {
      action: "offer",
      courierId: pick.courierId,
      expiresAt,
      state: { ...base, current, candidatesTried: [...base.candidatesTried, pick.courierId] },
    };
  }
  const nextRadius = policy.radiusStepsM[base.round + 1];
  if (nextRadius !== undefined) {
    return { action: "widen", radiusM: nextRadius, state: { ...base, round: base.round + 1, radiusM: nextRadius } };
  }
  return { action: "escalate", state: { ...base, escalated: true } };
}

/** A decline from anyone but the holder of the live offer is stale (e.g. retried request) and ignored. */
export function onDecline(state: OfferState, courierId: string): OfferState {
  if (state.current === null || state.current.courierId !== courierId) return state;
  return { ...state, current: null };
}

/** Called from the DO alarm; an alarm that fires early (or for an offer already answered) changes nothing. */
export function onExpire(state: OfferState, now: number): OfferState {
  if (state.current === null || now < state.current.expiresAt) return state;
  return { ...state, current: null };
}

/**
 * The offer is valid while now < expiresAt. A repeated accept by the courier
 * already assigned succeeds unchanged so a retried request is idempotent. A
 * courier whose offer is no longer live (expired or declined) gets
 * "offer_expired"; one never offered this order gets "offer_not_yours".
 */
export function onAccept(state: OfferState, courierId: string, now: number): AcceptResult {
  if (state.assignedCourierId !== null) {
    return state.assignedCourierId === courierId ? { ok: true, state } : { ok: false, refused: "already_assigned" };
  }
  if (state.current !== null && state.current.courierId === courierId) {
    if (now >= state.current.expiresAt) return { ok: false, refused: "offer_expired" };
    return { ok: true, state: { ...state, current: null, assignedCourierId: courierId } };
  }
  if (state.candidatesTried.includes(courierId)) return { ok: false, refused: "offer_expired" };
  return { ok: false, refused: "offer_not_yours" };
}

export type PinResult = { ok: true; state: OfferState } | { ok: false; refused: "already_assigned" };

/**
 * An operator offers the order to one courier, who must accept. It replaces
 * any live offer and ignores who was tried before: the operator may well have
 * phoned a courier who declined earlier. The courier counts as tried, so the
 * search never offers them again by itself.
 */
export function pinOffer(state: OfferState, courierId: string, expiresAt: number): PinResult {
  if (state.assignedCourierId !== null) return { ok: false, refused: "already_assigned" };
  return {
    ok: true,
    state: {
      ...state,
      current: { courierId, expiresAt },
      candidatesTried: state.candidatesTried.includes(courierId)
        ? state.candidatesTried
        : [...state.candidatesTried, courierId],
      escalated: false,
      resumeEscalated: state.escalated || state.resumeEscalated === true,
    },
  };
}

/**
 * A new round of offers after the assigned courier left the job (handed it
 * back, or went dark) before pickup: from the first radius again, with
 * everyone already tried still skipped, so the courier who left is never
 * offered it back.
 */
export function reopenOffers(state: OfferState, policy: OfferPolicy = DEFAULT_OFFER_POLICY): OfferState {
  return { ...startOffers(state.orderId, policy), candidatesTried: [...state.candidatesTried] };
}
