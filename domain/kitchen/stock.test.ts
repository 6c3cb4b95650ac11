import { describe, expect, it } from "vitest";
import { applyStockChange, quantitiesByItem, reserveStock } from "./stock.ts";

describe("reserveStock", () => {
  const levels = new Map([
    ["milk", 3],
    ["bread", 0],
  ]);

  it("takes what tracked items the cart holds and ignores untracked ones", () => {
    expect(
      reserveStock(levels, [
        { itemId: "milk", quantity: 2 },
        { itemId: "apples", quantity: 40 },
      ]),
    ).toEqual({ ok: true, taken: [{ itemId: "milk", quantity: 2 }] });
  });

  it("adds up the same item over several lines before checking", () => {
    expect(
      quantitiesByItem([
        { itemId: "milk", quantity: 2 },
        { itemId: "milk", quantity: 2 },
      ]),
    ).toEqual(new Map([["milk", 4]]));
    expect(
      reserveStock(levels, [
        { itemId: "milk", quantity: 2 },
        { itemId: "milk", quantity: 2 },
      ]),
    ).toEqual({ ok: false, shortages: [{ itemId: "milk", requested: 4, available: 3 }] });
  });

  it("is all or nothing and names every shortage", () => {
    expect(
      reserveStock(levels, [
        { itemId: "milk", quantity: 1 },
        { itemId: "bread", quantity: 1 },
      ]),
    ).toEqual({ ok: false, shortages: [{ itemId: "bread", requested: 1, available: 0 }] });
  });

  it("never sells more than there is, however the orders arrive", () => {
    // 200 single-unit orders one after another against 7 units: exactly 7 go through.
    let current: Map<string, number> = new Map([["last-pastries", 7]]);
    let sold = 0;
    for (let i = 0; i < 200; i++) {
      const r = reserveStock(current, [{ itemId: "last-pastries", quantity: 1 + (i % 3) }]);
      if (r.ok) {
        sold += r.taken.reduce((n, t) => n + t.quantity, 0);
        current = applyStockChange(current, r.taken, -1);
      }
    }
    expect(sold).toBe(7);
    expect(current.get("last-pastries")).toBe(0);
  });
});

describe("applyStockChange", () => {
  it("gives units back on release and leaves items that stopped being tracked alone", () => {
    const next = applyStockChange(
      new Map([["milk", 1]]),
      [
        { itemId: "milk", quantity: 2 },
        { itemId: "gone", quantity: 5 },
      ],
      1,
    );
    expect(next).toEqual(new Map([["milk", 3]]));
  });
});
