// When to look for a courier so they reach the counter as the food is ready
// (decision 37). Searching the moment the kitchen accepts sends a courier who
// then stands at the counter for most of the prep time: idle, unpaid, and not
// available for the order next door. Three things predict when the food is
// really ready: the kitchen's own estimate, how busy the kitchen is right now,
// and how late (or early) this kitchen's estimates have turned out lately.
// The search then starts one "courier lead" before that: the time a search
// typically needs to find, convince and bring a courier.

export interface KitchenOutlook {
  /**
   * Recent (actual ready − estimated ready) in ms for this kitchen, newest
   * last. Positive: the food came later than the kitchen said.
   */
  latenessSamplesMs: readonly number[];
  /** Orders accepted and not yet ready, besides this one. */
  ordersInKitchen: number;
  /** The kitchen's declared parallel capacity; null: none declared. */
  maxActiveOrders: number | null;
}

export interface FoodReadyPolicy {
  /** Fewer samples than this and history is not trusted at all. */
  minSamples: number;
  /** History can move the prediction by at most this, either way. */
  maxHistoryShiftMs: number;
  /** Each order beyond the declared capacity that is still in the kitchen adds this much. */
  perOrderOverCapacityMs: number;
  /** Cap on the queue term, so one stale board cannot push a search out for an hour. */
  maxQueueShiftMs: number;
  /**
   * How long before the food the search starts: offer rounds, a courier's
   * trip to the counter and parking. Ten minutes covers a search of a couple
   * of 30 s rounds plus ~1.5 km by bicycle with the road factor, and is the
   * lead orders for later always used (domain/kitchen/scheduling.ts).
   */
  courierLeadMs: number;
  /** A search needs some offer rounds (30 s each) before a courier is on the way. */
  searchSlackMs: number;
  /** A search due sooner than this is started at once: a deferral that short is not worth an alarm. */
  minDeferMs: number;
  /**
   * When a found courier would be at the counter more than this before the
   * food, the offer is held back until it is not (see holdOfferUntil).
   */
  earlyToleranceMs: number;
}

export const DEFAULT_FOOD_READY_POLICY: Readonly<FoodReadyPolicy> = Object.freeze({
  minSamples: 3,
  maxHistoryShiftMs: 15 * 60_000,
  perOrderOverCapacityMs: 3 * 60_000,
  maxQueueShiftMs: 20 * 60_000,
  courierLeadMs: 10 * 60_000,
  searchSlackMs: 90_000,
  minDeferMs: 60_000,
  earlyToleranceMs: 3 * 60_000,
});

export interface DispatchPlan {
  /** When the food is expected, all evidence considered. */
  predictedReadyAt: number;
  /** When to start offering the order; equal to `now` to start at once. */
  searchAt: number;
  /** Why, in words operators can read, for the order's dispatch view. */
  reasons: string[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const minutes = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;

/**
 * Predicts when the food is ready and when to start the search. `estimatedReadyAt`
 * is the kitchen's own estimate (acceptance plus its prep time, or a later
 * adjustment); null means no estimate, and the search starts at once.
 */
export function planDispatch(
  estimatedReadyAt: number | null,
  outlook: KitchenOutlook | null,
  now: number,
  policy: FoodReadyPolicy = DEFAULT_FOOD_READY_POLICY,
): DispatchPlan {
  if (estimatedReadyAt === null || !Number.isFinite(estimatedReadyAt)) {
    return { predictedReadyAt: now, searchAt: now, reasons: ["no prep estimate: searching at once"] };
  }
  const reasons = [`kitchen estimate ready in ${minutes(estimatedReadyAt - now)}`];
  let predicted = estimatedReadyAt;
  if (outlook) {
    const samples = outlook.latenessSamplesMs.filter(Number.isFinite);
    const shift = clamp(median(samples), -policy.maxHistoryShiftMs, policy.maxHistoryShiftMs);
    // Under a minute either way is a kitchen on time: not worth moving anyone's plan for.
    if (samples.length >= policy.minSamples && Math.abs(shift) >= 60_000) {
      predicted += shift;
      reasons.push(
        `kitchen history (${samples.length} orders): typically ${minutes(Math.abs(shift))} ${shift >= 0 ? "late" : "early"}`,
      );
    }
    if (outlook.maxActiveOrders !== null && outlook.maxActiveOrders > 0) {
      const over = Math.max(0, outlook.ordersInKitchen + 1 - outlook.maxActiveOrders);
      if (over > 0) {
        const shift = Math.min(policy.maxQueueShiftMs, over * policy.perOrderOverCapacityMs);
        predicted += shift;
        reasons.push(`kitchen over capacity by ${over}: +${minutes(shift)}`);
      }
    }
  }
  // Food is never predicted ready before now: a late kitchen's food is "any minute".
  predicted = Math.max(now, predicted);
  const lead = policy.courierLeadMs;
  const target = predicted - lead;
  if (target - now < policy.minDeferMs) {
    reasons.push(`searching now: food due within the courier lead of ${minutes(lead)}`);
    return { predictedReadyAt: predicted, searchAt: now, reasons };
  }
  reasons.push(`search starts ${minutes(lead)} before the food is due`);
  return { predictedReadyAt: Math.round(predicted), searchAt: Math.round(target), reasons };
}

/**
 * A courier found by the search but who would reach the counter well before
 * the food (they were closer than the plan assumed, or the kitchen slipped
 * after the search started): the offer waits until they would arrive on time.
 * Returns null to offer now, else when to look again.
 */
export function holdOfferUntil(
  foodReadyAt: number | null,
  courierTravelMs: number,
  now: number,
  policy: FoodReadyPolicy = DEFAULT_FOOD_READY_POLICY,
): number | null {
  if (foodReadyAt === null || !Number.isFinite(foodReadyAt)) return null;
  const arrives = now + policy.searchSlackMs / 3 + Math.max(0, courierTravelMs);
  if (foodReadyAt - arrives <= policy.earlyToleranceMs) return null;
  return foodReadyAt - policy.earlyToleranceMs / 2 - policy.searchSlackMs / 3 - Math.max(0, courierTravelMs);
}
