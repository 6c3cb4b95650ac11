// The operators' health metrics (decision 0054): placement rate and latency,
// projection lag, dispatch time and dead letters over the last 15 minutes or
// hour, read from Workers Analytics Engine through its SQL API (locally, the
// stand-in scripts/dev/platform.ts starts). The query text is fixed per
// window (domain/metrics/health-metrics.ts); nothing the caller sends reaches it.
import { createRoute, z } from "@hono/zod-openapi";
import {
  HEALTH_SQL,
  HEALTH_WINDOWS,
  type HealthWindow,
  summariseHealth,
} from "../../../domain/metrics/health-metrics.ts";
import { queryMetrics } from "../../../platform/metrics.ts";
import { requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { bearerSecurity, ErrorResponse, errorResponses, jsonResponse } from "../http/openapi.ts";

const Latency = {
  count: z.number().int(),
  p50Ms: z.number().int().nullable(),
  p95Ms: z.number().int().nullable(),
  maxMs: z.number().int().nullable(),
};

const HealthMetrics = z
  .object({
    window: z.enum(HEALTH_WINDOWS as [HealthWindow, ...HealthWindow[]]),
    at: z.string(),
    placements: z.object({ ...Latency, perMinute: z.number() }).openapi({
      description: "Orders created, and the API's time to create each (request to the Order DO's answer).",
    }),
    projectionLag: z
      .object(Latency)
      .openapi({ description: "From an event's commit in its Order DO to its row in Postgres, per event." }),
    dispatch: z.object(Latency).openapi({
      description: "From the start of the courier search (payment, or the kitchen's timing) to assignment.",
    }),
    deadLetters: z.object({ count: z.number().int() }).openapi({ description: "Messages parked in the window." }),
  })
  .openapi("HealthMetrics");

const unavailable = {
  description: "Metrics not configured (metrics_unavailable)",
  content: { "application/json": { schema: ErrorResponse } },
};
const upstream = {
  description: "The metrics store did not answer (metrics_query_failed)",
  content: { "application/json": { schema: ErrorResponse } },
};

const healthMetrics = createRoute({
  method: "get",
  path: "/v1/admin/metrics",
  operationId: "getHealthMetrics",
  tags: ["admin"],
  summary: "Placement rate and latency, projection lag, dispatch time and dead letters over 15 minutes or an hour",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { query: z.object({ window: z.enum(HEALTH_WINDOWS as [HealthWindow, ...HealthWindow[]]).default("15m") }) },
  responses: {
    200: jsonResponse(HealthMetrics, "The metrics of the window"),
    ...errorResponses(400, 401, 403),
    502: upstream,
    503: unavailable,
  },
});

export function registerMetricsRoutes(app: App): void {
  app.openapi(healthMetrics, async (c) => {
    const { window } = c.req.valid("query");
    const result = await queryMetrics(c.env, HEALTH_SQL[window]);
    if (!result.ok) {
      if (result.reason === "not_configured") {
        throw new ApiError(503, "metrics_unavailable", "No Analytics Engine account or token is configured.");
      }
      log(c, "warn", "metrics.query_failed", { window, detail: result.detail });
      throw new ApiError(502, "metrics_query_failed", "The metrics store did not answer; try again.");
    }
    c.header("cache-control", "no-store");
    return c.json({ ...summariseHealth(window, result.answer), at: new Date().toISOString() }, 200);
  });
}
