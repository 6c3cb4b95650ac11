import { describe, expect, it } from "vitest";
import { monthTotals } from "./monthly-statement.ts";
import { escapeHtml, statementHtml, statementLanguage } from "./statement-html.ts";

const lines = [
  {
    at: "2026-11-03T12:00:00.000Z",
    kind: "order_delivered",
    orderId: "33333333-3333-4333-8333-333333333333",
    memo: "subtotal less commission",
    currency: "EUR",
    amountMinor: 2805,
  },
  {
    at: "2026-11-04T02:30:00.000Z",
    kind: "payout",
    orderId: null,
    memo: "payout 2026-11-04",
    currency: "EUR",
    amountMinor: -2805,
  },
  {
    at: "2026-11-05T09:00:00.000Z",
    kind: "order_delivered",
    orderId: null,
    memo: "<img src=x onerror=alert(1)>",
    currency: "KWD",
    amountMinor: 1250,
  },
];
const statement = {
  account: "restaurant:11111111-1111-4111-8111-111111111111",
  month: "2026-11",
  from: "2026-11-01T00:00:00.000Z",
  to: "2026-12-01T00:00:00.000Z",
  totals: monthTotals(new Map([["EUR", 500]]), lines),
  lines,
  truncated: false,
};

describe("statementHtml", () => {
  it("shows the account, period, opening and closing, entries and payouts, in each currency's decimals", () => {
    const html = statementHtml(statement, "Tasca do Zé", "en");
    expect(html).toContain("<title>Monthly statement 2026-11 · Tasca do Zé</title>");
    expect(html).toContain("2026-11-01 – 2026-11-30");
    expect(html).toMatch(/Opening balance \(owed to you\)<\/th><td class="num">5\.00 EUR/);
    expect(html).toMatch(/Closing balance \(owed to you\)<\/th><td class="num">5\.00 EUR/);
    expect(html).toContain("28.05 EUR");
    expect(html).toContain('<td class="num neg">-28.05 EUR</td>');
    expect(html).toContain("1.250 KWD");
    expect(html).toContain("Payouts to your bank");
    expect(html).toContain("@media print");
    expect(html).not.toContain("<script");
  });

  it("escapes names and memos: no HTML gets in", () => {
    const html = statementHtml(statement, `</title><script>alert("x")</script>`, "en");
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(escapeHtml(`'&"`)).toBe("&#39;&amp;&quot;");
  });

  it("speaks Portuguese when asked", () => {
    const html = statementHtml(statement, "Tasca", "pt");
    expect(html).toContain('<html lang="pt">');
    expect(html).toContain("Extrato mensal");
    expect(html).toContain("Saldo final (a receber)");
  });

  it("picks the language from ?lang, then Accept-Language, else English", () => {
    expect(statementLanguage("pt", "en")).toBe("pt");
    expect(statementLanguage(undefined, "pt-PT,pt;q=0.9,en;q=0.8")).toBe("pt");
    expect(statementLanguage(undefined, "de-DE,en;q=0.5")).toBe("en");
    expect(statementLanguage("xx", undefined)).toBe("en");
  });
});
