// Reviews (decision 51): anyone reads a restaurant's reviews, newest first,
// with the restaurant's reply; its own staff write that one reply (a PUT, so
// editing and retrying are the same request); admins hide abusive words and
// show them again, each change in the audit log with its reason. A hidden
// review's stars still count in getRestaurantRatings' average.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, isNotNull, isNull, lt, or, type SQL } from "drizzle-orm";
import { orderRatings, restaurants } from "../../../db/schema.ts";
import {
  type Cursor,
  decideModeration,
  decideReply,
  decodeCursor,
  encodeCursor,
  MAX_MODERATION_REASON,
  MAX_REPLY,
  REVIEWS_PAGE,
  reviewView,
} from "../../../domain/reviews/reviews.ts";
import { audit, auditedNoChange } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, urlNumber } from "../http/openapi.ts";

const Uuid = z.string().uuid();

const Review = z
  .object({
    orderId: Uuid,
    restaurantId: Uuid,
    stars: z.number().int().min(1).max(5),
    comment: z.string().nullable().openapi({
      description: "The customer's words; null when they wrote none, or when moderation hid them (see `hidden`).",
    }),
    hidden: z.boolean().openapi({ description: "An admin hid the words; the stars still count." }),
    hiddenReason: z.string().nullable().openapi({ description: "Why it was hidden; only admins see it." }),
    reply: z.object({ text: z.string(), repliedAt: z.string() }).nullable(),
    createdAt: z.string(),
  })
  .openapi("Review");

const ReviewPage = z
  .object({
    reviews: z.array(Review),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next (older) page." }),
  })
  .openapi("ReviewPage");

const ModerationReviewPage = z
  .object({
    reviews: z.array(
      Review.extend({
        restaurantName: z.string().openapi({ description: "The reviewed restaurant's name, for operators' eyes." }),
      }).openapi("ModerationReview"),
    ),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next (older) page." }),
  })
  .openapi("ModerationReviewPage");

const pageQuery = {
  limit: urlNumber({ min: 1, max: 50, int: true }).optional(),
  cursor: z.string().max(80).optional(),
};

const listReviews = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/reviews",
  operationId: "listRestaurantReviews",
  tags: ["discovery"],
  security: [],
  summary: "A restaurant's reviews, newest first, with its replies; hidden words are withheld",
  request: { params: z.object({ id: Uuid }), query: z.object(pageQuery) },
  responses: { 200: jsonResponse(ReviewPage, "A page of reviews"), ...errorResponses(400) },
});

const replyToReview = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/reviews/{orderId}/reply",
  operationId: "replyToReview",
  tags: ["restaurants"],
  summary: "The restaurant's one public reply to a review (PUT again to edit it)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff")] as const,
  request: {
    params: z.object({ id: Uuid, orderId: Uuid }),
    ...jsonBody(z.strictObject({ text: z.string().trim().min(1).max(MAX_REPLY) }).openapi("ReviewReply")),
  },
  responses: { 200: jsonResponse(Review, "The review with its reply"), ...errorResponses(400, 401, 403, 404, 429) },
});

const moderationList = createRoute({
  method: "get",
  path: "/v1/admin/reviews",
  operationId: "listReviewsForModeration",
  tags: ["admin"],
  summary: "Every review with words, newest first, hidden ones with their text and reason",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    query: z.object({
      ...pageQuery,
      restaurantId: Uuid.optional(),
      hidden: z.enum(["true", "false"]).optional(),
    }),
  },
  responses: {
    200: jsonResponse(ModerationReviewPage, "A page of reviews, each with its restaurant's name"),
    ...errorResponses(400, 401, 403),
  },
});

const moderateReview = createRoute({
  method: "put",
  path: "/v1/admin/reviews/{orderId}/moderation",
  operationId: "moderateReview",
  tags: ["admin"],
  summary: "Hide a review's words (the stars still count) or show them again; audited with the reason",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    params: z.object({ orderId: Uuid }),
    ...jsonBody(
      z
        .strictObject({ hidden: z.boolean(), reason: z.string().trim().min(1).max(MAX_MODERATION_REASON) })
        .openapi("ReviewModeration"),
    ),
  },
  responses: { 200: jsonResponse(Review, "The review as moderated"), ...errorResponses(400, 401, 403, 404, 429) },
});

type Row = typeof orderRatings.$inferSelect;

const stored = (row: Row) => ({
  orderId: row.orderId,
  restaurantId: row.restaurantId,
  stars: row.restaurantStars,
  comment: row.restaurantComment,
  createdAt: row.createdAt,
  replyText: row.replyText,
  repliedAt: row.repliedAt,
  hiddenAt: row.hiddenAt,
  hiddenReason: row.hiddenReason,
});

const reviewNotFound = () => new ApiError(404, "review_not_found", "This restaurant has no review for that order.");

function cursorOf(text: string | undefined): Cursor | null {
  if (text === undefined) return null;
  const cursor = decodeCursor(text);
  if (!cursor) throw validationError([{ path: "cursor", code: "invalid_cursor", message: "Use a nextCursor." }]);
  return cursor;
}

async function page(c: AppContext, filters: SQL[], limit: number, cursorText: string | undefined, asAdmin: boolean) {
  const cursor = cursorOf(cursorText);
  const where = [...filters];
  if (cursor) {
    const older = or(
      lt(orderRatings.createdAt, cursor.createdAt),
      and(eq(orderRatings.createdAt, cursor.createdAt), lt(orderRatings.orderId, cursor.orderId)),
    );
    if (older) where.push(older);
  }
  const rows = await c.var.db
    .select()
    .from(orderRatings)
    .where(and(...where))
    .orderBy(desc(orderRatings.createdAt), desc(orderRatings.orderId))
    .limit(limit + 1);
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    reviews: shown.map((row) => reviewView(stored(row), asAdmin)),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, orderId: last.orderId }) : null,
  };
}

export function registerReviewRoutes(app: App): void {
  app.openapi(listReviews, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const result = await page(c, [eq(orderRatings.restaurantId, id)], query.limit ?? REVIEWS_PAGE, query.cursor, false);
    return c.json(result, 200);
  });

  app.openapi(replyToReview, async (c) => {
    const principal = principalOf(c);
    const { id, orderId } = c.req.valid("param");
    if (principal.restaurantId !== id) {
      throw new ApiError(403, "not_restaurant_staff", "Only this restaurant's staff can reply to its reviews.");
    }
    const { text } = c.req.valid("json");
    const row = await c.var.db.transaction(async (tx) => {
      const [before] = await tx
        .select()
        .from(orderRatings)
        .where(and(eq(orderRatings.orderId, orderId), eq(orderRatings.restaurantId, id)))
        .for("update")
        .limit(1);
      if (!before) throw reviewNotFound();
      const decision = decideReply(before.replyText, text);
      if (!decision.change) {
        auditedNoChange(c);
        return before;
      }
      const [after] = await tx
        .update(orderRatings)
        .set({ replyText: decision.text, replyBy: principal.userId, repliedAt: new Date() })
        .where(eq(orderRatings.orderId, orderId))
        .returning();
      await audit(c, tx, {
        action: before.replyText === null ? "review.reply" : "review.reply_edit",
        entityType: "review",
        entityId: orderId,
        before: { restaurantId: id, reply: before.replyText },
        after: { restaurantId: id, reply: decision.text },
      });
      return after ?? before;
    });
    return c.json(reviewView(stored(row), false), 200);
  });

  app.openapi(moderationList, async (c) => {
    const query = c.req.valid("query");
    const filters: SQL[] = [isNotNull(orderRatings.restaurantComment)];
    if (query.restaurantId) filters.push(eq(orderRatings.restaurantId, query.restaurantId));
    if (query.hidden === "true") filters.push(isNotNull(orderRatings.hiddenAt));
    if (query.hidden === "false") filters.push(isNull(orderRatings.hiddenAt));
    const result = await page(c, filters, query.limit ?? REVIEWS_PAGE, query.cursor, true);
    // One lookup for the page's restaurants (at most 50 reviews, usually a handful of restaurants).
    const ids = [...new Set(result.reviews.map((r) => r.restaurantId))];
    const names =
      ids.length === 0
        ? []
        : await c.var.db
            .select({ id: restaurants.id, name: restaurants.name })
            .from(restaurants)
            .where(inArray(restaurants.id, ids));
    const nameOf = new Map(names.map((r) => [r.id, r.name]));
    const reviews = result.reviews.map((r) => ({ ...r, restaurantName: nameOf.get(r.restaurantId) ?? "" }));
    return c.json({ reviews, nextCursor: result.nextCursor }, 200);
  });

  app.openapi(moderateReview, async (c) => {
    const principal = principalOf(c);
    const { orderId } = c.req.valid("param");
    const { hidden, reason } = c.req.valid("json");
    const row = await c.var.db.transaction(async (tx) => {
      const [before] = await tx
        .select()
        .from(orderRatings)
        .where(eq(orderRatings.orderId, orderId))
        .for("update")
        .limit(1);
      if (!before) throw new ApiError(404, "review_not_found", "No review for that order.");
      const decision = decideModeration(before.hiddenAt !== null, hidden);
      if (!decision.change) {
        auditedNoChange(c);
        return before;
      }
      const [after] = await tx
        .update(orderRatings)
        .set(
          decision.hidden
            ? { hiddenAt: new Date(), hiddenBy: principal.userId, hiddenReason: reason }
            : { hiddenAt: null, hiddenBy: null, hiddenReason: null },
        )
        .where(eq(orderRatings.orderId, orderId))
        .returning();
      await audit(c, tx, {
        action: decision.action,
        entityType: "review",
        entityId: orderId,
        before: { restaurantId: before.restaurantId, hidden: before.hiddenAt !== null },
        after: { restaurantId: before.restaurantId, hidden: decision.hidden },
        note: reason,
      });
      return after ?? before;
    });
    return c.json(reviewView(stored(row), true), 200);
  });
}
