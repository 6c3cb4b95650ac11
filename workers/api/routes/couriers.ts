// Couriers: the live socket to the Zone DO of the cell they are in, and the
// delivery steps (arrived, picked up, arrived, delivered) they confirm over
// HTTP. Identity and vehicle are decided here; the DOs trust the headers
// because only this Worker can reach them.

import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import { couriers, orderRatings, users } from "../../../db/schema.ts";
import { PACKED_FIXES_KIND, PACKED_FIXES_PROTOCOL } from "../../../domain/dispatch/fix-frame.ts";
import { zoneCellOf } from "../../../domain/geo/geohash.ts";
import { shortName } from "../../../domain/kitchen/board-courier.ts";
import type { CourierStep, StepResult } from "../../../durable-objects/order/dispatch.ts";
import type { OrderDO } from "../../../durable-objects/order/order-do.ts";
import { MAX_FIX_BATCH } from "../../../durable-objects/zone/protocol.ts";
import { zoneStub } from "../../../durable-objects/zone/stubs.ts";
import type { Env } from "../../env.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, relayUpgrade } from "../http/errors.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonBody,
  jsonResponse,
  QueryLat,
  QueryLng,
  switchingProtocols,
  webSocketProtocol,
} from "../http/openapi.ts";
import { courierWriteLimit } from "./courier-jobs.ts";

const Uuid = z.string().uuid();

const liveQuery = z.object({
  lat: QueryLat,
  lng: QueryLng,
});

/** Protocol 2's packed fix frame (domain/dispatch/fix-frame.ts, decision 63), in the contract's words. */
const PACKED_FRAMES = `once the zone's \`status\` says \`protocol\` ${PACKED_FIXES_PROTOCOL} or more, fixes may go as one packed fix frame: little-endian doubles \`[${PACKED_FIXES_KIND}, then per fix lat, lng, accuracyM, at, seq, headingDeg, speedMps]\` (NaN: absent), 1 to ${MAX_FIX_BATCH} fixes, acknowledged like \`fixes\`; a frame of another shape is answered \`malformed_message\`.`;

const courierLive = createRoute({
  method: "get",
  path: "/v1/couriers/live",
  operationId: "connectCourier",
  tags: ["couriers"],
  summary: "WebSocket to the Zone DO of the cell at lat/lng: status, GPS fixes, offers",
  description: [
    "Upgrade with `Authorization: Bearer` or `?access_token=`; courier accounts only.",
    'Send `{type:"status",status:"online"|"offline"|"break"}`, `{type:"fix",fix:{lat,lng,accuracyM,headingDeg?,speedMps?,at,seq}}`,',
    '`{type:"fixes",fixes:[...]}` (buffered batch) or the same fixes as one binary packed fix frame (protocol 2, below), `{type:"offer_response",orderId,accept}` and',
    '`{type:"ack_mode",mode:"cumulative"}` (once: then one ack may answer several fix frames, after up to 8 frames or 5 s; the first fix frame on a socket, and those sent before a status, are answered at once).',
    'Receive `{type:"status"}`, `{type:"ack",seq,accepted,dropped}`, `{type:"offer",orderId,restaurant,dropoff,expiresAt,foodReadyAt,distanceM}`,',
    '`{type:"offer_withdrawn",orderId,reason}`, `{type:"assigned",orderId}`, `{type:"declined",orderId}`, `{type:"error",code,message}`',
    'and `{type:"handover",cell}`: you drove into another cell; reconnect here with your current lat/lng.',
    "Send the text `ping` for a `pong` heartbeat.",
  ].join(" "),
  security: bearerSecurity,
  middleware: [requireAuth("courier")] as const,
  request: { query: liveQuery },
  ...webSocketProtocol("Courier", PACKED_FRAMES),
  responses: { ...switchingProtocols("Courier", PACKED_FRAMES), ...errorResponses(400, 401, 403, 404) },
});

const STEPS = {
  "arrived-at-pickup": "arrived_at_pickup",
  "picked-up": "picked_up",
  "arrived-at-dropoff": "arrived_at_dropoff",
  delivered: "delivered",
} as const satisfies Record<string, CourierStep>;

const STEP_OPERATION_IDS: Record<CourierStep, string> = {
  arrived_at_pickup: "confirmArrivedAtPickup",
  picked_up: "confirmPickedUp",
  arrived_at_dropoff: "confirmArrivedAtDropoff",
  delivered: "confirmDelivered",
};

const StepBody = z
  .strictObject({
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    accuracyM: z.number().min(0).max(10_000),
    pin: z
      .string()
      .regex(/^\d{4}$/, "4 digits")
      .optional()
      .openapi({ description: "The customer's hand-off PIN; required at `delivered` when the order has one." }),
  })
  .openapi("CourierStep");

const StepOrder = z
  .object({ id: Uuid, status: z.string(), delivery: z.string(), courierId: Uuid.nullable(), lastSeq: z.number().int() })
  .passthrough()
  .openapi("CourierStepOrder");

type StepRpc = DurableObjectStub<OrderDO>;

function orderSteps(env: Env, orderId: string): StepRpc {
  return env.ORDER.get(env.ORDER.idFromName(orderId));
}

function throwStepRefusal(result: Extract<StepResult, { ok: false }>): never {
  const extra = "extra" in result ? result.extra : undefined;
  throw new ApiError(result.status, result.code, result.message, undefined, extra);
}

export function registerCourierRoutes(app: App): void {
  app.openapi(courierLive, async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "Open this URL as a WebSocket.");
    }
    const principal = principalOf(c);
    const { lat, lng } = c.req.valid("query");
    const [courier] = await c.var.db
      .select({
        vehicle: couriers.vehicle,
        name: users.name,
        // Customers' stars feed the zone's scoring; read once per connection (same round trip), not per offer.
        stars: sql<
          string | null
        >`(select avg(${orderRatings.courierStars}) from ${orderRatings} where ${orderRatings.courierId} = ${couriers.userId})`,
        ratings: sql<number>`(select count(${orderRatings.courierStars})::int from ${orderRatings} where ${orderRatings.courierId} = ${couriers.userId})`,
      })
      .from(couriers)
      .innerJoin(users, eq(users.id, couriers.userId))
      .where(and(eq(couriers.userId, principal.userId), eq(couriers.active, true), isNull(users.deactivatedAt)))
      .limit(1);
    if (!courier) throw new ApiError(403, "courier_inactive", "No active courier profile for this account.");
    const cell = zoneCellOf(lat, lng);
    const headers = new Headers(c.req.raw.headers);
    headers.set("x-principal", JSON.stringify(principal));
    headers.set("x-courier-vehicle", courier.vehicle);
    // The kitchen's board names the courier coming for an order; only the short form leaves here.
    headers.set("x-courier-name", encodeURIComponent(shortName(courier.name)));
    headers.set(
      "x-courier-rating",
      JSON.stringify(
        Number(courier.ratings) > 0 ? { stars: Number(courier.stars), count: Number(courier.ratings) } : null,
      ),
    );
    headers.set("x-zone-cell", cell);
    return relayUpgrade(await zoneStub(c.env, cell).fetch(new Request(`https://zone/${cell}/live`, { headers })));
  });

  for (const [path, step] of Object.entries(STEPS)) {
    const route = createRoute({
      method: "post",
      path: `/v1/couriers/me/orders/{id}/${path}`,
      operationId: STEP_OPERATION_IDS[step],
      tags: ["couriers"],
      summary: `Assigned courier confirms: ${step.replaceAll("_", " ")}`,
      description:
        "Checked against a geofence around the restaurant (pickup steps) or the drop-off (drop-off steps): too far is 422 `outside_geofence` with `distanceM` and `radiusM`. `delivered` needs the customer's PIN when the order has one (422 `pin_mismatch` with `attemptsLeft`); after 5 wrong PINs the step is refused (409 `pin_locked`) and operators are told. Rate-limited per courier (429).",
      security: bearerSecurity,
      middleware: [requireAuth("courier"), courierWriteLimit] as const,
      request: { params: z.object({ id: Uuid }), ...jsonBody(StepBody) },
      responses: {
        200: jsonResponse(StepOrder, "The order after the step"),
        ...errorResponses(400, 401, 403, 404, 409, 422, 429),
      },
    });
    app.openapi(route, async (c) => {
      const body = c.req.valid("json");
      const result = await orderSteps(c.env, c.req.valid("param").id).courierStep(
        principalOf(c),
        step,
        body,
        c.get("traceparent"),
      );
      if (!result.ok) throwStepRefusal(result);
      return c.json(result.order, 200);
    });
  }
}
