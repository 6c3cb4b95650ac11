// The price as charged: a promotion's discount spread over the lines and
// taken off the taxable base, and three-decimal totals rounded to 10 fils
// (decision 0052's addendum). The random property is in price-cart-vat.test.ts.
import { describe, expect, it } from "vitest";
import { chargeRoundingMinor, chargeStepMinor } from "./currency.ts";
import { allocateDiscount, finalPrice } from "./final-price.ts";
import { type FeePolicy, type MenuForPricing, type PriceCartResult, type PricedCart, priceCart } from "./price-cart.ts";

function ok(result: PriceCartResult): PricedCart {
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result;
}

const item = (id: string, priceMinor: number, taxBps?: number) => ({
  id,
  name: id,
  priceMinor,
  available: true,
  groups: [],
  ...(taxBps !== undefined && { taxBps }),
});
const menu = (currency: string, items: MenuForPricing["items"]): MenuForPricing => ({
  restaurantId: "r",
  version: 1,
  currency,
  items,
});
const fees = (over: Partial<FeePolicy>): FeePolicy => ({
  baseDeliveryFeeMinor: 200,
  perKmFeeMinor: 0,
  serviceFeeBps: 0,
  taxBps: 1000,
  currency: "EUR",
  ...over,
});
const one = (itemId: string, quantity = 1) => ({ itemId, quantity, optionIds: [] });

describe("allocateDiscount", () => {
  it("splits in proportion, in whole units, adding up to the discount", () => {
    expect(allocateDiscount([1500, 500], 400)).toEqual([300, 100]);
    // 33.3 and 66.7: the larger remainder gets the unit left over.
    expect(allocateDiscount([333, 667], 100)).toEqual([33, 67]);
    // Equal remainders: the earlier line first.
    expect(allocateDiscount([1, 1, 1], 2)).toEqual([1, 1, 0]);
    expect(allocateDiscount([0, 500], 500)).toEqual([0, 500]);
    expect(allocateDiscount([700, 300], 0)).toEqual([0, 0]);
  });

  it("never gives a line more than its amount, even with huge amounts", () => {
    const amounts = [4_000_000_000_000, 3, 1];
    const shares = allocateDiscount(amounts, 4_000_000_000_003);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(4_000_000_000_003);
    for (const [i, share] of shares.entries()) expect(share).toBeLessThanOrEqual(amounts[i] as number);
  });

  it("refuses a discount larger than the amounts or not whole", () => {
    expect(() => allocateDiscount([100], 101)).toThrow(RangeError);
    expect(() => allocateDiscount([100], -1)).toThrow(RangeError);
    expect(() => allocateDiscount([100], 1.5)).toThrow(RangeError);
  });
});

describe("tax after a promotion's discount", () => {
  // Pizza 15.00 at the area's 10 %, wine 5.00 at its own 20 %, delivery 2.00; 4.00 off.
  const m = menu("EUR", [item("pizza", 1500), item("wine", 500, 2000)]);
  const cart = [one("pizza"), one("wine")];

  it("added on top: each line taxed on its discounted amount", () => {
    const before = ok(priceCart(m, cart, fees({}), 0, 0));
    expect([before.itemsTaxMinor, before.taxMinor, before.totalMinor]).toEqual([250, 270, 2470]);
    const r = finalPrice(before, 400);
    // 4.00 splits 3.00 / 1.00; pizza (15.00 − 3.00) × 10 % = 1.20, wine (5.00 − 1.00) × 20 % = 0.80.
    expect(r.lines.map((l) => [l.discountMinor, l.taxMinor])).toEqual([
      [300, 120],
      [100, 80],
    ]);
    expect([r.itemsTaxMinor, r.taxMinor]).toEqual([200, 220]);
    // 20.00 + 2.00 + 2.20 tax − 4.00.
    expect(r.totalMinor).toBe(2020);
    expect(r.taxes).toEqual([
      { rateBps: 1000, baseMinor: 1200 + 200, taxMinor: 120 + 20 },
      { rateBps: 2000, baseMinor: 400, taxMinor: 80 },
    ]);
    expect(r.roundingMinor).toBe(0);
  });

  it("included in the prices: extracted from the discounted amount, the total drops by the discount only", () => {
    const before = ok(priceCart(m, cart, fees({ taxIncluded: true }), 0, 0));
    const r = finalPrice(before, 400);
    // 12.00 incl. 10 % → 1.09; 4.00 incl. 20 % → 0.67; delivery 2.00 incl. 10 % → 0.18.
    expect(r.lines.map((l) => l.taxMinor)).toEqual([109, 67]);
    expect([r.itemsTaxMinor, r.taxMinor]).toEqual([176, 194]);
    expect(r.totalMinor).toBe(before.totalMinor - 400);
  });

  it("without a discount changes nothing", () => {
    const before = ok(priceCart(m, cart, fees({}), 0, 150));
    const r = finalPrice(before, 0);
    expect({ ...r, lines: r.lines.map(({ discountMinor: _d, ...l }) => l) }).toEqual({
      ...before,
      discountMinor: 0,
      roundingMinor: 0,
    });
  });

  it("a discount of the whole food leaves only the fees' tax", () => {
    const r = finalPrice(ok(priceCart(m, cart, fees({}), 0, 0)), 2000);
    expect([r.itemsTaxMinor, r.taxMinor, r.totalMinor]).toEqual([0, 20, 220]);
  });
});

describe("three-decimal totals for Stripe", () => {
  it("charges BHD, JOD, KWD, OMR and TND in tens of fils, nothing else", () => {
    expect(["BHD", "JOD", "KWD", "OMR", "TND", "kwd"].map(chargeStepMinor)).toEqual([10, 10, 10, 10, 10, 10]);
    expect(["EUR", "JPY", "IQD", "LYD"].map(chargeStepMinor)).toEqual([1, 1, 1, 1]);
  });

  it("rounds to the nearest 10 fils, half up", () => {
    expect([9190, 9191, 9194, 9195, 9199, 0, 4, 5].map((t) => chargeRoundingMinor(t, "KWD"))).toEqual([
      0, -1, -4, 5, 1, 0, -4, 5,
    ]);
    expect(chargeRoundingMinor(9194, "EUR")).toBe(0);
    expect(() => chargeRoundingMinor(-1, "KWD")).toThrow(RangeError);
  });

  const kwd = menu("KWD", [item("machboos", 2750)]);
  const kwdFees = fees({ currency: "KWD", baseDeliveryFeeMinor: 500, taxBps: 500 });

  it("rounds the charge and keeps the difference as its own part", () => {
    // 8.250 + 0.500 + 0.438 tax = 9.188 → 9.190.
    const r = finalPrice(ok(priceCart(kwd, [one("machboos", 3)], kwdFees, 0, 0)), 0);
    expect([r.taxMinor, r.roundingMinor, r.totalMinor]).toEqual([438, 2, 9190]);
    // A 0.006 tip: 9.194 → 9.190, the customer pays 4 fils less.
    const down = finalPrice(ok(priceCart(kwd, [one("machboos", 3)], kwdFees, 0, 6)), 0);
    expect([down.roundingMinor, down.totalMinor]).toEqual([-4, 9190]);
  });

  it("rounds after the discount has reduced the tax", () => {
    // 7.250 × 5 % = 0.3625 → 0.363; 8.250 − 1.000 + 0.500 + 0.388 = 8.138 → 8.140.
    const r = finalPrice(ok(priceCart(kwd, [one("machboos", 3)], kwdFees, 0, 0)), 1000);
    expect([r.itemsTaxMinor, r.taxMinor, r.roundingMinor, r.totalMinor]).toEqual([363, 388, 2, 8140]);
  });
});
