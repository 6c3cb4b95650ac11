// The exceptions queue: orders that need a person (no courier found, courier
// dark after pickup, PIN lockout, failed delivery, stuck refund), oldest
// first with age and reason, and the actions the API offers on one
// (exception-actions.tsx). Every action becomes an event on the order with
// the operator as actor, and a row in the audit log.
import { useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useNow } from "../../../shared/ui/hooks.ts";
import { api, statusLabel } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { useLoad } from "./common.tsx";
import { ExceptionActions } from "./exception-actions.tsx";

export type OrderException = Schemas["OrderException"];
type Kind = OrderException["kind"];
export const KINDS: Kind[] = [
  "no_courier",
  "courier_dark",
  "pin_locked",
  "delivery_failed",
  "refund_stuck",
  "customer_problem",
];
export const kindKey = (kind: string) => `exc.kind.${kind}` as MessageKey;

export function ExceptionsScreen(props: { orderId?: string | undefined }) {
  const { t, fmt } = useI18n();
  const now = useNow(15_000);
  const [status, setStatus] = useState<"open" | "resolved">("open");
  const [kind, setKind] = useState<Kind | "">("");
  const list = useLoad(
    () =>
      unwrap(
        api.http.GET("/v1/admin/exceptions", {
          params: { query: { status, limit: 200, ...(kind ? { kind } : {}) } },
        }),
      ),
    [status, kind],
  );
  const exceptions = list.data?.exceptions ?? [];
  const selected = exceptions.find((e) => e.orderId === props.orderId) ?? null;

  return (
    <section aria-labelledby="exc-title" className="exceptions-layout">
      <div>
        <header className="screen-header">
          <h1 id="exc-title">{t("exc.title")}</h1>
          <button type="button" className="ghost" onClick={list.reload}>
            {t("ops.reload")}
          </button>
        </header>
        <div className="filters">
          <label className="visually-hidden" htmlFor="exc-status">
            {t("ops.status")}
          </label>
          <select id="exc-status" value={status} onChange={(e) => setStatus(e.target.value as "open" | "resolved")}>
            <option value="open">
              {t("exc.open")} {list.data?.counts.open !== undefined ? `(${list.data.counts.open})` : ""}
            </option>
            <option value="resolved">{t("exc.resolved")}</option>
          </select>
          <label className="visually-hidden" htmlFor="exc-kind">
            {t("exc.kind")}
          </label>
          <select id="exc-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind | "")}>
            <option value="">{t("exc.kind.any")}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(kindKey(k))}
              </option>
            ))}
          </select>
        </div>
        <div className="table-wrap" aria-busy={list.busy}>
          {list.failed ? <p className="error">{t("ops.loadFailed")}</p> : null}
          {list.data && exceptions.length === 0 ? <p className="muted empty">{t("exc.empty")}</p> : null}
          {exceptions.length > 0 ? (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("exc.order")}</th>
                  <th scope="col">{t("exc.kind")}</th>
                  <th scope="col">{t("exc.age")}</th>
                  <th scope="col">{t("ops.status")}</th>
                </tr>
              </thead>
              <tbody>
                {exceptions.map((e) => (
                  <tr key={e.id} className={e.orderId === props.orderId ? "is-selected" : undefined}>
                    <td>
                      <a
                        href={`#/exceptions/${e.orderId}`}
                        aria-label={t("exc.handle", { ref: shortId(e.orderId) })}
                        data-order={e.orderId}
                      >
                        {shortId(e.orderId)}
                      </a>
                      <div className="muted small-text">
                        {e.order.restaurantName} → {e.order.customerName}
                      </div>
                    </td>
                    <td>
                      <span className="badge status-failed">{t(kindKey(e.kind))}</span>
                      {e.reason ? <div className="muted small-text">{e.reason}</div> : null}
                    </td>
                    <td>
                      <time dateTime={e.openedAt}>{fmt.relative(e.openedAt, now)}</time>
                    </td>
                    <td>
                      {statusLabel(t, e.order.status)}
                      {e.resolution ? (
                        <div className="muted small-text">
                          {t("exc.resolution", { resolution: e.resolution, who: e.resolvedBy ?? "" })}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      </div>
      {selected ? <ExceptionActions key={selected.id} exception={selected} onDone={list.reload} /> : null}
    </section>
  );
}
