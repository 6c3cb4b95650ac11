// A new order's snapshot: where every order starts.
import { describe, expect, it } from "vitest";
import { fresh, T0 } from "./order-test-kit.ts";
import { newOrderSnapshot } from "./snapshot.ts";

describe("newOrderSnapshot", () => {
  it("starts placed, unpaid, with no delivery", () => {
    expect(fresh()).toMatchObject({
      state: "placed",
      delivery: "none",
      paidMinor: 0,
      refundedMinor: 0,
      courierId: null,
    });
  });

  it("refuses a non-integer total", () => {
    expect(() =>
      newOrderSnapshot({ id: "o", customerId: "c", restaurantId: "r", totalMinor: 1.5, currency: "EUR", placedAt: T0 }),
    ).toThrow(RangeError);
  });
});
