// Promotion codes: operators create and disable any (platform-funded, or
// restaurant-funded on a restaurant's behalf); a restaurant's staff create
// and disable their own restaurant-funded ones. Creating and disabling are
// audited; a disabled code stops applying at once and cannot be re-enabled
// (create a new one). The rules are domain/pricing/promotions.ts.
import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { restaurants } from "../../../db/schema.ts";
import { promotions } from "../../../db/schema-promotions.ts";
import { checkDraft, normalizeCode } from "../../../domain/pricing/promotions.ts";
import type { PromotionRow } from "../../promotions/redemptions.ts";
import { audit } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { assertRestaurantEditor, isUniqueViolation, restaurantNotFound } from "../restaurants/editing.ts";
import { Uuid } from "../restaurants/schemas.ts";

const Minor = z.number().int().min(0).max(100_000_000);

const PromotionBody = z
  .strictObject({
    code: z.string().trim().min(3).max(32).openapi({ description: "Letters, digits, _ or -; matched in any case." }),
    kind: z.enum(["percent", "fixed"]),
    percentBps: z.number().int().min(1).max(10_000).nullable().optional(),
    amountMinor: Minor.nullable().optional(),
    maxDiscountMinor: Minor.nullable().optional(),
    currency: z.string().regex(/^[A-Z]{3}$/),
    minOrderMinor: Minor.default(0),
    firstOrderOnly: z.boolean().default(false),
    perCustomerLimit: z.number().int().min(1).max(1000).nullable().default(1),
    budgetMinor: Minor.nullable().default(null),
    startsAt: z.string().datetime({ offset: true }),
    endsAt: z.string().datetime({ offset: true }),
  })
  .openapi("PromotionRequest");

const AdminPromotionBody = PromotionBody.extend({
  fundedBy: z.enum(["platform", "restaurant"]).default("platform"),
  restaurantId: Uuid.nullable().default(null).openapi({ description: "Only this restaurant's orders." }),
}).openapi("AdminPromotionRequest");

const Promotion = z
  .object({
    id: Uuid,
    code: z.string(),
    kind: z.string(),
    percentBps: z.number().int().nullable(),
    amountMinor: z.number().int().nullable(),
    maxDiscountMinor: z.number().int().nullable(),
    currency: z.string(),
    minOrderMinor: z.number().int(),
    firstOrderOnly: z.boolean(),
    perCustomerLimit: z.number().int().nullable(),
    budgetMinor: z.number().int().nullable(),
    spentMinor: z.number().int(),
    redemptions: z.number().int(),
    startsAt: z.string(),
    endsAt: z.string(),
    fundedBy: z.string(),
    restaurantId: Uuid.nullable(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi("Promotion");

const PromotionList = z.object({ promotions: z.array(Promotion) }).openapi("PromotionList");

function toJson(row: PromotionRow): z.infer<typeof Promotion> {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind,
    percentBps: row.percentBps,
    amountMinor: row.amountMinor,
    maxDiscountMinor: row.maxDiscountMinor,
    currency: row.currency,
    minOrderMinor: row.minOrderMinor,
    firstOrderOnly: row.firstOrderOnly,
    perCustomerLimit: row.perCustomerLimit,
    budgetMinor: row.budgetMinor,
    spentMinor: row.spentMinor,
    redemptions: row.redemptions,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    fundedBy: row.fundedBy,
    restaurantId: row.restaurantId,
    createdAt: row.createdAt.toISOString(),
    disabledAt: row.disabledAt?.toISOString() ?? null,
  };
}

const tag = { tags: ["promotions"], security: bearerSecurity };
const RestaurantParams = z.object({ id: Uuid });
const RestaurantPromotionParams = z.object({ id: Uuid, promotionId: Uuid });

const listRestaurantPromotions = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/promotions",
  operationId: "listRestaurantPromotions",
  summary: "The restaurant's promotion codes, newest first (its staff or an admin)",
  ...tag,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: RestaurantParams },
  responses: { 200: jsonResponse(PromotionList, "Its promotions"), ...errorResponses(400, 401, 403, 404) },
});

const createRestaurantPromotion = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/promotions",
  operationId: "createRestaurantPromotion",
  summary: "Create a code the restaurant funds, for its own orders (its staff or an admin)",
  ...tag,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: RestaurantParams, ...jsonBody(PromotionBody) },
  responses: { 201: jsonResponse(Promotion, "Created"), ...errorResponses(400, 401, 403, 404, 409) },
});

const disableRestaurantPromotion = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/promotions/{promotionId}/disable",
  operationId: "disableRestaurantPromotion",
  summary: "Stop one of the restaurant's codes applying (its staff or an admin); orders already placed keep it",
  ...tag,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: RestaurantPromotionParams },
  responses: { 200: jsonResponse(Promotion, "Disabled"), ...errorResponses(400, 401, 403, 404) },
});

const listPromotions = createRoute({
  method: "get",
  path: "/v1/admin/promotions",
  operationId: "listPromotions",
  summary: "Every promotion code, newest first (admins)",
  ...tag,
  middleware: [requireAuth("admin")] as const,
  responses: { 200: jsonResponse(PromotionList, "All promotions"), ...errorResponses(401, 403) },
});

const createPromotion = createRoute({
  method: "post",
  path: "/v1/admin/promotions",
  operationId: "createPromotion",
  summary: "Create a code funded by the platform or by a restaurant (admins)",
  ...tag,
  middleware: [requireAuth("admin")] as const,
  request: jsonBody(AdminPromotionBody),
  responses: { 201: jsonResponse(Promotion, "Created"), ...errorResponses(400, 401, 403, 404, 409) },
});

const disablePromotion = createRoute({
  method: "post",
  path: "/v1/admin/promotions/{promotionId}/disable",
  operationId: "disablePromotion",
  summary: "Stop a code applying (admins); orders already placed keep it",
  ...tag,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ promotionId: Uuid }) },
  responses: { 200: jsonResponse(Promotion, "Disabled"), ...errorResponses(400, 401, 403, 404) },
});

async function assertRestaurantExists(db: Database, id: string): Promise<void> {
  const [row] = await db.select({ id: restaurants.id }).from(restaurants).where(eq(restaurants.id, id)).limit(1);
  if (!row) throw restaurantNotFound();
}

type AdminBody = z.infer<typeof AdminPromotionBody>;

async function create(c: AppContext, body: AdminBody): Promise<PromotionRow> {
  const startsAt = new Date(body.startsAt);
  const endsAt = new Date(body.endsAt);
  const draft = { ...body, code: normalizeCode(body.code), startsAt: startsAt.getTime(), endsAt: endsAt.getTime() };
  const problems = checkDraft(draft);
  if (problems.length > 0) throw validationError(problems, "The promotion is not valid.");
  if (body.restaurantId) await assertRestaurantExists(c.var.db, body.restaurantId);
  try {
    return await c.var.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(promotions)
        .values({
          ...draft,
          percentBps: body.kind === "percent" ? (body.percentBps ?? null) : null,
          amountMinor: body.kind === "fixed" ? (body.amountMinor ?? null) : null,
          maxDiscountMinor: body.kind === "percent" ? (body.maxDiscountMinor ?? null) : null,
          startsAt,
          endsAt,
          createdBy: principalOf(c).userId,
        })
        .returning();
      if (!row) throw new Error("insert returned nothing");
      await audit(c, tx, { action: "promotion.create", entityType: "promotion", entityId: row.id, after: toJson(row) });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError(409, "promotion_code_taken", `The code ${draft.code} is in use.`);
    throw err;
  }
}

async function disable(c: AppContext, promotionId: string, restaurantId: string | null): Promise<PromotionRow> {
  return c.var.db.transaction(async (tx) => {
    const where = restaurantId
      ? and(eq(promotions.id, promotionId), eq(promotions.restaurantId, restaurantId))
      : eq(promotions.id, promotionId);
    const [before] = await tx.select().from(promotions).where(where).for("update");
    if (!before) throw new ApiError(404, "promotion_not_found", "No promotion has this id here.");
    if (before.disabledAt) return before;
    const [row] = await tx
      .update(promotions)
      .set({ disabledAt: new Date() })
      .where(and(eq(promotions.id, promotionId), isNull(promotions.disabledAt)))
      .returning();
    if (!row) throw new Error("update returned nothing");
    await audit(c, tx, {
      action: "promotion.disable",
      entityType: "promotion",
      entityId: row.id,
      before: { disabledAt: null },
      after: { disabledAt: row.disabledAt?.toISOString() ?? null },
    });
    return row;
  });
}

export function registerPromotionRoutes(app: App): void {
  app.openapi(listRestaurantPromotions, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const rows = await c.var.db
      .select()
      .from(promotions)
      .where(eq(promotions.restaurantId, id))
      .orderBy(desc(promotions.createdAt))
      .limit(200);
    return c.json({ promotions: rows.map(toJson) }, 200);
  });

  app.openapi(createRestaurantPromotion, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const row = await create(c, { ...c.req.valid("json"), fundedBy: "restaurant", restaurantId: id });
    return c.json(toJson(row), 201);
  });

  app.openapi(disableRestaurantPromotion, async (c) => {
    const { id, promotionId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    return c.json(toJson(await disable(c, promotionId, id)), 200);
  });

  app.openapi(listPromotions, async (c) => {
    const rows = await c.var.db.select().from(promotions).orderBy(desc(promotions.createdAt)).limit(500);
    return c.json({ promotions: rows.map(toJson) }, 200);
  });

  app.openapi(createPromotion, async (c) => {
    return c.json(toJson(await create(c, c.req.valid("json"))), 201);
  });

  app.openapi(disablePromotion, async (c) => {
    return c.json(toJson(await disable(c, c.req.valid("param").promotionId, null)), 200);
  });
}
