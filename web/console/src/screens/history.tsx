// Past orders, newest first, from the Postgres projection
// (GET /v1/restaurants/{id}/orders), a page at a time. The API pages with an
// opaque cursor that only goes older, so "Newer" walks back a stack of the
// cursors already used.
import { type ReactNode, useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type OrderState, type Restaurant, statusLabel } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";

const PAGE_SIZE = 20;

const FILTERS: ReadonlyArray<{ label: MessageKey; states: readonly OrderState[] }> = [
  { label: "history.filter.all", states: [] },
  { label: "history.filter.delivered", states: ["delivered"] },
  { label: "history.filter.open", states: ["placed", "paid", "accepted", "preparing", "ready", "picked_up"] },
  { label: "history.filter.stopped", states: ["rejected", "cancelled"] },
  { label: "history.filter.failed", states: ["failed"] },
];

type Page = Schemas["OrderPage"];

export function HistoryScreen(props: { restaurant: Restaurant }) {
  const { t, fmt } = useI18n();
  const { fail } = useNotices();
  const [filter, setFilter] = useState(0);
  // cursors[i] fetched page i; undefined is the newest page.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<Page | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(true);
  const restaurantId = props.restaurant.id;
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let current = true;
    setBusy(true);
    const states = FILTERS[filter]?.states ?? [];
    unwrap(
      api.http.GET("/v1/restaurants/{id}/orders", {
        params: {
          path: { id: restaurantId },
          query: {
            limit: PAGE_SIZE,
            ...(cursor ? { cursor } : {}),
            ...(states.length ? { status: states.join(",") } : {}),
          },
        },
      }),
    )
      .then((loaded) => {
        if (!current) return;
        setPage(loaded);
        setFailed(false);
      })
      .catch((error: unknown) => {
        if (!current) return;
        fail(error);
        setFailed(true);
      })
      .finally(() => {
        if (current) setBusy(false);
      });
    return () => {
      current = false;
    };
  }, [restaurantId, filter, cursor, fail]);

  const pageNumber = cursors.length;
  let table: ReactNode = null;
  if (failed) table = <p className="error">{t("history.loadFailed")}</p>;
  else if (page && page.orders.length === 0) table = <p className="muted empty">{t("history.empty")}</p>;
  else if (page) {
    table = (
      <table>
        <caption className="visually-hidden">{t("history.caption", { page: pageNumber })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("history.placed")}</th>
            <th scope="col">{t("history.order")}</th>
            <th scope="col">{t("history.status")}</th>
            <th scope="col">{t("history.prep")}</th>
            <th scope="col" className="num">
              {t("history.total")}
            </th>
          </tr>
        </thead>
        <tbody>
          {page.orders.map((o) => (
            <tr key={o.id}>
              <td>
                <time dateTime={o.placedAt}>{fmt.dateTime(o.placedAt)}</time>
              </td>
              <td>
                <a href={`#/orders/${o.id}`}>{shortId(o.id)}</a>
              </td>
              <td>
                <span className={`badge status-${o.status}`}>{statusLabel(t, o.status)}</span>
              </td>
              <td>{o.prepTimeMinutes === null ? "—" : t("history.prepMinutes", { minutes: o.prepTimeMinutes })}</td>
              <td className="num">{fmt.money(o.totalMinor, o.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }

  const nextCursor = page?.nextCursor ?? null;
  return (
    <section className="history" aria-labelledby="history-title">
      <header className="screen-header">
        <h1 id="history-title">{t("history.title")}</h1>
        <div className="field inline">
          <label htmlFor="history-filter">{t("history.show")}</label>
          <select
            id="history-filter"
            value={filter}
            onChange={(event) => {
              setFilter(Number(event.target.value));
              setCursors([undefined]);
            }}
          >
            {FILTERS.map((f, i) => (
              <option key={f.label} value={i}>
                {t(f.label)}
              </option>
            ))}
          </select>
        </div>
      </header>
      <div className="table-wrap" aria-live="polite" aria-busy={busy}>
        {table}
      </div>
      <nav className="pager" aria-label={t("history.pages")}>
        <button
          type="button"
          className="plain"
          disabled={busy || cursors.length <= 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          {t("history.newer")}
        </button>
        <span className="muted">{page ? t("history.page", { page: pageNumber }) : ""}</span>
        <button
          type="button"
          className="plain"
          disabled={busy || nextCursor === null}
          onClick={() => {
            if (nextCursor) setCursors((c) => [...c, nextCursor]);
          }}
        >
          {t("history.older")}
        </button>
      </nav>
    </section>
  );
}
