// Partner webhooks: a restaurant's staff register endpoints for their own
// restaurant's order events; operators register platform partners (all
// restaurants) or act on any endpoint. Deliveries are signed per Standard
// Webhooks (docs/decisions/0035-partner-webhooks.md). To anyone else an
// endpoint does not exist (404).
import { createRoute, z } from "@hono/zod-openapi";
import { and, count, desc, eq, gte, inArray, isNull, lte, type SQL } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { webhookDeliveries, webhookEndpoints } from "../../../db/schema-notifications.ts";
import type { Principal } from "../../../domain/auth/principal.ts";
import { checkEndpointUrl, isSubscribable, ROTATION_OVERLAP_MS } from "../../../domain/webhooks/endpoints.ts";
import { generateSecret } from "../../../domain/webhooks/signature.ts";
import { deliverWebhook } from "../../notifications/webhook-delivery.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";

/** Per owner (a restaurant, or the platform). */
export const MAX_ENDPOINTS = 10;
/** A range replay re-queues at most this many deliveries; ask again for the rest. */
export const MAX_RANGE_REPLAY = 1000;
const MAX_RANGE_MS = 7 * 86_400_000;

const Uuid = z.string().uuid();
const EventTypes = z
  .array(z.string().max(64).refine(isSubscribable, "An order event type (order.paid, ...) or order.*"))
  .min(1)
  .max(40);

const EndpointInput = z
  .strictObject({
    url: z.string().max(2000),
    eventTypes: EventTypes,
    description: z.string().max(200).optional(),
    ordered: z.boolean().optional().openapi({ description: "Deliver each order's events in sequence order." }),
    restaurantId: Uuid.optional().openapi({
      description: "Staff: your restaurant (the default). Operators: a restaurant, or none for every restaurant.",
    }),
  })
  .openapi("WebhookEndpointInput");

const EndpointPatch = z
  .strictObject({
    url: z.string().max(2000),
    eventTypes: EventTypes,
    description: z.string().max(200),
    ordered: z.boolean(),
    enabled: z.boolean().openapi({ description: "true re-enables a disabled endpoint and clears its failure count." }),
  })
  .partial()
  .openapi("WebhookEndpointPatch");

const Endpoint = z
  .object({
    id: Uuid,
    restaurantId: Uuid.nullable(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()),
    ordered: z.boolean(),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable(),
    consecutiveFailures: z.number().int(),
    createdAt: z.string(),
  })
  .openapi("WebhookEndpoint");

const EndpointWithSecret = Endpoint.extend({
  secret: z.string().openapi({ description: "whsec_...: shown only here and on rotation." }),
}).openapi("WebhookEndpointWithSecret");

const Delivery = z
  .object({
    id: Uuid,
    eventId: Uuid,
    eventType: z.string(),
    orderId: Uuid,
    seq: z.number().int(),
    status: z.enum(["pending", "succeeded", "failed"]),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("WebhookDelivery");

const EndpointParams = z.object({ id: Uuid });
const tags = ["webhooks"];

const routes = {
  create: createRoute({
    method: "post",
    path: "/v1/webhook-endpoints",
    operationId: "createWebhookEndpoint",
    tags,
    summary: "Register a partner endpoint for order events",
    description: `https only, to a public host. At most ${MAX_ENDPOINTS} per restaurant (or for the platform).`,
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    request: jsonBody(EndpointInput),
    responses: {
      201: jsonResponse(EndpointWithSecret, "Registered; keep the secret"),
      ...errorResponses(400, 401, 403, 409, 422, 429),
    },
  }),
  list: createRoute({
    method: "get",
    path: "/v1/webhook-endpoints",
    operationId: "listWebhookEndpoints",
    tags,
    summary: "Your restaurant's endpoints (operators: all)",
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    responses: {
      200: jsonResponse(z.object({ endpoints: z.array(Endpoint) }), "Endpoints"),
      ...errorResponses(401, 403),
    },
  }),
  update: createRoute({
    method: "patch",
    path: "/v1/webhook-endpoints/{id}",
    operationId: "updateWebhookEndpoint",
    tags,
    summary: "Change an endpoint, or disable and re-enable it",
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    request: { params: EndpointParams, ...jsonBody(EndpointPatch) },
    responses: { 200: jsonResponse(Endpoint, "The endpoint"), ...errorResponses(400, 401, 403, 404, 422, 429) },
  }),
  remove: createRoute({
    method: "delete",
    path: "/v1/webhook-endpoints/{id}",
    operationId: "deleteWebhookEndpoint",
    tags,
    summary: "Remove an endpoint and its delivery log",
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    request: { params: EndpointParams },
    responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 403, 404, 429) },
  }),
  rotate: createRoute({
    method: "post",
    path: "/v1/webhook-endpoints/{id}/rotate-secret",
    operationId: "rotateWebhookSecret",
    tags,
    summary: "A new signing secret; the old one keeps signing alongside for 24 hours",
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    request: { params: EndpointParams },
    responses: { 200: jsonResponse(EndpointWithSecret, "The new secret"), ...errorResponses(400, 401, 403, 404, 429) },
  }),
  deliveries: createRoute({
    method: "get",
    path: "/v1/webhook-endpoints/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    tags,
    summary: "The endpoint's delivery log (latest first, at most 100)",
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    request: {
      params: EndpointParams,
      query: z.object({ status: z.enum(["pending", "succeeded", "failed"]).optional() }),
    },
    responses: {
      200: jsonResponse(z.object({ deliveries: z.array(Delivery) }), "Deliveries"),
      ...errorResponses(400, 401, 403, 404),
    },
  }),
  replayOne: createRoute({
    method: "post",
    path: "/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/replay",
    operationId: "replayWebhookDelivery",
    tags,
    summary: "Send one delivery again now (same webhook-id, fresh timestamp and signature)",
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    request: { params: z.object({ id: Uuid, deliveryId: Uuid }) },
    responses: {
      200: jsonResponse(Delivery, "The delivery after the attempt"),
      ...errorResponses(400, 401, 403, 404, 409, 429),
    },
  }),
  replayRange: createRoute({
    method: "post",
    path: "/v1/webhook-endpoints/{id}/replay",
    operationId: "replayWebhookRange",
    tags,
    summary: `Queue every delivery of a time range again (at most ${MAX_RANGE_REPLAY}, a range of at most 7 days)`,
    security: bearerSecurity,
    middleware: [requireAuth("restaurant_staff", "admin")] as const,
    request: {
      params: EndpointParams,
      ...jsonBody(z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })),
    },
    responses: {
      202: jsonResponse(z.object({ queued: z.number().int() }), "Queued for the next sweep"),
      ...errorResponses(400, 401, 403, 404, 409, 422, 429),
    },
  }),
};

type EndpointRow = typeof webhookEndpoints.$inferSelect;

function present(e: EndpointRow) {
  return {
    id: e.id,
    restaurantId: e.restaurantId,
    url: e.url,
    description: e.description,
    eventTypes: e.eventTypes,
    ordered: e.ordered,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    disabledReason: e.disabledReason,
    consecutiveFailures: e.consecutiveFailures,
    createdAt: e.createdAt.toISOString(),
  };
}

function presentDelivery(d: typeof webhookDeliveries.$inferSelect) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    orderId: d.orderId,
    seq: d.seq,
    status: d.status as "pending",
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

function checkedUrl(c: AppContext, url: string): string {
  const verdict = checkEndpointUrl(url, { allowLoopback: c.env.WEBHOOK_ALLOW_LOOPBACK === "true" });
  if (!verdict.ok) throw new ApiError(422, "endpoint_url_refused", `Endpoint URL refused: ${verdict.reason}.`);
  return verdict.url;
}

/** Staff see their restaurant's endpoints only; anything else is "not found". */
async function ownedEndpoint(db: Database, principal: Principal, id: string): Promise<EndpointRow> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  if (!row || (principal.role !== "admin" && (!row.restaurantId || row.restaurantId !== principal.restaurantId))) {
    throw new ApiError(404, "webhook_endpoint_not_found", "No such webhook endpoint.");
  }
  return row;
}

export function registerPartnerWebhookRoutes(app: App): void {
  app.openapi(routes.create, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    let restaurantId: string | null = body.restaurantId ?? null;
    if (principal.role !== "admin") {
      if (restaurantId && restaurantId !== principal.restaurantId) {
        throw new ApiError(403, "not_your_restaurant", "Staff register endpoints for their own restaurant only.");
      }
      restaurantId = principal.restaurantId ?? null;
      if (!restaurantId) throw new ApiError(403, "not_your_restaurant", "No restaurant on this account.");
    }
    const url = checkedUrl(c, body.url);
    const owner = restaurantId
      ? eq(webhookEndpoints.restaurantId, restaurantId)
      : isNull(webhookEndpoints.restaurantId);
    const [{ n } = { n: 0 }] = await c.var.db.select({ n: count() }).from(webhookEndpoints).where(owner);
    if (n >= MAX_ENDPOINTS) {
      throw new ApiError(409, "too_many_endpoints", `At most ${MAX_ENDPOINTS} endpoints; remove one first.`);
    }
    const [row] = await c.var.db
      .insert(webhookEndpoints)
      .values({
        restaurantId,
        url,
        description: body.description ?? "",
        eventTypes: [...new Set(body.eventTypes)],
        ordered: body.ordered ?? false,
        secret: generateSecret(),
        createdBy: principal.userId,
      })
      .returning();
    if (!row) throw new ApiError(409, "endpoint_conflict", "The endpoint could not be stored.");
    return c.json({ ...present(row), secret: row.secret }, 201);
  });

  app.openapi(routes.list, async (c) => {
    const principal = principalOf(c);
    const where =
      principal.role === "admin" ? undefined : eq(webhookEndpoints.restaurantId, principal.restaurantId ?? "");
    const rows = await c.var.db
      .select()
      .from(webhookEndpoints)
      .where(where)
      .orderBy(desc(webhookEndpoints.createdAt))
      .limit(200);
    return c.json({ endpoints: rows.map(present) }, 200);
  });

  app.openapi(routes.update, async (c) => {
    const endpoint = await ownedEndpoint(c.var.db, principalOf(c), c.req.valid("param").id);
    const patch = c.req.valid("json");
    const set: Partial<typeof webhookEndpoints.$inferInsert> = {};
    if (patch.url !== undefined) set.url = checkedUrl(c, patch.url);
    if (patch.eventTypes !== undefined) set.eventTypes = [...new Set(patch.eventTypes)];
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.ordered !== undefined) set.ordered = patch.ordered;
    if (patch.enabled === true)
      Object.assign(set, { disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null });
    if (patch.enabled === false && !endpoint.disabledAt)
      Object.assign(set, { disabledAt: new Date(), disabledReason: "disabled by its owner" });
    if (Object.keys(set).length === 0) return c.json(present(endpoint), 200);
    const [row] = await c.var.db
      .update(webhookEndpoints)
      .set(set)
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    return c.json(present(row ?? endpoint), 200);
  });

  app.openapi(routes.remove, async (c) => {
    const endpoint = await ownedEndpoint(c.var.db, principalOf(c), c.req.valid("param").id);
    await c.var.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
    return c.body(null, 204);
  });

  app.openapi(routes.rotate, async (c) => {
    const endpoint = await ownedEndpoint(c.var.db, principalOf(c), c.req.valid("param").id);
    const [row] = await c.var.db
      .update(webhookEndpoints)
      .set({
        secret: generateSecret(),
        previousSecret: endpoint.secret,
        previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
      })
      .where(eq(webhookEndpoints.id, endpoint.id))
      .returning();
    if (!row) throw new ApiError(404, "webhook_endpoint_not_found", "No such webhook endpoint.");
    return c.json({ ...present(row), secret: row.secret }, 200);
  });

  app.openapi(routes.deliveries, async (c) => {
    const endpoint = await ownedEndpoint(c.var.db, principalOf(c), c.req.valid("param").id);
    const { status } = c.req.valid("query");
    const conditions: SQL[] = [eq(webhookDeliveries.endpointId, endpoint.id)];
    if (status) conditions.push(eq(webhookDeliveries.status, status));
    const rows = await c.var.db
      .select()
      .from(webhookDeliveries)
      .where(and(...conditions))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(100);
    return c.json({ deliveries: rows.map(presentDelivery) }, 200);
  });

  app.openapi(routes.replayOne, async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    const endpoint = await ownedEndpoint(c.var.db, principalOf(c), id);
    if (endpoint.disabledAt) throw new ApiError(409, "endpoint_disabled", "Re-enable the endpoint first.");
    const [claimed] = await c.var.db
      .update(webhookDeliveries)
      .set({ status: "pending", nextAttemptAt: new Date(Date.now() + 60_000) })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpoint.id)))
      .returning();
    if (!claimed) throw new ApiError(404, "webhook_delivery_not_found", "No such delivery of this endpoint.");
    await deliverWebhook(c.env, c.var.db, claimed);
    const [after] = await c.var.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    return c.json(presentDelivery(after ?? claimed), 200);
  });

  app.openapi(routes.replayRange, async (c) => {
    const endpoint = await ownedEndpoint(c.var.db, principalOf(c), c.req.valid("param").id);
    if (endpoint.disabledAt) throw new ApiError(409, "endpoint_disabled", "Re-enable the endpoint first.");
    const { from, to } = c.req.valid("json");
    const [start, end] = [new Date(from), new Date(to)];
    if (end.getTime() < start.getTime() || end.getTime() - start.getTime() > MAX_RANGE_MS) {
      throw new ApiError(422, "bad_range", "`to` must follow `from`, at most 7 days later.");
    }
    const ids = await c.var.db
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpoint.id),
          gte(webhookDeliveries.eventAt, start),
          lte(webhookDeliveries.eventAt, end),
        ),
      )
      .orderBy(webhookDeliveries.eventAt)
      .limit(MAX_RANGE_REPLAY);
    let queued = 0;
    if (ids.length > 0) {
      const rows = await c.var.db
        .update(webhookDeliveries)
        .set({ status: "pending", nextAttemptAt: new Date() })
        .where(
          inArray(
            webhookDeliveries.id,
            ids.map((r) => r.id),
          ),
        )
        .returning({ id: webhookDeliveries.id });
      queued = rows.length;
    }
    return c.json({ queued }, 202);
  });
}
