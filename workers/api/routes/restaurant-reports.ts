// A restaurant's reports over a period of its local dates, computed by
// Postgres from the order projection: sales by day and by hour, top items,
// refunds, acceptance and prep times; and the same tables as CSV. The
// projection trails the Order DOs by a queue hop, which a report can afford.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { orderEvents, orderItems, orders, payments, restaurants } from "../../../db/schema.ts";
import type { Principal } from "../../../domain/auth/principal.ts";
import {
  buildReport,
  checkPeriod,
  type ReportTable,
  reportCsv,
  type SalesReport,
} from "../../../domain/reports/sales-report.ts";
import { addDays, localToEpoch } from "../../../domain/restaurant/local-time.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "../http/openapi.ts";
import { restaurantNotFound } from "../restaurants/editing.ts";
import { LocalDate, Uuid } from "../restaurants/schemas.ts";

/** Orders the kitchen took: accepted at some point and not cancelled or rejected since. */
const SOLD = ["accepted", "preparing", "ready", "picked_up", "delivered"] as const;
const TOP_ITEMS = 20;

const Period = {
  from: LocalDate.openapi({ description: "First local date of the period (the restaurant's time zone)." }),
  to: LocalDate.openapi({ description: "Last local date, included; at most 92 days after `from`." }),
};

const Money = z.number().int();
const SalesReportOut = z
  .object({
    restaurantId: Uuid,
    currency: z.string(),
    timeZone: z.string(),
    from: z.string(),
    to: z.string(),
    totals: z.object({
      orders: z.number().int().openapi({ description: "Orders the kitchen accepted and did not cancel or reject." }),
      salesMinor: Money.openapi({ description: "Their food subtotal (fees, tax and tips excluded)." }),
      averageOrderMinor: Money.nullable(),
      cancelled: z.number().int(),
      rejected: z.number().int(),
      refunds: z.number().int().openapi({ description: "Refunds that succeeded during the period." }),
      refundedMinor: Money,
      averageAcceptSeconds: z.number().nullable().openapi({ description: "From payment to acceptance." }),
      averagePrepMinutes: z.number().nullable().openapi({ description: "From acceptance to ready." }),
    }),
    byDay: z.array(z.object({ date: z.string(), orders: z.number().int(), salesMinor: Money })),
    byHour: z.array(z.object({ hour: z.number().int(), orders: z.number().int(), salesMinor: Money })),
    topItems: z.array(z.object({ name: z.string(), quantity: z.number().int(), salesMinor: Money })),
  })
  .openapi("SalesReport");

const readers = [requireAuth("restaurant_staff", "admin")];
const params = z.object({ id: Uuid });

const getReport = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/reports",
  operationId: "getRestaurantReport",
  tags: ["reports"],
  summary: "Sales by day and hour, top items, refunds, acceptance and prep times over a period (its staff or an admin)",
  security: bearerSecurity,
  middleware: readers,
  request: { params, query: z.strictObject(Period) },
  responses: { 200: jsonResponse(SalesReportOut, "The report"), ...errorResponses(400, 401, 403, 404) },
});

const exportReport = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/reports/export",
  operationId: "exportRestaurantReport",
  tags: ["reports"],
  summary: "One table of the report as CSV: by day, by hour of the day, or items (its staff or an admin)",
  security: bearerSecurity,
  middleware: readers,
  request: {
    params,
    query: z.strictObject({ ...Period, table: z.enum(["days", "hours", "items"]).default("days") }),
  },
  responses: {
    200: {
      description: "CSV with a header row; money in major units with a dot",
      content: { "text/csv": { schema: z.string() } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
});

function assertReader(principal: Principal, restaurantId: string): void {
  if (principal.role === "admin") return;
  if (principal.role === "restaurant_staff" && principal.restaurantId === restaurantId) return;
  throw new ApiError(403, "not_restaurant_staff", "Only this restaurant's staff or an admin can see its reports.");
}

const num = (v: unknown): number => Number(v ?? 0);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function computeReport(
  db: Database,
  restaurant: { id: string; timeZone: string },
  from: string,
  to: string,
): Promise<SalesReport> {
  const start = new Date(localToEpoch(from, 0, restaurant.timeZone));
  const end = new Date(localToEpoch(addDays(to, 1), 0, restaurant.timeZone));
  const inPeriod = and(eq(orders.restaurantId, restaurant.id), gte(orders.placedAt, start), lt(orders.placedAt, end));
  const sold = and(inPeriod, inArray(orders.status, [...SOLD]));
  const local = sql`(${orders.placedAt} at time zone ${restaurant.timeZone})`;

  const perOrder = db
    .select({
      paid: sql<Date | null>`min(${orderEvents.occurredAt}) filter (where ${orderEvents.type} = 'order.paid')`.as(
        "paid",
      ),
      accepted:
        sql<Date | null>`min(${orderEvents.occurredAt}) filter (where ${orderEvents.type} = 'order.accepted')`.as(
          "accepted",
        ),
      ready: sql<Date | null>`min(${orderEvents.occurredAt}) filter (where ${orderEvents.type} = 'order.ready')`.as(
        "ready",
      ),
    })
    .from(orderEvents)
    .innerJoin(orders, eq(orders.id, orderEvents.orderId))
    .where(inPeriod)
    .groupBy(orderEvents.orderId)
    .as("per_order");

  const [hours, items, outcomes, refunds, times] = await Promise.all([
    db
      .select({
        day: sql<string>`to_char(${local}, 'YYYY-MM-DD')`,
        hour: sql<number>`extract(hour from ${local})::int`,
        orders: sql<number>`count(*)::int`,
        salesMinor: sql<string>`sum(${orders.subtotalMinor})::bigint`,
      })
      .from(orders)
      .where(sold)
      .groupBy(sql`1, 2`),
    db
      .select({
        name: orderItems.name,
        quantity: sql<number>`sum(${orderItems.quantity})::int`,
        salesMinor: sql<string>`sum(${orderItems.lineTotalMinor})::bigint`,
      })
      .from(orderItems)
      .innerJoin(orders, eq(orders.id, orderItems.orderId))
      .where(sold)
      .groupBy(orderItems.name)
      .orderBy(desc(sql`3`), orderItems.name)
      .limit(TOP_ITEMS),
    db
      .select({ status: orders.status, count: sql<number>`count(*)::int` })
      .from(orders)
      .where(and(inPeriod, inArray(orders.status, ["cancelled", "rejected"])))
      .groupBy(orders.status),
    db
      .select({ count: sql<number>`count(*)::int`, amount: sql<string | null>`sum(${payments.amountMinor})::bigint` })
      .from(payments)
      .innerJoin(orders, eq(orders.id, payments.orderId))
      .where(
        and(
          eq(orders.restaurantId, restaurant.id),
          eq(payments.kind, "refund"),
          eq(payments.status, "succeeded"),
          gte(payments.createdAt, start),
          lt(payments.createdAt, end),
        ),
      ),
    db
      .select({
        accept: sql<string | null>`avg(extract(epoch from ${perOrder.accepted} - ${perOrder.paid}))`,
        prep: sql<string | null>`avg(extract(epoch from ${perOrder.ready} - ${perOrder.accepted})) / 60`,
      })
      .from(perOrder),
  ]);

  const countOf = (status: string) => outcomes.find((o) => o.status === status)?.count ?? 0;
  return buildReport({
    from,
    to,
    hours: hours.map((h) => ({ day: h.day, hour: num(h.hour), orders: num(h.orders), salesMinor: num(h.salesMinor) })),
    items: items.map((i) => ({ name: i.name, quantity: num(i.quantity), salesMinor: num(i.salesMinor) })),
    cancelled: countOf("cancelled"),
    rejected: countOf("rejected"),
    refunds: { count: num(refunds[0]?.count), amountMinor: num(refunds[0]?.amount) },
    averageAcceptSeconds: numOrNull(times[0]?.accept),
    averagePrepMinutes: numOrNull(times[0]?.prep),
  });
}

async function restaurantFor(db: Database, principal: Principal, id: string, from: string, to: string) {
  assertReader(principal, id);
  const issues = checkPeriod(from, to);
  if (issues.length > 0) throw validationError(issues, "The period is not one the report covers.");
  const [restaurant] = await db
    .select({ id: restaurants.id, timeZone: restaurants.timeZone, currency: restaurants.currency })
    .from(restaurants)
    .where(eq(restaurants.id, id))
    .limit(1);
  if (!restaurant) throw restaurantNotFound();
  return restaurant;
}

/** Minor units per major unit of `currency`: 2 for EUR, 0 for JPY. */
function currencyDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function registerRestaurantReportRoutes(app: App): void {
  app.openapi(getReport, async (c) => {
    const { id } = c.req.valid("param");
    const { from, to } = c.req.valid("query");
    const restaurant = await restaurantFor(c.var.db, principalOf(c), id, from, to);
    const report = await computeReport(c.var.db, restaurant, from, to);
    return c.json({ restaurantId: id, currency: restaurant.currency, timeZone: restaurant.timeZone, ...report }, 200);
  });

  app.openapi(exportReport, async (c) => {
    const { id } = c.req.valid("param");
    const { from, to, table } = c.req.valid("query");
    const restaurant = await restaurantFor(c.var.db, principalOf(c), id, from, to);
    const report = await computeReport(c.var.db, restaurant, from, to);
    return c.body(reportCsv(report, table as ReportTable, currencyDigits(restaurant.currency)), 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="report-${table}-${from}-${to}.csv"`,
    });
  });
}
