// The price a customer is charged, from a priced cart and a promotion's
// discount (0 without one). Quote and placement both end here, so they cannot
// disagree (decisions 0041 and 0052, with the 2026-11-30 addendum).
//
// 1. The discount comes off the food only, spread over the lines in
//    proportion to their amounts (largest remainder, earlier line first on a
//    tie), so every line's share is whole and the shares add up to it.
// 2. The discount reduces the taxable base: each line is taxed again, on its
//    own, on what is charged for it (its amount less its share), with the same
//    per-line half-up rounding as before; fees are not discounted, so their
//    tax does not change. VAT-inclusive: the tax is extracted from the
//    discounted amount; added: it is charged on it.
// 3. In a currency Stripe takes only in tens of the minor unit (BHD, JOD,
//    KWD, OMR, TND) the total is rounded to the nearest ten, half up, and the
//    difference is its own part of the price (`roundingMinor`, −4..+5), so
//    the parts still add up to the total and the ledger books it.
import { chargeRoundingMinor } from "./currency.ts";
import { type PricedCart, type PricedCartLine, type TaxAtRate, taxOn } from "./price-cart.ts";

export interface FinalLine extends PricedCartLine {
  /** This line's share of the promotion's discount; `taxMinor` is on `lineTotalMinor − discountMinor`. */
  discountMinor: number;
}

export type FinalPrice = Omit<PricedCart, "lines"> & {
  lines: FinalLine[];
  /** The promotion's discount, already taken off the total; the lines' shares add up to it. */
  discountMinor: number;
  /** Added to the total so Stripe can charge it (a three-decimal currency); 0 elsewhere. */
  roundingMinor: number;
};

/**
 * Splits `discountMinor` over `amounts` in proportion to them: whole minor
 * units, each share at most its amount, the shares adding up to the discount
 * (which must be between 0 and the sum). BigInt, because amount × discount
 * may pass 2^53 on a large order.
 */
export function allocateDiscount(amounts: readonly number[], discountMinor: number): number[] {
  const total = amounts.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(discountMinor) || discountMinor < 0 || discountMinor > total) {
    throw new RangeError(`discount must be a whole number from 0 to ${total}, got ${discountMinor}`);
  }
  if (discountMinor === 0) return amounts.map(() => 0);
  const d = BigInt(discountMinor);
  const t = BigInt(total);
  const exact = amounts.map((a) => BigInt(a) * d);
  const shares = exact.map((x) => Number(x / t));
  let left = discountMinor - shares.reduce((a, b) => a + b, 0);
  // Largest remainder first; on equal remainders the earlier line, so the split is deterministic.
  const order = exact
    .map((x, i) => ({ i, rem: x % t }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0) break;
    shares[i] = (shares[i] as number) + 1;
    left -= 1;
  }
  return shares;
}

/** The cart as charged: discount spread over the lines, tax on the discounted lines, the total rounded for Stripe. */
export function finalPrice(priced: PricedCart, discountMinor: number): FinalPrice {
  const discount = Math.max(0, Math.min(Math.trunc(discountMinor) || 0, priced.subtotalMinor));
  const shares = allocateDiscount(
    priced.lines.map((line) => line.lineTotalMinor),
    discount,
  );
  const taxes = new Map<number, TaxAtRate>(priced.taxes.map((t) => [t.rateBps, { ...t }]));
  const lines: FinalLine[] = priced.lines.map((line, i) => {
    const share = shares[i] as number;
    const taxMinor = taxOn(line.lineTotalMinor - share, line.taxBps, priced.taxIncluded);
    const at = taxes.get(line.taxBps) ?? { rateBps: line.taxBps, baseMinor: 0, taxMinor: 0 };
    at.baseMinor -= share;
    at.taxMinor += taxMinor - line.taxMinor;
    taxes.set(line.taxBps, at);
    return { ...line, discountMinor: share, taxMinor };
  });
  const itemsTaxMinor = lines.reduce((sum, line) => sum + line.taxMinor, 0);
  const taxMinor = priced.taxMinor - priced.itemsTaxMinor + itemsTaxMinor;
  const addedTaxChange = priced.taxIncluded ? 0 : itemsTaxMinor - priced.itemsTaxMinor;
  const unrounded = priced.totalMinor - discount + addedTaxChange;
  const roundingMinor = chargeRoundingMinor(unrounded, priced.currency);
  return {
    ...priced,
    lines,
    itemsTaxMinor,
    taxMinor,
    taxes: [...taxes.values()].filter((t) => t.baseMinor > 0 || t.taxMinor > 0).sort((a, b) => a.rateBps - b.rateBps),
    discountMinor: discount,
    roundingMinor,
    totalMinor: unrounded + roundingMinor,
  };
}
