import { describe, expect, it } from "vitest";
import { pick, seededRandom } from "../random/seeded-random.ts";
import { courierAccount, PLATFORM, restaurantAccount } from "./accounts.ts";
import { type Booking, balances, isBalanced } from "./booking.ts";
import { bookOrder, type LedgerEvent, type LedgerOrder, mayBook, orderShares } from "./order-rules.ts";

const RESTAURANT = "11111111-1111-4111-8111-111111111111";
const COURIER = "22222222-2222-4222-8222-222222222222";

const order: LedgerOrder = {
  id: "33333333-3333-4333-8333-333333333333",
  restaurantId: RESTAURANT,
  courierId: COURIER,
  currency: "EUR",
  subtotalMinor: 3300,
  deliveryFeeMinor: 249,
  serviceFeeMinor: 165,
  taxMinor: 450,
  tipMinor: 300,
  totalMinor: 4464,
  discountMinor: 0,
  discountFundedBy: "platform",
  commissionBps: 1500,
};

let n = 0;
function events(...steps: Array<[string, Record<string, unknown>?]>): LedgerEvent[] {
  return steps.map(([type, payload], i) => ({
    id: `e${++n}`,
    seq: i + 1,
    type,
    at: 1_000 + i,
    payload: payload ?? {},
  }));
}

const paid: [string, Record<string, unknown>] = ["order.paid", { amountMinor: 4464, state: "paid" }];
const refunded = (amountMinor: number, refundId: string, state = "delivered"): [string, Record<string, unknown>] => [
  "order.refunded",
  { amountMinor, refundId, requestEventId: "x", state },
];

function balanceOf(bookings: Booking[], account: string): number {
  return balances(bookings).get(`${account}|EUR`) ?? 0;
}

describe("bookOrder", () => {
  it("splits a delivered order: the restaurant's share, courier pay and the whole tip, commission and fees, tax", () => {
    const shares = orderShares(order);
    expect(shares).toEqual({
      restaurantMinor: 2805,
      commissionMinor: 495,
      courierPayMinor: 249,
      tipMinor: 300,
      platformMinor: 660,
      taxMinor: 450,
      discountMinor: 0,
      roundingMinor: 0,
    });
    const bookings = bookOrder(order, events(["order.placed"], paid, ["order.accepted"], ["order.delivered"]));
    expect(bookings.map((b) => b.kind)).toEqual(["order_paid", "order_delivered"]);
    expect(bookings.every(isBalanced)).toBe(true);
    expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBe(-2805);
    expect(balanceOf(bookings, courierAccount(COURIER))).toBe(-549);
    expect(balanceOf(bookings, PLATFORM.revenue)).toBe(-660);
    expect(balanceOf(bookings, PLATFORM.taxesCollected)).toBe(-450);
    expect(balanceOf(bookings, PLATFORM.customerFunds)).toBe(0);
    expect(balanceOf(bookings, PLATFORM.stripeBalance)).toBe(4464);
    const tip = bookings[1]?.entries.find((e) => e.memo === "tip");
    expect(tip).toEqual({ account: courierAccount(COURIER), amountMinor: -300, memo: "tip" });
  });

  it("kitchen rejection: nobody earns, the customer gets everything back, customer funds end at zero", () => {
    const full = { refund: { amountMinor: 4464 } };
    const bookings = bookOrder(
      order,
      events(
        ["order.placed"],
        paid,
        ["order.rejected", { state: "rejected", ...full }],
        refunded(4464, "re_1", "rejected"),
      ),
    );
    expect(bookings.map((b) => b.kind)).toEqual(["order_paid", "refund"]);
    expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBe(0);
    expect(balanceOf(bookings, PLATFORM.customerFunds)).toBe(0);
    expect(balanceOf(bookings, PLATFORM.stripeBalance)).toBe(0);
  });

  it("an admin's partial refund on cancelling keeps the rest as platform revenue", () => {
    const bookings = bookOrder(
      order,
      events(
        paid,
        ["order.cancelled", { state: "cancelled", refund: { amountMinor: 1000 } }],
        refunded(1000, "re_2", "cancelled"),
      ),
    );
    expect(balanceOf(bookings, PLATFORM.revenue)).toBe(-3464);
    expect(balanceOf(bookings, PLATFORM.customerFunds)).toBe(0);
    expect(balanceOf(bookings, PLATFORM.stripeBalance)).toBe(3464);
  });

  it("failed delivery at the door: the restaurant and courier are paid as for a delivery", () => {
    const bookings = bookOrder(order, events(paid, ["order.delivery_failed", { state: "failed", delivery: "failed" }]));
    expect(bookings.map((b) => b.kind)).toEqual(["order_paid", "delivery_failed"]);
    expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBe(-2805);
    expect(balanceOf(bookings, courierAccount(COURIER))).toBe(-549);
  });

  it("a problem report refunded after delivery is borne by the restaurant up to its share, then the platform", () => {
    const bookings = bookOrder(
      order,
      events(paid, ["order.delivered"], refunded(1000, "re_3"), refunded(2464, "re_4"), refunded(1000, "re_5")),
    );
    expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBe(0);
    expect(balanceOf(bookings, PLATFORM.customerRefunds)).toBe(4464 - 2805);
    expect(balanceOf(bookings, courierAccount(COURIER))).toBe(-549);
    expect(bookings.filter((b) => b.kind === "refund").map((b) => b.key)).toEqual([
      "refund:re_3",
      "refund:re_4",
      "refund:re_5",
    ]);
  });

  it("a refund made while the order was in progress is charged like one after delivery when it is delivered", () => {
    const bookings = bookOrder(
      order,
      events(paid, ["order.refund_requested", { refund: { amountMinor: 500 } }], refunded(500, "re_6", "preparing"), [
        "order.delivered",
      ]),
    );
    expect(balanceOf(bookings, PLATFORM.customerFunds)).toBe(0);
    expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBe(-2305);
  });

  it("a late payment is held and refunded whole", () => {
    const evs = events(
      ["order.payment_expired", { state: "failed" }],
      ["order.late_payment_refund_requested", { amountMinor: 4464 }],
    );
    evs.push({
      id: "late-r",
      seq: 3,
      type: "order.refunded",
      at: 9,
      payload: { amountMinor: 4464, refundId: "re_7", requestEventId: evs[1]?.id },
    });
    const late = bookOrder(order, evs);
    expect(late.map((b) => b.kind)).toEqual(["late_payment", "refund"]);
    expect(balanceOf(late, PLATFORM.customerFunds)).toBe(0);
    expect(balanceOf(late, PLATFORM.stripeBalance)).toBe(0);
    expect(balanceOf(late, PLATFORM.customerRefunds)).toBe(0);
  });

  it("books a platform-funded discount to promotions and leaves every share as without it", () => {
    const discounted: LedgerOrder = { ...order, discountMinor: 500, totalMinor: 3964 };
    const paidLess: [string, Record<string, unknown>] = ["order.paid", { amountMinor: 3964, state: "paid" }];
    const bookings = bookOrder(discounted, events(paidLess, ["order.delivered"]));
    expect(bookings.every(isBalanced)).toBe(true);
    expect(balanceOf(bookings, PLATFORM.promotions)).toBe(500);
    expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBe(-2805);
    expect(balanceOf(bookings, courierAccount(COURIER))).toBe(-549);
    expect(balanceOf(bookings, PLATFORM.revenue)).toBe(-660);
    expect(balanceOf(bookings, PLATFORM.customerFunds)).toBe(0);
  });

  it("takes a restaurant-funded discount from the restaurant's share, and a later refund only from what is left", () => {
    const discounted: LedgerOrder = { ...order, discountMinor: 500, totalMinor: 3964, discountFundedBy: "restaurant" };
    const paidLess: [string, Record<string, unknown>] = ["order.paid", { amountMinor: 3964, state: "paid" }];
    const bookings = bookOrder(discounted, events(paidLess, ["order.delivered"], refunded(3000, "re_after")));
    expect(bookings.every(isBalanced)).toBe(true);
    expect(balanceOf(bookings, PLATFORM.promotions)).toBe(0);
    // 2805 less the 500 it funded; the refund takes the remaining 2305, the platform the other 695.
    expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBe(0);
    expect(balanceOf(bookings, PLATFORM.customerRefunds)).toBe(695);
  });

  it("books nothing for a discount on an order called off", () => {
    const discounted: LedgerOrder = { ...order, discountMinor: 500, totalMinor: 3964 };
    const bookings = bookOrder(
      discounted,
      events(
        ["order.paid", { amountMinor: 3964 }],
        ["order.rejected", { state: "rejected", refund: { amountMinor: 3964 } }],
      ),
    );
    expect(balanceOf(bookings, PLATFORM.promotions)).toBe(0);
  });

  it("folds only events contiguous from seq 1 and ignores duplicates", () => {
    const all = events(paid, ["order.accepted"], ["order.delivered"]);
    const gap = [all[0], all[2]].filter((e): e is LedgerEvent => !!e);
    expect(bookOrder(order, gap).map((b) => b.kind)).toEqual(["order_paid"]);
    const dup = [...all, ...all].reverse();
    expect(bookOrder(order, dup)).toEqual(bookOrder(order, all));
  });
});

describe("bookOrder over random histories", () => {
  it("always balances, sums to zero over all accounts, and is prefix-stable", () => {
    const random = seededRandom(14);
    for (let round = 0; round < 500; round++) {
      const tip = Math.floor(random() * 1000);
      const discount = random() < 0.5 ? 0 : Math.floor(random() * 3301);
      const o: LedgerOrder = {
        ...order,
        id: `order-${round}`,
        courierId: random() < 0.2 ? null : COURIER,
        tipMinor: tip,
        totalMinor: 3300 + 249 + 165 + 450 + tip - discount,
        discountMinor: discount,
        discountFundedBy: random() < 0.5 ? "platform" : "restaurant",
        commissionBps: Math.floor(random() * 10_001),
      };
      const steps: Array<[string, Record<string, unknown>]> = [["order.paid", { amountMinor: o.totalMinor }]];
      let left = o.totalMinor;
      let refunds = 0;
      const ending = pick(random, ["delivered", "failed_delivery", "rejected", "cancelled_partial", "open"]);
      const refundSome = () => {
        const amount = Math.min(left, 1 + Math.floor(random() * 2000));
        if (amount <= 0) return;
        left -= amount;
        steps.push(["order.refund_requested", { refund: { amountMinor: amount } }]);
        steps.push(["order.refunded", { amountMinor: amount, refundId: `re_${round}_${refunds++}` }]);
      };
      if (random() < 0.3) refundSome();
      if (ending === "delivered") steps.push(["order.delivered", { state: "delivered" }]);
      if (ending === "failed_delivery") steps.push(["order.delivery_failed", { state: "failed", delivery: "failed" }]);
      if (ending === "rejected" || ending === "cancelled_partial") {
        const ask = ending === "rejected" ? left : Math.floor(left / 2);
        steps.push([
          `order.${ending === "rejected" ? "rejected" : "cancelled"}`,
          { state: ending === "rejected" ? "rejected" : "cancelled", refund: { amountMinor: ask } },
        ]);
        if (ask > 0) steps.push(["order.refunded", { amountMinor: ask, refundId: `re_${round}_${refunds++}` }]);
        left -= ask;
      }
      while (random() < 0.4 && left > 0) refundSome();
      const evs = events(...steps);
      const bookings = bookOrder(o, evs);
      expect(bookings.every(isBalanced)).toBe(true);
      const total = [...balances(bookings).values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(0);
      // What Stripe holds is what was paid less what went back.
      expect(balanceOf(bookings, PLATFORM.stripeBalance)).toBe(left);
      if (ending !== "open") expect(balanceOf(bookings, PLATFORM.customerFunds)).toBe(0);
      // The courier's pay is never taken back.
      if (ending === "delivered" || ending === "failed_delivery") {
        expect(balanceOf(bookings, courierAccount(COURIER)) || 0).toBe(o.courierId ? -(249 + tip) : 0);
      }
      const earned = ending === "delivered" || ending === "failed_delivery";
      const share = orderShares(o).restaurantMinor;
      const funds = earned && o.discountFundedBy === "restaurant" ? discount : 0;
      // The restaurant never bears a refund beyond what it kept after funding its discount.
      expect(balanceOf(bookings, restaurantAccount(RESTAURANT))).toBeLessThanOrEqual(Math.max(0, funds - share));
      expect(balanceOf(bookings, PLATFORM.promotions)).toBe(earned && o.discountFundedBy === "platform" ? discount : 0);
      for (let cut = 0; cut <= evs.length; cut++) {
        const prefix = bookOrder(o, evs.slice(0, cut));
        expect(bookings.slice(0, prefix.length)).toEqual(prefix);
      }
      const keys = bookings.map((b) => b.key);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});

describe("mayBook", () => {
  // The projection folds an order only when the batch brought an event that passes `mayBook` (or
  // filled the gap before one): if an event that fails it ever booked, that booking would be lost.
  it("every booking comes from an event that passes it, whatever the types, states and payloads", () => {
    const random = seededRandom(61);
    const types = [
      "order.placed",
      "order.payment_started",
      "order.paid",
      "order.payment_failed",
      "order.payment_expired",
      "order.accepted",
      "order.preparing",
      "order.ready",
      "order.picked_up",
      "order.delivered",
      "order.delivery_failed",
      "order.cancelled",
      "order.rejected",
      "order.acceptance_expired",
      "order.refund_requested",
      "order.refunded",
      "order.late_payment_refund_requested",
      "order.problem_reported",
      "order.courier_assigned",
      "order.exception_resolved",
    ];
    const states = [undefined, "placed", "paid", "accepted", "delivered", "rejected", "cancelled", "failed"];
    let booked = 0;
    for (let round = 0; round < 400; round++) {
      const steps: Array<[string, Record<string, unknown>]> = [];
      const length = 1 + Math.floor(random() * 12);
      for (let i = 0; i < length; i++) {
        const type = pick(random, types);
        const payload: Record<string, unknown> = {
          // A payment is of the order's total (any other amount cannot balance at settlement).
          amountMinor: type === "order.paid" ? order.totalMinor : random() < 0.8 ? 1 + Math.floor(random() * 5000) : 0,
          refundId: `re_${round}_${i}`,
          state: pick(random, states),
          delivery: pick(random, [undefined, "failed", "delivered"]),
        };
        if (random() < 0.3) payload.refund = { amountMinor: Math.floor(random() * 3000) };
        steps.push([type, payload]);
      }
      const evs = events(...steps);
      for (let cut = 1; cut <= evs.length; cut++) {
        const before = bookOrder(order, evs.slice(0, cut - 1)).length;
        const after = bookOrder(order, evs.slice(0, cut)).length;
        const added = evs[cut - 1] as LedgerEvent;
        if (after > before) {
          booked++;
          expect(mayBook(added.type, added.payload.state)).toBe(true);
        }
      }
    }
    // The histories did book (a test that booked nothing would prove nothing).
    expect(booked).toBeGreaterThan(200);
  });

  it("passes money-moving types and closing states, not the rest", () => {
    expect(mayBook("order.paid", "paid")).toBe(true);
    expect(mayBook("order.refunded", "delivered")).toBe(true);
    expect(mayBook("order.payment_expired", "failed")).toBe(true);
    expect(mayBook("order.accepted", "accepted")).toBe(false);
    expect(mayBook("order.courier_assigned", undefined)).toBe(false);
  });
});
