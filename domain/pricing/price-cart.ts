// Server-side pricing. The client sends only item and option ids and
// quantities; every amount is derived here from the menu version the cart was
// built on, so a tampered client cannot change what is charged.
//
// Money is integer minor units throughout. Percentages are basis points and
// are rounded half-up with integer division, never through floating point.
import { NO_SURGE_BPS, PLATFORM_MAX_SURGE_BPS, surgedFeeMinor } from "../surge/surge.ts";

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
  taxMinor: number;
  tipMinor: number;
  totalMinor: number;
  currency: string;
};

export type PriceCartResult = PricedCart | { ok: false; errors: PricingError[] };

export const MAX_LINES = 50;
export const MAX_QUANTITY = 99;
/** In the menu currency's minor unit; a fixed cap keeps a mistyped tip from
 * turning into a large charge. */
export const MAX_TIP_MINOR = 100_00;

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
    const result = priceLine(itemsById, line, index);
    if ("errors" in result) errors.push(...result.errors);
    else priced.push(result.line);
  });

  if (!Number.isFinite(distanceM) || distanceM < 0) {
    errors.push({ path: "distanceM", code: "invalid_distance", message: `distance must be >= 0, got ${distanceM}` });
  }
  if (!Number.isSafeInteger(tipMinor) || tipMinor < 0) {
    errors.push({ path: "tipMinor", code: "invalid_tip", message: `tip must be a whole number >= 0, got ${tipMinor}` });
  } else if (tipMinor > MAX_TIP_MINOR) {
    errors.push({ path: "tipMinor", code: "tip_too_large", message: `tip may be at most ${MAX_TIP_MINOR}` });
  }

  if (errors.length > 0) return { ok: false, errors };

  const subtotalMinor = priced.reduce((sum, line) => sum + line.lineTotalMinor, 0);
  const deliveryFeeMinor = deliveryFee(fees, distanceM);
  const serviceFeeMinor = applyBps(subtotalMinor, fees.serviceFeeBps);
  // Tax applies to goods and fees; a tip is the courier's, not a sale.
  const taxMinor = applyBps(subtotalMinor + deliveryFeeMinor + serviceFeeMinor, fees.taxBps);
  const totalMinor = subtotalMinor + deliveryFeeMinor + serviceFeeMinor + taxMinor + tipMinor;
  if (!Number.isSafeInteger(totalMinor)) {
    return { ok: false, errors: [{ path: "items", code: "amount_too_large", message: "the total is too large" }] };
  }
  return {
    ok: true,
    lines: priced,
    subtotalMinor,
    deliveryFeeMinor,
    serviceFeeMinor,
    taxMinor,
    tipMinor,
    totalMinor,
    currency: menu.currency,
  };
}

function priceLine(
  itemsById: ReadonlyMap<string, MenuItemForPricing>,
  line: CartLine,
  index: number,
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
  return {
    line: {
      lineNo: index + 1,
      itemId: item.id,
      name: item.name,
      quantity: line.quantity,
      unitPriceMinor,
      options,
      lineTotalMinor: unitPriceMinor * line.quantity,
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
  for (const key of ["baseDeliveryFeeMinor", "perKmFeeMinor", "serviceFeeBps", "taxBps"] as const) {
    const value = fees[key];
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
