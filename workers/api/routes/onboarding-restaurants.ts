// Operators put restaurants on the map and give them staff: create and edit
// a restaurant (address, location, time zone, currency, delivery area,
// commission, hours, active), see which restaurants lie outside every
// delivery area, invite staff with a link that sets their password, and take
// staff off a restaurant. Every change is audited in its own transaction.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, ilike, or, type SQL, sql } from "drizzle-orm";
import { menuCategories, menuItems, refreshTokens, restaurantStaff, restaurants, users } from "../../../db/schema.ts";
import {
  areaContaining,
  checkAreaForRestaurant,
  type DeliveryAreaShape,
  isValidTimeZone,
  restaurantFlags,
  slugify,
} from "../../../domain/onboarding/restaurant.ts";
import { audit, auditUpdate } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import {
  accountColumns,
  accountOut,
  findAccountByEmail,
  issueInvitation,
  isUniqueViolation,
} from "../back-office/accounts.ts";
import { loadDeliveryAreas } from "../back-office/delivery-areas.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { Email } from "./auth.ts";
import { afterCommit, OpeningSlot } from "./restaurant-admin.ts";

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

const StaffMember = z
  .object({
    id: Uuid,
    email: z.string(),
    name: z.string(),
    role: z.enum(["customer", "restaurant_staff", "courier", "admin"]),
    restaurantId: Uuid.nullable(),
    deactivatedAt: z.string().nullable(),
    createdAt: z.string(),
    invited: z.boolean().openapi({ description: "Has not chosen a password yet." }),
  })
  .openapi("Account");

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

const RestaurantDetail = ManagedRestaurant.extend({ staff: z.array(StaffMember) }).openapi("ManagedRestaurantDetail");

const Invitation = z
  .object({
    token: z.string().openapi({ description: "Shown once: the link the person opens to choose a password." }),
    expiresAt: z.string(),
  })
  .openapi("IssuedInvitation");

const StaffInvite = z.strictObject({ email: Email, name: z.string().trim().min(1).max(100) }).openapi("StaffInvite");

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
      limit: z.coerce.number().int().min(1).max(200).default(50),
      offset: z.coerce.number().int().min(0).max(100_000).default(0),
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

const inviteStaff = createRoute({
  method: "post",
  path: "/v1/admin/restaurants/{id}/staff",
  operationId: "inviteRestaurantStaff",
  tags: ["admin"],
  summary: "Add a staff member to a restaurant; a new person gets an invitation link to choose a password",
  description:
    "Someone already on the staff of another restaurant is added to this one too (and can switch between them at sign-in or refresh). Repeating the call changes nothing; a person who has not chosen a password yet gets a fresh link.",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: restaurantParams, ...jsonBody(StaffInvite) },
  responses: {
    201: jsonResponse(
      z.object({ staff: StaffMember, added: z.boolean(), invitation: Invitation.nullable() }),
      "New person invited",
    ),
    200: jsonResponse(
      z.object({ staff: StaffMember, added: z.boolean(), invitation: Invitation.nullable() }),
      "Existing staff member added (or already there)",
    ),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const removeStaff = createRoute({
  method: "delete",
  path: "/v1/admin/restaurants/{id}/staff/{userId}",
  operationId: "removeRestaurantStaff",
  tags: ["admin"],
  summary: "Take a staff member off a restaurant; sessions acting for it stop refreshing at once",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { params: z.object({ id: Uuid, userId: Uuid }) },
  responses: {
    204: { description: "Removed" },
    ...errorResponses(400, 401, 403, 404, 409),
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

  app.openapi(inviteStaff, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const admin = principalOf(c);
    const result = await c.var.db.transaction(async (tx) => {
      const [restaurant] = await tx
        .select({ id: restaurants.id })
        .from(restaurants)
        .where(eq(restaurants.id, id))
        .limit(1);
      if (!restaurant) throw notFound();
      let account = await findAccountByEmail(tx, body.email);
      let created = false;
      if (!account) {
        const [inserted] = await tx
          .insert(users)
          .values({ email: body.email, name: body.name, role: "restaurant_staff", restaurantId: id })
          .onConflictDoNothing()
          .returning({ id: users.id });
        // Lost a race with a concurrent invite of the same e-mail: carry on with theirs.
        account = await findAccountByEmail(tx, body.email);
        created = inserted !== undefined;
      }
      if (!account) throw new Error("staff account vanished");
      if (account.role !== "restaurant_staff") {
        throw new ApiError(
          409,
          "email_in_use",
          `This e-mail belongs to a ${account.role.replace("_", " ")} account; staff need their own.`,
        );
      }
      if (account.deactivatedAt) {
        throw new ApiError(409, "account_deactivated", "This account is deactivated; reactivate it first.");
      }
      const added = await tx
        .insert(restaurantStaff)
        .values({ userId: account.id, restaurantId: id })
        .onConflictDoNothing()
        .returning({ userId: restaurantStaff.userId });
      const joined = added.length > 0 && (created || account.restaurantId !== id);
      const invitation = account.invited ? await issueInvitation(tx, account.id, admin.userId) : null;
      if (joined || created) {
        await audit(c, tx, {
          action: created ? "staff.invite" : "staff.add",
          entityType: "user",
          entityId: account.id,
          after: { email: account.email, name: account.name, restaurantId: id },
        });
      } else if (invitation) {
        await audit(c, tx, {
          action: "user.invitation_reissued",
          entityType: "user",
          entityId: account.id,
          after: { expiresAt: invitation.expiresAt },
        });
      }
      return { staff: accountOut(account), added: joined || created, invitation, created };
    });
    const { created, ...out } = result;
    return c.json(out, created ? 201 : 200);
  });

  app.openapi(removeStaff, async (c) => {
    const { id, userId } = c.req.valid("param");
    await c.var.db.transaction(async (tx) => {
      const [account] = await tx
        .select({ id: users.id, role: users.role, restaurantId: users.restaurantId })
        .from(users)
        .where(eq(users.id, userId))
        .for("update")
        .limit(1);
      const memberships = await tx
        .select({ restaurantId: restaurantStaff.restaurantId })
        .from(restaurantStaff)
        .where(eq(restaurantStaff.userId, userId));
      const all = new Set([
        ...memberships.map((m) => m.restaurantId),
        ...(account?.restaurantId ? [account.restaurantId] : []),
      ]);
      if (!account || account.role !== "restaurant_staff" || !all.has(id)) {
        throw new ApiError(404, "staff_not_found", "This person is not on this restaurant's staff.");
      }
      all.delete(id);
      const nextHome = account.restaurantId === id ? [...all][0] : account.restaurantId;
      if (!nextHome) {
        throw new ApiError(409, "last_restaurant", "This is their only restaurant; deactivate the account instead.");
      }
      await tx
        .delete(restaurantStaff)
        .where(and(eq(restaurantStaff.userId, userId), eq(restaurantStaff.restaurantId, id)));
      if (nextHome !== account.restaurantId) {
        await tx.insert(restaurantStaff).values({ userId, restaurantId: nextHome }).onConflictDoNothing();
        await tx.update(users).set({ restaurantId: nextHome }).where(eq(users.id, userId));
      }
      // Sessions acting for this restaurant cannot refresh; their access tokens lapse within their lifetime.
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(refreshTokens.userId, userId), eq(refreshTokens.restaurantId, id)));
      await audit(c, tx, {
        action: "staff.remove",
        entityType: "user",
        entityId: userId,
        before: { restaurantId: id, homeRestaurantId: account.restaurantId },
        after: { homeRestaurantId: nextHome },
      });
    });
    return c.body(null, 204);
  });
}
