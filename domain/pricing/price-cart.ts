// Server-side pricing. The client sends only item and option ids and
// quantities; every amount is derived here from the menu version the cart was
// built on, so a tampered client cannot change what is charged.
//
// Money is integer minor units of the order's currency throughout (cents,
// yen, fils: domain/pricing/currency.ts). Percentages are basis points and
// are rounded half-up with integer division, never through floating point.
//
// Tax (docs/decisions/0052): each cart line and each fee is taxed on its own
// at its rate (an item's own rate, else the delivery area's) and rounded half
// up to the minor unit there; the order's tax is the sum of those rounded
// amounts. Where the area's prices include VAT the tax is extracted from each
// amount (amount × rate / (1 + rate)) and the total does not grow; otherwise
// it is added on top.
import { NO_SURGE_BPS, PLATFORM_MAX_SURGE_BPS, surgedFeeMinor } from "../surge/surge.ts";
import { maxTipMinor } from "./currency.ts";

export interface MenuOptionForPricing {
  id: string;
  name: string;
  priceDeltaMinor: number;
  available: boolean;
}

export interface MenuGroupForPricing {
  id: string;
  name: string;
  minChoices: number;
  maxChoices: number;
  options: MenuOptionForPricing[];
}

export interface MenuItemForPricing {
  id: string;
  name: string;
  priceMinor: number;
  available: boolean;
  groups: MenuGroupForPricing[];
  /** The item's own tax rate (alcohol, take-away food), overriding the area's; absent or null: the area's. */
  taxBps?: number | null | undefined;
}

export interface MenuForPricing {
  restaurantId: string;
  version: number;
  currency: string;
  items: MenuItemForPricing[];
}

export interface CartLine {
  itemId: string;
  quantity: number;
  optionIds: string[];
}

export interface FeePolicy {
  baseDeliveryFeeMinor: number;
  /** Charged for every started kilometre. */
  perKmFeeMinor: number;
  serviceFeeBps: number;
  taxBps: number;
  currency: string;
  /** Surge on the delivery fee (domain/surge), in bps of it; absent means none. */
  deliveryFeeMultiplierBps?: number | undefined;
  /** Prices and fees already include VAT (the area's setting); absent: tax is added on top. */
  taxIncluded?: boolean | undefined;
  /** A subtotal below this pays `smallOrderFeeMinor`; 0 or absent: no minimum. */
  smallOrderMinimumMinor?: number | undefined;
  smallOrderFeeMinor?: number | undefined;
}

/** Tax at one rate: what it was charged on and how much, for the receipt. */
export interface TaxAtRate {
  rateBps: number;
  /** The amounts taxed at this rate, as charged (gross when tax is included). */
  baseMinor: number;
  taxMinor: number;
}

export interface PricedOption {
  optionId: string;
  groupId: string;
  name: string;
  priceDeltaMinor: number;
}

export interface PricedCartLine {
  /** 1-based, in cart order. */
  lineNo: number;
  itemId: string;
  name: string;
  quantity: number;
  unitPriceMinor: number;
  /** In menu order (group, then option), whatever order the client sent. */
  options: PricedOption[];
  lineTotalMinor: number;
  taxBps: number;
  /** This line's tax, rounded on its own (included in lineTotalMinor when the area's prices include VAT). */
  taxMinor: number;
}

export interface PricingError {
  /** Dotted path into the request, e.g. "items.0.optionIds.1". */
  path: string;
  code: PricingErrorCode;
  message: string;
}

export type PricingErrorCode =
  | "currency_mismatch"
  | "empty_cart"
  | "too_many_lines"
  | "invalid_quantity"
  | "unknown_item"
  | "item_unavailable"
  | "invalid_option_ids"
  | "duplicate_option"
  | "unknown_option"
  | "option_unavailable"
  | "too_few_choices"
  | "too_many_choices"
  | "negative_unit_price"
  | "invalid_distance"
  | "invalid_tip"
  | "tip_too_large"
  | "amount_too_large";

export type PricedCart = {
  ok: true;
  lines: PricedCartLine[];
  subtotalMinor: number;
  deliveryFeeMinor: number;
  serviceFeeMinor: number;
  /** Charged when the subtotal is below the area's minimum; 0 otherwise. */
  smallOrderFeeMinor: number;
  /** All tax on the order: added to the total, or contained in it when `taxIncluded`. */
  taxMinor: number;
  /** The part of `taxMinor` on the food (the lines); the rest is on the fees. */
  itemsTaxMinor: number;
  taxIncluded: boolean;
  taxes: TaxAtRate[];
  tipMinor: number;
  totalMinor: number;
  currency: string;
};

export type PriceCartResult = PricedCart | { ok: false; errors: PricingError[] };

export const MAX_LINES = 50;
export const MAX_QUANTITY = 99;

const BPS_DENOMINATOR = 10_000;

export function priceCart(
  menu: MenuForPricing,
  lines: CartLine[],
  fees: FeePolicy,
  distanceM: number,
  tipMinor: number,
): PriceCartResult {
  assertFeePolicy(fees);
  const errors: PricingError[] = [];

  if (fees.currency !== menu.currency) {
    errors.push({
      path: "currency",
      code: "currency_mismatch",
      message: `fees are in ${fees.currency}, the menu in ${menu.currency}`,
    });
  }
  if (lines.length === 0) {
    errors.push({ path: "items", code: "empty_cart", message: "the cart has no items" });
  } else if (lines.length > MAX_LINES) {
    errors.push({ path: "items", code: "too_many_lines", message: `at most ${MAX_LINES} lines, got ${lines.length}` });
  }

  const itemsById = new Map(menu.items.map((item) => [item.id, item]));
  const priced: PricedCartLine[] = [];
  lines.slice(0, MAX_LINES).forEach((line, index) => {
    const result = priceLine(itemsById, line, index, fees);
    if ("errors" in result) errors.push(...result.errors);
    else priced.push(result.line);
  });

  if (!Number.isFinite(distanceM) || distanceM < 0) {
    errors.push({ path: "distanceM", code: "invalid_distance", message: `distance must be >= 0, got ${distanceM}` });
  }
  if (!Number.isSafeInteger(tipMinor) || tipMinor < 0) {
    errors.push({ path: "tipMinor", code: "invalid_tip", message: `tip must be a whole number >= 0, got ${tipMinor}` });
  } else if (tipMinor > maxTipMinor(menu.currency)) {
    errors.push({
      path: "tipMinor",
      code: "tip_too_large",
      message: `tip may be at most ${maxTipMinor(menu.currency)} (${menu.currency} minor units)`,
    });
  }

  if (errors.length > 0) return { ok: false, errors };

  const subtotalMinor = priced.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  const deliveryFeeMinor = deliveryFee(fees, distanceM);
  const serviceFeeMinor = applyBps(subtotalMinor, fees.serviceFeeBps);
  const minimum = fees.smallOrderMinimumMinor ?? 0;
  const smallOrderFeeMinor = minimum > 0 && subtotalMinor < minimum ? (fees.smallOrderFeeMinor ?? 0) : 0;
  // Tax applies to goods and fees, each rounded on its own; a tip is the courier's, not a sale.
  const taxIncluded = fees.taxIncluded === true;
  const feeTaxes = [deliveryFeeMinor, serviceFeeMinor, smallOrderFeeMinor].map((fee) =>
    taxOn(fee, fees.taxBps, taxIncluded),
  );
  const itemsTaxMinor = priced.reduce((sum, line) => sum + line.taxMinor, 0);
  const taxMinor = itemsTaxMinor + feeTaxes.reduce((a, b) => a + b, 0);
  const taxes = taxesByRate([
    ...priced.map((line) => ({ rateBps: line.taxBps, baseMinor: line.lineTotalMinor, taxMinor: line.taxMinor })),
    { rateBps: fees.taxBps, baseMinor: deliveryFeeMinor + serviceFeeMinor + smallOrderFeeMinor, taxMinor: 0 },
  ]);
  const feeRate = taxes.find((t) => t.rateBps === fees.taxBps);
  if (feeRate) feeRate.taxMinor += taxMinor - itemsTaxMinor;
  const totalMinor =
    subtotalMinor + deliveryFeeMinor + serviceFeeMinor + smallOrderFeeMinor + (taxIncluded ? 0 : taxMinor) + tipMinor;
  if (!Number.isSafeInteger(totalMinor)) {
    return { ok: false, errors: [{ path: "items", code: "amount_too_large", message: "the total is too large" }] };
  }
  return {
    ok: true,
    lines: priced,
    subtotalMinor,
    deliveryFeeMinor,
    serviceFeeMinor,
    smallOrderFeeMinor,
    taxMinor,
    itemsTaxMinor,
    taxIncluded,
    taxes: taxes.filter((t) => t.baseMinor > 0 || t.taxMinor > 0),
    tipMinor,
    totalMinor,
    currency: menu.currency,
  };
}

/**
 * The tax on one amount at `bps`, rounded half up: added on top (amount × rate)
 * or contained in it (amount × rate / (1 + rate)), so an amount that includes
 * VAT splits into net + tax exactly.
 */
export function taxOn(amountMinor: number, bps: number, included: boolean): number {
  if (!included) return applyBps(amountMinor, bps);
  const denominator = BPS_DENOMINATOR + bps;
  return intDiv(amountMinor * bps * 2 + denominator, denominator * 2);
}

function taxesByRate(parts: TaxAtRate[]): TaxAtRate[] {
  const byRate = new Map<number, TaxAtRate>();
  for (const part of parts) {
    const at = byRate.get(part.rateBps) ?? { rateBps: part.rateBps, baseMinor: 0, taxMinor: 0 };
    at.baseMinor += part.baseMinor;
    at.taxMinor += part.taxMinor;
    byRate.set(part.rateBps, at);
  }
  return [...byRate.values()].sort((a, b) => a.rateBps - b.rateBps);
}

function priceLine(
  itemsById: ReadonlyMap<string, MenuItemForPricing>,
  line: CartLine,
  index: number,
  fees: FeePolicy,
): { line: PricedCartLine } | { errors: PricingError[] } {
  const path = `items.${index}`;
  const errors: PricingError[] = [];

  if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
    errors.push({
      path: `${path}.quantity`,
      code: "invalid_quantity",
      message: `quantity must be a whole number from 1 to ${MAX_QUANTITY}, got ${line.quantity}`,
    });
  }

  const item = itemsById.get(line.itemId);
  if (!item) {
    errors.push({ path: `${path}.itemId`, code: "unknown_item", message: `no item ${line.itemId} on this menu` });
    return { errors };
  }
  if (!item.available) {
    errors.push({ path: `${path}.itemId`, code: "item_unavailable", message: `${item.name} is not available` });
  }
  if (!Array.isArray(line.optionIds)) {
    errors.push({ path: `${path}.optionIds`, code: "invalid_option_ids", message: "optionIds must be a list" });
    return { errors };
  }

  const chosen = new Set<string>();
  line.optionIds.forEach((optionId, j) => {
    const optionPath = `${path}.optionIds.${j}`;
    if (chosen.has(optionId)) {
      errors.push({ path: optionPath, code: "duplicate_option", message: `option ${optionId} chosen twice` });
      return;
    }
    chosen.add(optionId);
    const found = findOption(item, optionId);
    if (!found) {
      errors.push({ path: optionPath, code: "unknown_option", message: `${item.name} has no option ${optionId}` });
    } else if (!found.available) {
      errors.push({ path: optionPath, code: "option_unavailable", message: `${found.name} is not available` });
    }
  });

  const options: PricedOption[] = [];
  for (const group of item.groups) {
    const picked = group.options.filter((option) => chosen.has(option.id));
    if (picked.length < group.minChoices) {
      errors.push({
        path: `${path}.optionIds`,
        code: "too_few_choices",
        message: `${group.name}: choose at least ${group.minChoices}, got ${picked.length}`,
      });
    } else if (picked.length > group.maxChoices) {
      errors.push({
        path: `${path}.optionIds`,
        code: "too_many_choices",
        message: `${group.name}: choose at most ${group.maxChoices}, got ${picked.length}`,
      });
    }
    for (const option of picked) {
      options.push({
        optionId: option.id,
        groupId: group.id,
        name: option.name,
        priceDeltaMinor: option.priceDeltaMinor,
      });
    }
  }

  // Option deltas may be negative (a smaller size); the sum may not.
  const unitPriceMinor = item.priceMinor + options.reduce((sum, option) => sum + option.priceDeltaMinor, 0);
  if (unitPriceMinor < 0) {
    errors.push({ path, code: "negative_unit_price", message: `${item.name} would cost ${unitPriceMinor}` });
  }

  if (errors.length > 0) return { errors };
  const lineTotalMinor = unitPriceMinor * line.quantity;
  const taxBps = item.taxBps ?? fees.taxBps;
  return {
    line: {
      lineNo: index + 1,
      itemId: item.id,
      name: item.name,
      quantity: line.quantity,
      unitPriceMinor,
      options,
      lineTotalMinor,
      taxBps,
      taxMinor: taxOn(lineTotalMinor, taxBps, fees.taxIncluded === true),
    },
  };
}

function findOption(item: MenuItemForPricing, optionId: string): MenuOptionForPricing | undefined {
  for (const group of item.groups) {
    const option = group.options.find((o) => o.id === optionId);
    if (option) return option;
  }
  return undefined;
}

/** Every started kilometre is charged: distance is first rounded to whole
 * metres (routing noise below a metre should not cost a kilometre), then
 * 1 m..1000 m is 1 km, 1001 m is 2 km, and 0 m is nothing beyond the base fee. */
export function billableKm(distanceM: number): number {
  const metres = Math.round(distanceM);
  return intDiv(metres + 999, 1000);
}

export function deliveryFee(fees: FeePolicy, distanceM: number): number {
  const fee = fees.baseDeliveryFeeMinor + fees.perKmFeeMinor * billableKm(distanceM);
  // Surge applies here and only here, so every price shown or charged carries the same multiplier.
  return fees.deliveryFeeMultiplierBps === undefined ? fee : surgedFeeMinor(fee, fees.deliveryFeeMultiplierBps);
}

/** amount × bps / 10000, rounded half-up, for non-negative integers. */
export function applyBps(amountMinor: number, bps: number): number {
  return intDiv(amountMinor * bps + BPS_DENOMINATOR / 2, BPS_DENOMINATOR);
}

function intDiv(numerator: number, denominator: number): number {
  return (numerator - (numerator % denominator)) / denominator;
}

function assertFeePolicy(fees: FeePolicy): void {
  // Fee policy is server configuration, so a bad value is a deployment bug,
  // not something to report back to the customer.
  for (const key of [
    "baseDeliveryFeeMinor",
    "perKmFeeMinor",
    "serviceFeeBps",
    "taxBps",
    "smallOrderMinimumMinor",
    "smallOrderFeeMinor",
  ] as const) {
    const value = fees[key] ?? 0;
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`fee policy ${key} must be a non-negative integer, got ${value}`);
    }
  }
  const surge = fees.deliveryFeeMultiplierBps;
  if (surge !== undefined && !(Number.isInteger(surge) && surge >= NO_SURGE_BPS && surge <= PLATFORM_MAX_SURGE_BPS)) {
    throw new RangeError(
      `fee policy deliveryFeeMultiplierBps must be ${NO_SURGE_BPS}..${PLATFORM_MAX_SURGE_BPS}, got ${surge}`,
    );
  }
}
