// A restaurant's report over a period of local dates: sales by day and by
// hour of the day, top items, refunds, and how quickly the kitchen accepts
// and prepares. Postgres aggregates (workers/api/routes/restaurant-reports.ts);
// this folds its rows into the report and writes CSV. No I/O.
import { addDays, isValidDate } from "../restaurant/local-time.ts";

/** Longest period one report covers: a quarter. */
export const MAX_REPORT_DAYS = 92;

export interface HourRow {
  /** Local date, YYYY-MM-DD. */
  day: string;
  /** Local hour, 0-23. */
  hour: number;
  orders: number;
  salesMinor: number;
}

export interface ItemRow {
  name: string;
  quantity: number;
  salesMinor: number;
}

export interface ReportInput {
  from: string;
  to: string;
  hours: HourRow[];
  items: ItemRow[];
  cancelled: number;
  rejected: number;
  refunds: { count: number; amountMinor: number };
  averageAcceptSeconds: number | null;
  averagePrepMinutes: number | null;
}

export interface SalesReport {
  from: string;
  to: string;
  totals: {
    orders: number;
    salesMinor: number;
    averageOrderMinor: number | null;
    cancelled: number;
    rejected: number;
    refunds: number;
    refundedMinor: number;
    averageAcceptSeconds: number | null;
    averagePrepMinutes: number | null;
  };
  byDay: Array<{ date: string; orders: number; salesMinor: number }>;
  byHour: Array<{ hour: number; orders: number; salesMinor: number }>;
  topItems: ItemRow[];
}

export type PeriodIssue = { path: "from" | "to"; code: string; message: string };

/** A period is two real dates, in order, at most MAX_REPORT_DAYS long (both ends included). */
export function checkPeriod(from: string, to: string): PeriodIssue[] {
  const issues: PeriodIssue[] = [];
  if (!isValidDate(from)) issues.push({ path: "from", code: "invalid_date", message: "Not a real date." });
  if (!isValidDate(to)) issues.push({ path: "to", code: "invalid_date", message: "Not a real date." });
  if (issues.length > 0) return issues;
  if (to < from) return [{ path: "to", code: "before_from", message: "`to` cannot be before `from`." }];
  if (addDays(from, MAX_REPORT_DAYS - 1) < to) {
    return [{ path: "to", code: "period_too_long", message: `A report covers at most ${MAX_REPORT_DAYS} days.` }];
  }
  return [];
}

/** Every date from `from` to `to`, both included. */
export function datesOf(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
  return dates;
}

export function buildReport(input: ReportInput): SalesReport {
  const byDate = new Map(datesOf(input.from, input.to).map((date) => [date, { date, orders: 0, salesMinor: 0 }]));
  const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, orders: 0, salesMinor: 0 }));
  let orders = 0;
  let salesMinor = 0;
  for (const row of input.hours) {
    const day = byDate.get(row.day);
    const hour = byHour[row.hour];
    // Rows come from the period's bounds; one outside them would be a bug upstream, not a sale to show.
    if (!day || !hour) continue;
    day.orders += row.orders;
    day.salesMinor += row.salesMinor;
    hour.orders += row.orders;
    hour.salesMinor += row.salesMinor;
    orders += row.orders;
    salesMinor += row.salesMinor;
  }
  return {
    from: input.from,
    to: input.to,
    totals: {
      orders,
      salesMinor,
      averageOrderMinor: orders > 0 ? Math.round(salesMinor / orders) : null,
      cancelled: input.cancelled,
      rejected: input.rejected,
      refunds: input.refunds.count,
      refundedMinor: input.refunds.amountMinor,
      averageAcceptSeconds: input.averageAcceptSeconds === null ? null : Math.round(input.averageAcceptSeconds),
      averagePrepMinutes: input.averagePrepMinutes === null ? null : Math.round(input.averagePrepMinutes * 10) / 10,
    },
    byDay: [...byDate.values()],
    byHour,
    topItems: [...input.items].sort((a, b) => b.salesMinor - a.salesMinor || a.name.localeCompare(b.name)),
  };
}

export type ReportTable = "days" | "hours" | "items";

/** One CSV field: quoted when it must be, and never read as a formula by a spreadsheet. */
function field(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === "string") text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Money as major units with a dot (12.50), the form spreadsheets read in any locale setting. */
function major(minor: number, digits: number): string {
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}

export function reportCsv(report: SalesReport, table: ReportTable, currencyDigits = 2): string {
  const money = (m: number) => major(m, currencyDigits);
  let rows: Array<Array<string | number>>;
  if (table === "days") {
    rows = [["date", "orders", "sales"], ...report.byDay.map((d) => [d.date, d.orders, money(d.salesMinor)])];
  } else if (table === "hours") {
    rows = [
      ["hour", "orders", "sales"],
      ...report.byHour.map((h) => [`${String(h.hour).padStart(2, "0")}:00`, h.orders, money(h.salesMinor)]),
    ];
  } else {
    rows = [["item", "quantity", "sales"], ...report.topItems.map((i) => [i.name, i.quantity, money(i.salesMinor)])];
  }
  return `${rows.map((r) => r.map(field).join(",")).join("\r\n")}\r\n`;
}
