import { describe, expect, it } from "vitest";
import { finalPrice } from "./final-price.ts";
import { priceCart } from "./price-cart.ts";
import {
  checkDraft,
  discountFor,
  evaluatePromotion,
  normalizeCode,
  type Promotion,
  type PromotionFacts,
} from "./promotions.ts";

const RESTAURANT = "11111111-1111-4111-8111-111111111111";
const NOW = Date.UTC(2026, 10, 30, 12);

const promo = (over: Partial<Promotion> = {}): Promotion => ({
  id: "p1",
  code: "WELCOME10",
  kind: "percent",
  percentBps: 1000,
  amountMinor: null,
  maxDiscountMinor: null,
  currency: "EUR",
  minOrderMinor: 0,
  firstOrderOnly: false,
  perCustomerLimit: null,
  budgetMinor: null,
  spentMinor: 0,
  startsAt: NOW - 1000,
  endsAt: NOW + 1000,
  fundedBy: "platform",
  restaurantId: null,
  disabledAt: null,
  ...over,
});

const facts = (over: Partial<PromotionFacts> = {}): PromotionFacts => ({
  now: NOW,
  restaurantId: RESTAURANT,
  currency: "EUR",
  subtotalMinor: 2000,
  customerRedemptions: 0,
  customerHasOrdered: false,
  ...over,
});

describe("evaluatePromotion", () => {
  it("gives a percentage of the subtotal, rounded half up", () => {
    expect(evaluatePromotion(promo(), facts({ subtotalMinor: 1995 }))).toEqual({ ok: true, discountMinor: 200 });
    expect(evaluatePromotion(promo(), facts({ subtotalMinor: 1994 }))).toEqual({ ok: true, discountMinor: 199 });
  });

  it("caps a percentage at maxDiscountMinor and a fixed amount at the subtotal", () => {
    expect(evaluatePromotion(promo({ maxDiscountMinor: 150 }), facts())).toEqual({ ok: true, discountMinor: 150 });
    const fixed = promo({ kind: "fixed", percentBps: null, amountMinor: 5000 });
    expect(evaluatePromotion(fixed, facts({ subtotalMinor: 1200 }))).toEqual({ ok: true, discountMinor: 1200 });
  });

  it.each([
    [{ disabledAt: NOW - 1 }, {}, "promotion_disabled"],
    [{ startsAt: NOW + 1 }, {}, "promotion_not_started"],
    [{ endsAt: NOW }, {}, "promotion_expired"],
    [{ restaurantId: "22222222-2222-4222-8222-222222222222" }, {}, "promotion_other_restaurant"],
    [{ currency: "GBP" }, {}, "promotion_currency_mismatch"],
    [{ minOrderMinor: 2001 }, {}, "promotion_min_order"],
    [{ firstOrderOnly: true }, { customerHasOrdered: true }, "promotion_first_order_only"],
    [{ perCustomerLimit: 2 }, { customerRedemptions: 2 }, "promotion_customer_limit"],
    [{ budgetMinor: 1000, spentMinor: 801 }, {}, "promotion_budget_exhausted"],
  ] as Array<[Partial<Promotion>, Partial<PromotionFacts>, string]>)("refuses %o %o with %s", (p, f, code) => {
    const result = evaluatePromotion(promo(p), facts(f));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe(code);
  });

  it("accepts at the edges: minimum met exactly, budget spent exactly, limit not yet reached", () => {
    const edge = promo({ minOrderMinor: 2000, budgetMinor: 1000, spentMinor: 800, perCustomerLimit: 2 });
    expect(evaluatePromotion(edge, facts({ customerRedemptions: 1 }))).toEqual({ ok: true, discountMinor: 200 });
  });
});

describe("a discount on the price (finalPrice)", () => {
  const menu = {
    restaurantId: RESTAURANT,
    version: 1,
    currency: "EUR",
    items: [{ id: "i1", name: "Pizza", priceMinor: 1000, available: true, groups: [] }],
  };
  const fees = { baseDeliveryFeeMinor: 200, perKmFeeMinor: 50, serviceFeeBps: 500, taxBps: 1000, currency: "EUR" };

  it("takes the discount off the food and its tax; fees, their tax and the tip stay as priced", () => {
    const priced = priceCart(menu, [{ itemId: "i1", quantity: 2, optionIds: [] }], fees, 1500, 150);
    if (!priced.ok) throw new Error("priced");
    const discounted = finalPrice(priced, 300);
    // The food's tax falls from 2.00 to 1.70 (10 % of 17.00): the discount reduces the taxable base.
    expect(discounted.itemsTaxMinor).toBe(170);
    expect(discounted.taxMinor - discounted.itemsTaxMinor).toBe(priced.taxMinor - priced.itemsTaxMinor);
    expect([discounted.deliveryFeeMinor, discounted.serviceFeeMinor, discounted.tipMinor]).toEqual([
      priced.deliveryFeeMinor,
      priced.serviceFeeMinor,
      priced.tipMinor,
    ]);
    expect(discounted.totalMinor).toBe(priced.totalMinor - 300 - 30);
  });

  it("never below zero, never more than the subtotal", () => {
    const priced = priceCart(menu, [{ itemId: "i1", quantity: 1, optionIds: [] }], fees, 0, 0);
    if (!priced.ok) throw new Error("priced");
    expect(finalPrice(priced, 5000).discountMinor).toBe(1000);
    expect(finalPrice(priced, -5).totalMinor).toBe(priced.totalMinor);
  });

  it("for any subtotal and promotion the discount lies in [0, subtotal]", () => {
    for (let i = 0; i < 2000; i++) {
      const subtotal = (i * 7919) % 100_000;
      const p = promo(
        i % 2 === 0
          ? { percentBps: 1 + ((i * 31) % 10_000), maxDiscountMinor: i % 3 === 0 ? (i * 13) % 5000 : null }
          : { kind: "fixed", percentBps: null, amountMinor: 1 + ((i * 17) % 50_000) },
      );
      const d = discountFor(p, subtotal);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(subtotal);
      expect(Number.isSafeInteger(d)).toBe(true);
    }
  });
});

describe("checkDraft", () => {
  const draft = {
    code: "spring-25",
    kind: "percent" as const,
    percentBps: 2500,
    currency: "EUR",
    minOrderMinor: 0,
    firstOrderOnly: false,
    perCustomerLimit: 1,
    budgetMinor: 10_000,
    startsAt: NOW,
    endsAt: NOW + 86_400_000,
    fundedBy: "restaurant" as const,
    restaurantId: RESTAURANT,
  };

  it("accepts a complete draft and normalises its code", () => {
    expect(checkDraft(draft)).toEqual([]);
    expect(normalizeCode(" spring-25 ")).toBe("SPRING-25");
  });

  it("names each problem", () => {
    const codes = checkDraft({
      ...draft,
      code: "x",
      percentBps: 0,
      amountMinor: 5,
      endsAt: NOW,
      restaurantId: null,
    }).map((p) => `${p.path}:${p.code}`);
    expect(codes).toEqual([
      "code:invalid_code",
      "percentBps:required",
      "amountMinor:not_allowed",
      "endsAt:invalid_window",
      "restaurantId:required",
    ]);
    expect(checkDraft({ ...draft, kind: "fixed", percentBps: null }).map((p) => p.code)).toEqual(["required"]);
  });
});
