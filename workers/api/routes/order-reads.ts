// Order lists read from the Postgres projections: a customer's history, a
// restaurant's orders, a courier's current job. The projection trails the
// Order DO by a queue hop; one order's live truth is GET /v1/orders/{id}.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gte, inArray, lt, notInArray, type SQL, sql } from "drizzle-orm";
import { orderItems, orderStatus, orders, restaurants } from "../../../db/schema.ts";
import type { Principal } from "../../../domain/auth/principal.ts";
import { type OrderState, TERMINAL_STATES } from "../../../domain/order/state-machine.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonResponse, orderTotalsFields, urlNumber } from "../http/openapi.ts";

const ORDER_STATES = orderStatus.enumValues satisfies readonly OrderState[];

const MAX_PAGE = 100;

const Uuid = z.string().uuid();

const OrderSummary = z
  .object({
    id: Uuid,
    status: z.enum(ORDER_STATES),
    delivery: z.string(),
    customerId: Uuid,
    restaurantId: Uuid,
    restaurantName: z.string(),
    courierId: Uuid.nullable(),
    currency: z.string(),
    ...orderTotalsFields,
    prepTimeMinutes: z.number().int().nullable(),
    placedAt: z.string(),
    updatedAt: z.string(),
    lastSeq: z.number().int(),
  })
  .openapi("OrderSummary");

const OrderPage = z
  .object({
    orders: z.array(OrderSummary),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next (older) page; null on the last page." }),
  })
  .openapi("OrderPage");

const PageQuery = {
  cursor: z.string().max(200).optional().openapi({ description: "Opaque; from `nextCursor` of the previous page." }),
  limit: urlNumber({ min: 1, max: MAX_PAGE, int: true }).default(20),
};

const DateBound = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const CourierJob = z
  .object({
    order: OrderSummary,
    pickup: z.object({ restaurantId: Uuid, name: z.string(), address: z.string(), lat: z.number(), lng: z.number() }),
    dropoff: z.object({
      line1: z.string(),
      line2: z.string().optional(),
      city: z.string(),
      postcode: z.string(),
      lat: z.number(),
      lng: z.number(),
      instructions: z.string().optional(),
    }),
    items: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
  })
  .openapi("CourierJob");

const myOrders = createRoute({
  method: "get",
  path: "/v1/me/orders",
  operationId: "listMyOrders",
  tags: ["orders"],
  summary: "The signed-in customer's orders, newest first",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: { query: z.strictObject(PageQuery) },
  responses: { 200: jsonResponse(OrderPage, "A page of orders"), ...errorResponses(400, 401, 403) },
});

const restaurantOrders = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/orders",
  operationId: "listRestaurantOrders",
  tags: ["orders"],
  summary: "A restaurant's orders, newest first, filtered by state and placement time (its staff or an admin)",
  description:
    "`status` takes one or more states, comma-separated or repeated. `live=true` keeps only non-terminal orders. `from` is inclusive and `to` exclusive; a plain date means that whole UTC day.",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: {
    params: z.object({ id: Uuid }),
    query: z.strictObject({
      status: z
        .union([z.string(), z.array(z.string())])
        .optional()
        .openapi({ description: `Any of: ${ORDER_STATES.join(", ")}`, example: "paid,accepted" }),
      live: z.enum(["true", "false"]).optional(),
      from: DateBound.optional(),
      to: DateBound.optional(),
      ...PageQuery,
    }),
  },
  responses: { 200: jsonResponse(OrderPage, "A page of orders"), ...errorResponses(400, 401, 403, 404) },
});

const courierJob = createRoute({
  method: "get",
  path: "/v1/couriers/me/job",
  operationId: "getCourierJob",
  tags: ["orders"],
  summary: "The signed-in courier's current (non-terminal) delivery",
  security: bearerSecurity,
  middleware: [requireAuth("courier")] as const,
  responses: { 200: jsonResponse(CourierJob, "The current job"), ...errorResponses(401, 403, 404) },
});

// Cursor = the last row's (placed_at, id). placed_at travels as text rendered by
// Postgres, not through a JS Date, so the comparison is exact to the microsecond.
interface Cursor {
  placedAt: string;
  id: string;
}

const CURSOR_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

function encodeCursor(cursor: Cursor): string {
  return btoa(JSON.stringify([cursor.placedAt, cursor.id]))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function decodeCursor(text: string): Cursor {
  try {
    const [placedAt, id] = JSON.parse(atob(text.replace(/-/g, "+").replace(/_/g, "/"))) as unknown[];
    if (
      typeof placedAt === "string" &&
      CURSOR_TIMESTAMP.test(placedAt) &&
      typeof id === "string" &&
      Uuid.safeParse(id).success
    ) {
      return { placedAt, id };
    }
  } catch {
    // falls through to the refusal
  }
  throw validationError(
    [{ path: "cursor", code: "invalid_cursor", message: "Use the nextCursor of a previous page." }],
    "The cursor is not valid.",
  );
}

const summaryColumns = {
  id: orders.id,
  status: orders.status,
  deliveryStatus: orders.deliveryStatus,
  customerId: orders.customerId,
  restaurantId: orders.restaurantId,
  restaurantName: restaurants.name,
  courierId: orders.courierId,
  currency: orders.currency,
  subtotalMinor: orders.subtotalMinor,
  deliveryFeeMinor: orders.deliveryFeeMinor,
  serviceFeeMinor: orders.serviceFeeMinor,
  taxMinor: orders.taxMinor,
  taxIncluded: orders.taxIncluded,
  smallOrderFeeMinor: orders.smallOrderFeeMinor,
  tipMinor: orders.tipMinor,
  totalMinor: orders.totalMinor,
  discountMinor: orders.discountMinor,
  roundingMinor: orders.roundingMinor,
  prepTimeMinutes: orders.prepTimeMinutes,
  placedAt: orders.placedAt,
  updatedAt: orders.updatedAt,
  lastEventSeq: orders.lastEventSeq,
  // Rendered in UTC with microseconds, whatever the session's DateStyle or TimeZone.
  cursorPlacedAt: sql<string>`to_char(${orders.placedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
};

function toSummary(row: Awaited<ReturnType<typeof selectSummaries>>[number]): z.infer<typeof OrderSummary> {
  return {
    id: row.id,
    status: row.status,
    delivery: row.deliveryStatus ?? "none",
    customerId: row.customerId,
    restaurantId: row.restaurantId,
    restaurantName: row.restaurantName,
    courierId: row.courierId,
    currency: row.currency,
    subtotalMinor: row.subtotalMinor,
    deliveryFeeMinor: row.deliveryFeeMinor,
    serviceFeeMinor: row.serviceFeeMinor,
    taxMinor: row.taxMinor,
    taxIncluded: row.taxIncluded,
    smallOrderFeeMinor: row.smallOrderFeeMinor,
    tipMinor: row.tipMinor,
    totalMinor: row.totalMinor,
    discountMinor: row.discountMinor,
    roundingMinor: row.roundingMinor,
    prepTimeMinutes: row.prepTimeMinutes,
    placedAt: row.placedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    lastSeq: row.lastEventSeq,
  };
}

function selectSummaries(c: AppContext, where: SQL | undefined, limit: number) {
  return c.var.db
    .select(summaryColumns)
    .from(orders)
    .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
    .where(where)
    .orderBy(desc(orders.placedAt), desc(orders.id))
    .limit(limit);
}

/** Newest first; one row more than asked tells whether another page exists. */
async function page(c: AppContext, filters: Array<SQL | undefined>, cursorText: string | undefined, limit: number) {
  const cursor = cursorText === undefined ? undefined : decodeCursor(cursorText);
  const after = cursor
    ? sql`(${orders.placedAt}, ${orders.id}) < (${cursor.placedAt}::timestamptz, ${cursor.id}::uuid)`
    : undefined;
  const rows = await selectSummaries(c, and(...filters, after), limit + 1);
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    orders: kept.map(toSummary),
    nextCursor: more && last ? encodeCursor({ placedAt: last.cursorPlacedAt, id: last.id }) : null,
  };
}

function parseStates(raw: string | string[] | undefined): OrderState[] | undefined {
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(",")).map((s) => s.trim());
  const unknown = parts.filter((s) => !(ORDER_STATES as readonly string[]).includes(s));
  if (unknown.length > 0 || parts.length === 0) {
    throw validationError([
      {
        path: "status",
        code: "invalid_enum_value",
        message: `Unknown state(s): ${unknown.join(", ")}. Use any of: ${ORDER_STATES.join(", ")}.`,
      },
    ]);
  }
  return [...new Set(parts)] as OrderState[];
}

/** A plain date is a whole UTC day: as `from` its start, as `to` the start of the next day (exclusive). */
function boundOf(value: string, end: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    return end ? new Date(day.getTime() + 86_400_000) : day;
  }
  return new Date(value);
}

function assertRestaurantReader(principal: Principal, restaurantId: string): void {
  if (principal.role === "admin") return;
  if (principal.role === "restaurant_staff" && principal.restaurantId === restaurantId) return;
  throw new ApiError(403, "not_restaurant_staff", "Only this restaurant's staff or an admin can see its orders.");
}

export function registerOrderReadRoutes(app: App): void {
  app.openapi(myOrders, async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const result = await page(c, [eq(orders.customerId, principalOf(c).userId)], cursor, limit);
    return c.json(result, 200);
  });

  app.openapi(restaurantOrders, async (c) => {
    const { id } = c.req.valid("param");
    const principal = principalOf(c);
    assertRestaurantReader(principal, id);
    const query = c.req.valid("query");
    const states = parseStates(query.status);
    const from = query.from === undefined ? undefined : boundOf(query.from, false);
    const to = query.to === undefined ? undefined : boundOf(query.to, true);
    if (from && to && from >= to) {
      throw validationError([{ path: "from", code: "invalid_range", message: "`from` must be before `to`." }]);
    }
    if (principal.role === "admin") {
      const found = await c.var.db
        .select({ id: restaurants.id })
        .from(restaurants)
        .where(eq(restaurants.id, id))
        .limit(1);
      if (found.length === 0) throw new ApiError(404, "restaurant_not_found", "No restaurant has this id.");
    }
    const result = await page(
      c,
      [
        eq(orders.restaurantId, id),
        states ? inArray(orders.status, states) : undefined,
        query.live === "true" ? notInArray(orders.status, [...TERMINAL_STATES]) : undefined,
        from ? gte(orders.placedAt, from) : undefined,
        to ? lt(orders.placedAt, to) : undefined,
      ],
      query.cursor,
      query.limit,
    );
    return c.json(result, 200);
  });

  app.openapi(courierJob, async (c) => {
    const courierId = principalOf(c).userId;
    const rows = await c.var.db
      .select({
        ...summaryColumns,
        deliveryAddress: orders.deliveryAddress,
        restaurantAddress: restaurants.address,
        restaurantLat: restaurants.lat,
        restaurantLng: restaurants.lng,
      })
      .from(orders)
      .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
      .where(and(eq(orders.courierId, courierId), notInArray(orders.status, [...TERMINAL_STATES])))
      .orderBy(desc(orders.placedAt), desc(orders.id))
      .limit(1);
    const row = rows[0];
    if (!row) throw new ApiError(404, "no_current_job", "You have no delivery in progress.");
    const items = await c.var.db
      .select({ name: orderItems.name, quantity: orderItems.quantity })
      .from(orderItems)
      .where(eq(orderItems.orderId, row.id))
      .orderBy(asc(orderItems.lineNo));
    return c.json(
      {
        order: toSummary(row),
        pickup: {
          restaurantId: row.restaurantId,
          name: row.restaurantName,
          address: row.restaurantAddress,
          lat: row.restaurantLat,
          lng: row.restaurantLng,
        },
        dropoff: row.deliveryAddress,
        items,
      },
      200,
    );
  });
}
