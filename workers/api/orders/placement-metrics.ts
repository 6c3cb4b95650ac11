// The placement data point (decision 0054): one per order created, its value
// the handler's time from validated request to the Order DO's answer. Replays
// of an Idempotency-Key are not placements and write nothing.
import { metricsSink } from "../../../platform/metrics.ts";
import type { AppContext } from "../context.ts";

export function recordPlacement(c: AppContext, ms: number, restaurantId: string): void {
  metricsSink(c.env, (p) => c.executionCtx.waitUntil(p)).write({
    metric: "placement",
    value: ms,
    detail: restaurantId,
  });
}
