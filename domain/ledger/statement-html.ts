// A monthly statement (monthly-statement.ts) as a printable HTML page, in
// English or Portuguese. Pure. Every value that comes from people (the
// holder's name, memos) is escaped, and the page carries no script: it is
// served with a CSP that allows none.
import { formatMinor } from "../pricing/currency.ts";
import type { MonthTotals, StatementLine } from "./monthly-statement.ts";

export type StatementLanguage = "en" | "pt";

export interface StatementForPage {
  account: string;
  month: string;
  from: string;
  to: string;
  totals: readonly MonthTotals[];
  lines: readonly StatementLine[];
  truncated: boolean;
}

const WORDS = {
  en: {
    title: "Monthly statement",
    account: "Account",
    period: "Period",
    opening: "Opening balance (owed to you)",
    closing: "Closing balance (owed to you)",
    earnings: "Earnings",
    tips: "Tips",
    deductions: "Deductions",
    payouts: "Payouts",
    other: "Other",
    totals: "Totals",
    entries: "Entries",
    payoutsHeading: "Payouts to your bank",
    noPayouts: "No payouts this month.",
    noEntries: "No entries this month.",
    date: "Date",
    kind: "Kind",
    order: "Order",
    memo: "Description",
    amount: "Amount",
    currency: "Currency",
    truncated: "This month has more entries than one page shows; download the CSV for all of them.",
    print: "Amounts are positive when they are money for you. Times are UTC.",
  },
  pt: {
    title: "Extrato mensal",
    account: "Conta",
    period: "Período",
    opening: "Saldo inicial (a receber)",
    closing: "Saldo final (a receber)",
    earnings: "Ganhos",
    tips: "Gorjetas",
    deductions: "Deduções",
    payouts: "Pagamentos",
    other: "Outros",
    totals: "Totais",
    entries: "Movimentos",
    payoutsHeading: "Pagamentos para a sua conta bancária",
    noPayouts: "Sem pagamentos este mês.",
    noEntries: "Sem movimentos este mês.",
    date: "Data",
    kind: "Tipo",
    order: "Pedido",
    memo: "Descrição",
    amount: "Montante",
    currency: "Moeda",
    truncated: "Este mês tem mais movimentos do que uma página mostra; descarregue o CSV para os ver todos.",
    print: "Os montantes são positivos quando são dinheiro para si. Horas em UTC.",
  },
} as const;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Picks the page's language: ?lang= first, then the first Accept-Language that is one of ours. */
export function statementLanguage(lang: string | undefined, acceptLanguage: string | undefined): StatementLanguage {
  if (lang === "pt" || lang === "en") return lang;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim().toLowerCase() ?? "";
    if (tag.startsWith("pt")) return "pt";
    if (tag.startsWith("en")) return "en";
  }
  return "en";
}

const STYLE = `
  :root { color-scheme: light; }
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f24; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #1b1f24; padding-bottom: .25rem; }
  dl.head { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 1rem 0; }
  dl.head dt { color: #57606a; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  th { font-weight: 600; background: #f6f8fa; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  td.neg { color: #a40e26; }
  tr.total td, tr.total th { font-weight: 700; border-top: 2px solid #1b1f24; }
  .note { color: #57606a; font-size: .9rem; margin-top: 2rem; }
  .wide { overflow-x: auto; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    h2 { break-after: avoid; }
    tr { break-inside: avoid; }
    thead { display: table-header-group; }
    th { background: none; }
    td.neg { color: inherit; }
  }
  @page { size: A4; margin: 15mm; }
`;

function amount(minor: number, currency: string): string {
  return `<td class="num${minor < 0 ? " neg" : ""}">${escapeHtml(formatMinor(minor, currency))} ${escapeHtml(currency)}</td>`;
}

/** The whole page; `holder` is the restaurant's or courier's name, as people typed it. */
export function statementHtml(statement: StatementForPage, holder: string, language: StatementLanguage): string {
  const w = WORDS[language];
  const day = (iso: string) => escapeHtml(iso.slice(0, 10));
  const lastDay = new Date(Date.parse(statement.to) - 86_400_000).toISOString();
  const totals = statement.totals
    .map(
      (t) => `
      <table>
        <caption class="sr">${escapeHtml(t.currency)}</caption>
        <tbody>
          <tr><th scope="row">${w.opening}</th>${amount(t.openingMinor, t.currency)}</tr>
          <tr><th scope="row">${w.earnings}</th>${amount(t.earningsMinor, t.currency)}</tr>
          <tr><th scope="row">${w.tips}</th>${amount(t.tipsMinor, t.currency)}</tr>
          <tr><th scope="row">${w.deductions}</th>${amount(t.deductionsMinor, t.currency)}</tr>
          <tr><th scope="row">${w.payouts}</th>${amount(t.payoutsMinor, t.currency)}</tr>
          <tr><th scope="row">${w.other}</th>${amount(t.otherMinor, t.currency)}</tr>
          <tr class="total"><th scope="row">${w.closing}</th>${amount(t.closingMinor, t.currency)}</tr>
        </tbody>
      </table>`,
    )
    .join("");
  const row = (l: StatementLine) =>
    `<tr><td>${day(l.at)}</td><td>${escapeHtml(l.kind)}</td><td>${escapeHtml(l.orderId?.slice(0, 8) ?? "")}</td><td>${escapeHtml(l.memo)}</td>${amount(l.amountMinor, l.currency)}</tr>`;
  const table = (rows: readonly StatementLine[], empty: string) =>
    rows.length === 0
      ? `<p>${empty}</p>`
      : `<div class="wide"><table>
        <thead><tr><th scope="col">${w.date}</th><th scope="col">${w.kind}</th><th scope="col">${w.order}</th><th scope="col">${w.memo}</th><th scope="col" class="num">${w.amount}</th></tr></thead>
        <tbody>${rows.map(row).join("")}</tbody>
      </table></div>`;
  const payouts = statement.lines.filter((l) => l.kind === "payout" || l.kind === "payout_failed");
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${w.title} ${escapeHtml(statement.month)} · ${escapeHtml(holder)}</title>
<style>${STYLE} .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }</style>
</head>
<body>
<main>
<h1>${w.title}</h1>
<dl class="head">
  <dt>${w.account}</dt><dd>${escapeHtml(holder)} <small>(${escapeHtml(statement.account)})</small></dd>
  <dt>${w.period}</dt><dd>${day(statement.from)} – ${escapeHtml(lastDay.slice(0, 10))}</dd>
</dl>
<h2>${w.totals}</h2>
${totals}
<h2>${w.payoutsHeading}</h2>
${table(payouts, w.noPayouts)}
<h2>${w.entries}</h2>
${table(statement.lines, w.noEntries)}
${statement.truncated ? `<p class="note"><strong>${w.truncated}</strong></p>` : ""}
<p class="note">${w.print}</p>
</main>
</body>
</html>
`;
}
