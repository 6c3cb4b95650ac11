// Is the system of record in step? `/v1/health` answers for monitors and
// `npm start`: Postgres reachability and the projection's lag (orders whose
// events Postgres has not acknowledged past the window). Operators get the
// lagging orders themselves beside the dead letters.
import { createRoute, z } from "@hono/zod-openapi";
import { isNull, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { deadLetters } from "../../../db/schema.ts";
import { ACK_WINDOW_MS } from "../../../domain/projection/resend.ts";
import type { ProjectionLag } from "../../../durable-objects/projection-lag/projection-lag-do.ts";
import { projectionLagStub } from "../../../durable-objects/projection-lag/stub.ts";
import { requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "../http/openapi.ts";

/** A health check must answer quickly even when Postgres does not. */
const PING_TIMEOUT_MS = 2_000;

const ProjectionLagSummary = z
  .object({
    laggingOrders: z.number().int().openapi({ description: "Orders with events Postgres has not acknowledged" }),
    oldestUnacknowledgedAgeMs: z.number().int(),
    pendingEvents: z.number().int(),
    ackWindowMs: z.number().int().openapi({ description: "How long an event may take before its order counts" }),
  })
  .openapi("ProjectionLagSummary");

const Health = z
  .object({
    status: z.enum(["ok", "degraded"]),
    postgres: z.object({ reachable: z.boolean(), latencyMs: z.number().int().nullable() }),
    projection: ProjectionLagSummary,
    deadLetters: z.object({ pending: z.number().int().nullable() }),
  })
  .openapi("Health");

const ProjectionStatus = z
  .object({
    projection: ProjectionLagSummary,
    deadLetters: z.object({ pending: z.number().int().nullable() }),
    laggingOrders: z.array(z.object({ orderId: z.string(), oldestAt: z.string(), pendingEvents: z.number().int() })),
  })
  .openapi("ProjectionStatus");

const health = createRoute({
  method: "get",
  path: "/v1/health",
  operationId: "getHealth",
  tags: ["health"],
  summary: "Liveness, Postgres reachability and projection lag",
  security: [],
  responses: { 200: jsonResponse(Health, "Health; `degraded` when Postgres is unreachable or orders lag") },
});

const projectionStatus = createRoute({
  method: "get",
  path: "/v1/admin/projection",
  operationId: "getProjectionStatus",
  tags: ["admin"],
  summary: "Orders whose events Postgres has not acknowledged, and pending dead letters",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  responses: { 200: jsonResponse(ProjectionStatus, "Projection status"), ...errorResponses(401, 403) },
});

async function ping(db: Database): Promise<number | null> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      db.execute(sql`select 1`),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), PING_TIMEOUT_MS);
      }),
    ]);
    return Date.now() - started;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

async function pendingDeadLetters(db: Database): Promise<number | null> {
  try {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(deadLetters)
      .where(isNull(deadLetters.replayedAt));
    return row?.n ?? 0;
  } catch {
    return null;
  }
}

function summary(lag: ProjectionLag) {
  return {
    laggingOrders: lag.laggingOrders,
    oldestUnacknowledgedAgeMs: lag.oldestUnacknowledgedAgeMs,
    pendingEvents: lag.pendingEvents,
    ackWindowMs: ACK_WINDOW_MS,
  };
}

async function lagOf(c: AppContext, limit: number): Promise<ProjectionLag> {
  return projectionLagStub(c.env).lag(limit);
}

export function registerHealthRoutes(app: App): void {
  app.openapi(health, async (c) => {
    const [latencyMs, lag] = await Promise.all([ping(c.var.db), lagOf(c, 1)]);
    const reachable = latencyMs !== null;
    const deadPending = reachable ? await pendingDeadLetters(c.var.db) : null;
    c.header("cache-control", "no-store");
    return c.json(
      {
        status: reachable && lag.laggingOrders === 0 ? ("ok" as const) : ("degraded" as const),
        postgres: { reachable, latencyMs },
        projection: summary(lag),
        deadLetters: { pending: deadPending },
      },
      200,
    );
  });

  app.openapi(projectionStatus, async (c) => {
    const [lag, deadPending] = await Promise.all([lagOf(c, 100), pendingDeadLetters(c.var.db)]);
    return c.json({ projection: summary(lag), deadLetters: { pending: deadPending }, laggingOrders: lag.orders }, 200);
  });
}
