// Discovery (restaurants that deliver to a point) and menus.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, between, eq, ilike, sql } from "drizzle-orm";
import { restaurants } from "../../../db/schema.ts";
import { isOpenAt } from "../../../domain/restaurant/opening-hours.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { errorResponses, jsonResponse } from "../http/openapi.ts";
import { readMenu } from "../menus/menu-cache.ts";

const Restaurant = z
  .object({
    id: z.string().uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    cuisines: z.array(z.string()),
    address: z.string(),
    lat: z.number(),
    lng: z.number(),
    distanceM: z.number().int(),
    prepTimeMinutes: z.number().int(),
    deliveryRadiusM: z.number().int(),
    currency: z.string(),
    openNow: z.boolean(),
  })
  .openapi("Restaurant");

const NearQuery = z.strictObject({
  lat: z.coerce.number().min(-90).max(90),
  lng: z.coerce.number().min(-180).max(180),
  cuisine: z.string().trim().min(1).max(40).optional(),
  q: z.string().trim().min(1).max(80).optional(),
  openNow: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const listRestaurants = createRoute({
  method: "get",
  path: "/v1/restaurants",
  tags: ["discovery"],
  summary: "Restaurants that deliver to a point, nearest first",
  request: { query: NearQuery },
  responses: {
    200: jsonResponse(z.object({ restaurants: z.array(Restaurant) }), "Restaurants"),
    ...errorResponses(400),
  },
});

const getMenu = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/menu",
  tags: ["discovery"],
  summary: "A restaurant's menu (cached; send If-None-Match for a 304)",
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: {
    200: {
      description: "The menu, with an ETag for its version",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
    304: { description: "Not modified" },
    ...errorResponses(400, 404),
  },
});

/** Degrees of latitude per metre; longitude shrinks with cos(latitude). */
const DEG_PER_M = 1 / 111_320;
/** No restaurant delivers further than this; it bounds the index scan. */
const MAX_RADIUS_M = 50_000;

export function registerRestaurantRoutes(app: App): void {
  app.openapi(listRestaurants, async (c) => {
    const query = c.req.valid("query");
    const latSpan = MAX_RADIUS_M * DEG_PER_M;
    const lngSpan = latSpan / Math.max(Math.cos((query.lat * Math.PI) / 180), 0.01);
    const distance = sql<number>`(2 * 6371000 * asin(sqrt(
        power(sin(radians(${restaurants.lat} - ${query.lat}) / 2), 2) +
        cos(radians(${query.lat})) * cos(radians(${restaurants.lat})) *
        power(sin(radians(${restaurants.lng} - ${query.lng}) / 2), 2))))`;
    const rows = await c.var.db
      .select({
        id: restaurants.id,
        slug: restaurants.slug,
        name: restaurants.name,
        description: restaurants.description,
        cuisines: restaurants.cuisines,
        address: restaurants.address,
        lat: restaurants.lat,
        lng: restaurants.lng,
        prepTimeMinutes: restaurants.prepTimeMinutes,
        deliveryRadiusM: restaurants.deliveryRadiusM,
        currency: restaurants.currency,
        timeZone: restaurants.timeZone,
        openingHours: restaurants.openingHours,
        distanceM: distance.mapWith(Number),
      })
      .from(restaurants)
      .where(
        and(
          eq(restaurants.active, true),
          between(restaurants.lat, query.lat - latSpan, query.lat + latSpan),
          between(restaurants.lng, query.lng - lngSpan, query.lng + lngSpan),
          sql`${distance} <= ${restaurants.deliveryRadiusM}`,
          query.cuisine ? sql`${query.cuisine.toLowerCase()} = any(${restaurants.cuisines})` : undefined,
          query.q ? ilike(restaurants.name, `%${query.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`) : undefined,
        ),
      )
      .orderBy(asc(distance))
      .limit(query.limit);
    const now = new Date();
    const list = rows
      .map(({ timeZone, openingHours, distanceM, ...r }) => ({
        ...r,
        distanceM: Math.round(distanceM),
        openNow: isOpenAt(openingHours, timeZone, now),
      }))
      .filter((r) => query.openNow !== "true" || r.openNow);
    return c.json({ restaurants: list }, 200);
  });

  app.openapi(getMenu, async (c) => {
    const { id } = c.req.valid("param");
    const menu = await readMenu(c.env.MENU_CACHE, () => c.var.db, id);
    if (!menu) throw new ApiError(404, "restaurant_not_found", "No active restaurant has this id.");
    c.header("etag", menu.etag);
    c.header("cache-control", "public, max-age=0, must-revalidate");
    if (c.req.header("if-none-match") === menu.etag) return c.body(null, 304);
    return c.body(menu.json, 200, { "content-type": "application/json; charset=utf-8" });
  });
}
