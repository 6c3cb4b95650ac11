// Health at a glance for operators, from data the platform already keeps:
// projection lag (ProjectionLagDO), dead letters and exceptions (Postgres),
// couriers online and busy (the live map of every served region), orders per
// minute and placement-to-delivery times over the last hour (order events).
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, gte, isNull, min, sql } from "drizzle-orm";
import { deadLetters, orderEvents, orderExceptions, orders } from "../../../db/schema.ts";
import type { CityMapCounts } from "../../../durable-objects/city-map/city-map-do.ts";
import { cityMapStub } from "../../../durable-objects/city-map/stub.ts";
import { projectionLagStub } from "../../../durable-objects/projection-lag/stub.ts";
import { requireAuth } from "../auth/authenticate.ts";
import { servedRegions } from "../back-office/courier-presence.ts";
import type { App } from "../context.ts";
import { log } from "../http/log.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "../http/openapi.ts";

/** "Orders per minute" averages over this window, so one busy minute does not swing it. */
const RATE_WINDOW_MINUTES = 15;

const Overview = z
  .object({
    at: z.string(),
    projection: z.object({
      laggingOrders: z.number().int(),
      oldestUnacknowledgedAgeMs: z.number().int(),
      pendingEvents: z.number().int(),
    }),
    deadLetters: z.object({ pending: z.number().int() }),
    exceptions: z.object({
      open: z.number().int(),
      byKind: z.record(z.string(), z.number().int()),
      oldestOpenedAt: z.string().nullable(),
    }),
    couriers: z.object({
      online: z.number().int(),
      available: z.number().int(),
      offered: z.number().int(),
      onJob: z.number().int(),
      stale: z.number().int(),
      onBreak: z.number().int(),
      regions: z.array(z.string()),
      unreachableRegions: z.array(z.string()),
    }),
    orders: z.object({
      active: z.number().int().openapi({ description: "Paid and not yet ended, on the live map." }),
      placedLastHour: z.number().int(),
      perMinute: z.number().openapi({ description: `Placed per minute over the last ${RATE_WINDOW_MINUTES} minutes.` }),
      deliveredLastHour: z.number().int(),
      placementToDeliveryP50Ms: z.number().int().nullable(),
      placementToDeliveryP95Ms: z.number().int().nullable(),
    }),
  })
  .openapi("OperatorOverview");

const overview = createRoute({
  method: "get",
  path: "/v1/admin/overview",
  operationId: "getOperatorOverview",
  tags: ["admin"],
  summary: "Health at a glance: lag, dead letters, exceptions, couriers online and busy, order rate and times",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  responses: { 200: jsonResponse(Overview, "The overview"), ...errorResponses(401, 403) },
});

const EMPTY_COUNTS: CityMapCounts = {
  online: 0,
  available: 0,
  offered: 0,
  onJob: 0,
  stale: 0,
  onBreak: 0,
  activeOrders: 0,
  escalatedOrders: 0,
};

/** Field by field, so a count added to CityMapCounts fails to compile here until it is summed too. */
function addCounts(a: CityMapCounts, b: CityMapCounts): CityMapCounts {
  return {
    online: a.online + b.online,
    available: a.available + b.available,
    offered: a.offered + b.offered,
    onJob: a.onJob + b.onJob,
    stale: a.stale + b.stale,
    onBreak: a.onBreak + b.onBreak,
    activeOrders: a.activeOrders + b.activeOrders,
    escalatedOrders: a.escalatedOrders + b.escalatedOrders,
  };
}

export function registerOverviewRoutes(app: App): void {
  app.openapi(overview, async (c) => {
    const db = c.var.db;
    const hourAgo = new Date(Date.now() - 3600_000);
    const windowStart = new Date(Date.now() - RATE_WINDOW_MINUTES * 60_000);
    const [lag, [dead], exceptionRows, [placed], [delivered], regions] = await Promise.all([
      projectionLagStub(c.env).lag(1),
      db.select({ n: sql<number>`count(*)::int` }).from(deadLetters).where(isNull(deadLetters.replayedAt)),
      db
        .select({ kind: orderExceptions.kind, n: sql<number>`count(*)::int`, oldest: min(orderExceptions.openedAt) })
        .from(orderExceptions)
        .where(isNull(orderExceptions.resolvedAt))
        .groupBy(orderExceptions.kind),
      db
        .select({
          hour: sql<number>`count(*)::int`,
          recent: sql<number>`count(*) filter (where ${orders.placedAt} >= ${windowStart})::int`,
        })
        .from(orders)
        .where(gte(orders.placedAt, hourAgo)),
      db
        .select({
          n: sql<number>`count(*)::int`,
          p50: sql<
            number | null
          >`percentile_cont(0.5) within group (order by extract(epoch from (${orderEvents.occurredAt} - ${orders.placedAt})) * 1000)`,
          p95: sql<
            number | null
          >`percentile_cont(0.95) within group (order by extract(epoch from (${orderEvents.occurredAt} - ${orders.placedAt})) * 1000)`,
        })
        .from(orderEvents)
        .innerJoin(orders, eq(orders.id, orderEvents.orderId))
        .where(and(eq(orderEvents.type, "order.delivered"), gte(orderEvents.occurredAt, hourAgo))),
      servedRegions(db),
    ]);
    const unreachable: string[] = [];
    const perRegion = await Promise.all(
      regions.map(async (region) => {
        try {
          return await cityMapStub(c.env, region).counts();
        } catch (err) {
          log(c, "warn", "overview.region_unreachable", { region, error: String(err) });
          unreachable.push(region);
          return EMPTY_COUNTS;
        }
      }),
    );
    const sum = perRegion.reduce(addCounts, EMPTY_COUNTS);
    const oldest = exceptionRows
      .map((r) => r.oldest)
      .filter((d): d is Date => d !== null)
      .sort((a, b) => a.getTime() - b.getTime())[0];
    const round = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v)));
    c.header("cache-control", "no-store");
    return c.json(
      {
        at: new Date().toISOString(),
        projection: {
          laggingOrders: lag.laggingOrders,
          oldestUnacknowledgedAgeMs: lag.oldestUnacknowledgedAgeMs,
          pendingEvents: lag.pendingEvents,
        },
        deadLetters: { pending: dead?.n ?? 0 },
        exceptions: {
          open: exceptionRows.reduce((n, r) => n + r.n, 0),
          byKind: Object.fromEntries(exceptionRows.map((r) => [r.kind, r.n])),
          oldestOpenedAt: oldest?.toISOString() ?? null,
        },
        couriers: {
          online: sum.online,
          available: sum.available,
          offered: sum.offered,
          onJob: sum.onJob,
          stale: sum.stale,
          onBreak: sum.onBreak,
          regions,
          unreachableRegions: unreachable,
        },
        orders: {
          active: sum.activeOrders,
          placedLastHour: placed?.hour ?? 0,
          perMinute: Math.round(((placed?.recent ?? 0) / RATE_WINDOW_MINUTES) * 100) / 100,
          deliveredLastHour: delivered?.n ?? 0,
          placementToDeliveryP50Ms: round(delivered?.p50),
          placementToDeliveryP95Ms: round(delivered?.p95),
        },
      },
      200,
    );
  });
}
