// The exceptions queue: orders that need a person (no courier found, courier
// dark, PIN lockout, failed delivery, a refund that keeps failing), oldest
// first with their age and reason, and what an operator can do about each:
// offer the order to a courier who must accept, give it to a courier outright
// with a reason, restart the search, cancel with a full or partial refund,
// resolve with a note, or add a contact note. Every action goes through the
// Order DO's state machine and becomes an event with the operator as actor.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, desc, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { couriers, orderExceptions, orders, restaurants, users } from "../../../db/schema.ts";
import { EXCEPTION_KINDS } from "../../../domain/exceptions/derive.ts";
import type { OperatorAction } from "../../../durable-objects/order/operator.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { locateCourier } from "../back-office/courier-presence.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, urlNumber } from "../http/openapi.ts";
import { Order, throwRefusal } from "./orders.ts";

const Uuid = z.string().uuid();
const Kind = z.enum(EXCEPTION_KINDS);
const Reason = z.string().trim().min(1).max(300);
const Note = z.string().trim().min(1).max(1000);

const OrderException = z
  .object({
    id: Uuid.openapi({ description: "The id of the event that opened it." }),
    orderId: Uuid,
    kind: Kind,
    reason: z.string().nullable(),
    openedAt: z.string(),
    ageMs: z.number().int().openapi({ description: "How long it has been open (or was, once resolved)." }),
    details: z.record(z.string(), z.unknown()),
    resolvedAt: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    resolution: z.string().nullable(),
    resolutionNote: z.string().nullable(),
    order: z.object({
      status: z.string(),
      delivery: z.string().nullable(),
      restaurantId: Uuid,
      restaurantName: z.string(),
      restaurantLat: z.number(),
      restaurantLng: z.number(),
      courierId: Uuid.nullable(),
      courierName: z.string().nullable(),
      courierPhone: z.string().nullable(),
      customerName: z.string(),
      totalMinor: z.number().int(),
      currency: z.string(),
      placedAt: z.string(),
    }),
  })
  .openapi("OrderException");

const listExceptions = createRoute({
  method: "get",
  path: "/v1/admin/exceptions",
  operationId: "listOrderExceptions",
  tags: ["admin"],
  summary: "Orders that need a person: open ones oldest first, resolved ones newest first",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    query: z.object({
      status: z.enum(["open", "resolved"]).default("open"),
      kind: Kind.optional(),
      orderId: Uuid.optional(),
      limit: urlNumber({ min: 1, max: 200, int: true }).default(100),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({ exceptions: z.array(OrderException), counts: z.record(z.string(), z.number().int()) }),
      "Exceptions, and open ones counted by kind",
    ),
    ...errorResponses(400, 401, 403),
  },
});

const IdempotencyKey = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[\w.:-]{8,128}$/, "8 to 128 characters: letters, digits, _ . : -")
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "A retry with the same key changes nothing.",
    }),
});

interface ActionSpec<B extends z.ZodType> {
  path: string;
  operationId: string;
  summary: string;
  body: B;
  toAction: (c: AppContext, body: z.infer<B>, orderId: string) => Promise<OperatorAction>;
}

interface Action {
  path: string;
  operationId: string;
  summary: string;
  body: z.ZodType;
  toAction: (c: AppContext, body: unknown, orderId: string) => Promise<OperatorAction>;
}

/** Checks each spec against its own body type, then forgets it so they fit in one list. */
const spec = <B extends z.ZodType>(s: ActionSpec<B>): Action => ({
  ...s,
  toAction: (c, body, orderId) => s.toAction(c, body as z.infer<B>, orderId),
});

/** The courier must be a courier, active, and (for an offer) online, where the live map sees them. */
async function checkedCourier(c: AppContext, courierId: string) {
  const [row] = await c.var.db
    .select({ active: couriers.active, deactivatedAt: users.deactivatedAt })
    .from(couriers)
    .innerJoin(users, eq(users.id, couriers.userId))
    .where(eq(couriers.userId, courierId))
    .limit(1);
  if (!row) throw new ApiError(404, "courier_not_found", "No courier has this id.");
  if (!row.active || row.deactivatedAt) throw new ApiError(409, "courier_inactive", "This courier is not active.");
}

async function restaurantOf(c: AppContext, orderId: string) {
  const [row] = await c.var.db
    .select({ lat: restaurants.lat, lng: restaurants.lng })
    .from(orders)
    .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
    .where(eq(orders.id, orderId))
    .limit(1);
  return row;
}

const ACTIONS = [
  spec({
    path: "offer",
    operationId: "offerOrderToCourier",
    summary: "Offer the order to one courier, who must accept (they must be online); replaces any live offer",
    body: z.strictObject({ courierId: Uuid, reason: Reason }).openapi("OperatorOffer"),
    toAction: async (c, body, orderId) => {
      await checkedCourier(c, body.courierId);
      const where = await locateCourier(c.env, c.var.db, body.courierId, await restaurantOf(c, orderId));
      if (!where || where.state === "stale") {
        throw new ApiError(
          409,
          "courier_not_online",
          "The live map does not see this courier online; assign them instead.",
        );
      }
      return { type: "offer", courierId: body.courierId, courierCell: where.cell, reason: body.reason };
    },
  }),
  spec({
    path: "assign",
    operationId: "assignOrderToCourier",
    summary: "Give the order to a courier without an offer (agreed by phone); a reason is required",
    body: z.strictObject({ courierId: Uuid, reason: Reason }).openapi("OperatorAssign"),
    toAction: async (c, body, orderId) => {
      await checkedCourier(c, body.courierId);
      const where = await locateCourier(c.env, c.var.db, body.courierId, await restaurantOf(c, orderId));
      return { type: "assign", courierId: body.courierId, courierCell: where?.cell ?? null, reason: body.reason };
    },
  }),
  spec({
    path: "redispatch",
    operationId: "redispatchOrder",
    summary: "Start the courier search again (before pickup), dropping any courier who has the order",
    body: z.strictObject({ reason: Reason }).openapi("OperatorRedispatch"),
    toAction: async (_c, body) => ({ type: "redispatch", reason: body.reason }),
  }),
  spec({
    path: "cancel",
    operationId: "cancelOrderWithRefund",
    summary: "Cancel the order with a full refund, or the part given in refundMinor (0: none)",
    body: z
      .strictObject({ reason: Reason, refundMinor: z.number().int().min(0).max(10_000_000).optional() })
      .openapi("OperatorCancel"),
    toAction: async (_c, body) => ({ type: "cancel", reason: body.reason, refundMinor: body.refundMinor }),
  }),
  spec({
    path: "resolve",
    operationId: "resolveOrderExceptions",
    summary: "Mark the order's open exceptions (or only the kinds named) as dealt with, with a note",
    body: z
      .strictObject({ note: Note, kinds: z.array(Kind).max(EXCEPTION_KINDS.length).optional() })
      .openapi("OperatorResolve"),
    toAction: async (_c, body) => ({ type: "resolve", note: body.note, kinds: body.kinds }),
  }),
  spec({
    path: "notes",
    operationId: "addOrderNote",
    summary: "Add a contact note to the order (seen by operators only)",
    body: z.strictObject({ note: Note }).openapi("OperatorNote"),
    toAction: async (_c, body) => ({ type: "note", note: body.note }),
  }),
];

export function registerExceptionAdminRoutes(app: App): void {
  const courierUser = alias(users, "courier_user");
  const customer = alias(users, "customer_user");

  app.openapi(listExceptions, async (c) => {
    const q = c.req.valid("query");
    const filters: SQL[] = [
      q.status === "open" ? isNull(orderExceptions.resolvedAt) : isNotNull(orderExceptions.resolvedAt),
    ];
    if (q.kind) filters.push(eq(orderExceptions.kind, q.kind));
    if (q.orderId) filters.push(eq(orderExceptions.orderId, q.orderId));
    const db = c.var.db;
    const [rows, counts] = await Promise.all([
      db
        .select({
          x: orderExceptions,
          order: orders,
          restaurantName: restaurants.name,
          restaurantLat: restaurants.lat,
          restaurantLng: restaurants.lng,
          courierName: courierUser.name,
          courierPhone: couriers.phone,
          customerName: customer.name,
        })
        .from(orderExceptions)
        .innerJoin(orders, eq(orders.id, orderExceptions.orderId))
        .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
        .innerJoin(customer, eq(customer.id, orders.customerId))
        .leftJoin(courierUser, eq(courierUser.id, orders.courierId))
        .leftJoin(couriers, eq(couriers.userId, orders.courierId))
        .where(and(...filters))
        .orderBy(q.status === "open" ? asc(orderExceptions.openedAt) : desc(orderExceptions.resolvedAt))
        .limit(q.limit),
      db
        .select({ kind: orderExceptions.kind, n: sql<number>`count(*)::int` })
        .from(orderExceptions)
        .where(isNull(orderExceptions.resolvedAt))
        .groupBy(orderExceptions.kind),
    ]);
    const now = Date.now();
    return c.json(
      {
        exceptions: rows.map((r) => ({
          id: r.x.openedEventId,
          orderId: r.x.orderId,
          kind: r.x.kind as (typeof EXCEPTION_KINDS)[number],
          reason: r.x.reason,
          openedAt: r.x.openedAt.toISOString(),
          ageMs: (r.x.resolvedAt?.getTime() ?? now) - r.x.openedAt.getTime(),
          details: r.x.details,
          resolvedAt: r.x.resolvedAt?.toISOString() ?? null,
          resolvedBy: r.x.resolvedBy,
          resolution: r.x.resolution,
          resolutionNote: r.x.resolutionNote,
          order: {
            status: r.order.status,
            delivery: r.order.deliveryStatus,
            restaurantId: r.order.restaurantId,
            restaurantName: r.restaurantName,
            restaurantLat: r.restaurantLat,
            restaurantLng: r.restaurantLng,
            courierId: r.order.courierId,
            courierName: r.courierName ?? null,
            courierPhone: r.courierPhone ?? null,
            customerName: r.customerName,
            totalMinor: r.order.totalMinor,
            currency: r.order.currency,
            placedAt: r.order.placedAt.toISOString(),
          },
        })),
        counts: Object.fromEntries(counts.map((r) => [r.kind, r.n])),
      },
      200,
    );
  });

  for (const action of ACTIONS) {
    const route = createRoute({
      method: "post",
      path: `/v1/admin/orders/{id}/${action.path}`,
      operationId: action.operationId,
      tags: ["admin"],
      summary: action.summary,
      description:
        "An event on the order with the operator as actor; audited. Refusals come from the order's state machine.",
      security: bearerSecurity,
      middleware: [requireAuth("admin")] as const,
      request: { params: z.object({ id: Uuid }), headers: IdempotencyKey, ...jsonBody(action.body) },
      responses: {
        200: jsonResponse(Order, "The order after the action"),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    });
    app.openapi(route, async (c) => {
      const { id } = c.req.valid("param");
      const key = c.req.valid("header")["idempotency-key"];
      // Validated by the route against action.body; each action reads its own fields from it.
      const body: unknown = await c.req.json();
      const operatorAction = await action.toAction(c, body, id);
      const stub = c.env.ORDER.get(c.env.ORDER.idFromName(id));
      const result = await stub.operate(principalOf(c), operatorAction, key, c.get("traceparent"));
      if (!result.ok) throwRefusal(result);
      if (result.replayed) c.header("idempotent-replayed", "true");
      return c.json(result.order, 200);
    });
  }
}
