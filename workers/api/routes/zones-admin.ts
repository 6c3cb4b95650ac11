// Operators: delivery zones (polygons and fees that price orders) and the
// live state of a dispatch cell (couriers on the map, offer loops, dropped fixes).
import { createRoute, z } from "@hono/zod-openapi";
import { asc, eq } from "drizzle-orm";
import { deliveryAreas } from "../../../db/schema.ts";
import { decodeGeohashBounds, ZONE_PRECISION, zoneCellOf } from "../../../domain/geo/geohash.ts";
import { zoneStub } from "../../../durable-objects/zone/stubs.ts";
import { audit, auditUpdate } from "../audit/audit.ts";
import { requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { invalidateDeliveryAreas } from "../delivery-areas/area-cache.ts";
import { ApiError } from "../http/errors.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonBody,
  jsonResponse,
  QueryLat,
  QueryLng,
  urlNumber,
} from "../http/openapi.ts";

const Position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);

// A ring is closed (first point repeated last) and has at least three distinct corners.
const Ring = z
  .array(Position)
  .min(4)
  .max(2000)
  .refine((ring) => {
    const first = ring[0];
    const last = ring[ring.length - 1];
    return first !== undefined && last !== undefined && first[0] === last[0] && first[1] === last[1];
  }, "A ring must end where it starts.");

const Polygon = z.strictObject({ type: z.literal("Polygon"), coordinates: z.array(Ring).min(1).max(20) });
const Bps = z.number().int().min(0).max(10_000);
const Minor = z.number().int().min(0).max(100_000);

const zoneFields = {
  name: z.string().trim().min(1).max(100),
  polygon: Polygon,
  currency: z.string().regex(/^[A-Z]{3}$/),
  baseDeliveryFeeMinor: Minor,
  perKmFeeMinor: Minor,
  serviceFeeBps: Bps,
  taxBps: Bps,
  taxIncluded: z.boolean().openapi({
    description: "Menu prices and fees already include VAT: the tax is extracted, the total does not grow.",
  }),
  smallOrderMinimumMinor: Minor.openapi({ description: "A subtotal below this pays the small-order fee; 0: none." }),
  smallOrderFeeMinor: Minor,
};

const ZoneBody = z
  .strictObject({
    ...zoneFields,
    taxIncluded: zoneFields.taxIncluded.default(false),
    smallOrderMinimumMinor: zoneFields.smallOrderMinimumMinor.default(0),
    smallOrderFeeMinor: zoneFields.smallOrderFeeMinor.default(0),
    active: z.boolean().default(true),
  })
  .openapi("ZoneInput");

// Built from the fields, not from ZoneBody.partial(): a default there would fill in
// `active: true` on every PATCH that does not name it and re-open a closed zone.
const ZonePatch = z
  .strictObject({ ...zoneFields, active: z.boolean() })
  .partial()
  .openapi("ZonePatch", { description: "Only the fields named change; at least one is required." });

const Zone = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    polygon: z.object({ type: z.literal("Polygon"), coordinates: z.array(z.array(z.array(z.number()))) }),
    currency: z.string(),
    baseDeliveryFeeMinor: z.number().int(),
    perKmFeeMinor: z.number().int(),
    serviceFeeBps: z.number().int(),
    taxBps: z.number().int(),
    taxIncluded: z.boolean(),
    smallOrderMinimumMinor: z.number().int(),
    smallOrderFeeMinor: z.number().int(),
    active: z.boolean(),
  })
  .openapi("Zone");

const listZones = createRoute({
  method: "get",
  path: "/v1/admin/zones",
  operationId: "listZones",
  tags: ["admin"],
  summary: "Delivery zones",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  responses: { 200: jsonResponse(z.object({ zones: z.array(Zone) }), "Zones"), ...errorResponses(401, 403) },
});

const createZone = createRoute({
  method: "post",
  path: "/v1/admin/zones",
  operationId: "createZone",
  tags: ["admin"],
  summary: "Draw a delivery zone with its fees",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: jsonBody(ZoneBody),
  responses: { 201: jsonResponse(Zone, "Created"), ...errorResponses(400, 401, 403, 409) },
});

const updateZone = createRoute({
  method: "patch",
  path: "/v1/admin/zones/{id}",
  operationId: "updateZone",
  tags: ["admin"],
  summary: "Change a zone's outline, fees or availability (orders already placed keep their prices)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ id: z.string().uuid() }), ...jsonBody(ZonePatch) },
  responses: { 200: jsonResponse(Zone, "Updated"), ...errorResponses(400, 401, 403, 404, 409) },
});

const cellParam = z.object({
  cell: z
    .string()
    .regex(new RegExp(`^[0-9b-hjkmnp-z]{${ZONE_PRECISION}}$`), `A geohash of ${ZONE_PRECISION} characters.`),
});

const cellLive = createRoute({
  method: "get",
  path: "/v1/admin/cells/{cell}",
  operationId: "getDispatchCell",
  tags: ["admin"],
  summary: "One dispatch cell, live: its couriers on the map, open offer loops and dropped fixes",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: cellParam },
  responses: {
    200: jsonResponse(
      z.object({ bounds: z.record(z.string(), z.number()), stats: z.unknown(), couriers: z.array(z.unknown()) }),
      "The cell",
    ),
    ...errorResponses(400, 401, 403),
  },
});

const nearestCouriers = createRoute({
  method: "get",
  path: "/v1/admin/nearest-couriers",
  operationId: "findNearestCouriers",
  tags: ["admin"],
  summary: "The k nearest available couriers to a point, as dispatch would see them (asks neighbouring cells)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    query: z.object({
      lat: QueryLat,
      lng: QueryLng,
      k: urlNumber({ min: 1, max: 50, int: true }).default(10),
      radiusM: urlNumber({ min: 1, max: 20_000, int: true }).default(2000),
    }),
  },
  responses: {
    200: jsonResponse(
      z.object({
        couriers: z.array(
          z
            .object({ courierId: z.string(), cell: z.string(), distanceM: z.number(), vehicle: z.string() })
            .passthrough(),
        ),
      }),
      "Nearest first",
    ),
    ...errorResponses(400, 401, 403),
  },
});

function nameTaken(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}

export function registerZoneAdminRoutes(app: App): void {
  app.openapi(listZones, async (c) => {
    const rows = await c.var.db.select().from(deliveryAreas).orderBy(asc(deliveryAreas.name));
    return c.json({ zones: rows.map(({ createdAt: _created, ...zone }) => zone) }, 200);
  });

  app.openapi(createZone, async (c) => {
    try {
      const row = await c.var.db.transaction(async (tx) => {
        const [created] = await tx.insert(deliveryAreas).values(c.req.valid("json")).returning();
        if (!created) throw new ApiError(500, "internal_error", "The zone was not stored.");
        const { createdAt: _created, ...after } = created;
        await audit(c, tx, {
          action: "delivery_area.create",
          entityType: "delivery_area",
          entityId: created.id,
          after,
        });
        return created;
      });
      await invalidateDeliveryAreas(c.env.MENU_CACHE);
      const { createdAt: _created, ...zone } = row;
      return c.json(zone, 201);
    } catch (err) {
      if (nameTaken(err)) throw new ApiError(409, "zone_name_taken", "Another zone has this name.");
      throw err;
    }
  });

  app.openapi(updateZone, async (c) => {
    const changes = Object.fromEntries(
      Object.entries(c.req.valid("json")).filter(([, value]) => value !== undefined),
    ) as z.infer<typeof ZonePatch>;
    if (Object.keys(changes).length === 0) throw new ApiError(400, "nothing_to_change", "Send at least one field.");
    const id = c.req.valid("param").id;
    try {
      const row = await c.var.db.transaction(async (tx) => {
        const [before] = await tx.select().from(deliveryAreas).where(eq(deliveryAreas.id, id)).for("update").limit(1);
        if (!before) throw new ApiError(404, "zone_not_found", "No zone has this id.");
        const [after] = await tx.update(deliveryAreas).set(changes).where(eq(deliveryAreas.id, id)).returning();
        if (!after) throw new ApiError(404, "zone_not_found", "No zone has this id.");
        // A redrawn outline or new fees price every order placed from now on: who did it matters.
        await auditUpdate(c, tx, {
          action: "delivery_area.update",
          entityType: "delivery_area",
          entityId: id,
          before: { ...before, createdAt: undefined },
          after: { ...after, createdAt: undefined },
        });
        return after;
      });
      await invalidateDeliveryAreas(c.env.MENU_CACHE);
      const { createdAt: _created, ...zone } = row;
      return c.json(zone, 200);
    } catch (err) {
      if (nameTaken(err)) throw new ApiError(409, "zone_name_taken", "Another zone has this name.");
      throw err;
    }
  });

  app.openapi(nearestCouriers, async (c) => {
    const { lat, lng, k, radiusM } = c.req.valid("query");
    const couriers = await zoneStub(c.env, zoneCellOf(lat, lng)).nearestAvailable(lat, lng, k, radiusM);
    return c.json({ couriers }, 200);
  });

  app.openapi(cellLive, async (c) => {
    const { cell } = c.req.valid("param");
    const stub = zoneStub(c.env, cell);
    const [stats, couriers] = await Promise.all([stub.stats(), stub.couriersOnMap()]);
    return c.json({ bounds: { ...decodeGeohashBounds(cell) }, stats, couriers }, 200);
  });
}
