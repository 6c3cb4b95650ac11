// The courier's money for one calendar month (GET /v1/couriers/me/statements/{month}):
// what they were owed when it opened, each line (delivery pay, tips, payouts,
// deductions), and what they were owed when it closed; the same month as a
// CSV file. Months are UTC, as the ledger books them.

import { useEffect, useState } from "react";
import { openPrintablePage } from "../../../shared/ui/printable-page.ts";
import type { CourierApi, MonthlyStatement } from "../api.ts";
import { money } from "../format.ts";
import { LOCALES, type MessageKey, useI18n } from "../i18n.ts";

type Line = MonthlyStatement["lines"][number];

const thisMonth = () => new Date().toISOString().slice(0, 7);

export function shiftMonth(month: string, by: number): string {
  const [year, index] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(year, index - 1 + by, 1)).toISOString().slice(0, 7);
}

/** The same buckets as the statement's totals (domain/ledger/monthly-statement.ts). */
function lineLabel(line: Line): MessageKey {
  if (line.kind === "payout") return "linePayout";
  if (line.memo === "tip") return "lineTip";
  if (line.amountMinor < 0) return "lineDeduction";
  if (line.kind === "order_delivered" || line.kind === "delivery_failed") return "lineDeliveryPay";
  return "lineOther";
}

export function MoneyPanel({ api, visible }: { api: CourierApi; visible: boolean }) {
  const { t, lang } = useI18n();
  const [month, setMonth] = useState(thisMonth);
  const [statement, setStatement] = useState<MonthlyStatement | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState(false);

  useEffect(() => {
    if (!visible) return;
    // An answer for a month the courier has already left is dropped.
    let current = true;
    api.monthlyStatement(month).then(
      (loaded) => {
        if (!current) return;
        setStatement(loaded);
        setError(null);
      },
      (err: unknown) => {
        if (current) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      current = false;
    };
  }, [visible, api, month]);

  async function download() {
    setDownloading(true);
    try {
      const csv = await api.monthlyStatementCsv(month);
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `statement-${month}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setDownloading(false);
    }
  }

  async function printable() {
    try {
      await openPrintablePage(() => api.monthlyStatementHtml(month, lang === "pt" ? "pt" : "en"));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  const [year, index] = month.split("-").map(Number) as [number, number];
  const monthName = new Intl.DateTimeFormat(LOCALES[lang], { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, index - 1, 1)),
  );
  const day = (at: string) =>
    new Intl.DateTimeFormat(LOCALES[lang], { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(at));
  const shown = statement?.month === month ? statement : null;
  const totals = shown?.totals ?? [];

  return (
    <>
      <div className="earnings-head">
        <h1 id="money-heading">{t("moneyTitle")}</h1>
        <button type="button" className="ghost small" disabled={downloading} onClick={() => void download()}>
          {t("downloadCsv")}
        </button>
        <button type="button" className="ghost small" onClick={() => void printable()}>
          {t("printableStatement")}
        </button>
      </div>
      <div className="month-switch">
        <button
          type="button"
          className="ghost small"
          aria-label={t("previousMonth")}
          onClick={() => setMonth(shiftMonth(month, -1))}
        >
          ‹
        </button>
        <output aria-live="polite">{monthName}</output>
        <button
          type="button"
          className="ghost small"
          aria-label={t("nextMonth")}
          disabled={month >= thisMonth()}
          onClick={() => setMonth(shiftMonth(month, 1))}
        >
          ›
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!shown && !error && <p className="muted">{t("loading")}</p>}
      {shown && totals.length === 0 && <p className="muted">{t("noMoneyLines")}</p>}
      {totals.map((total) => (
        <div key={total.currency} className="month-statement" data-currency={total.currency}>
          <dl className="balances">
            <div>
              <dt>{t("openingBalance")}</dt>
              <dd className="figure">{money(total.openingMinor, total.currency, lang)}</dd>
            </div>
            <div>
              <dt>{t("closingBalance")}</dt>
              <dd className="figure total-amount">{money(total.closingMinor, total.currency, lang)}</dd>
            </div>
          </dl>
          <dl className="month-totals">
            <div>
              <dt>{t("lineDeliveryPay")}</dt>
              <dd className="figure">{money(total.earningsMinor, total.currency, lang)}</dd>
            </div>
            <div>
              <dt>{t("tips")}</dt>
              <dd className="figure">{money(total.tipsMinor, total.currency, lang)}</dd>
            </div>
            <div>
              <dt>{t("payouts")}</dt>
              <dd className="figure">{money(total.payoutsMinor, total.currency, lang)}</dd>
            </div>
            {total.deductionsMinor !== 0 && (
              <div>
                <dt>{t("deductions")}</dt>
                <dd className="figure">{money(total.deductionsMinor, total.currency, lang)}</dd>
              </div>
            )}
            {total.otherMinor !== 0 && (
              <div>
                <dt>{t("lineOther")}</dt>
                <dd className="figure">{money(total.otherMinor, total.currency, lang)}</dd>
              </div>
            )}
          </dl>
        </div>
      ))}
      {shown && shown.lines.length > 0 && (
        <ul className="earning-jobs money-lines" aria-label={t("moneyLines")}>
          {shown.lines.map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines carry no id and a statement's lines never reorder.
            <li key={`${line.at}-${i}`} data-kind={lineLabel(line)}>
              <div>
                <strong>{t(lineLabel(line))}</strong>
                <small>
                  <time dateTime={line.at}>{day(line.at)}</time>
                  {line.orderId ? ` · #${line.orderId.slice(0, 8)}` : ""}
                </small>
              </div>
              <div className="amounts">
                <strong className={line.amountMinor < 0 ? "negative" : undefined}>
                  {money(line.amountMinor, line.currency, lang)}
                </strong>
              </div>
            </li>
          ))}
        </ul>
      )}
      {shown?.truncated && <p className="muted">{t("moneyTruncated")}</p>}
    </>
  );
}
