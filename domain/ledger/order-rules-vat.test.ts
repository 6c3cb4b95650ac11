// Tax booked in both modes (decision 0052): added on top or contained in the prices.
import { describe, expect, it } from "vitest";
import { courierAccount, PLATFORM, restaurantAccount } from "./accounts.ts";
import { balances, isBalanced } from "./booking.ts";
import { bookOrder, type LedgerOrder, orderShares } from "./order-rules.ts";

const RESTAURANT = "11111111-1111-4111-8111-111111111111";
const COURIER = "22222222-2222-4222-8222-222222222222";

// 2 × 11.30 bacalhau (13 % incl.) + 6.15 wine (23 % incl.), delivery 2.00 and a 1.50 small-order fee (23 % incl.).
const inclusive: LedgerOrder = {
  id: "33333333-3333-4333-8333-333333333333",
  restaurantId: RESTAURANT,
  courierId: COURIER,
  currency: "EUR",
  subtotalMinor: 2875,
  deliveryFeeMinor: 200,
  serviceFeeMinor: 0,
  smallOrderFeeMinor: 150,
  taxMinor: 260 + 115 + 37 + 28,
  itemsTaxMinor: 375,
  taxIncluded: true,
  tipMinor: 100,
  totalMinor: 2875 + 200 + 150 + 100,
  discountMinor: 0,
  discountFundedBy: "platform",
  commissionBps: 1500,
};

const history = (total: number) => [
  { id: "p", seq: 1, type: "order.placed", at: 1, payload: {} },
  { id: "pay", seq: 2, type: "order.paid", at: 2, payload: { amountMinor: total, state: "paid" } },
  { id: "d", seq: 3, type: "order.delivered", at: 3, payload: { state: "delivered" } },
];

describe("tax in the ledger", () => {
  it("takes included VAT out of the restaurant's food and the platform's fees, not out of the courier", () => {
    const shares = orderShares(inclusive);
    // Commission on the gross subtotal (431), then the food's VAT (375) leaves the restaurant.
    expect(shares.restaurantMinor).toBe(2875 - 431 - 375);
    expect(shares.courierPayMinor).toBe(200);
    expect(shares.platformMinor).toBe(431 + 150 - 65);
    expect(shares.taxMinor).toBe(440);
    const bookings = bookOrder(inclusive, history(inclusive.totalMinor));
    expect(bookings.every(isBalanced)).toBe(true);
    const b = balances(bookings);
    expect(b.get(`${PLATFORM.taxesCollected}|EUR`)).toBe(-440);
    expect(b.get(`${restaurantAccount(RESTAURANT)}|EUR`)).toBe(-2069);
    expect(b.get(`${courierAccount(COURIER)}|EUR`)).toBe(-300);
    expect(b.get(`${PLATFORM.customerFunds}|EUR`) ?? 0).toBe(0);
    expect(b.get(`${PLATFORM.stripeBalance}|EUR`)).toBe(inclusive.totalMinor);
  });

  it("books added tax on top, and the small-order fee as platform revenue", () => {
    const added: LedgerOrder = {
      ...inclusive,
      taxIncluded: false,
      taxMinor: 500,
      itemsTaxMinor: 420,
      totalMinor: 2875 + 200 + 150 + 500 + 100,
    };
    const shares = orderShares(added);
    expect(shares.restaurantMinor).toBe(2875 - 431);
    expect(shares.platformMinor).toBe(431 + 150);
    const b = balances(bookOrder(added, history(added.totalMinor)));
    expect(b.get(`${PLATFORM.taxesCollected}|EUR`)).toBe(-500);
    expect(b.get(`${PLATFORM.revenue}|EUR`)).toBe(-581);
  });

  it("balances and settles customer funds to zero for random orders in both modes", () => {
    for (let n = 0; n < 300; n++) {
      const sub = (n * 7919) % 20_000;
      const itemsTax = Math.floor(sub * 0.13);
      const tax = itemsTax + (n % 97);
      const included = n % 2 === 0;
      const o: LedgerOrder = {
        ...inclusive,
        subtotalMinor: sub,
        deliveryFeeMinor: n % 500,
        serviceFeeMinor: n % 300,
        smallOrderFeeMinor: n % 3 === 0 ? 150 : 0,
        taxMinor: tax,
        itemsTaxMinor: itemsTax,
        taxIncluded: included,
        tipMinor: n % 400,
      };
      o.totalMinor =
        sub + o.deliveryFeeMinor + o.serviceFeeMinor + (o.smallOrderFeeMinor ?? 0) + (included ? 0 : tax) + o.tipMinor;
      const bookings = bookOrder(o, history(o.totalMinor));
      expect(bookings.every(isBalanced), `case ${n}`).toBe(true);
      const b = balances(bookings);
      expect(b.get(`${PLATFORM.customerFunds}|EUR`) ?? 0, `case ${n}`).toBe(0);
      expect(0 - (b.get(`${PLATFORM.taxesCollected}|EUR`) ?? 0), `case ${n}`).toBe(tax);
    }
  });
});
