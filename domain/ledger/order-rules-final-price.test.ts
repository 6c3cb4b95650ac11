// The ledger of an order priced by finalPrice: the tax collected is on the
// discounted food, and a three-decimal charge's rounding to 10 fils has its
// own account, so every share is exactly what the rules say and nothing is
// left over for the platform's catch-all (decision 0052's addendum).
import { describe, expect, it } from "vitest";
import { finalPrice } from "../pricing/final-price.ts";
import { type FeePolicy, type PricedCart, priceCart } from "../pricing/price-cart.ts";
import { seededRandom } from "../random/seeded-random.ts";
import { courierAccount, PLATFORM, restaurantAccount } from "./accounts.ts";
import { balances, isBalanced } from "./booking.ts";
import { bookOrder, type LedgerOrder, orderShares } from "./order-rules.ts";

const RESTAURANT = "11111111-1111-4111-8111-111111111111";
const COURIER = "22222222-2222-4222-8222-222222222222";

const history = (total: number) => [
  { id: "p", seq: 1, type: "order.placed", at: 1, payload: {} },
  { id: "pay", seq: 2, type: "order.paid", at: 2, payload: { amountMinor: total, state: "paid" } },
  { id: "d", seq: 3, type: "order.delivered", at: 3, payload: { state: "delivered" } },
];

function ledgerOrder(
  p: ReturnType<typeof finalPrice>,
  fundedBy: "platform" | "restaurant",
  commissionBps: number,
): LedgerOrder {
  return {
    id: "33333333-3333-4333-8333-333333333333",
    restaurantId: RESTAURANT,
    courierId: COURIER,
    currency: p.currency,
    subtotalMinor: p.subtotalMinor,
    deliveryFeeMinor: p.deliveryFeeMinor,
    serviceFeeMinor: p.serviceFeeMinor,
    smallOrderFeeMinor: p.smallOrderFeeMinor,
    taxMinor: p.taxMinor,
    itemsTaxMinor: p.itemsTaxMinor,
    taxIncluded: p.taxIncluded,
    tipMinor: p.tipMinor,
    totalMinor: p.totalMinor,
    roundingMinor: p.roundingMinor,
    discountMinor: p.discountMinor,
    discountFundedBy: fundedBy,
    commissionBps,
  };
}

function ok(r: ReturnType<typeof priceCart>): PricedCart {
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe("booking a KWD order with a discount", () => {
  // 3 × 2.750 machboos, 0.500 delivery, 5 % VAT added, 1.000 off (platform-funded), 10 % commission.
  const fees: FeePolicy = {
    baseDeliveryFeeMinor: 500,
    perKmFeeMinor: 0,
    serviceFeeBps: 0,
    taxBps: 500,
    currency: "KWD",
  };
  const menu = {
    restaurantId: "r",
    version: 1,
    currency: "KWD",
    items: [{ id: "m", name: "machboos", priceMinor: 2750, available: true, groups: [] }],
  };
  const priced = finalPrice(ok(priceCart(menu, [{ itemId: "m", quantity: 3, optionIds: [] }], fees, 0, 0)), 1000);

  it("collects tax on the discounted food and books the 2 fils rounded up", () => {
    expect([priced.taxMinor, priced.roundingMinor, priced.totalMinor]).toEqual([388, 2, 8140]);
    const order = ledgerOrder(priced, "platform", 1000);
    const bookings = bookOrder(order, history(order.totalMinor));
    expect(bookings.every(isBalanced)).toBe(true);
    const b = balances(bookings);
    const at = (account: string) => b.get(`${account}|KWD`) ?? 0;
    expect(at(PLATFORM.stripeBalance)).toBe(8140);
    expect(at(PLATFORM.taxesCollected)).toBe(-388);
    expect(at(PLATFORM.rounding)).toBe(-2);
    expect(at(PLATFORM.promotions)).toBe(1000);
    expect(at(restaurantAccount(RESTAURANT))).toBe(-(8250 - 825));
    expect(at(courierAccount(COURIER))).toBe(-500);
    expect(at(PLATFORM.revenue)).toBe(-825);
    expect(at(PLATFORM.customerFunds)).toBe(0);
  });

  it("books a charge rounded down as the platform's expense", () => {
    const down = finalPrice(ok(priceCart(menu, [{ itemId: "m", quantity: 3, optionIds: [] }], fees, 0, 6)), 0);
    expect([down.roundingMinor, down.totalMinor]).toEqual([-4, 9190]);
    const bookings = bookOrder(ledgerOrder(down, "platform", 1000), history(down.totalMinor));
    expect(bookings.every(isBalanced)).toBe(true);
    expect(balances(bookings).get(`${PLATFORM.rounding}|KWD`)).toBe(4);
  });
});

describe("property: priced orders book exactly, with nothing left over", () => {
  it("holds over random carts, modes, discounts, funders and currencies", () => {
    const rand = seededRandom(0x1ed6e5);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    for (let n = 0; n < 500; n++) {
      const currency = ["EUR", "KWD", "BHD", "JPY", "TND"][int(0, 4)] as string;
      const items = Array.from({ length: int(1, 4) }, (_, i) => ({
        id: `i${i}`,
        name: `i${i}`,
        priceMinor: int(0, 20_000),
        available: true,
        groups: [],
        ...(rand() < 0.4 && { taxBps: [0, 1300, 2300][int(0, 2)] as number }),
      }));
      const lines = Array.from({ length: int(1, 5) }, () => ({
        itemId: `i${int(0, items.length - 1)}`,
        quantity: int(1, 9),
        optionIds: [],
      }));
      const fees: FeePolicy = {
        baseDeliveryFeeMinor: int(0, 3000),
        perKmFeeMinor: int(0, 300),
        serviceFeeBps: int(0, 1500),
        taxBps: int(0, 2500),
        currency,
        taxIncluded: rand() < 0.5,
        smallOrderMinimumMinor: int(0, 10_000),
        smallOrderFeeMinor: int(0, 800),
      };
      const before = ok(
        priceCart({ restaurantId: "r", version: 1, currency, items }, lines, fees, rand() * 8000, int(0, 2000)),
      );
      const p = finalPrice(before, rand() < 0.3 ? 0 : int(0, before.subtotalMinor));
      const order = ledgerOrder(p, rand() < 0.5 ? "platform" : "restaurant", int(0, 3000));
      const context = `case ${n}`;
      const shares = orderShares(order);
      // No plug: the platform's share is exactly commission and fees less the fees' included VAT.
      const feesTax = p.taxIncluded ? p.taxMinor - p.itemsTaxMinor : 0;
      expect(shares.platformMinor, context).toBe(
        shares.commissionMinor + p.serviceFeeMinor + p.smallOrderFeeMinor - feesTax,
      );
      const bookings = bookOrder(order, history(order.totalMinor));
      expect(bookings.every(isBalanced), context).toBe(true);
      const b = balances(bookings);
      const at = (account: string) => b.get(`${account}|${currency}`) ?? 0;
      expect(at(PLATFORM.customerFunds), context).toBe(0);
      expect(0 - at(PLATFORM.taxesCollected), context).toBe(p.taxMinor);
      expect(0 - at(PLATFORM.rounding), context).toBe(p.roundingMinor);
      expect(at(PLATFORM.stripeBalance), context).toBe(p.totalMinor);
    }
  });
});
