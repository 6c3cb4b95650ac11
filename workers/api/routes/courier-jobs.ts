// A courier's job beyond the four steps: the job as the app shows it, handing
// it back, waiting for a customer who does not answer, a failed delivery with
// a photo (kept in R2), the day's earnings; and, for support, the route the
// courier drove. The Order DO decides every change; this layer validates,
// authenticates, rate-limits and stores the photo.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, gte, inArray, lt } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { orderEvents, orders, restaurants } from "../../../db/schema.ts";
import { courierPay, earnsForOutcome } from "../../../domain/dispatch/courier-pay.ts";
import { FAILED_DELIVERY_REASONS, RELEASE_REASONS } from "../../../domain/order/state-machine.ts";
import type { OrderDO } from "../../../durable-objects/order/order-do.ts";
import type { Env } from "../../env.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppEnv } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, urlNumber } from "../http/openapi.ts";
import { enforce, RATE_LIMITS } from "../http/rate-limits.ts";
import { throwRefusal } from "./orders.ts";

const Uuid = z.string().uuid();

/** A phone photo downscaled by the app is ~200 KB; this leaves room for one that was not. */
export const MAX_PHOTO_BYTES = 2 * 1024 * 1024;
/** The one route whose body may exceed the API's 64 KiB limit (app.ts). */
export const PHOTO_UPLOAD_PATH = /^\/v1\/couriers\/me\/orders\/[^/]+\/failure-photo$/;

const PHOTO_TYPES = {
  "image/jpeg": { ext: "jpg", magic: [0xff, 0xd8, 0xff] },
  "image/png": { ext: "png", magic: [0x89, 0x50, 0x4e, 0x47] },
  "image/webp": { ext: "webp", magic: [0x52, 0x49, 0x46, 0x46] },
} as const;

type CourierJobRpc = DurableObjectStub<OrderDO>;

function orderStub(env: Env, orderId: string): CourierJobRpc {
  return env.ORDER.get(env.ORDER.idFromName(orderId));
}

/**
 * Per courier, on every route that changes a job (the PIN route among them):
 * a courier who needs more than this is a script, not a person.
 */
export const courierWriteLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  await enforce(c.env, RATE_LIMITS.courierJobWrites, `courier:${principalOf(c).userId}`);
  await next();
};

const JobView = z
  .object({
    orderId: Uuid,
    status: z.string(),
    delivery: z.string(),
    lastSeq: z.number().int(),
    restaurant: z.object({
      id: Uuid,
      name: z.string().nullable(),
      address: z.string().nullable(),
      lat: z.number(),
      lng: z.number(),
    }),
    dropoff: z.object({
      line1: z.string(),
      line2: z.string().optional(),
      city: z.string(),
      postcode: z.string(),
      lat: z.number(),
      lng: z.number(),
      instructions: z.string().optional(),
    }),
    items: z.array(z.object({ name: z.string(), quantity: z.number().int(), options: z.array(z.string()) })),
    pay: z.object({
      payMinor: z.number().int(),
      tipMinor: z.number().int(),
      totalMinor: z.number().int(),
      currency: z.string(),
    }),
    readyAt: z.string().nullable(),
    customerWaitUntil: z.number().int().nullable().openapi({ description: "Epoch ms; null until the wait starts." }),
    pinAttemptsLeft: z.number().int(),
  })
  .openapi("CourierJobView");

const JobOrder = z
  .object({ id: Uuid, status: z.string(), delivery: z.string(), courierId: Uuid.nullable(), lastSeq: z.number().int() })
  .passthrough()
  .openapi("CourierJobOrder");

const idParam = { params: z.object({ id: Uuid }) };

const getJob = createRoute({
  operationId: "getCourierJobByOrder",
  method: "get",
  path: "/v1/couriers/me/orders/{id}",
  tags: ["couriers"],
  summary: "The assigned courier's view of one job: addresses, items, pay, wait timer, PIN attempts left",
  description: "Straight from the Order DO, so it is current the moment the courier is assigned.",
  security: bearerSecurity,
  middleware: [requireAuth("courier")] as const,
  request: idParam,
  responses: { 200: jsonResponse(JobView, "The job"), ...errorResponses(400, 401, 403, 404) },
});

const handBack = createRoute({
  operationId: "handBackCourierJob",
  method: "post",
  path: "/v1/couriers/me/orders/{id}/hand-back",
  tags: ["couriers"],
  summary: "Before pickup, give the job back with a reason; it is offered to other couriers, never to you again",
  security: bearerSecurity,
  middleware: [requireAuth("courier"), courierWriteLimit] as const,
  request: {
    ...idParam,
    ...jsonBody(
      z
        .strictObject({
          reason: z.enum(RELEASE_REASONS.filter((r) => r !== "went_dark") as [string, ...string[]]),
          note: z.string().trim().max(500).optional(),
        })
        .openapi("HandBack"),
    ),
  },
  responses: {
    200: jsonResponse(JobOrder, "The order, searching again"),
    ...errorResponses(400, 401, 403, 404, 409, 422, 429),
  },
});

const customerWait = createRoute({
  operationId: "startCustomerWait",
  method: "post",
  path: "/v1/couriers/me/orders/{id}/customer-wait",
  tags: ["couriers"],
  summary: "At the drop-off, nobody answers: start the wait after which the delivery may be failed",
  security: bearerSecurity,
  middleware: [requireAuth("courier"), courierWriteLimit] as const,
  request: { ...idParam, ...jsonBody(z.strictObject({}).openapi("StartCustomerWait")) },
  responses: {
    200: jsonResponse(JobOrder, "The order; the job view carries customerWaitUntil"),
    ...errorResponses(400, 401, 403, 404, 409, 429),
  },
});

const failurePhoto = createRoute({
  operationId: "uploadFailedDeliveryPhoto",
  method: "put",
  path: "/v1/couriers/me/orders/{id}/failure-photo",
  tags: ["couriers"],
  summary: "At the drop-off, a photo of the door as evidence for a failed delivery (JPEG, PNG or WebP, up to 2 MiB)",
  security: bearerSecurity,
  middleware: [requireAuth("courier"), courierWriteLimit] as const,
  request: {
    ...idParam,
    body: {
      content: Object.fromEntries(
        Object.keys(PHOTO_TYPES).map((type) => [type, { schema: z.string().openapi({ format: "binary" }) }]),
      ),
      required: true,
    },
  },
  responses: {
    201: jsonResponse(
      z.object({ photoKey: z.string() }).openapi("FailedDeliveryPhoto"),
      "Stored; pass photoKey to delivery-failed",
    ),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429),
  },
});

const deliveryFailed = createRoute({
  operationId: "failDelivery",
  method: "post",
  path: "/v1/couriers/me/orders/{id}/delivery-failed",
  tags: ["couriers"],
  summary: "After the customer wait, end the order as a failed delivery (no refund: decision 15)",
  security: bearerSecurity,
  middleware: [requireAuth("courier"), courierWriteLimit] as const,
  request: {
    ...idParam,
    ...jsonBody(
      z
        .strictObject({
          reason: z.enum(FAILED_DELIVERY_REASONS),
          note: z.string().trim().max(500).optional(),
          photoKey: z.string().max(200).optional(),
        })
        .openapi("FailDelivery"),
    ),
  },
  responses: {
    200: jsonResponse(JobOrder, "The order, failed"),
    ...errorResponses(400, 401, 403, 404, 409, 422, 429),
  },
});

const EarningsJob = z.object({
  orderId: Uuid,
  restaurantName: z.string(),
  outcome: z.enum(["delivered", "failed"]),
  endedAt: z.string(),
  currency: z.string(),
  payMinor: z.number().int(),
  tipMinor: z.number().int(),
  totalMinor: z.number().int(),
});

const Earnings = z
  .object({
    from: z.string(),
    to: z.string(),
    source: z.enum(["orders"]).openapi({ description: "Where the amounts come from; the ledger once it exists." }),
    jobs: z.array(EarningsJob),
    totals: z.array(
      z.object({
        currency: z.string(),
        jobs: z.number().int(),
        payMinor: z.number().int(),
        tipMinor: z.number().int(),
        totalMinor: z.number().int(),
      }),
    ),
  })
  .openapi("CourierEarnings");

const MAX_EARNINGS_RANGE_MS = 31 * 24 * 60 * 60_000;

const earnings = createRoute({
  operationId: "getCourierEarnings",
  method: "get",
  path: "/v1/couriers/me/earnings",
  tags: ["couriers"],
  summary: "The signed-in courier's finished jobs and earnings (pay, tips, totals) between two instants",
  description:
    "`from` is inclusive, `to` exclusive (default: now); at most 31 days. The app sends its local midnight for 'today'.",
  security: bearerSecurity,
  middleware: [requireAuth("courier")] as const,
  request: {
    query: z.object({
      from: z.iso.datetime({ offset: true }),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
  },
  responses: { 200: jsonResponse(Earnings, "Jobs and totals"), ...errorResponses(400, 401, 403) },
});

const TrailPoint = z.object({
  courierId: Uuid,
  seq: z.number().int(),
  lat: z.number(),
  lng: z.number(),
  accuracyM: z.number(),
  at: z.number().int(),
  receivedAt: z.number().int(),
});

const trail = createRoute({
  operationId: "getOrderCourierTrail",
  method: "get",
  path: "/v1/admin/orders/{id}/trail",
  tags: ["admin"],
  summary: "The courier's positions while on this order, in the order they arrived (kept 30 days after it ends)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    ...idParam,
    query: z.object({
      // A blank value is refused, not read as 0 (urlNumber).
      limit: urlNumber({ min: 1, max: 5000, int: true }).default(1000),
      offset: urlNumber({ min: 0, max: Number.MAX_SAFE_INTEGER, int: true }).default(0),
    }),
  },
  responses: {
    200: jsonResponse(
      z
        .object({
          orderId: Uuid,
          points: z.array(TrailPoint),
          stats: z.object({ points: z.number().int(), duplicates: z.number().int(), overflow: z.number().int() }),
        })
        .openapi("CourierTrail"),
      "The trail",
    ),
    ...errorResponses(400, 401, 403, 404),
  },
});

function photoTypeOf(contentType: string | undefined): keyof typeof PHOTO_TYPES | null {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type in PHOTO_TYPES ? (type as keyof typeof PHOTO_TYPES) : null;
}

export function registerCourierJobRoutes(app: App): void {
  app.openapi(getJob, async (c) => {
    const result = await orderStub(c.env, c.req.valid("param").id).courierJob(principalOf(c));
    if (!result.ok) throwRefusal(result);
    return c.json(result.job, 200);
  });

  app.openapi(customerWait, async (c) => {
    const result = await orderStub(c.env, c.req.valid("param").id).courierStartWait(
      principalOf(c),
      c.get("traceparent"),
    );
    if (!result.ok) throwRefusal(result);
    return c.json(result.order, 200);
  });

  app.openapi(failurePhoto, async (c) => {
    const orderId = c.req.valid("param").id;
    const type = photoTypeOf(c.req.header("content-type"));
    if (!type)
      throw new ApiError(415, "unsupported_media_type", "Send the photo as image/jpeg, image/png or image/webp.");
    // Whose order and which step first: nobody else's upload is read or stored.
    const allowed = await orderStub(c.env, orderId).canAttachFailureEvidence(principalOf(c));
    if (!allowed.ok) throwRefusal(allowed);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength === 0)
      throw validationError([{ path: "body", code: "empty", message: "The photo is empty." }]);
    if (bytes.byteLength > MAX_PHOTO_BYTES) {
      throw new ApiError(413, "body_too_large", `Photos are limited to ${MAX_PHOTO_BYTES} bytes.`);
    }
    if (!PHOTO_TYPES[type].magic.every((b, i) => bytes[i] === b)) {
      throw validationError([{ path: "body", code: "not_an_image", message: `The body is not a ${type} image.` }]);
    }
    // Named by content: an upload retried after a dropped response lands on the same object.
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const photoKey = `failed-deliveries/${orderId}/${hex}.${PHOTO_TYPES[type].ext}`;
    await c.env.DELIVERY_EVIDENCE.put(photoKey, bytes, {
      httpMetadata: { contentType: type },
      customMetadata: { orderId, courierId: principalOf(c).userId },
    });
    return c.json({ photoKey }, 201);
  });

  app.openapi(deliveryFailed, async (c) => {
    const orderId = c.req.valid("param").id;
    const body = c.req.valid("json");
    if (body.photoKey !== undefined) {
      const ours = body.photoKey.startsWith(`failed-deliveries/${orderId}/`);
      if (!ours || (await c.env.DELIVERY_EVIDENCE.head(body.photoKey)) === null) {
        throw new ApiError(422, "photo_not_found", "Upload the photo for this order first (PUT …/failure-photo).");
      }
    }
    const result = await orderStub(c.env, orderId).courierFailDelivery(principalOf(c), body, c.get("traceparent"));
    if (!result.ok) throwRefusal(result);
    return c.json(result.order, 200);
  });

  app.openapi(earnings, async (c) => {
    const query = c.req.valid("query");
    const from = new Date(query.from);
    const to = query.to === undefined ? new Date() : new Date(query.to);
    if (!(from < to) || to.getTime() - from.getTime() > MAX_EARNINGS_RANGE_MS) {
      throw validationError([
        { path: "from", code: "invalid_range", message: "`from` must be before `to`, at most 31 days apart." },
      ]);
    }
    const rows = await c.var.db
      .select({
        orderId: orders.id,
        status: orders.status,
        delivery: orders.deliveryStatus,
        restaurantName: restaurants.name,
        currency: orders.currency,
        deliveryFeeMinor: orders.deliveryFeeMinor,
        tipMinor: orders.tipMinor,
        endedAt: orderEvents.occurredAt,
      })
      .from(orders)
      .innerJoin(restaurants, eq(restaurants.id, orders.restaurantId))
      .innerJoin(
        orderEvents,
        and(
          eq(orderEvents.orderId, orders.id),
          inArray(orderEvents.type, ["order.delivered", "order.delivery_failed"]),
        ),
      )
      .where(
        and(
          eq(orders.courierId, principalOf(c).userId),
          gte(orderEvents.occurredAt, from),
          lt(orderEvents.occurredAt, to),
        ),
      )
      .orderBy(desc(orderEvents.occurredAt))
      .limit(500);
    const jobs = rows
      .filter((r) => earnsForOutcome(r.status, r.delivery ?? "none"))
      .map((r) => ({
        orderId: r.orderId,
        restaurantName: r.restaurantName,
        outcome: r.status === "delivered" ? ("delivered" as const) : ("failed" as const),
        endedAt: r.endedAt.toISOString(),
        currency: r.currency,
        ...courierPay(r),
      }));
    const totals = new Map<
      string,
      { currency: string; jobs: number; payMinor: number; tipMinor: number; totalMinor: number }
    >();
    for (const job of jobs) {
      const t = totals.get(job.currency) ?? {
        currency: job.currency,
        jobs: 0,
        payMinor: 0,
        tipMinor: 0,
        totalMinor: 0,
      };
      t.jobs++;
      t.payMinor += job.payMinor;
      t.tipMinor += job.tipMinor;
      t.totalMinor += job.totalMinor;
      totals.set(job.currency, t);
    }
    return c.json(
      { from: from.toISOString(), to: to.toISOString(), source: "orders" as const, jobs, totals: [...totals.values()] },
      200,
    );
  });

  app.openapi(trail, async (c) => {
    const { id } = c.req.valid("param");
    const { limit, offset } = c.req.valid("query");
    const result = await orderStub(c.env, id).courierTrail(limit, offset);
    if (!result.ok) throwRefusal(result);
    return c.json({ orderId: id, points: result.points, stats: result.stats }, 200);
  });

  // Last: in the authorization matrix a successful hand-back takes the fixture order off its courier.
  app.openapi(handBack, async (c) => {
    const { reason, note } = c.req.valid("json");
    const result = await orderStub(c.env, c.req.valid("param").id).courierHandBack(
      principalOf(c),
      reason,
      note,
      c.get("traceparent"),
    );
    if (!result.ok) throwRefusal(result);
    return c.json(result.order, 200);
  });
}
