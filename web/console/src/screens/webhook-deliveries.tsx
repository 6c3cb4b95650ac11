// One partner endpoint's delivery log: every event sent (or still to send),
// its attempts, the partner's last HTTP status or the error, when the next
// retry is due; replay one delivery now, or queue a whole time range again.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useLoaded } from "./loaded.ts";

type Endpoint = Schemas["WebhookEndpoint"];
type Delivery = Schemas["WebhookDelivery"];
type StatusFilter = "" | Delivery["status"];

/** A datetime-local field's value for `ms`, in the browser's time zone. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function WebhookDeliveries(props: { endpoint: Endpoint }) {
  const { t } = useI18n();
  const { endpoint } = props;
  const [status, setStatus] = useState<StatusFilter>("");
  const loaded = useLoaded(
    async () =>
      (
        await unwrap(
          api.http.GET("/v1/webhook-endpoints/{id}/deliveries", {
            params: { path: { id: endpoint.id }, query: status ? { status } : {} },
            cache: "no-cache",
          }),
        )
      ).deliveries,
    `${endpoint.id}/${status}`,
    t("hooks.logLoadFailed"),
  );

  return (
    <section className="kitchen-screen webhooks" aria-labelledby="log-title">
      <a href="#/webhooks" className="back">
        {t("hooks.back")}
      </a>
      <header className="screen-header">
        <h1 id="log-title">{t("hooks.logTitle")}</h1>
      </header>
      <p>
        <code className="endpoint-url">{endpoint.url}</code>
      </p>
      <div className="row wrap">
        <label htmlFor="log-status">{t("hooks.filter")}</label>
        <select id="log-status" value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
          <option value="">{t("hooks.filterAll")}</option>
          <option value="pending">{t("hooks.status.pending")}</option>
          <option value="succeeded">{t("hooks.status.succeeded")}</option>
          <option value="failed">{t("hooks.status.failed")}</option>
        </select>
        <button type="button" className="ghost" onClick={() => void loaded.reload()}>
          {t("hooks.reload")}
        </button>
      </div>
      <div className="table-wrap">
        {loaded.error ? (
          <p className="error" role="alert">
            {loaded.error}
          </p>
        ) : !loaded.data ? (
          <p className="muted">{t("app.loading")}</p>
        ) : loaded.data.length === 0 ? (
          <p className="muted empty">{t("hooks.noDeliveries")}</p>
        ) : (
          <table className="delivery-log">
            <thead>
              <tr>
                <th scope="col">{t("hooks.col.event")}</th>
                <th scope="col">{t("hooks.col.order")}</th>
                <th scope="col">{t("hooks.col.status")}</th>
                <th scope="col" className="num">
                  {t("hooks.col.attempts")}
                </th>
                <th scope="col">{t("hooks.col.response")}</th>
                <th scope="col">{t("hooks.col.next")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("hooks.col.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.map((delivery) => (
                <DeliveryRow
                  key={delivery.id}
                  endpointId={endpoint.id}
                  delivery={delivery}
                  onReplayed={(next) => loaded.set((loaded.data ?? []).map((d) => (d.id === next.id ? next : d)))}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <RangeReplay endpointId={endpoint.id} onQueued={() => void loaded.reload()} />
    </section>
  );
}

function DeliveryRow(props: { endpointId: string; delivery: Delivery; onReplayed(next: Delivery): void }) {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const [busy, setBusy] = useState(false);
  const { delivery } = props;

  async function replay() {
    setBusy(true);
    try {
      const next = await unwrap(
        api.http.POST("/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/replay", {
          params: { path: { id: props.endpointId, deliveryId: delivery.id } },
        }),
      );
      props.onReplayed(next);
      announce(
        t("hooks.replayed", { event: delivery.eventType, status: next.lastStatus ?? next.lastError ?? next.status }),
      );
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  const badge =
    delivery.status === "succeeded" ? "status-delivered" : delivery.status === "failed" ? "status-cancelled" : "";
  return (
    <tr data-delivery-id={delivery.id} data-status={delivery.status}>
      <td>
        <code>{delivery.eventType}</code>
        <div className="muted small">
          <time dateTime={delivery.createdAt}>{fmt.dateTime(delivery.createdAt)}</time>
        </div>
      </td>
      <td>
        {shortId(delivery.orderId)} <span className="muted small">#{delivery.seq}</span>
      </td>
      <td>
        <span className={`badge ${badge}`}>{t(`hooks.status.${delivery.status}`)}</span>
      </td>
      <td className="num">{delivery.attempts}</td>
      <td>
        {delivery.lastStatus !== null ? <code>HTTP {delivery.lastStatus}</code> : null}
        {delivery.lastError && delivery.lastStatus === null ? (
          <div className="error small">{delivery.lastError}</div>
        ) : null}
        {delivery.lastStatus === null && !delivery.lastError ? <span className="muted">—</span> : null}
      </td>
      <td>
        {delivery.nextAttemptAt && delivery.status === "pending" ? (
          <time dateTime={delivery.nextAttemptAt}>{fmt.dateTime(delivery.nextAttemptAt)}</time>
        ) : delivery.deliveredAt ? (
          <span className="muted small">{t("hooks.deliveredAt", { time: fmt.dateTime(delivery.deliveredAt) })}</span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <button
          type="button"
          className="ghost"
          disabled={busy}
          aria-label={t("hooks.replayLabel", { event: delivery.eventType, order: shortId(delivery.orderId) })}
          onClick={() => void replay()}
        >
          {t("hooks.replay")}
        </button>
      </td>
    </tr>
  );
}

function RangeReplay(props: { endpointId: string; onQueued(): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const [from, setFrom] = useState(() => localInput(Date.now() - 3_600_000));
  const [to, setTo] = useState(() => localInput(Date.now()));
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const { queued } = await unwrap(
        api.http.POST("/v1/webhook-endpoints/{id}/replay", {
          params: { path: { id: props.endpointId } },
          body: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
        }),
      );
      announce(t("hooks.rangeQueued", { count: queued }));
      props.onQueued();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" aria-labelledby="range-title" onSubmit={(e) => void submit(e)}>
      <h2 id="range-title">{t("hooks.rangeTitle")}</h2>
      <p className="muted">{t("hooks.rangeHelp")}</p>
      <div className="row wrap">
        <div className="field">
          <label htmlFor="range-from">{t("hooks.from")}</label>
          <input id="range-from" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="range-to">{t("hooks.to")}</label>
          <input id="range-to" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {t("hooks.rangeButton")}
        </button>
      </div>
    </form>
  );
}
