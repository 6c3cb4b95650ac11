// The overview's live metrics (decision 0054): placements per minute and their
// latency, projection lag, dispatch time and dead letters over the last 15
// minutes or hour, as GET /v1/admin/metrics reads them from Analytics Engine.
import { useState } from "react";
import type { Schemas } from "../../../shared/api/index.ts";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useLoad } from "./common.tsx";

type Window = "15m" | "1h";
type Metrics = Schemas["HealthMetrics"];

async function loadMetrics(window: Window): Promise<Metrics | "unavailable"> {
  const { data, response } = await api.http.GET("/v1/admin/metrics", { params: { query: { window } } });
  // Not configured is a state of the deployment, not a failure to report each time.
  if (response.status === 503) return "unavailable";
  if (!data) throw new Error(`metrics: ${response.status}`);
  return data;
}

export function HealthMetricsPanel() {
  const { t } = useI18n();
  const [window, setWindow] = useState<Window>("15m");
  const metrics = useLoad(() => loadMetrics(window), [window]);
  const m = metrics.data;
  const duration = (ms: number | null) =>
    ms === null
      ? t("metrics.none")
      : ms < 10_000
        ? t("metrics.ms", { value: ms })
        : t("metrics.seconds", { value: Math.round(ms / 100) / 10 });
  const percentiles = (s: { count: number; p50Ms: number | null; p95Ms: number | null }) =>
    s.count === 0 ? t("metrics.none") : t("metrics.percentiles", { p50: duration(s.p50Ms), p95: duration(s.p95Ms) });
  return (
    <section aria-labelledby="metrics-title" className="metrics-panel">
      <header className="screen-header">
        <h2 id="metrics-title">{t("metrics.title")}</h2>
        <fieldset className="window-switch">
          <legend className="visually-hidden">{t("metrics.window")}</legend>
          {(["15m", "1h"] as const).map((w) => (
            <button
              key={w}
              type="button"
              className={w === window ? "" : "ghost"}
              aria-pressed={w === window}
              onClick={() => setWindow(w)}
            >
              {w === "15m" ? t("metrics.last15") : t("metrics.lastHour")}
            </button>
          ))}
        </fieldset>
      </header>
      {metrics.failed ? <p className="error">{t("ops.loadFailed")}</p> : null}
      {m === "unavailable" ? <p className="muted">{t("metrics.unavailable")}</p> : null}
      {m && m !== "unavailable" ? (
        <>
          <dl className="tiles" aria-busy={metrics.busy}>
            <div className="tile">
              <dt>{t("metrics.placements")}</dt>
              <dd>{t("metrics.placementsValue", { perMinute: m.placements.perMinute, count: m.placements.count })}</dd>
            </div>
            <div className="tile">
              <dt>{t("metrics.placementLatency")}</dt>
              <dd>{percentiles(m.placements)}</dd>
            </div>
            <div className="tile">
              <dt>{t("metrics.projectionLag")}</dt>
              <dd>{percentiles(m.projectionLag)}</dd>
            </div>
            <div className="tile">
              <dt>{t("metrics.dispatchTime")}</dt>
              <dd>{percentiles(m.dispatch)}</dd>
            </div>
            <div className="tile">
              <dt>{t("metrics.deadLetters")}</dt>
              <dd>
                <a href="#/dead-letters">{m.deadLetters.count}</a>
              </dd>
            </div>
          </dl>
          <p className="muted small-text">{t("metrics.source")}</p>
        </>
      ) : null}
    </section>
  );
}
