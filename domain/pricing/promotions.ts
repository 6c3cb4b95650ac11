// Promotion codes, as pure rules: whether a code applies to a priced cart and
// by how much. A quote and a placement both call evaluatePromotion with the
// same facts and then finalPrice (final-price.ts), the one place a discount
// changes a price, so the two can never disagree. The redemption itself (budget and
// per-customer limit under concurrent placements) is the adapter's job, in one
// Postgres transaction that calls evaluatePromotion again on locked rows.
//
// The discount comes off the food (the subtotal) and never more than it:
// delivery fee, service fee, their tax and the tip are untouched, so a
// surcharge on the delivery fee composes with a promotion without either
// knowing of the other. The food's tax is on the discounted price (decision
// 0052's addendum, amending docs/decisions/0041-promotions.md).

export type PromotionKind = "percent" | "fixed";
export type PromotionFunder = "platform" | "restaurant";

export interface Promotion {
  id: string;
  code: string;
  kind: PromotionKind;
  /** For "percent": the share of the subtotal, in basis points (1..10000). */
  percentBps: number | null;
  /** For "fixed": the amount off, in minor units of `currency`. */
  amountMinor: number | null;
  /** For "percent": an optional cap on the discount, in minor units. */
  maxDiscountMinor: number | null;
  currency: string;
  minOrderMinor: number;
  firstOrderOnly: boolean;
  /** Redemptions per customer; null for no limit. */
  perCustomerLimit: number | null;
  /** The most all redemptions together may discount; null for no limit. */
  budgetMinor: number | null;
  /** Discount already redeemed (released redemptions given back). */
  spentMinor: number;
  startsAt: number;
  endsAt: number;
  fundedBy: PromotionFunder;
  /** Only this restaurant's orders; required when the restaurant funds it. */
  restaurantId: string | null;
  disabledAt: number | null;
}

/** What evaluation needs to know about the cart and the customer. */
export interface PromotionFacts {
  now: number;
  restaurantId: string;
  currency: string;
  subtotalMinor: number;
  /** The customer's redemptions of this promotion not released (for other orders). */
  customerRedemptions: number;
  /** Whether the customer has an earlier order that was not called off. */
  customerHasOrdered: boolean;
}

export type PromotionRefusalCode =
  | "promotion_not_found"
  | "promotion_disabled"
  | "promotion_not_started"
  | "promotion_expired"
  | "promotion_other_restaurant"
  | "promotion_currency_mismatch"
  | "promotion_min_order"
  | "promotion_first_order_only"
  | "promotion_customer_limit"
  | "promotion_budget_exhausted";

export type PromotionResult =
  | { ok: true; discountMinor: number }
  | { ok: false; code: PromotionRefusalCode; message: string };

export const CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{2,31}$/;

/** Codes are matched without regard to case or surrounding spaces. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

const refuse = (code: PromotionRefusalCode, message: string): PromotionResult => ({ ok: false, code, message });

/** Half up, integer only. */
function percentOf(amountMinor: number, bps: number): number {
  const n = amountMinor * bps + 5_000;
  return (n - (n % 10_000)) / 10_000;
}

/** The discount the promotion gives this cart, or why it does not apply. */
export function evaluatePromotion(promo: Promotion, facts: PromotionFacts): PromotionResult {
  if (promo.disabledAt !== null) return refuse("promotion_disabled", `${promo.code} is no longer available.`);
  if (facts.now < promo.startsAt) return refuse("promotion_not_started", `${promo.code} is not valid yet.`);
  if (facts.now >= promo.endsAt) return refuse("promotion_expired", `${promo.code} has expired.`);
  if (promo.restaurantId !== null && promo.restaurantId !== facts.restaurantId) {
    return refuse("promotion_other_restaurant", `${promo.code} is for another restaurant.`);
  }
  if (promo.currency !== facts.currency) {
    return refuse(
      "promotion_currency_mismatch",
      `${promo.code} is in ${promo.currency}, this order in ${facts.currency}.`,
    );
  }
  if (facts.subtotalMinor < promo.minOrderMinor) {
    return refuse("promotion_min_order", `${promo.code} needs an order of at least ${promo.minOrderMinor}.`);
  }
  if (promo.firstOrderOnly && facts.customerHasOrdered) {
    return refuse("promotion_first_order_only", `${promo.code} is for a first order only.`);
  }
  if (promo.perCustomerLimit !== null && facts.customerRedemptions >= promo.perCustomerLimit) {
    return refuse("promotion_customer_limit", `You have already used ${promo.code}.`);
  }
  const discountMinor = discountFor(promo, facts.subtotalMinor);
  if (promo.budgetMinor !== null && promo.spentMinor + discountMinor > promo.budgetMinor) {
    return refuse("promotion_budget_exhausted", `${promo.code} has run out.`);
  }
  return { ok: true, discountMinor };
}

/** The amount off a subtotal: never negative, never more than the subtotal. */
export function discountFor(
  promo: Pick<Promotion, "kind" | "percentBps" | "amountMinor" | "maxDiscountMinor">,
  subtotalMinor: number,
): number {
  const raw =
    promo.kind === "percent"
      ? Math.min(percentOf(subtotalMinor, promo.percentBps ?? 0), promo.maxDiscountMinor ?? Number.MAX_SAFE_INTEGER)
      : (promo.amountMinor ?? 0);
  return Math.max(0, Math.min(raw, subtotalMinor));
}

export interface PromotionDraft {
  code: string;
  kind: PromotionKind;
  percentBps?: number | null | undefined;
  amountMinor?: number | null | undefined;
  maxDiscountMinor?: number | null | undefined;
  currency: string;
  minOrderMinor: number;
  firstOrderOnly: boolean;
  perCustomerLimit: number | null;
  budgetMinor: number | null;
  startsAt: number;
  endsAt: number;
  fundedBy: PromotionFunder;
  restaurantId: string | null;
}

export interface DraftProblem {
  path: string;
  code: string;
  message: string;
}

/** What a new promotion must satisfy beyond its field types. */
export function checkDraft(draft: PromotionDraft): DraftProblem[] {
  const problems: DraftProblem[] = [];
  if (!CODE_PATTERN.test(normalizeCode(draft.code))) {
    problems.push({ path: "code", code: "invalid_code", message: "3 to 32 letters, digits, _ or -" });
  }
  if (draft.kind === "percent") {
    if (!draft.percentBps || draft.percentBps < 1 || draft.percentBps > 10_000) {
      problems.push({ path: "percentBps", code: "required", message: "a percentage needs percentBps from 1 to 10000" });
    }
    if (draft.amountMinor != null) {
      problems.push({ path: "amountMinor", code: "not_allowed", message: "a percentage has no fixed amount" });
    }
  } else {
    if (!draft.amountMinor || draft.amountMinor < 1) {
      problems.push({ path: "amountMinor", code: "required", message: "a fixed discount needs amountMinor >= 1" });
    }
    if (draft.percentBps != null || draft.maxDiscountMinor != null) {
      problems.push({ path: "percentBps", code: "not_allowed", message: "a fixed discount has no percentage or cap" });
    }
  }
  if (draft.endsAt <= draft.startsAt) {
    problems.push({ path: "endsAt", code: "invalid_window", message: "endsAt must be after startsAt" });
  }
  if (draft.fundedBy === "restaurant" && draft.restaurantId === null) {
    problems.push({
      path: "restaurantId",
      code: "required",
      message: "a restaurant-funded promotion names its restaurant",
    });
  }
  return problems;
}
