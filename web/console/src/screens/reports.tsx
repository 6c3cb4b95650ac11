// Reports over a chosen period: sales by day and by hour of the day, top
// items, refunds, and how quickly the kitchen accepts and prepares; each
// table downloads as CSV. Postgres computes them from the order history.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useLoaded } from "./loaded.ts";
import "./kitchen.css";

type Report = Schemas["SalesReport"];
type Table = "days" | "hours" | "items";

/** A local date `days` from today, as the browser's calendar has it (staff sit where the restaurant is). */
function dateFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function ReportsScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const [period, setPeriod] = useState({ from: dateFromToday(-6), to: dateFromToday(0) });
  const [draft, setDraft] = useState(period);
  const id = props.restaurant.id;
  const report = useLoaded(
    () =>
      unwrap(
        api.http.GET("/v1/restaurants/{id}/reports", {
          params: { path: { id }, query: period },
          cache: "no-cache",
        }),
      ),
    `${id}/${period.from}/${period.to}`,
    t("reports.loadFailed"),
  );

  return (
    <section className="kitchen-screen" aria-labelledby="reports-title">
      <header className="screen-header">
        <h1 id="reports-title">{t("reports.title")}</h1>
      </header>
      <form
        className="panel row wrap"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          setPeriod(draft);
        }}
      >
        <div className="field">
          <label htmlFor="report-from">{t("reports.from")}</label>
          <input
            id="report-from"
            type="date"
            required
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="report-to">{t("reports.to")}</label>
          <input
            id="report-to"
            type="date"
            required
            value={draft.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
        </div>
        <button type="submit" className="primary">
          {t("reports.show")}
        </button>
      </form>
      {report.error ? (
        <p className="error" role="alert">
          {report.error}
        </p>
      ) : !report.data ? (
        <p className="muted">{t("app.loading")}</p>
      ) : (
        <ReportView restaurant={props.restaurant} report={report.data} />
      )}
    </section>
  );
}

function ReportView(props: { restaurant: Restaurant; report: Report }) {
  const { t, fmt } = useI18n();
  const { report } = props;
  const money = (minor: number) => fmt.money(minor, report.currency);
  const totals = report.totals;
  const peak = Math.max(1, ...report.byHour.map((h) => h.salesMinor));
  return (
    <>
      <section className="panel" aria-labelledby="reports-totals">
        <h2 id="reports-totals">{t("reports.totals")}</h2>
        <dl className="facts" data-testid="report-totals">
          <div>
            <dt>{t("reports.sales")}</dt>
            <dd>{money(totals.salesMinor)}</dd>
          </div>
          <div>
            <dt>{t("reports.orders")}</dt>
            <dd>{totals.orders}</dd>
          </div>
          <div>
            <dt>{t("reports.averageOrder")}</dt>
            <dd>{totals.averageOrderMinor === null ? "—" : money(totals.averageOrderMinor)}</dd>
          </div>
          <div>
            <dt>{t("reports.refunds")}</dt>
            <dd>{`${totals.refunds} · ${money(totals.refundedMinor)}`}</dd>
          </div>
          <div>
            <dt>{t("reports.cancelledRejected")}</dt>
            <dd>{`${totals.cancelled} / ${totals.rejected}`}</dd>
          </div>
          <div>
            <dt>{t("reports.acceptTime")}</dt>
            <dd>
              {totals.averageAcceptSeconds === null
                ? "—"
                : t("reports.seconds", { seconds: totals.averageAcceptSeconds })}
            </dd>
          </div>
          <div>
            <dt>{t("reports.prepTime")}</dt>
            <dd>
              {totals.averagePrepMinutes === null ? "—" : t("kitchen.minutes", { minutes: totals.averagePrepMinutes })}
            </dd>
          </div>
        </dl>
      </section>
      <section className="panel" aria-labelledby="reports-days">
        <div className="row wrap">
          <h2 id="reports-days" className="grow">
            {t("reports.byDay")}
          </h2>
          <CsvButton restaurant={props.restaurant} report={report} table="days" />
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("reports.date")}</th>
                <th scope="col">{t("reports.orders")}</th>
                <th scope="col">{t("reports.sales")}</th>
              </tr>
            </thead>
            <tbody>
              {report.byDay.map((d) => (
                <tr key={d.date}>
                  <td>{d.date}</td>
                  <td>{d.orders}</td>
                  <td>{money(d.salesMinor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="panel" aria-labelledby="reports-hours">
        <div className="row wrap">
          <h2 id="reports-hours" className="grow">
            {t("reports.byHour")}
          </h2>
          <CsvButton restaurant={props.restaurant} report={report} table="hours" />
        </div>
        <ul className="plain hour-bars">
          {report.byHour
            .filter((h) => h.orders > 0)
            .map((h) => (
              <li key={h.hour} className="hour-bar">
                <span className="hour-label">{`${String(h.hour).padStart(2, "0")}:00`}</span>
                <span
                  className="bar"
                  style={{ width: `${Math.max(2, (h.salesMinor / peak) * 100)}%` }}
                  aria-hidden="true"
                />
                <span className="muted">{`${money(h.salesMinor)} · ${t("reports.orderCount", { count: h.orders })}`}</span>
              </li>
            ))}
        </ul>
        {report.byHour.every((h) => h.orders === 0) ? <p className="muted">{t("reports.none")}</p> : null}
      </section>
      <section className="panel" aria-labelledby="reports-items">
        <div className="row wrap">
          <h2 id="reports-items" className="grow">
            {t("reports.topItems")}
          </h2>
          <CsvButton restaurant={props.restaurant} report={report} table="items" />
        </div>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("reports.item")}</th>
                <th scope="col">{t("reports.quantity")}</th>
                <th scope="col">{t("reports.sales")}</th>
              </tr>
            </thead>
            <tbody>
              {report.topItems.map((i) => (
                <tr key={i.name}>
                  <td>{i.name}</td>
                  <td>{i.quantity}</td>
                  <td>{money(i.salesMinor)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {report.topItems.length === 0 ? <p className="muted">{t("reports.none")}</p> : null}
      </section>
    </>
  );
}

/** Downloads one table as CSV: fetched with the session's token, handed to the browser as a file. */
function CsvButton(props: { restaurant: Restaurant; report: Report; table: Table }) {
  const { t } = useI18n();
  const { fail } = useNotices();
  const [busy, setBusy] = useState(false);
  const { report, table } = props;

  async function download() {
    setBusy(true);
    try {
      const csv = await unwrap(
        api.http.GET("/v1/restaurants/{id}/reports/export", {
          params: { path: { id: props.restaurant.id }, query: { from: report.from, to: report.to, table } },
          parseAs: "text",
        }),
      );
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = `report-${table}-${report.from}-${report.to}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <button
      type="button"
      className="ghost small"
      disabled={busy}
      aria-label={t("reports.csvOf", { table: t(`reports.table.${table}`) })}
      onClick={() => void download()}
    >
      {t("reports.csv")}
    </button>
  );
}
