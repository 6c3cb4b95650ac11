// Health at a glance: the numbers GET /v1/admin/overview computes from what
// the platform already keeps (projection lag, dead letters, exceptions,
// couriers, orders and their placement-to-delivery times).
import { unwrap } from "../../../shared/api/index.ts";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useLoad } from "./common.tsx";
import { HealthMetricsPanel } from "./health-metrics.tsx";

export function OverviewScreen() {
  const { t } = useI18n();
  const overview = useLoad(() => unwrap(api.http.GET("/v1/admin/overview")), []);
  const o = overview.data;
  const minutes = (ms: number | null) =>
    ms === null ? t("overview.noData") : t("overview.minutes", { minutes: Math.round(ms / 6000) / 10 });
  return (
    <section aria-labelledby="overview-title">
      <header className="screen-header">
        <h1 id="overview-title">{t("overview.title")}</h1>
        <button type="button" className="ghost" onClick={overview.reload}>
          {t("ops.reload")}
        </button>
      </header>
      {overview.failed ? <p className="error">{t("ops.loadFailed")}</p> : null}
      {o ? (
        <dl className="tiles" aria-busy={overview.busy}>
          <div className="tile">
            <dt>{t("overview.lag")}</dt>
            <dd>
              {t("overview.lagValue", {
                orders: o.projection.laggingOrders,
                seconds: Math.round(o.projection.oldestUnacknowledgedAgeMs / 1000),
              })}
            </dd>
          </div>
          <div className="tile">
            <dt>{t("overview.deadLetters")}</dt>
            <dd>
              <a href="#/dead-letters">{o.deadLetters.pending}</a>
            </dd>
          </div>
          <div className="tile">
            <dt>{t("overview.exceptions")}</dt>
            <dd>
              <a href="#/exceptions">{o.exceptions.open}</a>{" "}
              <span className="muted">
                {Object.entries(o.exceptions.byKind)
                  .map(([kind, count]) => `${t(`exc.kind.${kind}` as "exc.kind.no_courier")}: ${count}`)
                  .join(" · ")}
              </span>
            </dd>
          </div>
          <div className="tile">
            <dt>{t("overview.couriers")}</dt>
            <dd>
              {t("overview.couriersValue", {
                online: o.couriers.online,
                available: o.couriers.available,
                onJob: o.couriers.onJob,
                stale: o.couriers.stale,
              })}
            </dd>
          </div>
          <div className="tile">
            <dt>{t("overview.orders")}</dt>
            <dd>
              {t("overview.ordersValue", {
                active: o.orders.active,
                perMinute: o.orders.perMinute,
                delivered: o.orders.deliveredLastHour,
              })}
            </dd>
          </div>
          <div className="tile">
            <dt>{t("overview.latency")}</dt>
            <dd>
              {o.orders.placementToDeliveryP50Ms === null
                ? t("overview.noData")
                : t("overview.latencyValue", {
                    p50: minutes(o.orders.placementToDeliveryP50Ms),
                    p95: minutes(o.orders.placementToDeliveryP95Ms),
                  })}
            </dd>
          </div>
        </dl>
      ) : null}
      <HealthMetricsPanel />
    </section>
  );
}
