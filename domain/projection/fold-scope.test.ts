import { describe, expect, it } from "vitest";
import { foldScope } from "./fold-scope.ts";

describe("foldScope", () => {
  it("gives each touched order the lowest sequence the batch brought, in order id order", () => {
    const scope = foldScope([
      { orderId: "b", seq: 7, type: "order.preparing" },
      { orderId: "a", seq: 4, type: "order.accepted" },
      { orderId: "b", seq: 5, type: "order.accepted" },
      { orderId: "b", seq: 6, type: "order.accepted" },
      { orderId: "a", seq: 2, type: "order.payment_started" },
    ]);
    expect(scope).toEqual([
      { orderId: "a", fromSeq: 2, exceptions: false },
      { orderId: "b", fromSeq: 5, exceptions: false },
    ]);
  });

  it("marks the orders whose batch events can open or settle an exception, wherever they sit", () => {
    const scope = foldScope([
      { orderId: "a", seq: 8, type: "order.courier_assigned" },
      { orderId: "a", seq: 9, type: "order.ready" },
      { orderId: "b", seq: 2, type: "order.paid" },
      { orderId: "c", seq: 3, type: "order.accepted" },
      { orderId: "c", seq: 13, type: "order.delivered" },
    ]);
    expect(scope.map((s) => [s.orderId, s.exceptions])).toEqual([
      ["a", true],
      ["b", false],
      ["c", true],
    ]);
  });

  it("is empty for an empty batch", () => {
    expect(foldScope([])).toEqual([]);
  });
});
