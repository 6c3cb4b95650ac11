// VAT-inclusive areas, per-item rates, the small-order fee, the tip cap per
// currency and zero- and three-decimal currencies (decision 0052).
import { describe, expect, it } from "vitest";
import { seededRandom } from "../random/seeded-random.ts";
import { chargeStepMinor, currencyExponent, formatMinor, maxTipMinor, minorPerMajor } from "./currency.ts";
import { finalPrice } from "./final-price.ts";
import {
  type FeePolicy,
  type MenuForPricing,
  type PriceCartResult,
  type PricedCart,
  priceCart,
  taxOn,
} from "./price-cart.ts";

function menuIn(currency: string, items: MenuForPricing["items"]): MenuForPricing {
  return { restaurantId: "r", version: 1, currency, items };
}

const item = (id: string, priceMinor: number, taxBps?: number | null) => ({
  id,
  name: id,
  priceMinor,
  available: true,
  groups: [],
  ...(taxBps !== undefined && { taxBps }),
});

const PT: FeePolicy = {
  baseDeliveryFeeMinor: 200,
  perKmFeeMinor: 0,
  serviceFeeBps: 0,
  taxBps: 2300,
  currency: "EUR",
};

function ok(result: PriceCartResult): PricedCart {
  if (!result.ok) throw new Error(`expected a priced cart, got ${JSON.stringify(result.errors)}`);
  return result;
}

describe("taxOn", () => {
  it("adds tax on top, rounded half up", () => {
    expect(taxOn(1000, 2300, false)).toBe(230);
    expect(taxOn(5, 1000, false)).toBe(1); // 0.5 rounds up
    expect(taxOn(4, 1000, false)).toBe(0);
  });

  it("extracts tax from a price that includes it, so net + tax is the price", () => {
    // 12.30 incl. 23 % VAT: 10.00 net + 2.30 VAT.
    expect(taxOn(1230, 2300, true)).toBe(230);
    // 1.00 incl. 23 %: 0.1869... rounds to 0.19.
    expect(taxOn(100, 2300, true)).toBe(19);
    // 13 % (restaurant food in Portugal): 11.30 → 1.30.
    expect(taxOn(1130, 1300, true)).toBe(130);
    expect(taxOn(0, 2300, true)).toBe(0);
    expect(taxOn(999, 0, true)).toBe(0);
  });
});

describe("priceCart in a VAT-inclusive area", () => {
  const menu = menuIn("EUR", [item("bacalhau", 1130, 1300), item("wine", 615, 2300), item("bread", 200)]);
  const lines = [
    { itemId: "bacalhau", quantity: 2, optionIds: [] },
    { itemId: "wine", quantity: 1, optionIds: [] },
    { itemId: "bread", quantity: 1, optionIds: [] },
  ];

  it("extracts the tax from the prices and does not grow the total", () => {
    const r = ok(priceCart(menu, lines, { ...PT, taxIncluded: true }, 0, 150));
    expect(r.taxIncluded).toBe(true);
    expect(r.subtotalMinor).toBe(2260 + 615 + 200);
    // Per line: 2260 incl. 13 % → 260; 615 incl. 23 % → 115; 200 at the area's 23 % → 37; delivery 200 → 37.
    expect(r.lines.map((l) => [l.taxBps, l.taxMinor])).toEqual([
      [1300, 260],
      [2300, 115],
      [2300, 37],
    ]);
    expect(r.itemsTaxMinor).toBe(412);
    expect(r.taxMinor).toBe(412 + 37);
    expect(r.totalMinor).toBe(3075 + 200 + 150);
    expect(r.taxes).toEqual([
      { rateBps: 1300, baseMinor: 2260, taxMinor: 260 },
      { rateBps: 2300, baseMinor: 615 + 200 + 200, taxMinor: 115 + 37 + 37 },
    ]);
  });

  it("adds the same rates on top where the area's prices exclude tax", () => {
    const r = ok(priceCart(menu, lines, PT, 0, 0));
    expect(r.taxIncluded).toBe(false);
    expect(r.lines.map((l) => l.taxMinor)).toEqual([294, 141, 46]);
    expect(r.taxMinor).toBe(294 + 141 + 46 + 46);
    expect(r.totalMinor).toBe(3075 + 200 + r.taxMinor);
  });

  it("uses the area's rate for an item whose own rate is null", () => {
    const r = ok(
      priceCart(
        menuIn("EUR", [item("x", 1230, null)]),
        [{ itemId: "x", quantity: 1, optionIds: [] }],
        { ...PT, taxIncluded: true },
        0,
        0,
      ),
    );
    expect(r.lines[0]?.taxMinor).toBe(230);
  });
});

describe("the small-order fee", () => {
  const menu = menuIn("EUR", [item("coffee", 90)]);
  const fees = { ...PT, smallOrderMinimumMinor: 1000, smallOrderFeeMinor: 150 };

  it("is charged below the minimum subtotal and taxed like the other fees", () => {
    const r = ok(priceCart(menu, [{ itemId: "coffee", quantity: 1, optionIds: [] }], fees, 0, 0));
    expect(r.smallOrderFeeMinor).toBe(150);
    // 90 × 23 % = 20.7 → 21; delivery 200 → 46; fee 150 → 34.5 → 35.
    expect(r.taxMinor).toBe(21 + 46 + 35);
    expect(r.totalMinor).toBe(90 + 200 + 150 + 102);
  });

  it("is not charged at or above the minimum", () => {
    const r = ok(priceCart(menu, [{ itemId: "coffee", quantity: 12, optionIds: [] }], fees, 0, 0));
    expect(r.subtotalMinor).toBe(1080);
    expect(r.smallOrderFeeMinor).toBe(0);
    expect(
      ok(priceCart(menuIn("EUR", [item("a", 1000)]), [{ itemId: "a", quantity: 1, optionIds: [] }], fees, 0, 0))
        .smallOrderFeeMinor,
    ).toBe(0);
  });

  it("is never charged without a minimum", () => {
    const r = ok(
      priceCart(menu, [{ itemId: "coffee", quantity: 1, optionIds: [] }], { ...PT, smallOrderFeeMinor: 150 }, 0, 0),
    );
    expect(r.smallOrderFeeMinor).toBe(0);
  });
});

describe("currencies", () => {
  it("knows ISO 4217 exponents", () => {
    expect([currencyExponent("EUR"), currencyExponent("JPY"), currencyExponent("krw")]).toEqual([2, 0, 0]);
    expect(["BHD", "KWD", "JOD", "OMR", "TND"].map(currencyExponent)).toEqual([3, 3, 3, 3, 3]);
    expect(minorPerMajor("KWD")).toBe(1000);
  });

  it("formats minor units in the currency's decimals", () => {
    expect(formatMinor(1250, "EUR")).toBe("12.50");
    expect(formatMinor(5, "EUR")).toBe("0.05");
    expect(formatMinor(-1500, "JPY")).toBe("-1500");
    expect(formatMinor(1250, "KWD")).toBe("1.250");
    expect(formatMinor(7, "BHD")).toBe("0.007");
  });

  it("caps the tip by currency: 100 EUR, 15,000 JPY, 30 KWD", () => {
    expect(maxTipMinor("EUR")).toBe(10_000);
    expect(maxTipMinor("JPY")).toBe(15_000);
    expect(maxTipMinor("KWD")).toBe(30_000);
    const jpy = menuIn("JPY", [item("ramen", 1200)]);
    const fees: FeePolicy = { ...PT, currency: "JPY", baseDeliveryFeeMinor: 300, taxBps: 1000 };
    const line = [{ itemId: "ramen", quantity: 1, optionIds: [] }];
    expect(ok(priceCart(jpy, line, fees, 0, 15_000)).tipMinor).toBe(15_000);
    const refused = priceCart(jpy, line, fees, 0, 15_001);
    expect(refused.ok ? [] : refused.errors.map((e) => e.code)).toEqual(["tip_too_large"]);
  });

  it("prices yen in whole yen and dinars in fils", () => {
    const jpy = ok(
      priceCart(
        menuIn("JPY", [item("ramen", 1080)]),
        [{ itemId: "ramen", quantity: 1, optionIds: [] }],
        {
          ...PT,
          currency: "JPY",
          baseDeliveryFeeMinor: 330,
          taxBps: 800,
          taxIncluded: true,
        },
        0,
        0,
      ),
    );
    // 1080 yen incl. 8 % → 80 yen; 330 incl. 8 % → 24.44 → 24.
    expect([jpy.taxMinor, jpy.totalMinor]).toEqual([104, 1410]);
    const kwd = ok(
      priceCart(
        menuIn("KWD", [item("machboos", 2750)]),
        [{ itemId: "machboos", quantity: 3, optionIds: [] }],
        {
          ...PT,
          currency: "KWD",
          baseDeliveryFeeMinor: 500,
          taxBps: 500,
        },
        0,
        0,
      ),
    );
    // 8.250 KWD at 5 % = 0.4125 → 0.413; 0.500 → 0.025.
    expect([kwd.taxMinor, kwd.totalMinor]).toEqual([438, 8250 + 500 + 438]);
  });
});

describe("property: parts add up to the total, nothing negative", () => {
  it("holds over random carts, rates, modes, fees, discounts and currencies", () => {
    const rand = seededRandom(0x5a7);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let n = 0; n < 1000; n++) {
      const currency = ["EUR", "JPY", "KWD", "TND", "GBP", "BHD", "OMR", "JOD"][int(0, 7)] as string;
      const items = Array.from({ length: int(1, 6) }, (_, i) =>
        item(`i${i}`, int(0, 50_000), rand() < 0.4 ? [0, 600, 1300, 2300][int(0, 3)] : undefined),
      );
      const lines = Array.from({ length: int(1, 10) }, () => ({
        itemId: `i${int(0, items.length - 1)}`,
        quantity: int(1, 99),
        optionIds: [],
      }));
      const fees: FeePolicy = {
        baseDeliveryFeeMinor: int(0, 3000),
        perKmFeeMinor: int(0, 500),
        serviceFeeBps: int(0, 2000),
        taxBps: int(0, 2700),
        currency,
        taxIncluded: rand() < 0.5,
        smallOrderMinimumMinor: int(0, 20_000),
        smallOrderFeeMinor: int(0, 1000),
      };
      const tip = int(0, maxTipMinor(currency));
      const before = ok(priceCart(menuIn(currency, items), lines, fees, rand() * 10_000, tip));
      // No discount, a random one, or the whole subtotal.
      const pick = rand();
      const asked = pick < 0.3 ? 0 : pick < 0.9 ? int(0, before.subtotalMinor) : before.subtotalMinor;
      const r = finalPrice(before, asked);
      const context = `case ${n}`;
      const parts =
        r.lines.reduce((s, l) => s + l.lineTotalMinor, 0) +
        r.deliveryFeeMinor +
        r.serviceFeeMinor +
        r.smallOrderFeeMinor +
        (r.taxIncluded ? 0 : r.taxMinor) +
        r.tipMinor -
        r.discountMinor +
        r.roundingMinor;
      expect(r.totalMinor, context).toBe(parts);
      expect(r.discountMinor, context).toBe(asked);
      expect(r.discountMinor, context).toBe(r.lines.reduce((s, l) => s + l.discountMinor, 0));
      // Stripe's rule for three-decimal currencies, and nothing rounded elsewhere.
      expect(r.totalMinor % chargeStepMinor(currency), context).toBe(0);
      expect(r.roundingMinor, context).toBeGreaterThanOrEqual(chargeStepMinor(currency) === 10 ? -4 : 0);
      expect(r.roundingMinor, context).toBeLessThanOrEqual(chargeStepMinor(currency) === 10 ? 5 : 0);
      expect(r.taxMinor, context).toBe(r.taxes.reduce((s, t) => s + t.taxMinor, 0));
      expect(r.itemsTaxMinor, context).toBe(r.lines.reduce((s, l) => s + l.taxMinor, 0));
      for (const v of [r.totalMinor, r.taxMinor, r.smallOrderFeeMinor, ...r.lines.map((l) => l.taxMinor)]) {
        expect(Number.isSafeInteger(v) && v >= 0, context).toBe(true);
      }
      for (const t of r.taxes) expect(t.baseMinor >= 0 && t.taxMinor >= 0, context).toBe(true);
      // A discount never raises the tax; the fees' tax does not move.
      expect(r.itemsTaxMinor, context).toBeLessThanOrEqual(before.itemsTaxMinor);
      expect(r.taxMinor - r.itemsTaxMinor, context).toBe(before.taxMinor - before.itemsTaxMinor);
      // Included tax never exceeds what it is extracted from.
      if (r.taxIncluded) {
        expect(r.taxMinor, context).toBeLessThanOrEqual(r.totalMinor - r.roundingMinor - r.tipMinor);
      }
      for (const l of r.lines) {
        expect(l.discountMinor >= 0 && l.discountMinor <= l.lineTotalMinor, context).toBe(true);
        const base = l.lineTotalMinor - l.discountMinor;
        const exact = r.taxIncluded ? (base * l.taxBps) / (10_000 + l.taxBps) : (base * l.taxBps) / 10_000;
        expect(Math.abs(l.taxMinor - exact), context).toBeLessThanOrEqual(0.5);
      }
    }
  });
});
