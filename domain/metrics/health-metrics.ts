// The operators' health metrics (issue 18, item 7): what each data point in
// the Analytics Engine dataset means, the one SQL query the health view runs
// (the same text against Cloudflare's SQL API and the local stand-in), and the
// pure reading of its answer. No I/O here: platform/metrics.ts writes and
// queries, workers/api/routes/metrics-admin.ts serves the result.

/** The dataset's name in wrangler.toml and in the SQL's FROM. */
export const METRICS_DATASET = "edge_delivery_metrics";

/**
 * One data point per measured thing. blob1 is the metric, double1 its value
 * (milliseconds, or 1 for a count), index1 the metric again (Analytics Engine
 * samples per index, so each metric keeps its own resolution).
 */
export type MetricName = "placement" | "projection_lag" | "dispatch" | "dead_letter";
export const METRIC_NAMES: readonly MetricName[] = ["placement", "projection_lag", "dispatch", "dead_letter"];

export interface MetricPoint {
  metric: MetricName;
  /** Milliseconds for latencies and lags; 1 for a dead letter. */
  value: number;
  /** A second dimension (restaurant id, event type), never read by the health view. */
  detail?: string;
}

/** The shape `AnalyticsEngineDataset.writeDataPoint` takes. */
export interface DataPoint {
  blobs: string[];
  doubles: number[];
  indexes: string[];
}

export function dataPointOf(point: MetricPoint): DataPoint {
  return {
    blobs: [point.metric, point.detail ?? ""],
    doubles: [Number.isFinite(point.value) ? Math.max(0, point.value) : 0],
    indexes: [point.metric],
  };
}

export type HealthWindow = "15m" | "1h";
export const HEALTH_WINDOWS: readonly HealthWindow[] = ["15m", "1h"];
export const WINDOW_MINUTES: Record<HealthWindow, number> = { "15m": 15, "1h": 60 };

/**
 * Fixed texts, one per window: the SQL API takes no parameters, and nothing a
 * caller sends reaches the query. `SUM(_sample_interval)` counts what a
 * sampled dataset stands for; quantiles are weighted the same way.
 */
export const HEALTH_SQL: Record<HealthWindow, string> = {
  "15m": `SELECT blob1 AS metric, SUM(_sample_interval) AS count, quantileWeighted(0.5, double1, _sample_interval) AS p50, quantileWeighted(0.95, double1, _sample_interval) AS p95, MAX(double1) AS max FROM ${METRICS_DATASET} WHERE timestamp > NOW() - INTERVAL '15' MINUTE GROUP BY blob1 FORMAT JSON`,
  "1h": `SELECT blob1 AS metric, SUM(_sample_interval) AS count, quantileWeighted(0.5, double1, _sample_interval) AS p50, quantileWeighted(0.95, double1, _sample_interval) AS p95, MAX(double1) AS max FROM ${METRICS_DATASET} WHERE timestamp > NOW() - INTERVAL '1' HOUR GROUP BY blob1 FORMAT JSON`,
};

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

export interface HealthMetrics {
  window: HealthWindow;
  placements: LatencySummary & { perMinute: number };
  projectionLag: LatencySummary;
  dispatch: LatencySummary;
  deadLetters: { count: number };
}

/** A number the SQL API may send as a JSON number or (64-bit integers) as a string. */
function numberOf(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

const EMPTY: LatencySummary = { count: 0, p50Ms: null, p95Ms: null, maxMs: null };

/**
 * Reads the SQL API's `FORMAT JSON` answer (`{ meta, data, rows }`) into the
 * health view's numbers. Unknown metrics and malformed rows are skipped, so a
 * metric added later cannot break the view.
 */
export function summariseHealth(window: HealthWindow, answer: unknown): HealthMetrics {
  const data = (answer as { data?: unknown } | null)?.data;
  const rows = Array.isArray(data) ? data : [];
  const byMetric = new Map<string, LatencySummary>();
  for (const row of rows) {
    if (typeof row !== "object" || row === null) continue;
    const r = row as Record<string, unknown>;
    if (typeof r.metric !== "string") continue;
    const count = numberOf(r.count);
    if (count === null || count <= 0) continue;
    const ms = (v: unknown) => {
      const n = numberOf(v);
      return n === null ? null : Math.round(n);
    };
    byMetric.set(r.metric, { count: Math.round(count), p50Ms: ms(r.p50), p95Ms: ms(r.p95), maxMs: ms(r.max) });
  }
  const placements = byMetric.get("placement") ?? EMPTY;
  return {
    window,
    placements: {
      ...placements,
      perMinute: Math.round((placements.count / WINDOW_MINUTES[window]) * 100) / 100,
    },
    projectionLag: byMetric.get("projection_lag") ?? EMPTY,
    dispatch: byMetric.get("dispatch") ?? EMPTY,
    deadLetters: { count: byMetric.get("dead_letter")?.count ?? 0 },
  };
}

/**
 * ClickHouse's exact weighted quantile, as Analytics Engine's
 * `quantileWeighted` computes it: sort by value, then the first value at
 * which the running weight reaches `ceil(level × total weight)`. The local
 * stand-in uses it, so the health view reads the same numbers as deployed.
 */
export function quantileWeighted(level: number, samples: readonly { value: number; weight: number }[]): number | null {
  const usable = samples.filter((s) => Number.isFinite(s.value) && s.weight > 0);
  if (usable.length === 0) return null;
  const sorted = [...usable].sort((a, b) => a.value - b.value);
  const total = sorted.reduce((n, s) => n + s.weight, 0);
  const threshold = Math.max(1, Math.ceil(total * Math.min(1, Math.max(0, level))));
  let running = 0;
  for (const s of sorted) {
    running += s.weight;
    if (running >= threshold) return s.value;
  }
  return sorted[sorted.length - 1]?.value ?? null;
}

/** The order's events as the dispatch-time measure needs them. */
export interface TimedEvent {
  type: string;
  at: number;
}

/**
 * Dispatch time: from when the order became dispatchable (the latest
 * `order.dispatch_started` or `order.redispatched` before the assignment,
 * else payment) to `order.courier_assigned`. Null when there is no start.
 */
export function dispatchTimeMs(events: readonly TimedEvent[], assignedAt: number): number | null {
  let start: number | null = null;
  let paid: number | null = null;
  for (const e of events) {
    if (e.at > assignedAt) continue;
    if (e.type === "order.dispatch_started" || e.type === "order.redispatched") {
      if (start === null || e.at >= start) start = e.at;
    } else if (e.type === "order.paid" && paid === null) paid = e.at;
  }
  const from = start ?? paid;
  return from === null ? null : Math.max(0, assignedAt - from);
}
