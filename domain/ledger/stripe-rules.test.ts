import { describe, expect, it } from "vitest";
import { PLATFORM } from "./accounts.ts";
import { balances, isBalanced } from "./booking.ts";
import { bookDisputeClosed, bookDisputeOpened, bookReversal, bookStripeRefund } from "./stripe-rules.ts";

const dispute = {
  disputeId: "dp_1",
  amountMinor: 3000,
  feeMinor: 1500,
  currency: "eur",
  orderId: null,
  status: "needs_response",
  at: 1,
};

describe("Stripe after-the-fact rules", () => {
  it("books a dashboard refund to the platform and leaves the platform's own refunds to the order", () => {
    const fact = { refundId: "re_1", amountMinor: 700, currency: "eur", orderId: null, madeByPlatform: false, at: 1 };
    const b = bookStripeRefund(fact);
    expect(b && isBalanced(b)).toBe(true);
    expect(b?.key).toBe("refund:re_1");
    expect(b?.currency).toBe("EUR");
    expect(bookStripeRefund({ ...fact, madeByPlatform: true })).toBeNull();
  });

  it("a dispute withdraws amount and fee; won brings the amount back, lost makes it the platform's refund", () => {
    const opened = bookDisputeOpened(dispute);
    const won = bookDisputeClosed({ ...dispute, status: "won" });
    const lost = bookDisputeClosed({ ...dispute, status: "lost" });
    expect(bookDisputeClosed(dispute)).toBeNull();
    if (!opened || !won || !lost) throw new Error("expected bookings");
    expect([opened, won, lost].every(isBalanced)).toBe(true);
    const afterWin = balances([opened, won]);
    expect(afterWin.get(`${PLATFORM.disputes}|EUR`)).toBe(0);
    expect(afterWin.get(`${PLATFORM.stripeBalance}|EUR`)).toBe(-1500);
    const afterLoss = balances([opened, lost]);
    expect(afterLoss.get(`${PLATFORM.disputes}|EUR`)).toBe(0);
    expect(afterLoss.get(`${PLATFORM.customerRefunds}|EUR`)).toBe(3000);
    expect(afterLoss.get(`${PLATFORM.stripeBalance}|EUR`)).toBe(-4500);
  });

  it("a reversal books every entry of the original the other way, so the accounts stand as before", () => {
    const opened = bookDisputeOpened(dispute);
    if (!opened) throw new Error("no booking");
    const reversal = bookReversal(opened, { key: "x:reversed", kind: "refund_failed", at: 2, memo: "failed" });
    expect(reversal && isBalanced(reversal)).toBe(true);
    expect(reversal?.key).toBe("x:reversed");
    const after = balances(reversal ? [opened, reversal] : [opened]);
    expect([...after.values()].every((v) => v === 0)).toBe(true);
    expect(bookReversal({ ...opened, entries: [] }, { key: "y", kind: "k", at: 2, memo: "m" })).toBeNull();
  });
});
