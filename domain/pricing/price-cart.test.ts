import { describe, expect, it } from "vitest";
import { seededRandom } from "../random/seeded-random.ts";
import { maxTipMinor } from "./currency.ts";
import {
  applyBps,
  billableKm,
  type CartLine,
  type FeePolicy,
  type MenuForPricing,
  type MenuItemForPricing,
  type PriceCartResult,
  type PricedCart,
  priceCart,
} from "./price-cart.ts";

const MAX_TIP_MINOR = maxTipMinor("EUR");

const MENU: MenuForPricing = {
  restaurantId: "rest-1",
  version: 3,
  currency: "EUR",
  items: [
    {
      id: "pizza",
      name: "Margherita",
      priceMinor: 900,
      available: true,
      groups: [
        {
          id: "size",
          name: "Size",
          minChoices: 1,
          maxChoices: 1,
          options: [
            { id: "small", name: "Small", priceDeltaMinor: -200, available: true },
            { id: "medium", name: "Medium", priceDeltaMinor: 0, available: true },
            { id: "large", name: "Large", priceDeltaMinor: 300, available: true },
            { id: "xl", name: "XL", priceDeltaMinor: 600, available: false },
          ],
        },
        {
          id: "toppings",
          name: "Toppings",
          minChoices: 0,
          maxChoices: 2,
          options: [
            { id: "olives", name: "Olives", priceDeltaMinor: 100, available: true },
            { id: "basil", name: "Basil", priceDeltaMinor: 50, available: true },
            { id: "anchovy", name: "Anchovy", priceDeltaMinor: 150, available: true },
          ],
        },
      ],
    },
    { id: "cola", name: "Cola", priceMinor: 250, available: true, groups: [] },
    { id: "tiramisu", name: "Tiramisu", priceMinor: 500, available: false, groups: [] },
  ],
};

const FEES: FeePolicy = {
  baseDeliveryFeeMinor: 199,
  perKmFeeMinor: 50,
  serviceFeeBps: 500,
  taxBps: 1000,
  currency: "EUR",
};

function ok(result: PriceCartResult): PricedCart {
  if (!result.ok) throw new Error(`expected a priced cart, got ${JSON.stringify(result.errors)}`);
  return result;
}

function errorsOf(result: PriceCartResult) {
  if (result.ok) throw new Error("expected pricing to fail");
  return result.errors.map(({ path, code }) => ({ path, code }));
}

const pizza = (optionIds: string[], quantity = 1): CartLine => ({ itemId: "pizza", quantity, optionIds });
const cola = (quantity = 1): CartLine => ({ itemId: "cola", quantity, optionIds: [] });

describe("priceCart: lines", () => {
  it("prices a unit as the item price plus its chosen option deltas, times quantity", () => {
    const result = ok(priceCart(MENU, [pizza(["large", "olives", "basil"], 2)], FEES, 0, 0));
    expect(result.lines).toEqual([
      {
        lineNo: 1,
        itemId: "pizza",
        name: "Margherita",
        quantity: 2,
        unitPriceMinor: 900 + 300 + 100 + 50,
        options: [
          { optionId: "large", groupId: "size", name: "Large", priceDeltaMinor: 300 },
          { optionId: "olives", groupId: "toppings", name: "Olives", priceDeltaMinor: 100 },
          { optionId: "basil", groupId: "toppings", name: "Basil", priceDeltaMinor: 50 },
        ],
        lineTotalMinor: 2 * 1350,
        taxBps: 1000,
        taxMinor: 270,
      },
    ]);
    expect(result.subtotalMinor).toBe(2700);
  });

  it("applies negative option deltas", () => {
    expect(ok(priceCart(MENU, [pizza(["small"])], FEES, 0, 0)).lines[0]?.unitPriceMinor).toBe(700);
  });

  it("lists options in menu order whatever order the client sent them in", () => {
    const a = ok(priceCart(MENU, [pizza(["basil", "olives", "medium"])], FEES, 0, 0));
    const b = ok(priceCart(MENU, [pizza(["medium", "olives", "basil"])], FEES, 0, 0));
    expect(a.lines[0]?.options.map((o) => o.optionId)).toEqual(["medium", "olives", "basil"]);
    expect(a).toEqual(b);
  });

  it("numbers lines from 1 in cart order and sums them into the subtotal", () => {
    const result = ok(priceCart(MENU, [cola(3), pizza(["medium"])], FEES, 0, 0));
    expect(result.lines.map((l) => [l.lineNo, l.itemId, l.lineTotalMinor])).toEqual([
      [1, "cola", 750],
      [2, "pizza", 900],
    ]);
    expect(result.subtotalMinor).toBe(1650);
  });

  it("ignores any price the client might attach to a line", () => {
    const tampered = { ...cola(1), priceMinor: 1, unitPriceMinor: 1 } as CartLine;
    expect(ok(priceCart(MENU, [tampered], FEES, 0, 0)).subtotalMinor).toBe(250);
  });

  it("reports the menu currency", () => {
    expect(ok(priceCart(MENU, [cola()], FEES, 0, 0)).currency).toBe("EUR");
  });
});

describe("priceCart: refusals", () => {
  it("refuses an unknown item with unknown_item at items.N.itemId", () => {
    expect(errorsOf(priceCart(MENU, [cola(), { itemId: "sushi", quantity: 1, optionIds: [] }], FEES, 0, 0))).toEqual([
      { path: "items.1.itemId", code: "unknown_item" },
    ]);
  });

  it("refuses an unavailable item with item_unavailable", () => {
    expect(errorsOf(priceCart(MENU, [{ itemId: "tiramisu", quantity: 1, optionIds: [] }], FEES, 0, 0))).toEqual([
      { path: "items.0.itemId", code: "item_unavailable" },
    ]);
  });

  it.each([0, -1, 100, 1.5, Number.NaN])("refuses quantity %s with invalid_quantity", (quantity) => {
    expect(errorsOf(priceCart(MENU, [cola(quantity)], FEES, 0, 0))).toEqual([
      { path: "items.0.quantity", code: "invalid_quantity" },
    ]);
  });

  it("accepts the quantity bounds 1 and 99", () => {
    expect(ok(priceCart(MENU, [cola(1), cola(99)], FEES, 0, 0)).subtotalMinor).toBe(250 * 100);
  });

  it("refuses an empty cart with empty_cart", () => {
    expect(errorsOf(priceCart(MENU, [], FEES, 0, 0))).toEqual([{ path: "items", code: "empty_cart" }]);
  });

  it("accepts 50 lines and refuses 51 with too_many_lines", () => {
    expect(
      ok(
        priceCart(
          MENU,
          Array.from({ length: 50 }, () => cola()),
          FEES,
          0,
          0,
        ),
      ).lines,
    ).toHaveLength(50);
    expect(
      errorsOf(
        priceCart(
          MENU,
          Array.from({ length: 51 }, () => cola()),
          FEES,
          0,
          0,
        ),
      ),
    ).toEqual([{ path: "items", code: "too_many_lines" }]);
  });

  it("refuses an option the item does not have with unknown_option at items.N.optionIds.M", () => {
    expect(errorsOf(priceCart(MENU, [pizza(["medium", "pineapple"])], FEES, 0, 0))).toEqual([
      { path: "items.0.optionIds.1", code: "unknown_option" },
    ]);
  });

  it("refuses an option belonging to another item with unknown_option", () => {
    expect(errorsOf(priceCart(MENU, [{ itemId: "cola", quantity: 1, optionIds: ["olives"] }], FEES, 0, 0))).toEqual([
      { path: "items.0.optionIds.0", code: "unknown_option" },
    ]);
  });

  it("refuses an option chosen twice with duplicate_option", () => {
    expect(errorsOf(priceCart(MENU, [pizza(["medium", "olives", "olives"])], FEES, 0, 0))).toEqual([
      { path: "items.0.optionIds.2", code: "duplicate_option" },
    ]);
  });

  it("refuses an unavailable option with option_unavailable", () => {
    expect(errorsOf(priceCart(MENU, [pizza(["xl"])], FEES, 0, 0))).toEqual([
      { path: "items.0.optionIds.0", code: "option_unavailable" },
    ]);
  });

  it("refuses a missing required choice with too_few_choices at items.N.optionIds", () => {
    expect(errorsOf(priceCart(MENU, [pizza(["olives"])], FEES, 0, 0))).toEqual([
      { path: "items.0.optionIds", code: "too_few_choices" },
    ]);
  });

  it("refuses more choices than a group allows with too_many_choices", () => {
    const result = priceCart(
      MENU,
      [pizza(["small", "large"]), pizza(["medium", "olives", "basil", "anchovy"])],
      FEES,
      0,
      0,
    );
    expect(errorsOf(result)).toEqual([
      { path: "items.0.optionIds", code: "too_many_choices" },
      { path: "items.1.optionIds", code: "too_many_choices" },
    ]);
  });

  it("names the group in a choice error message", () => {
    const result = priceCart(MENU, [pizza([])], FEES, 0, 0);
    expect(!result.ok && result.errors[0]?.message).toContain("Size");
  });

  it("refuses a unit price that option deltas push below zero with negative_unit_price", () => {
    const menu: MenuForPricing = {
      ...MENU,
      items: [
        {
          id: "x",
          name: "X",
          priceMinor: 100,
          available: true,
          groups: [
            {
              id: "g",
              name: "G",
              minChoices: 0,
              maxChoices: 1,
              options: [{ id: "o", name: "O", priceDeltaMinor: -101, available: true }],
            },
          ],
        },
      ],
    };
    expect(errorsOf(priceCart(menu, [{ itemId: "x", quantity: 1, optionIds: ["o"] }], FEES, 0, 0))).toEqual([
      { path: "items.0", code: "negative_unit_price" },
    ]);
  });

  it("reports every problem in the cart at once", () => {
    const result = priceCart(
      MENU,
      [{ itemId: "nope", quantity: 0, optionIds: [] }, pizza(["olives"]), cola()],
      FEES,
      -1,
      MAX_TIP_MINOR + 1,
    );
    expect(errorsOf(result)).toEqual([
      { path: "items.0.quantity", code: "invalid_quantity" },
      { path: "items.0.itemId", code: "unknown_item" },
      { path: "items.1.optionIds", code: "too_few_choices" },
      { path: "distanceM", code: "invalid_distance" },
      { path: "tipMinor", code: "tip_too_large" },
    ]);
  });

  it("refuses fees in another currency than the menu with currency_mismatch", () => {
    expect(errorsOf(priceCart(MENU, [cola()], { ...FEES, currency: "USD" }, 0, 0))).toEqual([
      { path: "currency", code: "currency_mismatch" },
    ]);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -0.5])("refuses distance %s with invalid_distance", (distanceM) => {
    expect(errorsOf(priceCart(MENU, [cola()], FEES, distanceM, 0))).toEqual([
      { path: "distanceM", code: "invalid_distance" },
    ]);
  });

  it("throws on a fee policy that is not made of non-negative integers, since that is a deployment bug", () => {
    expect(() => priceCart(MENU, [cola()], { ...FEES, taxBps: 12.5 }, 0, 0)).toThrow(RangeError);
    expect(() => priceCart(MENU, [cola()], { ...FEES, baseDeliveryFeeMinor: -1 }, 0, 0)).toThrow(RangeError);
  });
});

describe("priceCart: tip", () => {
  it("adds the tip to the total untaxed", () => {
    const without = ok(priceCart(MENU, [cola()], FEES, 0, 0));
    const withTip = ok(priceCart(MENU, [cola()], FEES, 0, 300));
    expect(withTip.taxMinor).toBe(without.taxMinor);
    expect(withTip.totalMinor).toBe(without.totalMinor + 300);
    expect(withTip.tipMinor).toBe(300);
  });

  it("accepts a tip of exactly the cap and refuses one above with tip_too_large", () => {
    expect(ok(priceCart(MENU, [cola()], FEES, 0, MAX_TIP_MINOR)).tipMinor).toBe(MAX_TIP_MINOR);
    expect(errorsOf(priceCart(MENU, [cola()], FEES, 0, MAX_TIP_MINOR + 1))).toEqual([
      { path: "tipMinor", code: "tip_too_large" },
    ]);
  });

  it.each([-1, 1.5, Number.NaN])("refuses tip %s with invalid_tip", (tip) => {
    expect(errorsOf(priceCart(MENU, [cola()], FEES, 0, tip))).toEqual([{ path: "tipMinor", code: "invalid_tip" }]);
  });
});

describe("priceCart: fees and tax", () => {
  it.each([
    [0, 0],
    [0.4, 0],
    [0.6, 1],
    [1, 1],
    [1000, 1],
    [1000.4, 1],
    [1000.5, 2],
    [1001, 2],
    [2500, 3],
  ])("bills %s m as %s started km", (metres, km) => {
    expect(billableKm(metres)).toBe(km);
  });

  it("charges the base fee plus the per-km fee for each started kilometre", () => {
    expect(ok(priceCart(MENU, [cola()], FEES, 2_300, 0)).deliveryFeeMinor).toBe(199 + 3 * 50);
    expect(ok(priceCart(MENU, [cola()], FEES, 0, 0)).deliveryFeeMinor).toBe(199);
  });

  it("multiplies the whole delivery fee by surge, and taxes the surged fee", () => {
    const surged = ok(priceCart(MENU, [cola()], { ...FEES, deliveryFeeMultiplierBps: 15_000 }, 2_300, 0));
    expect(surged.deliveryFeeMinor).toBe(Math.floor(((199 + 3 * 50) * 15_000 + 5_000) / 10_000));
    const plain = ok(priceCart(MENU, [cola()], FEES, 2_300, 0));
    expect(surged.serviceFeeMinor).toBe(plain.serviceFeeMinor);
    expect(surged.taxMinor).toBeGreaterThan(plain.taxMinor);
    expect(() => priceCart(MENU, [cola()], { ...FEES, deliveryFeeMultiplierBps: 9_000 }, 0, 0)).toThrow(RangeError);
  });

  it.each([
    [1000, 500, 50],
    [10, 500, 1], // 0.5 rounds up
    [9, 500, 0], // 0.45 rounds down
    [30, 500, 2], // 1.5 rounds up
    [0, 500, 0],
    [12345, 0, 0],
    [12345, 10_000, 12345],
  ])("applies basis points to %s at %s bps as %s, rounding half up", (amount, bps, expected) => {
    expect(applyBps(amount, bps)).toBe(expected);
  });

  it("charges service fee on the subtotal and tax on subtotal, delivery and service", () => {
    // subtotal 250; service 5% = 12.5 → 13; delivery 199 + 1 km × 50 = 249; tax 10% of 512 = 51.2 → 51
    const result = ok(priceCart(MENU, [cola()], FEES, 800, 100));
    expect(result).toMatchObject({
      subtotalMinor: 250,
      serviceFeeMinor: 13,
      deliveryFeeMinor: 249,
      taxMinor: 51,
      tipMinor: 100,
      totalMinor: 250 + 13 + 249 + 51 + 100,
    });
  });

  it("charges no service fee or tax when the policy sets zero basis points", () => {
    const result = ok(priceCart(MENU, [cola()], { ...FEES, serviceFeeBps: 0, taxBps: 0 }, 0, 0));
    expect(result).toMatchObject({ serviceFeeMinor: 0, taxMinor: 0, totalMinor: 250 + 199 });
  });
});

// mulberry32: small, seeded and good enough to explore carts reproducibly.
function randomCase(rand: () => number) {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const items: MenuItemForPricing[] = Array.from({ length: int(1, 8) }, (_, i) => ({
    id: `item-${i}`,
    name: `Item ${i}`,
    priceMinor: int(0, 50_000),
    available: true,
    groups: Array.from({ length: int(0, 3) }, (_, g) => {
      const options = Array.from({ length: int(1, 5) }, (_, o) => ({
        id: `item-${i}-g${g}-o${o}`,
        name: `Option ${o}`,
        priceDeltaMinor: int(0, 2_000),
        available: true,
      }));
      const minChoices = int(0, Math.min(2, options.length));
      return { id: `g${g}`, name: `Group ${g}`, minChoices, maxChoices: int(minChoices, options.length), options };
    }),
  }));
  const menu: MenuForPricing = { restaurantId: "r", version: 1, currency: "EUR", items };
  const lines: CartLine[] = Array.from({ length: int(1, 50) }, () => {
    const item = items[int(0, items.length - 1)] as MenuItemForPricing;
    const optionIds = item.groups.flatMap((group) => {
      const shuffled = [...group.options].sort(() => rand() - 0.5);
      return shuffled.slice(0, int(group.minChoices, group.maxChoices)).map((o) => o.id);
    });
    return { itemId: item.id, quantity: int(1, 99), optionIds };
  });
  const fees: FeePolicy = {
    baseDeliveryFeeMinor: int(0, 1_000),
    perKmFeeMinor: int(0, 300),
    serviceFeeBps: int(0, 2_000),
    taxBps: int(0, 2_500),
    currency: "EUR",
  };
  return { menu, lines, fees, distanceM: rand() * 20_000, tipMinor: int(0, MAX_TIP_MINOR) };
}

describe("priceCart: properties over random valid carts", () => {
  const CASES = 500;

  it("always prices a valid cart and the total always equals the sum of its parts", () => {
    const rand = seededRandom(0xc0ffee);
    for (let n = 0; n < CASES; n++) {
      const c = randomCase(rand);
      const result = ok(priceCart(c.menu, c.lines, c.fees, c.distanceM, c.tipMinor));
      const context = `case ${n}`;
      expect(result.totalMinor, context).toBe(
        result.subtotalMinor + result.deliveryFeeMinor + result.serviceFeeMinor + result.taxMinor + result.tipMinor,
      );
      expect(result.subtotalMinor, context).toBe(result.lines.reduce((sum, l) => sum + l.lineTotalMinor, 0));
      for (const line of result.lines) {
        const item = c.menu.items.find((i) => i.id === line.itemId);
        const deltas = line.options.reduce((sum, o) => sum + o.priceDeltaMinor, 0);
        expect(line.unitPriceMinor, context).toBe((item?.priceMinor ?? Number.NaN) + deltas);
        expect(line.lineTotalMinor, context).toBe(line.unitPriceMinor * line.quantity);
      }
      expect(
        result.lines.map((l) => l.lineNo),
        context,
      ).toEqual(c.lines.map((_, i) => i + 1));
      for (const amount of [result.totalMinor, result.serviceFeeMinor, result.taxMinor, result.deliveryFeeMinor]) {
        expect(Number.isSafeInteger(amount) && amount >= 0, context).toBe(true);
      }
    }
  });

  it("keeps rounded fees within half a minor unit of the exact value", () => {
    const rand = seededRandom(42);
    for (let n = 0; n < CASES; n++) {
      const c = randomCase(rand);
      const r = ok(priceCart(c.menu, c.lines, c.fees, c.distanceM, c.tipMinor));
      const exactService = (r.subtotalMinor * c.fees.serviceFeeBps) / 10_000;
      const exactTax = ((r.subtotalMinor + r.deliveryFeeMinor + r.serviceFeeMinor) * c.fees.taxBps) / 10_000;
      expect(Math.abs(r.serviceFeeMinor - exactService)).toBeLessThanOrEqual(0.5);
      // Rounded per line and per fee (decision 0052): half a unit each at most.
      expect(Math.abs(r.taxMinor - exactTax)).toBeLessThanOrEqual(0.5 * (r.lines.length + 3));
    }
  });

  it("gives the same price for the same cart every time", () => {
    const c = randomCase(seededRandom(7));
    expect(priceCart(c.menu, c.lines, c.fees, c.distanceM, c.tipMinor)).toEqual(
      priceCart(structuredClone(c.menu), structuredClone(c.lines), { ...c.fees }, c.distanceM, c.tipMinor),
    );
  });
});
