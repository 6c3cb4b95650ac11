import { describe, expect, it } from "vitest";
import { buildReport, checkPeriod, reportCsv } from "./sales-report.ts";

const input = {
  from: "2026-11-27",
  to: "2026-11-29",
  hours: [
    { day: "2026-11-27", hour: 12, orders: 2, salesMinor: 2400 },
    { day: "2026-11-27", hour: 20, orders: 1, salesMinor: 1500 },
    { day: "2026-11-29", hour: 12, orders: 1, salesMinor: 900 },
  ],
  items: [
    { name: "Margherita", quantity: 3, salesMinor: 2700 },
    { name: '=HYPERLINK("x"), "the best"', quantity: 1, salesMinor: 2100 },
    { name: "Água", quantity: 4, salesMinor: 2700 },
  ],
  cancelled: 1,
  rejected: 2,
  refunds: { count: 1, amountMinor: 500 },
  averageAcceptSeconds: 47.4,
  averagePrepMinutes: 13.26,
};

describe("sales report", () => {
  it("totals by day (every day of the period, empty ones too) and by hour of the day", () => {
    const report = buildReport(input);
    expect(report.byDay).toEqual([
      { date: "2026-11-27", orders: 3, salesMinor: 3900 },
      { date: "2026-11-28", orders: 0, salesMinor: 0 },
      { date: "2026-11-29", orders: 1, salesMinor: 900 },
    ]);
    expect(report.byHour).toHaveLength(24);
    expect(report.byHour[12]).toEqual({ hour: 12, orders: 3, salesMinor: 3300 });
    expect(report.byHour[20]).toEqual({ hour: 20, orders: 1, salesMinor: 1500 });
    expect(report.totals).toEqual({
      orders: 4,
      salesMinor: 4800,
      averageOrderMinor: 1200,
      cancelled: 1,
      rejected: 2,
      refunds: 1,
      refundedMinor: 500,
      averageAcceptSeconds: 47,
      averagePrepMinutes: 13.3,
    });
    expect(report.topItems.map((i) => i.name)).toEqual(["Água", "Margherita", '=HYPERLINK("x"), "the best"']);
  });

  it("has no averages for a period without orders", () => {
    const report = buildReport({
      ...input,
      hours: [],
      items: [],
      averageAcceptSeconds: null,
      averagePrepMinutes: null,
    });
    expect(report.totals.averageOrderMinor).toBeNull();
    expect(report.totals.averagePrepMinutes).toBeNull();
    expect(report.byDay.every((d) => d.orders === 0)).toBe(true);
  });

  it("writes CSV a spreadsheet opens safely: quoted fields, formulas defused, money in major units", () => {
    const report = buildReport(input);
    expect(reportCsv(report, "days")).toBe(
      "date,orders,sales\r\n2026-11-27,3,39.00\r\n2026-11-28,0,0.00\r\n2026-11-29,1,9.00\r\n",
    );
    expect(reportCsv(report, "hours").split("\r\n")[13]).toBe("12:00,3,33.00");
    expect(reportCsv(report, "items").split("\r\n")[3]).toBe(`"'=HYPERLINK(""x""), ""the best""",1,21.00`);
    expect(reportCsv(report, "days", 0).split("\r\n")[1]).toBe("2026-11-27,3,3900");
  });

  it("takes periods of real dates, in order, up to 92 days", () => {
    expect(checkPeriod("2026-01-01", "2026-04-02")).toEqual([]);
    expect(checkPeriod("2026-01-01", "2026-04-03").map((i) => i.code)).toEqual(["period_too_long"]);
    expect(checkPeriod("2026-02-02", "2026-02-01").map((i) => i.code)).toEqual(["before_from"]);
    expect(checkPeriod("2026-02-30", "2026-13-01").map((i) => i.code)).toEqual(["invalid_date", "invalid_date"]);
  });
});
