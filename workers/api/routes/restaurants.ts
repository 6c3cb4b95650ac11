// Discovery (restaurants that deliver to a point, from the D1 index) and menus.
import { createRoute, z } from "@hono/zod-openapi";
import { pointInPolygon } from "../../../domain/delivery-areas/point-in-polygon.ts";
import { deliveryWindow } from "../../../domain/eta/calibration.ts";
import { ALLERGENS, DIETARY_TAGS } from "../../../domain/menu/labels.ts";
import { deliveryFee } from "../../../domain/pricing/price-cart.ts";
import { discoverRestaurants, rebuildInBackground } from "../../discovery/discover.ts";
import { restaurantRatings } from "../../discovery/ratings-cache.ts";
import { localHour, readCalibration } from "../../eta/calibration-store.ts";
import type { App } from "../context.ts";
import { activeDeliveryAreas } from "../delivery-areas/area-cache.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { errorResponses, jsonResponse, QueryLat, QueryLng, urlNumber } from "../http/openapi.ts";
import { readMenuWithSource, refreshMenu } from "../menus/menu-cache.ts";
import { MenuSchema } from "../menus/menu-schema.ts";
import { surgeFor } from "../orders/delivery-terms.ts";
import { SurgeInfo } from "../orders/delivery-terms-schemas.ts";

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
    openNow: z
      .boolean()
      .openapi({ description: "Taking orders now: within its hours (special days included), not paused." }),
    opensAt: z
      .string()
      .nullable()
      .openapi({ description: "When closed: when it takes orders again (within two weeks)." }),
    pausedUntil: z.string().nullable().openapi({ description: "Set while the restaurant has paused orders." }),
    busy: z.boolean().openapi({ description: "At capacity or busy by hand: orders take longer, or are refused." }),
    acceptingOrders: z
      .boolean()
      .openapi({ description: "An order placed now would be taken (open, and not refused for being busy)." }),
    quotedPrepMinutes: z.number().int().nullable().openapi({
      description: "Prep time the next order would be quoted under the kitchen's load; null when refused.",
    }),
    fulfilment: z.enum(["on_demand", "slots"]),
    acceptsScheduledOrders: z.boolean(),
    ratingAverage: z
      .number()
      .nullable()
      .openapi({ description: "Customers' mean restaurant stars (1 to 5, one decimal); null before any rating." }),
    ratingCount: z.number().int(),
    deliveryFeeMinor: z.number().int().nullable().openapi({
      description:
        "The delivery fee to this point, in the currency's minor units, as placement would charge it; null when the point is in no delivery area (placement would refuse).",
    }),
    estimatedDeliveryMinutes: z.number().int().openapi({
      description:
        "From ordering now to the door: the quoted (or usual) prep time plus the ride, timed by the model learned from this area's deliveries at this time of day.",
    }),
    deliveryWindowMinutes: z
      .object({ earliest: z.number().int(), latest: z.number().int() })
      .openapi({ description: "The window the order should arrive in, in minutes from ordering now." }),
    timeZone: z.string().openapi({ description: "The restaurant's IANA time zone (its hours are local to it)." }),
  })
  .openapi("Restaurant");

/** A comma-separated list of words from a fixed vocabulary, e.g. `vegan,gluten_free`. */
function wordList<T extends readonly [string, ...string[]]>(vocabulary: T, description: string) {
  return z
    .string()
    .max(300)
    .transform((s) => [
      ...new Set(
        s
          .split(",")
          .map((w) => w.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.enum(vocabulary)).max(vocabulary.length))
    .optional()
    .openapi({ description: `${description} Comma-separated: ${vocabulary.join(", ")}.`, type: "string" });
}

const DeliveryAreaOutline = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    /** GeoJSON Polygon rings of [lng, lat]. */
    coordinates: z.array(z.array(z.array(z.number()))),
  })
  .openapi("DeliveryAreaOutline");

const NearQuery = z.strictObject({
  lat: QueryLat,
  lng: QueryLng,
  cuisine: z.string().trim().min(1).max(40).optional(),
  q: z.string().trim().min(1).max(80).optional(),
  openNow: z.enum(["true", "false"]).optional(),
  limit: urlNumber({ min: 1, max: 100, int: true }).default(50),
  dietary: wordList(DIETARY_TAGS, "Only restaurants with an available dish carrying all of these tags."),
  avoidAllergens: wordList(ALLERGENS, "Only restaurants with an available dish (with the tags above) free of these."),
  minRating: urlNumber({ min: 1, max: 5 })
    .optional()
    .openapi({ description: "Only restaurants customers rate at least this (1 to 5); unrated ones are left out." }),
});

const listRestaurants = createRoute({
  method: "get",
  path: "/v1/restaurants",
  operationId: "listRestaurants",
  tags: ["discovery"],
  security: [],
  summary: "Restaurants that deliver to a point, best first (customers' ratings against distance)",
  description:
    "Served from the D1 discovery index (`q` is a word-prefix search over names, cuisines, descriptions and dishes). The `x-discovery-source` header says which store answered.",
  request: { query: NearQuery },
  responses: {
    200: jsonResponse(
      z.object({
        restaurants: z.array(Restaurant),
        // Null when the point is in no delivery area; otherwise already in each deliveryFeeMinor.
        surge: z.union([SurgeInfo, z.null()]),
        deliveryAreas: z.array(DeliveryAreaOutline).openapi({
          description: "The platform's active delivery areas (polygons), for drawing where it delivers.",
        }),
      }),
      "Restaurants",
    ),
    ...errorResponses(400),
  },
});

const getMenu = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/menu",
  operationId: "getRestaurantMenu",
  tags: ["discovery"],
  security: [],
  summary: "A restaurant's menu (cached; send If-None-Match for a 304, Cache-Control: no-cache to read through)",
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: {
    200: {
      description: "The menu, with an ETag for its version",
      content: { "application/json": { schema: MenuSchema } },
    },
    304: { description: "Not modified" },
    ...errorResponses(400, 404),
  },
});

export function registerRestaurantRoutes(app: App): void {
  app.openapi(listRestaurants, async (c) => {
    const query = c.req.valid("query");
    const { restaurants, source } = await discoverRestaurants(
      { ...query, openNow: query.openNow === "true" },
      {
        d1: c.env.DISCOVERY,
        db: () => c.var.db,
        now: new Date(),
        onEmptyIndex: () => {
          log(c, "warn", "discovery.index_empty", {});
          c.executionCtx.waitUntil(rebuildInBackground(c.env));
        },
        onIndexError: (err) => log(c, "error", "discovery.index_failed", { error: String(err) }),
        // A ranking signal, not a reason to fail the listing: unreadable, every restaurant is unrated.
        ratings: () =>
          restaurantRatings(c.env.MENU_CACHE, () => c.var.db).catch((err: unknown) => {
            log(c, "error", "discovery.ratings_failed", { error: String(err) });
            return new Map();
          }),
      },
    );
    // Which store answered: Postgres means the index is empty or failing.
    c.header("x-discovery-source", source);
    // Fees follow the delivery area of the point, as placement prices them (from KV, no Postgres).
    const areas = await activeDeliveryAreas(c.env.MENU_CACHE, () => c.var.db);
    const area = areas.find((a) => pointInPolygon(query.lat, query.lng, a.polygon));
    const surge = area ? await surgeFor(c, area, { kind: "browse" }) : null;
    const calibration = restaurants.length > 0 ? await readCalibration(c.env.MENU_CACHE) : null;
    const now = Date.now();
    return c.json(
      {
        restaurants: restaurants.map((r) => {
          const window = deliveryWindow(calibration, {
            areaId: area?.id ?? null,
            localHour: localHour(now, r.timeZone),
            distanceM: r.distanceM,
            prepMinutes: r.quotedPrepMinutes ?? r.prepTimeMinutes,
          });
          return {
            ...r,
            deliveryFeeMinor: area
              ? deliveryFee({ ...area, deliveryFeeMultiplierBps: surge?.multiplierBps }, r.distanceM)
              : null,
            estimatedDeliveryMinutes: window.expectedMinutes,
            deliveryWindowMinutes: { earliest: window.earliestMinutes, latest: window.latestMinutes },
          };
        }),
        surge: surge && {
          multiplierBps: surge.multiplierBps,
          reason: surge.reason,
          validUntil: null,
        },
        // Outlines only: fees and tax rates stay out of a public, cacheable answer.
        deliveryAreas: areas.map((a) => ({ id: a.id, name: a.name ?? "", coordinates: a.polygon.coordinates })),
      },
      200,
    );
  });

  app.openapi(getMenu, async (c) => {
    const { id } = c.req.valid("param");
    // `Cache-Control: no-cache` asks for the system of record (and refreshes the cached copy on the way).
    const fresh = /\bno-cache\b/i.test(c.req.header("cache-control") ?? "");
    const started = performance.now();
    const read = fresh
      ? { entry: await refreshMenu(c.env.MENU_CACHE, c.var.db, id), source: "db" as const }
      : await readMenuWithSource(c.env.MENU_CACHE, () => c.var.db, id);
    const menu = read?.entry;
    if (!menu) throw new ApiError(404, "restaurant_not_found", "No active restaurant has this id.");
    // Where the menu came from and how long that took: browsers' developer tools show it, and the
    // menus benchmark splits its latency tail by it (decision 64). Durations are coarse in workerd
    // (timers advance only on I/O), which is what a client may see anyway.
    c.header("server-timing", `menu;desc=${read.source};dur=${Math.round(performance.now() - started)}`);
    c.header("etag", menu.etag);
    c.header("cache-control", "public, max-age=0, must-revalidate");
    if (c.req.header("if-none-match") === menu.etag) return c.body(null, 304);
    return c.body(menu.json, 200, { "content-type": "application/json; charset=utf-8" });
  });
}
