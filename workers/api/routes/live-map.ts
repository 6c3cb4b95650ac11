// The operators' live city map: which map regions the platform serves (those
// covering the active delivery areas), a region's couriers and active orders
// as JSON, and the same as a WebSocket that streams changes. Couriers and
// orders are pushed to the region's City Map DO by their Zone and Order DOs;
// nothing here polls a dispatch cell.
import { createRoute, z } from "@hono/zod-openapi";
import { REGION_PATTERN, regionBounds } from "../../../domain/citymap/region.ts";
import { cityMapStub } from "../../../durable-objects/city-map/stub.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import { servedRegions } from "../back-office/courier-presence.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonResponse,
  switchingProtocols,
  webSocketProtocol,
} from "../http/openapi.ts";
import { MapCourier, MapOrder } from "./live-protocols.ts";

const Bounds = z.object({ minLat: z.number(), maxLat: z.number(), minLng: z.number(), maxLng: z.number() });
const regionParam = z.object({
  region: z
    .string()
    .regex(REGION_PATTERN, "A map region: a geohash of 3 characters, as listed by /v1/admin/live-map/regions."),
});

const listRegions = createRoute({
  method: "get",
  path: "/v1/admin/live-map/regions",
  operationId: "listLiveMapRegions",
  tags: ["admin"],
  summary: "The map regions covering the active delivery areas (usually one per city); watch each one",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  responses: {
    200: jsonResponse(
      z.object({ regions: z.array(z.object({ region: z.string(), bounds: Bounds })) }).openapi("LiveMapRegions"),
      "Regions",
    ),
    ...errorResponses(401, 403),
  },
});

const getRegion = createRoute({
  method: "get",
  path: "/v1/admin/live-map/{region}",
  operationId: "getLiveMapRegion",
  tags: ["admin"],
  summary: "Every online courier (by state) and every active order of a map region, now",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: regionParam },
  responses: {
    200: jsonResponse(
      z
        .object({ region: z.string(), at: z.number().int(), couriers: z.array(MapCourier), orders: z.array(MapOrder) })
        .openapi("LiveMapSnapshot"),
      "The region",
    ),
    ...errorResponses(400, 401, 403),
  },
});

const watchRegion = createRoute({
  method: "get",
  path: "/v1/admin/live-map/{region}/live",
  operationId: "watchLiveMapRegion",
  tags: ["admin"],
  summary: "WebSocket: the region on connect, then what changed, at most once a second",
  description:
    'Upgrade with `Authorization: Bearer` or `?access_token=`. The server sends `{type:"snapshot"}` first, then `{type:"changes"}`; a courier going quiet turns `stale` within about 10 s. Send `{"type":"resync"}` for a new snapshot, or the text `ping` for `pong`.',
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: regionParam },
  ...webSocketProtocol("CityMap"),
  responses: { ...switchingProtocols("CityMap"), ...errorResponses(400, 401, 403) },
});

export function registerLiveMapRoutes(app: App): void {
  app.openapi(listRegions, async (c) => {
    const regions = await servedRegions(c.var.db);
    return c.json({ regions: regions.map((region) => ({ region, bounds: { ...regionBounds(region) } })) }, 200);
  });

  app.openapi(getRegion, async (c) => {
    const snapshot = await cityMapStub(c.env, c.req.valid("param").region).snapshot();
    return c.json(snapshot, 200);
  });

  app.openapi(watchRegion, async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "Open this URL as a WebSocket.");
    }
    const headers = new Headers(c.req.raw.headers);
    // Identity is decided here; the DO trusts this header because only the Worker can reach it.
    headers.set("x-principal", JSON.stringify(principalOf(c)));
    const { region } = c.req.valid("param");
    return cityMapStub(c.env, region).fetch(new Request(`https://city-map/${region}/live`, { headers }));
  });
}
