// Operators put restaurants on the map: create and edit a restaurant
// (address, location, time zone, currency, delivery area, commission, hours,
// active) and see which lie outside every delivery area. Staff are in
// onboarding-staff.ts. Every change is audited in its own transaction.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, ilike, or, type SQL, sql } from "drizzle-orm";
import { menuCategories, menuItems, restaurantStaff, restaurants, users } from "../../../db/schema.ts";
import {
  areaContaining,
  checkAreaForRestaurant,
  type DeliveryAreaShape,
  isValidTimeZone,
  restaurantFlags,
  slugify,
} from "../../../domain/onboarding/restaurant.ts";
import { audit, auditUpdate } from "../audit/audit.ts";
import { requireAuth } from "../auth/authenticate.ts";
import { accountColumns, accountOut, isUniqueViolation } from "../back-office/accounts.ts";
import { loadDeliveryAreas } from "../back-office/delivery-areas.ts";
import { Account } from "../back-office/schemas.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, urlNumber } from "../http/openapi.ts";
import { afterCommit } from "../restaurants/editing.ts";
import { OpeningSlot } from "../restaurants/schemas.ts";

const Uuid = z.string().uuid();
const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, "An IANA time zone, e.g. Europe/Lisbon.")
  .openapi({ example: "Europe/Lisbon" });
const Slug = z
  .string()
  .min(1)
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Lower-case letters, digits and single dashes.");

const ALL_WEEK_LUNCH_TO_LATE = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "11:00", close: "23:00" }));

const restaurantFields = {
  name: z.string().trim().min(1).max(120),
  slug: Slug,
  description: z.string().trim().max(2000),
  cuisines: z.array(z.string().trim().min(1).max(40)).max(12),
  address: z.string().trim().min(3).max(300),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  timeZone: TimeZone,
  currency: z.string().regex(/^[A-Z]{3}$/, "An ISO 4217 code, e.g. EUR."),
  deliveryAreaId: Uuid.nullable().openapi({
    description: "Default on create: the active delivery area containing the location.",
  }),
  commissionBps: z.number().int().min(0).max(10_000).openapi({ description: "The platform's cut, in basis points." }),
  prepTimeMinutes: z.number().int().min(1).max(240),
  deliveryRadiusM: z.number().int().min(100).max(50_000),
  openingHours: z.array(OpeningSlot).max(28),
  active: z.boolean(),
};

const NewRestaurant = z
  .strictObject({
    name: restaurantFields.name,
    slug: restaurantFields.slug.optional().openapi({ description: "Default: from the name." }),
    description: restaurantFields.description.default(""),
    cuisines: restaurantFields.cuisines.default([]),
    address: restaurantFields.address,
    lat: restaurantFields.lat,
    lng: restaurantFields.lng,
    timeZone: restaurantFields.timeZone,
    currency: restaurantFields.currency,
    deliveryAreaId: restaurantFields.deliveryAreaId.optional(),
    commissionBps: restaurantFields.commissionBps.default(1500),
    prepTimeMinutes: restaurantFields.prepTimeMinutes.default(15),
    deliveryRadiusM: restaurantFields.deliveryRadiusM.default(3000),
    openingHours: restaurantFields.openingHours.default(ALL_WEEK_LUNCH_TO_LATE),
    active: restaurantFields.active.default(false).openapi({
      description: "Default false: the restaurant is listed once its menu is ready and an operator activates it.",
    }),
    menuCategories: z
      .array(z.string().trim().min(1).max(120))
      .min(1)
      .max(30)
      .default(["Menu"])
      .refine((names) => new Set(names.map((n) => n.toLowerCase())).size === names.length, "Names must be unique.")
      .openapi({ description: "The menu's first categories, so staff can add items at once." }),
  })
  .openapi("NewRestaurant");

const RestaurantChanges = z
  .strictObject({
    name: restaurantFields.name.optional(),
    slug: restaurantFields.slug.optional(),
    description: restaurantFields.description.optional(),
    cuisines: restaurantFields.cuisines.optional(),
    address: restaurantFields.address.optional(),
    lat: restaurantFields.lat.optional(),
    lng: restaurantFields.lng.optional(),
    timeZone: restaurantFields.timeZone.optional(),
    currency: restaurantFields.currency.optional(),
    deliveryAreaId: restaurantFields.deliveryAreaId.optional(),
    commissionBps: restaurantFields.commissionBps.optional(),
    prepTimeMinutes: restaurantFields.prepTimeMinutes.optional(),
    deliveryRadiusM: restaurantFields.deliveryRadiusM.optional(),
    openingHours: restaurantFields.openingHours.optional(),
    active: restaurantFields.active.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: "Send at least one field to change." })
  .refine((b) => (b.lat === undefined) === (b.lng === undefined), {
    message: "Move a restaurant with both lat and lng.",
    path: ["lat"],
  })
  .openapi("RestaurantChanges");

const Flags = z
  .object({
    outsideEveryDeliveryArea: z.boolean(),
    outsideOwnDeliveryArea: z.boolean(),
    noDeliveryArea: z.boolean(),
  })
  .openapi("RestaurantFlags");

const ManagedRestaurant = z
  .object({
    id: Uuid,
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    cuisines: z.array(z.string()),
    address: z.string(),
    lat: z.number(),
    lng: z.number(),
    timeZone: z.string(),
    currency: z.string(),
    deliveryAreaId: Uuid.nullable(),
    deliveryAreaName: z.string().nullable(),
    commissionBps: z.number().int(),
    prepTimeMinutes: z.number().int(),
    deliveryRadiusM: z.number().int(),
    openingHours: z.array(z.object({ day: z.number().int(), open: z.string(), close: z.string() })),
    active: z.boolean(),
    menuVersion: z.number().int(),
    createdAt: z.string(),
    flags: Flags,
    staffCount: z.number().int(),
  })
  .openapi("ManagedRestaurant");

const RestaurantDetail = ManagedRestaurant.extend({ staff: z.array(Account) }).openapi("ManagedRestaurantDetail");

const restaurantParams = z.object({ id: Uuid });

const listRestaurants = createRoute({
  method: "get",
  path: "/v1/admin/restaurants",
  operationId: "listManagedRestaurants",
  tags: ["admin"],
  summary: "Restaurants with their delivery area, commission and flags (e.g. outside every delivery area)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: {
    query: z.object({
      q: z.string().trim().max(100).optional(),
      active: z.enum(["true", "false"]).optional(),
      flagged: z.enum(["true", "false"]).optional().openapi({
        description: "true: only restaurants outside every delivery area, outside their own, or with none.",
      }),
      limit: urlNumber({ min: 1, max: 200, int: true }).default(50),
      offset: urlNumber({ min: 0, max: 100_000, int: true }).default(0),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ restaurants: z.array(ManagedRestaurant), total: z.number().int() }), "Restaurants"),
    ...errorResponses(400, 401, 403),
  },
});

const getRestaurant = createRoute({
  method: "get",
  path: "/v1/admin/restaurants/{id}",
  operationId: "getManagedRestaurant",
  tags: ["admin"],
  summary: "One restaurant with its staff",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: restaurantParams },
  responses: { 200: jsonResponse(RestaurantDetail, "The restaurant"), ...errorResponses(400, 401, 403, 404) },
});

const createRestaurant = createRoute({
  method: "post",
  path: "/v1/admin/restaurants",
  operationId: "createRestaurant",
  tags: ["admin"],
  summary: "Onboard a restaurant (inactive until an operator activates it)",
  description: "A retry with the same slug is refused with 409 `slug_taken`, naming the restaurant that has it.",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: jsonBody(NewRestaurant),
  responses: {
    201: jsonResponse(RestaurantDetail, "Created"),
    ...errorResponses(400, 401, 403, 409, 422),
  },
});

const updateRestaurant = createRoute({
  method: "patch",
  path: "/v1/admin/restaurants/{id}",
  operationId: "updateManagedRestaurant",
  tags: ["admin"],
  summary: "Edit anything about a restaurant, including where it is, its delivery area and commission",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: restaurantParams, ...jsonBody(RestaurantChanges) },
  responses: {
    200: jsonResponse(RestaurantDetail, "The restaurant as saved"),
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

type RestaurantRow = typeof restaurants.$inferSelect;

function managed(row: RestaurantRow, areas: readonly DeliveryAreaShape[], staffCount: number) {
  const { createdAt, ...rest } = row;
  return {
    ...rest,
    createdAt: createdAt.toISOString(),
    deliveryAreaName: areas.find((a) => a.id === row.deliveryAreaId)?.name ?? null,
    flags: restaurantFlags(row, areas),
    staffCount,
  };
}

/** Audit values: the row as stored, minus bookkeeping that changes by itself. */
function auditFields(row: RestaurantRow): Record<string, unknown> {
  const { createdAt: _createdAt, menuVersion: _menuVersion, ...fields } = row;
  return fields;
}

const staffOf = (restaurantId: string): SQL =>
  or(
    eq(users.restaurantId, restaurantId),
    sql`${users.id} in (select ${restaurantStaff.userId} from ${restaurantStaff} where ${restaurantStaff.restaurantId} = ${restaurantId})`,
  ) as SQL;

async function detail(c: AppContext, row: RestaurantRow, areas?: readonly DeliveryAreaShape[]) {
  const db = c.var.db;
  const staff = await db
    .select(accountColumns)
    .from(users)
    .where(and(eq(users.role, "restaurant_staff"), staffOf(row.id)))
    .orderBy(asc(users.name));
  return { ...managed(row, areas ?? (await loadDeliveryAreas(db)), staff.length), staff: staff.map(accountOut) };
}

const notFound = () => new ApiError(404, "restaurant_not_found", "No restaurant has this id.");

function refuseArea(check: ReturnType<typeof checkAreaForRestaurant>): void {
  if (!check.ok) throw new ApiError(check.code === "delivery_area_not_found" ? 404 : 422, check.code, check.message);
}

async function slugTaken(c: AppContext, slug: string): Promise<never> {
  const [other] = await c.var.db
    .select({ id: restaurants.id })
    .from(restaurants)
    .where(eq(restaurants.slug, slug))
    .limit(1);
  throw new ApiError(409, "slug_taken", `Another restaurant has the slug "${slug}".`, undefined, {
    restaurantId: other?.id ?? null,
  });
}

export function registerOnboardingRestaurantRoutes(app: App): void {
  app.openapi(listRestaurants, async (c) => {
    const q = c.req.valid("query");
    const db = c.var.db;
    const filters: SQL[] = [];
    if (q.q) {
      const pattern = `%${q.q.replace(/[\\%_]/g, "\\$&")}%`;
      filters.push(or(ilike(restaurants.name, pattern), ilike(restaurants.slug, pattern)) as SQL);
    }
    if (q.active) filters.push(eq(restaurants.active, q.active === "true"));
    const [rows, areas, counts] = await Promise.all([
      db
        .select()
        .from(restaurants)
        .where(filters.length > 0 ? and(...filters) : undefined)
        .orderBy(asc(restaurants.name)),
      loadDeliveryAreas(db),
      db
        .select({ restaurantId: sql<string>`r.id`, n: sql<number>`count(distinct u.id)::int` })
        .from(sql`${restaurants} r`)
        .innerJoin(
          sql`${users} u`,
          sql`u.role = 'restaurant_staff' and (u.restaurant_id = r.id or u.id in (select ${restaurantStaff.userId} from ${restaurantStaff} where ${restaurantStaff.restaurantId} = r.id))`,
        )
        .groupBy(sql`r.id`),
    ]);
    const staffCount = new Map(counts.map((r) => [r.restaurantId, r.n]));
    // Flags depend on polygons, so they are computed here; restaurants number in the thousands at most.
    let list = rows.map((row) => managed(row, areas, staffCount.get(row.id) ?? 0));
    if (q.flagged !== undefined) {
      const wanted = q.flagged === "true";
      list = list.filter((r) => Object.values(r.flags).some(Boolean) === wanted);
    }
    return c.json({ restaurants: list.slice(q.offset, q.offset + q.limit), total: list.length }, 200);
  });

  app.openapi(getRestaurant, async (c) => {
    const [row] = await c.var.db
      .select()
      .from(restaurants)
      .where(eq(restaurants.id, c.req.valid("param").id))
      .limit(1);
    if (!row) throw notFound();
    return c.json(await detail(c, row), 200);
  });

  app.openapi(createRestaurant, async (c) => {
    const body = c.req.valid("json");
    const db = c.var.db;
    const areas = await loadDeliveryAreas(db);
    const deliveryAreaId =
      body.deliveryAreaId !== undefined ? body.deliveryAreaId : (areaContaining(body, areas)?.id ?? null);
    refuseArea(checkAreaForRestaurant(body.currency, deliveryAreaId, areas));
    const slug = body.slug ?? slugify(body.name);
    const { menuCategories: categoryNames, ...fields } = body;
    let row: RestaurantRow;
    try {
      row = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(restaurants)
          .values({
            ...fields,
            slug,
            deliveryAreaId,
            cuisines: [...new Set(body.cuisines.map((x) => x.toLowerCase()))],
          })
          .returning();
        if (!created) throw new Error("restaurant insert returned nothing");
        await tx
          .insert(menuCategories)
          .values(categoryNames.map((name, position) => ({ restaurantId: created.id, name, position })));
        await audit(c, tx, {
          action: "restaurant.create",
          entityType: "restaurant",
          entityId: created.id,
          after: { ...auditFields(created), menuCategories: categoryNames },
        });
        return created;
      });
    } catch (err) {
      if (isUniqueViolation(err)) await slugTaken(c, slug);
      throw err;
    }
    await afterCommit(c, row.id);
    c.header("location", `/v1/admin/restaurants/${row.id}`);
    return c.json(await detail(c, row, areas), 201);
  });

  app.openapi(updateRestaurant, async (c) => {
    const { id } = c.req.valid("param");
    const changes = c.req.valid("json");
    const db = c.var.db;
    const areas = await loadDeliveryAreas(db);
    let row: RestaurantRow;
    try {
      row = await db.transaction(async (tx) => {
        const [before] = await tx.select().from(restaurants).where(eq(restaurants.id, id)).for("update").limit(1);
        if (!before) throw notFound();
        const currency = changes.currency ?? before.currency;
        const deliveryAreaId = changes.deliveryAreaId !== undefined ? changes.deliveryAreaId : before.deliveryAreaId;
        if (changes.currency !== undefined || changes.deliveryAreaId !== undefined) {
          refuseArea(checkAreaForRestaurant(currency, deliveryAreaId, areas));
        }
        if (changes.currency !== undefined && changes.currency !== before.currency) {
          const [priced] = await tx
            .select({ n: sql<number>`count(*)::int` })
            .from(menuItems)
            .where(eq(menuItems.restaurantId, id));
          if ((priced?.n ?? 0) > 0) {
            throw new ApiError(
              409,
              "currency_locked",
              "The menu is priced in the current currency; a restaurant with menu items cannot change it.",
            );
          }
        }
        const [after] = await tx
          .update(restaurants)
          .set({
            ...changes,
            ...(changes.cuisines && { cuisines: [...new Set(changes.cuisines.map((x) => x.toLowerCase()))] }),
            // The menu document carries the name: a rename is a new menu version.
            ...(changes.name !== undefined &&
              changes.name !== before.name && { menuVersion: sql`${restaurants.menuVersion} + 1` }),
          })
          .where(eq(restaurants.id, id))
          .returning();
        if (!after) throw notFound();
        await auditUpdate(c, tx, {
          action: "restaurant.update",
          entityType: "restaurant",
          entityId: id,
          before: auditFields(before),
          after: auditFields(after),
        });
        return after;
      });
    } catch (err) {
      if (isUniqueViolation(err) && changes.slug) await slugTaken(c, changes.slug);
      throw err;
    }
    await afterCommit(c, id);
    return c.json(await detail(c, row, areas), 200);
  });
}
