// The projection's rows become the ledger fold's order: every charged amount must cross, the
// three-decimal charge's rounding included, or a KWD order's delivery booking loses its
// `platform:rounding` line (the fold then balances by the wrong shares).
import { describe, expect, it } from "vitest";
import { PLATFORM } from "../../domain/ledger/accounts.ts";
import { balances, isBalanced } from "../../domain/ledger/booking.ts";
import { ledgerBookings, type OrderHistoryRow } from "./ledger.ts";

const ORDER = "33333333-3333-4333-8333-333333333333";

function row(seq: number, type: string, payload: Record<string, unknown>): OrderHistoryRow {
  return {
    ledger: true,
    orderId: ORDER,
    restaurantId: "11111111-1111-4111-8111-111111111111",
    courierId: "22222222-2222-4222-8222-222222222222",
    currency: "KWD",
    // 8.250 of food, 0.500 delivery, 5 % VAT added (0.388), charged 9.140 after rounding up by 0.002.
    subtotalMinor: 8_250,
    deliveryFeeMinor: 500,
    serviceFeeMinor: 0,
    taxMinor: 388,
    taxIncluded: false,
    itemsTaxMinor: 0,
    smallOrderFeeMinor: 0,
    tipMinor: 0,
    totalMinor: 9_140,
    roundingMinor: 2,
    discountMinor: 0,
    promotionFundedBy: null,
    commissionBps: 1_000,
    eventId: `e${seq}`,
    seq,
    type,
    actorId: "system",
    occurredAt: new Date(seq * 1000),
    payload,
  };
}

describe("ledgerBookings", () => {
  it("books the charge's rounding to its own account when the order is delivered", () => {
    const bookings = ledgerBookings([
      row(1, "order.placed", {}),
      row(2, "order.paid", { amountMinor: 9_140, state: "paid" }),
      row(3, "order.delivered", { state: "delivered" }),
    ]);
    expect(bookings.map((b) => b.kind)).toEqual(["order_paid", "order_delivered"]);
    expect(bookings.every(isBalanced)).toBe(true);
    // Credited 2 fils (negative: a credit), and the rest of the split is exactly the rules' shares.
    const at = (account: string) => balances(bookings).get(`${account}|KWD`) ?? 0;
    expect(at(PLATFORM.rounding)).toBe(-2);
    expect(at(PLATFORM.taxesCollected)).toBe(-388);
  });
});
