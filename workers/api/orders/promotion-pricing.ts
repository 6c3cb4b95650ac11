// A promotion code on a quote or a placement: the same preview prices both
// (finalPrice is the one place a discount changes a price), and placement
// then reserves the discount under the promotion's lock before the order
// exists, giving it back if placement goes no further.

import type { PlacedPromotion } from "../../../domain/order/order-event.ts";
import { type FinalPrice, finalPrice } from "../../../domain/pricing/final-price.ts";
import type { PricedCart } from "../../../domain/pricing/price-cart.ts";
import {
  previewPromotion,
  type RedeemResult,
  redeemPromotion,
  releaseRedemption,
} from "../../promotions/redemptions.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";

export type DiscountedCart = FinalPrice & { promotion: PlacedPromotion | null };

export interface PromotionCaller {
  customerId: string;
  /** The order a placement would create (a retry finds its own redemption); null for a quote. */
  orderId: string | null;
}

function refused(result: Extract<RedeemResult, { ok: false }>): never {
  const status = result.code === "promotion_not_found" ? 404 : 422;
  throw new ApiError(status, result.code, result.message, [
    { path: "promoCode", code: result.code, message: result.message },
  ]);
}

/** The cart with the code's discount, or the refusal a placement would give. */
export async function withPromotion(
  c: AppContext,
  priced: PricedCart,
  restaurantId: string,
  promoCode: string | undefined,
  caller: PromotionCaller,
): Promise<DiscountedCart> {
  if (!promoCode) return { ...finalPrice(priced, 0), promotion: null };
  const result = await previewPromotion(c.var.db, {
    code: promoCode,
    customerId: caller.customerId,
    orderId: caller.orderId,
    restaurantId,
    currency: priced.currency,
    subtotalMinor: priced.subtotalMinor,
    now: Date.now(),
  });
  if (!result.ok) refused(result);
  const { id, code, fundedBy } = result.promotion;
  return { ...finalPrice(priced, result.discountMinor), promotion: { id, code, fundedBy } };
}

/**
 * Reserves the previewed discount for the order, then runs `place`; if
 * placing throws or refuses, a redemption made here is released. The
 * reservation must give the discount the preview priced: a budget spent in
 * between refuses rather than charging a different total.
 */
export async function withRedemption<T>(
  c: AppContext,
  cart: DiscountedCart,
  promoCode: string | undefined,
  input: { customerId: string; orderId: string; restaurantId: string },
  place: () => Promise<{ placed: boolean; value: T }>,
): Promise<T> {
  if (!promoCode || !cart.promotion) return (await place()).value;
  const result = await redeemPromotion(c.var.db, {
    code: promoCode,
    ...input,
    currency: cart.currency,
    subtotalMinor: cart.subtotalMinor,
    now: Date.now(),
  });
  if (!result.ok) refused(result);
  if (result.discountMinor !== cart.discountMinor) {
    if (result.created) await releaseRedemption(c.var.db, input.orderId);
    throw new ApiError(409, "promotion_changed", "The promotion changed while placing; ask for a new quote.");
  }
  let placed = false;
  try {
    const outcome = await place();
    placed = outcome.placed;
    return outcome.value;
  } finally {
    if (!placed && result.created) await releaseRedemption(c.var.db, input.orderId);
  }
}
