import { describe, expect, it } from "vitest";
import { isBalanced } from "./booking.ts";
import { bookPayout, payoutPeriod, planPayouts } from "./payouts.ts";

describe("planPayouts", () => {
  it("pays what is owed less what an open dispute freezes, nothing when nothing is owed", () => {
    const period = payoutPeriod(Date.UTC(2026, 10, 29, 3, 0));
    expect(period).toBe("2026-11-29");
    const plan = planPayouts(
      [
        { account: "restaurant:a", currency: "EUR", balanceMinor: -5000, disputedMinor: -2000 },
        { account: "courier:b", currency: "EUR", balanceMinor: -549, disputedMinor: 0 },
        { account: "restaurant:c", currency: "EUR", balanceMinor: 300, disputedMinor: 0 },
        { account: "restaurant:d", currency: "EUR", balanceMinor: -1000, disputedMinor: -1500 },
      ],
      period,
    );
    expect(plan).toEqual([
      { account: "courier:b", currency: "EUR", amountMinor: 549, period, key: "payout:courier:b:EUR:2026-11-29" },
      {
        account: "restaurant:a",
        currency: "EUR",
        amountMinor: 3000,
        period,
        key: "payout:restaurant:a:EUR:2026-11-29",
      },
    ]);
    const booked = plan.map((p) => bookPayout(p, 0));
    expect(booked.every(isBalanced)).toBe(true);
    expect(booked[1]?.entries[0]).toMatchObject({ account: "restaurant:a", amountMinor: 3000 });
  });
});
