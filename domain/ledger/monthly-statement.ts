// A restaurant's or courier's statement for one calendar month (UTC), from
// its ledger lines: what it was owed when the month opened, what it earned
// (by kind), what was taken back, what was paid out, and what it was owed
// when the month closed. Pure; amounts from the holder's side (positive is
// money for them), so opening + every line = closing in each currency.

export interface StatementLine {
  at: string;
  kind: string;
  orderId: string | null;
  memo: string;
  currency: string;
  amountMinor: number;
}

export interface MonthTotals {
  currency: string;
  openingMinor: number;
  /** Restaurant share or courier delivery pay. */
  earningsMinor: number;
  tipsMinor: number;
  /** Refunds the holder bore and discounts it funded (negative). */
  deductionsMinor: number;
  /** Transfers to the holder's bank account (negative). */
  payoutsMinor: number;
  otherMinor: number;
  closingMinor: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The half-open UTC window of a month named `YYYY-MM`, or null if it is not one. */
export function monthWindow(month: string): { from: Date; to: Date } | null {
  const m = MONTH.exec(month);
  if (!m) return null;
  const year = Number(m[1]);
  const index = Number(m[2]) - 1;
  return { from: new Date(Date.UTC(year, index, 1)), to: new Date(Date.UTC(year, index + 1, 1)) };
}

function bucket(line: StatementLine): "earnings" | "tips" | "deductions" | "payouts" | "other" {
  if (line.kind === "payout") return "payouts";
  if (line.memo === "tip") return "tips";
  if (line.amountMinor < 0) return "deductions";
  if (line.kind === "order_delivered" || line.kind === "delivery_failed") return "earnings";
  return "other";
}

/** Totals per currency; `opening` is what the holder was owed at the month's start, per currency. */
export function monthTotals(opening: ReadonlyMap<string, number>, lines: readonly StatementLine[]): MonthTotals[] {
  const out = new Map<string, MonthTotals>();
  const get = (currency: string): MonthTotals => {
    let t = out.get(currency);
    if (!t) {
      const openingMinor = opening.get(currency) ?? 0;
      t = {
        currency,
        openingMinor,
        earningsMinor: 0,
        tipsMinor: 0,
        deductionsMinor: 0,
        payoutsMinor: 0,
        otherMinor: 0,
        closingMinor: openingMinor,
      };
      out.set(currency, t);
    }
    return t;
  };
  for (const currency of opening.keys()) get(currency);
  for (const line of lines) {
    const t = get(line.currency);
    const key = `${bucket(line)}Minor` as const;
    t[key] += line.amountMinor;
    t.closingMinor += line.amountMinor;
  }
  return [...out.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

const CSV_HEADER = "date,kind,order,memo,currency,amount_minor";

function csvField(value: string): string {
  // Quote everything a spreadsheet could misread; a leading = + - @ is neutralised against formula injection.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The month's lines as CSV, oldest first, with its totals as trailing comment-free rows. */
export function statementCsv(lines: readonly StatementLine[], totals: readonly MonthTotals[]): string {
  const rows = [CSV_HEADER];
  for (const l of lines) {
    rows.push(`${[l.at, l.kind, l.orderId ?? "", l.memo, l.currency].map(csvField).join(",")},${l.amountMinor}`);
  }
  for (const t of totals) {
    rows.push(`${csvField("opening")},,,,${csvField(t.currency)},${t.openingMinor}`);
    rows.push(`${csvField("closing")},,,,${csvField(t.currency)},${t.closingMinor}`);
  }
  return `${rows.join("\r\n")}\r\n`;
}
