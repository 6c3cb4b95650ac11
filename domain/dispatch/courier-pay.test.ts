import { describe, expect, it } from "vitest";
import { courierPay, earnsForOutcome } from "./courier-pay.ts";

describe("courierPay", () => {
  it("passes the delivery fee and the whole tip to the courier", () => {
    expect(courierPay({ deliveryFeeMinor: 349, tipMinor: 200 })).toEqual({
      payMinor: 349,
      tipMinor: 200,
      totalMinor: 549,
    });
  });

  it("never pays a negative or fractional amount", () => {
    expect(courierPay({ deliveryFeeMinor: -5, tipMinor: 10.4 })).toEqual({ payMinor: 0, tipMinor: 10, totalMinor: 10 });
  });

  it("pays for delivered orders and failed deliveries, not for anything that never left the kitchen", () => {
    expect(earnsForOutcome("delivered", "delivered")).toBe(true);
    expect(earnsForOutcome("failed", "failed")).toBe(true);
    expect(earnsForOutcome("failed", "none")).toBe(false);
    expect(earnsForOutcome("cancelled", "assigned")).toBe(false);
  });
});
