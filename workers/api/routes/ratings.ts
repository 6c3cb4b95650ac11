// Ratings: once per order, by its customer, only after delivery: the
// restaurant (1-5 and optional words) and, when a courier delivered it, the
// courier (1-5 and thumbs on punctuality, care and friendliness). The Order
// DO decides who owns the order and whether it is delivered; the rating row
// is written straight to Postgres, where the per-restaurant summary is read.
import { createRoute, z } from "@hono/zod-openapi";
import { and, avg, count, eq } from "drizzle-orm";
import { orderRatings } from "../../../db/schema.ts";
import { invalidateRestaurantRatings } from "../../discovery/ratings-cache.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { orderStubFor, throwRefusal } from "./orders.ts";

const Uuid = z.string().uuid();
const Stars = z.number().int().min(1).max(5);
const Thumb = z.enum(["up", "down"]).optional();

const RateOrder = z
  .strictObject({
    restaurant: z.strictObject({ stars: Stars, comment: z.string().trim().max(1000).optional() }),
    courier: z
      .strictObject({ stars: Stars, punctuality: Thumb, care: Thumb, friendliness: Thumb })
      .optional()
      .openapi({ description: "Only for an order a courier delivered." }),
  })
  .openapi("RateOrder");

const Rating = z
  .object({
    orderId: Uuid,
    restaurant: z.object({ stars: z.number().int(), comment: z.string().nullable() }),
    courier: z
      .object({
        stars: z.number().int(),
        punctuality: z.enum(["up", "down"]).nullable(),
        care: z.enum(["up", "down"]).nullable(),
        friendliness: z.enum(["up", "down"]).nullable(),
      })
      .nullable(),
    createdAt: z.string(),
  })
  .openapi("Rating");

const RatingSummary = z
  .object({
    restaurantId: Uuid,
    count: z.number().int(),
    average: z.number().nullable().openapi({ description: "Mean stars to one decimal; null before the first rating." }),
  })
  .openapi("RatingSummary");

const params = z.object({ id: Uuid });

const rateOrder = createRoute({
  method: "post",
  path: "/v1/orders/{id}/rating",
  operationId: "rateOrder",
  tags: ["orders"],
  summary: "Rate a delivered order once: the restaurant, and the courier who delivered it",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: { params, ...jsonBody(RateOrder) },
  responses: { 201: jsonResponse(Rating, "Rated"), ...errorResponses(400, 401, 403, 404, 409, 422) },
});

const getRating = createRoute({
  method: "get",
  path: "/v1/orders/{id}/rating",
  operationId: "getOrderRating",
  tags: ["orders"],
  summary: "The customer's rating of their order (404 rating_not_found before they rate)",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: { params },
  responses: { 200: jsonResponse(Rating, "The rating"), ...errorResponses(400, 401, 403, 404) },
});

const restaurantRatings = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/ratings",
  operationId: "getRestaurantRatings",
  tags: ["discovery"],
  security: [],
  summary: "A restaurant's rating: how many customers rated it and the mean stars",
  request: { params },
  responses: { 200: jsonResponse(RatingSummary, "The summary"), ...errorResponses(400) },
});

type Row = typeof orderRatings.$inferSelect;

const thumb = (value: boolean | null) => (value === null ? null : value ? ("up" as const) : ("down" as const));
const asBool = (value: "up" | "down" | undefined) => (value === undefined ? null : value === "up");

function ratingView(row: Row): z.infer<typeof Rating> {
  return {
    orderId: row.orderId,
    restaurant: { stars: row.restaurantStars, comment: row.restaurantComment },
    courier:
      row.courierStars === null
        ? null
        : {
            stars: row.courierStars,
            punctuality: thumb(row.courierPunctuality),
            care: thumb(row.courierCare),
            friendliness: thumb(row.courierFriendliness),
          },
    createdAt: row.createdAt.toISOString(),
  };
}

export function registerRatingRoutes(app: App): void {
  app.openapi(rateOrder, async (c) => {
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    // The order's own object says whose it is (404 to anyone else) and where it stands.
    const found = await orderStubFor(c.env, id).get(principal);
    if (!found.ok) throwRefusal(found);
    const { order } = found;
    if (order.status !== "delivered") {
      throw new ApiError(409, "not_delivered", "You can rate an order once it has been delivered.");
    }
    if (body.courier && !order.courierId) {
      throw new ApiError(422, "no_courier", "No courier delivered this order; rate the restaurant only.");
    }
    const [row] = await c.var.db
      .insert(orderRatings)
      .values({
        orderId: id,
        customerId: principal.userId,
        restaurantId: order.restaurantId,
        courierId: body.courier ? order.courierId : null,
        restaurantStars: body.restaurant.stars,
        restaurantComment: body.restaurant.comment || null,
        courierStars: body.courier?.stars ?? null,
        courierPunctuality: asBool(body.courier?.punctuality),
        courierCare: asBool(body.courier?.care),
        courierFriendliness: asBool(body.courier?.friendliness),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ApiError(409, "already_rated", "You have already rated this order.");
    // Discovery ranks by ratings: the next listing reads the new average.
    c.executionCtx.waitUntil(invalidateRestaurantRatings(c.env.MENU_CACHE).catch(() => undefined));
    return c.json(ratingView(row), 201);
  });

  app.openapi(getRating, async (c) => {
    const { id } = c.req.valid("param");
    const [row] = await c.var.db
      .select()
      .from(orderRatings)
      .where(and(eq(orderRatings.orderId, id), eq(orderRatings.customerId, principalOf(c).userId)))
      .limit(1);
    if (!row) {
      // Someone else's order is not theirs to ask about: the same answer as for no such order.
      const found = await orderStubFor(c.env, id).get(principalOf(c));
      if (!found.ok) throwRefusal(found);
      throw new ApiError(404, "rating_not_found", "You have not rated this order yet.");
    }
    return c.json(ratingView(row), 200);
  });

  app.openapi(restaurantRatings, async (c) => {
    const { id } = c.req.valid("param");
    const [summary] = await c.var.db
      .select({ count: count(), average: avg(orderRatings.restaurantStars) })
      .from(orderRatings)
      .where(eq(orderRatings.restaurantId, id));
    const average = summary?.average === null || summary?.average === undefined ? null : Number(summary.average);
    return c.json(
      {
        restaurantId: id,
        count: summary?.count ?? 0,
        average: average === null ? null : Math.round(average * 10) / 10,
      },
      200,
    );
  });
}
