import { describe, expect, it } from "vitest";
import { monthTotals, monthWindow, type StatementLine, statementCsv } from "./monthly-statement.ts";

const line = (over: Partial<StatementLine>): StatementLine => ({
  at: "2026-11-03T12:00:00.000Z",
  kind: "order_delivered",
  orderId: "o1",
  memo: "delivery pay",
  currency: "EUR",
  amountMinor: 300,
  ...over,
});

describe("monthWindow", () => {
  it("is the half-open UTC month, December rolling into January", () => {
    expect(monthWindow("2026-12")).toEqual({
      from: new Date("2026-12-01T00:00:00Z"),
      to: new Date("2027-01-01T00:00:00Z"),
    });
    expect(monthWindow("2026-13")).toBeNull();
    expect(monthWindow("2026-1")).toBeNull();
  });
});

describe("monthTotals", () => {
  it("sorts lines into earnings, tips, deductions and payouts; opening plus lines is closing", () => {
    const lines = [
      line({}),
      line({ memo: "tip", amountMinor: 150 }),
      line({ kind: "refund", memo: "refund borne by the restaurant", amountMinor: -200 }),
      line({ kind: "payout", memo: "payout", amountMinor: -1000 }),
      line({ currency: "GBP", amountMinor: 50 }),
    ];
    const totals = monthTotals(new Map([["EUR", 900]]), lines);
    expect(totals).toEqual([
      {
        currency: "EUR",
        openingMinor: 900,
        earningsMinor: 300,
        tipsMinor: 150,
        deductionsMinor: -200,
        payoutsMinor: -1000,
        otherMinor: 0,
        closingMinor: 150,
      },
      {
        currency: "GBP",
        openingMinor: 0,
        earningsMinor: 50,
        tipsMinor: 0,
        deductionsMinor: 0,
        payoutsMinor: 0,
        otherMinor: 0,
        closingMinor: 50,
      },
    ]);
  });

  it("keeps a currency with an opening balance and no lines", () => {
    expect(monthTotals(new Map([["EUR", 42]]), [])[0]?.closingMinor).toBe(42);
  });
});

describe("statementCsv", () => {
  it("quotes text, neutralises formulas, and ends with opening and closing rows", () => {
    const csv = statementCsv([line({ memo: '=HYPERLINK("x")' })], monthTotals(new Map(), [line({})]));
    const rows = csv.trimEnd().split("\r\n");
    expect(rows[0]).toBe("date,kind,order,memo,currency,amount_minor");
    expect(rows[1]).toBe('"2026-11-03T12:00:00.000Z","order_delivered","o1","\'=HYPERLINK(""x"")","EUR",300');
    expect(rows.slice(2)).toEqual(['"opening",,,,"EUR",0', '"closing",,,,"EUR",300']);
  });
});
