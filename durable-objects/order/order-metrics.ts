// The Order DO's data point (decision 0054): dispatch time, written when a
// command assigns a courier, measured over the order's own event log
// (domain/metrics/health-metrics.ts dispatchTimeMs).
import { dispatchTimeMs } from "../../domain/metrics/health-metrics.ts";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import type { Env } from "../../platform/env.ts";
import { metricsSink } from "../../platform/metrics.ts";

export function recordDispatchTime(
  env: Env,
  ctx: DurableObjectState,
  committed: readonly OrderEvent[],
  history: () => readonly OrderEvent[],
): void {
  const assigned = committed.find((e) => e.type === "order.courier_assigned");
  if (!assigned) return;
  const ms = dispatchTimeMs(history(), assigned.at);
  if (ms === null) return;
  metricsSink(env, (p) => ctx.waitUntil(p)).write({ metric: "dispatch", value: ms });
}
