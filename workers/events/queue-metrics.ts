// The queue consumer's data points (decision 0054): projection lag, from the
// event's commit in its Order DO to its row in Postgres, one per event
// stored; and one per message parked as a dead letter.
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { type MetricsEnv, type MetricsSink, metricsSink } from "../../platform/metrics.ts";

export type { MetricsEnv } from "../../platform/metrics.ts";

export function queueMetrics(env: MetricsEnv, ctx?: { waitUntil(promise: Promise<unknown>): void }): MetricsSink {
  return metricsSink(env, ctx ? (p) => ctx.waitUntil(p) : undefined);
}

export function recordProjected(sink: MetricsSink, projected: readonly OrderEventMessage[], now = Date.now()): void {
  for (const { event } of projected) {
    sink.write({ metric: "projection_lag", value: now - event.at, detail: event.type });
  }
}

export function recordDeadLetter(sink: MetricsSink, body: unknown): void {
  const type = (body as Partial<OrderEventMessage> | null)?.event?.type;
  sink.write({ metric: "dead_letter", value: 1, detail: typeof type === "string" ? type : "unknown" });
}
