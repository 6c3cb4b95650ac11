// The one way the platform writes and reads its health metrics (decision
// 0054). Deployed, points go to the Workers Analytics Engine binding METRICS
// and the health view reads them through Cloudflare's SQL API. Locally,
// Miniflare drops Analytics Engine writes, so when METRICS_STANDIN_URL is set
// (scripts/dev/platform.ts sets it) each point is also sent to the stand-in
// (scripts/dev/analytics-standin), which answers the same SQL API shape.
import { type DataPoint, dataPointOf, type MetricPoint } from "../domain/metrics/health-metrics.ts";
import type { Env } from "./env.ts";
import { logLine } from "./log.ts";

/** The binding points are written to, and locally the stand-in they are mirrored to. */
export type MetricsEnv = Pick<Env, "METRICS" | "METRICS_STANDIN_URL">;

export interface MetricsSink {
  /** Never throws and never waits: a metric must not fail or slow what it measures. */
  write(point: MetricPoint): void;
}

type WaitUntil = (promise: Promise<unknown>) => void;

/** `waitUntil` keeps the local stand-in's request alive past the response; the binding needs none. */
export function metricsSink(env: MetricsEnv, waitUntil?: WaitUntil): MetricsSink {
  return {
    write(point) {
      const data = dataPointOf(point);
      try {
        env.METRICS.writeDataPoint(data);
      } catch (err) {
        logLine("warn", "metrics.write_failed", { metric: point.metric, error: String(err) });
      }
      const standin = env.METRICS_STANDIN_URL;
      if (standin) {
        const sent = sendToStandin(standin, data);
        if (waitUntil) waitUntil(sent);
      }
    },
  };
}

async function sendToStandin(base: string, data: DataPoint): Promise<void> {
  try {
    await fetch(new URL("/write", base), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(data),
    });
  } catch (err) {
    logLine("warn", "metrics.standin_unreachable", { error: String(err) });
  }
}

export type MetricsQueryResult =
  | { ok: true; answer: unknown }
  | { ok: false; reason: "not_configured" | "query_failed"; detail?: string };

/**
 * Runs one SQL statement against the Analytics Engine SQL API
 * (`POST /client/v4/accounts/{account}/analytics_engine/sql`, the SQL as the
 * body). ANALYTICS_API_BASE is api.cloudflare.com when empty; locally the
 * stand-in's URL.
 */
export async function queryMetrics(env: Env, sql: string): Promise<MetricsQueryResult> {
  const account = env.ANALYTICS_ACCOUNT_ID;
  const token = env.ANALYTICS_API_TOKEN;
  if (!account || !token) return { ok: false, reason: "not_configured" };
  const base = env.ANALYTICS_API_BASE || "https://api.cloudflare.com";
  const url = new URL(`/client/v4/accounts/${encodeURIComponent(account)}/analytics_engine/sql`, base);
  try {
    const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: sql });
    if (!res.ok) {
      return { ok: false, reason: "query_failed", detail: `${res.status} ${(await res.text()).slice(0, 200)}` };
    }
    return { ok: true, answer: await res.json() };
  } catch (err) {
    return { ok: false, reason: "query_failed", detail: String(err) };
  }
}
