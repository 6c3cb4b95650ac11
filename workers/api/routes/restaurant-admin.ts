// Restaurant management: profile, hours and menu edits by the restaurant's own
// staff (or an admin), and the operator's discovery-index rebuild.
//
// Every menu edit bumps restaurants.menu_version in the same transaction as
// the edit, so a version names exactly one menu: orders priced from it keep
// it, and the menu's ETag changes. After commit the KV menu is rewritten at
// once (read-your-writes for the editor and the next order) and a
// restaurant_changed message lets the queue consumer refresh D1 and KV again.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Database } from "../../../db/client.ts";
import { menuCategories, menuItems, modifierGroups, modifierOptions, restaurants } from "../../../db/schema.ts";
import type { Principal } from "../../../domain/auth/principal.ts";
import { rebuildDiscoveryIndex } from "../../discovery/index-writer.ts";
import { refreshRestaurantCopies, restaurantChanged } from "../../discovery/restaurant-changed.ts";
import { audit, auditUpdate } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { refreshMenu } from "../menus/menu-cache.ts";

const Uuid = z.string().uuid();
const Name = z.string().trim().min(1).max(120);
const MAX_PRICE_MINOR = 10_000_000;
const Money = z.number().int().min(0).max(MAX_PRICE_MINOR);
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use 24-hour HH:MM, e.g. 09:30.");
const nonEmpty = (body: Record<string, unknown>) => Object.values(body).some((v) => v !== undefined);
const NOTHING_TO_CHANGE = { message: "Send at least one field to change." };

export const OpeningSlot = z
  .strictObject({
    day: z.number().int().min(0).max(6).openapi({ description: "0 = Sunday" }),
    open: HHMM,
    close: HHMM.openapi({ description: "Before `open`: runs past midnight. Equal to `open`: 24 hours." }),
  })
  .openapi("OpeningSlot");

const RestaurantPatch = z
  .strictObject({
    name: Name.optional(),
    description: z.string().trim().max(2000).optional(),
    cuisines: z.array(z.string().trim().min(1).max(40)).max(12).optional(),
    openingHours: z.array(OpeningSlot).max(28).optional(),
    prepTimeMinutes: z.number().int().min(1).max(240).optional(),
    deliveryRadiusM: z.number().int().min(100).max(50_000).optional(),
    active: z.boolean().optional(),
  })
  .refine(nonEmpty, NOTHING_TO_CHANGE)
  .openapi("RestaurantPatch");

const RestaurantProfile = z
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
    openingHours: z.array(z.object({ day: z.number().int(), open: z.string(), close: z.string() })),
    prepTimeMinutes: z.number().int(),
    deliveryRadiusM: z.number().int(),
    currency: z.string(),
    menuVersion: z.number().int(),
    active: z.boolean(),
  })
  .openapi("RestaurantProfile");

const ItemPatch = z
  .strictObject({
    available: z.boolean().optional(),
    priceMinor: Money.optional(),
    name: Name.optional(),
    description: z.string().trim().max(1000).optional(),
  })
  .refine(nonEmpty, NOTHING_TO_CHANGE)
  .openapi("MenuItemPatch");

const OptionPatch = z
  .strictObject({ available: z.boolean().optional(), priceDeltaMinor: Money.optional() })
  .refine(nonEmpty, NOTHING_TO_CHANGE)
  .openapi("MenuOptionPatch");

const NewOption = z.strictObject({
  name: Name,
  priceDeltaMinor: Money.default(0),
  available: z.boolean().default(true),
});

function duplicateNames(names: readonly string[]): number[] {
  const seen = new Set<string>();
  return names.flatMap((n, i) => {
    const key = n.toLowerCase();
    if (seen.has(key)) return [i];
    seen.add(key);
    return [];
  });
}

const NewGroup = z
  .strictObject({
    name: Name,
    minChoices: z.number().int().min(0).max(20).default(0),
    maxChoices: z.number().int().min(1).max(20).default(1),
    options: z.array(NewOption).min(1).max(30),
  })
  .superRefine((g, ctx) => {
    if (g.minChoices > g.maxChoices) {
      ctx.addIssue({ code: "custom", path: ["minChoices"], message: "minChoices cannot exceed maxChoices." });
    }
    if (g.maxChoices > g.options.length) {
      ctx.addIssue({
        code: "custom",
        path: ["maxChoices"],
        message: "maxChoices cannot exceed the number of options.",
      });
    }
    for (const i of duplicateNames(g.options.map((o) => o.name))) {
      ctx.addIssue({
        code: "custom",
        path: ["options", i, "name"],
        message: "Option names must be unique in a group.",
      });
    }
  });

const NewItem = z
  .strictObject({
    categoryId: Uuid,
    name: Name,
    description: z.string().trim().max(1000).default(""),
    priceMinor: Money,
    available: z.boolean().default(true),
    position: z.number().int().min(0).max(1000).default(0),
    groups: z.array(NewGroup).max(10).default([]),
  })
  .superRefine((item, ctx) => {
    for (const i of duplicateNames(item.groups.map((g) => g.name))) {
      ctx.addIssue({ code: "custom", path: ["groups", i, "name"], message: "Group names must be unique in an item." });
    }
  })
  .openapi("NewMenuItem");

const MenuOptionOut = z.object({
  id: Uuid,
  name: z.string(),
  priceDeltaMinor: z.number().int(),
  available: z.boolean(),
});
const MenuItemOut = z
  .object({
    id: Uuid,
    categoryId: Uuid,
    name: z.string(),
    description: z.string(),
    priceMinor: z.number().int(),
    available: z.boolean(),
    groups: z.array(
      z.object({
        id: Uuid,
        name: z.string(),
        minChoices: z.number().int(),
        maxChoices: z.number().int(),
        options: z.array(MenuOptionOut),
      }),
    ),
  })
  .openapi("ManagedMenuItem");

const MenuChange = <T extends z.ZodType>(schema: T) => z.object({ menuVersion: z.number().int(), item: schema });

const patchRestaurant = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}",
  operationId: "updateRestaurant",
  tags: ["restaurants"],
  summary: "Edit a restaurant's profile, hours, prep time, radius or availability (its staff or an admin)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid }), ...jsonBody(RestaurantPatch) },
  responses: { 200: jsonResponse(RestaurantProfile, "The restaurant as saved"), ...errorResponses(400, 401, 403, 404) },
});

const patchItem = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}/menu/items/{itemId}",
  operationId: "updateMenuItem",
  tags: ["restaurants"],
  summary: "Change a menu item's price, availability, name or description (new menu version)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid, itemId: Uuid }), ...jsonBody(ItemPatch) },
  responses: {
    200: jsonResponse(MenuChange(MenuItemOut.omit({ groups: true })), "The item and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const patchOption = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}/menu/options/{optionId}",
  operationId: "updateMenuOption",
  tags: ["restaurants"],
  summary: "Change a modifier option's availability or price delta (new menu version)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid, optionId: Uuid }), ...jsonBody(OptionPatch) },
  responses: {
    200: jsonResponse(MenuChange(MenuOptionOut), "The option and the new menu version"),
    ...errorResponses(400, 401, 403, 404),
  },
});

const createItem = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/menu/items",
  operationId: "createMenuItem",
  tags: ["restaurants"],
  summary: "Add an item, with its modifier groups and options, to an existing category (new menu version)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid }), ...jsonBody(NewItem) },
  responses: {
    201: jsonResponse(MenuChange(MenuItemOut), "The new item and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const rebuildDiscovery = createRoute({
  method: "post",
  path: "/v1/admin/discovery/rebuild",
  operationId: "rebuildDiscoveryIndex",
  tags: ["admin"],
  summary: "Rebuild the D1 discovery index from Postgres (safe on a live index)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  responses: {
    200: jsonResponse(
      z.object({ restaurants: z.number().int(), pages: z.number().int(), ms: z.number().int() }),
      "Rebuilt",
    ),
    ...errorResponses(401, 403),
  },
});

function assertRestaurantEditor(principal: Principal, restaurantId: string): void {
  if (principal.role === "admin") return;
  if (principal.role === "restaurant_staff" && principal.restaurantId === restaurantId) return;
  throw new ApiError(403, "not_restaurant_staff", "Only this restaurant's staff or an admin can change it.");
}

const restaurantNotFound = () => new ApiError(404, "restaurant_not_found", "No restaurant has this id.");

/** Postgres unique violation, whether drizzle wrapped the driver's error or not. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Inside a menu transaction: the restaurant row is locked first, so edits of one menu serialise on it. */
async function bumpMenuVersion(
  tx: Transaction,
  restaurantId: string,
): Promise<{ menuVersion: number; currency: string }> {
  const [row] = await tx
    .update(restaurants)
    .set({ menuVersion: sql`${restaurants.menuVersion} + 1` })
    .where(eq(restaurants.id, restaurantId))
    .returning({ menuVersion: restaurants.menuVersion, currency: restaurants.currency });
  if (!row) throw restaurantNotFound();
  return row;
}

/**
 * After a committed change: the KV entry (menu and ordering profile) now, and the
 * event for the consumer. Both are best effort here; the commit stands, and
 * whatever fails is caught up by the consumer or, failing that, a rebuild.
 */
export async function afterCommit(c: AppContext, restaurantId: string): Promise<void> {
  // Always: the cached entry carries the ordering profile (hours, radius) as well as the menu.
  try {
    await refreshMenu(c.env.MENU_CACHE, c.var.db, restaurantId);
  } catch (err) {
    log(c, "error", "menu.cache_refresh_failed", { restaurantId, error: String(err) });
  }
  try {
    await c.env.EVENTS.send(restaurantChanged(restaurantId), { contentType: "json" });
  } catch (err) {
    // Without the event nothing would refresh D1, so do it from here instead.
    log(c, "error", "restaurant.event_send_failed", { restaurantId, error: String(err) });
    c.executionCtx.waitUntil(
      refreshRestaurantCopies(c.env, c.var.db, restaurantId).catch((e: unknown) =>
        log(c, "error", "restaurant.refresh_failed", { restaurantId, error: String(e) }),
      ),
    );
  }
}

export function registerRestaurantAdminRoutes(app: App): void {
  app.openapi(patchRestaurant, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const patch = c.req.valid("json");
    const set: PgUpdateSetSource<typeof restaurants> = {
      ...(patch.name !== undefined && {
        name: patch.name,
        // The menu document carries the restaurant's name: a rename is a new menu version.
        menuVersion: sql`case when ${restaurants.name} = ${patch.name} then ${restaurants.menuVersion} else ${restaurants.menuVersion} + 1 end`,
      }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.cuisines !== undefined && { cuisines: [...new Set(patch.cuisines.map((x) => x.toLowerCase()))] }),
      ...(patch.openingHours !== undefined && { openingHours: patch.openingHours }),
      ...(patch.prepTimeMinutes !== undefined && { prepTimeMinutes: patch.prepTimeMinutes }),
      ...(patch.deliveryRadiusM !== undefined && { deliveryRadiusM: patch.deliveryRadiusM }),
      ...(patch.active !== undefined && { active: patch.active }),
    };
    const row = await c.var.db.transaction(async (tx) => {
      const [before] = await tx.select().from(restaurants).where(eq(restaurants.id, id)).for("update").limit(1);
      if (!before) throw restaurantNotFound();
      const [after] = await tx.update(restaurants).set(set).where(eq(restaurants.id, id)).returning();
      if (!after) throw restaurantNotFound();
      await auditUpdate(c, tx, {
        action: "restaurant.update",
        entityType: "restaurant",
        entityId: id,
        before: { ...before, createdAt: undefined, menuVersion: undefined },
        after: { ...after, createdAt: undefined, menuVersion: undefined },
      });
      return after;
    });
    await afterCommit(c, id);
    const { createdAt: _createdAt, ...profile } = row;
    return c.json(profile, 200);
  });

  app.openapi(patchItem, async (c) => {
    const { id, itemId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const patch = c.req.valid("json");
    let result: { menuVersion: number; item: typeof menuItems.$inferSelect };
    try {
      result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        const mine = and(eq(menuItems.id, itemId), eq(menuItems.restaurantId, id));
        const [before] = await tx.select().from(menuItems).where(mine).limit(1);
        const [item] = await tx.update(menuItems).set(patch).where(mine).returning();
        if (!item || !before) {
          throw new ApiError(404, "menu_item_not_found", "This restaurant has no menu item with this id.");
        }
        await auditUpdate(c, tx, {
          action: "menu_item.update",
          entityType: "menu_item",
          entityId: itemId,
          before,
          after: item,
          context: { restaurantId: id, name: item.name, menuVersion },
        });
        return { menuVersion, item };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ApiError(409, "menu_item_name_taken", "Another item in this category already has this name.");
      }
      throw err;
    }
    await afterCommit(c, id);
    const { item } = result;
    return c.json(
      {
        menuVersion: result.menuVersion,
        item: {
          id: item.id,
          categoryId: item.categoryId,
          name: item.name,
          description: item.description,
          priceMinor: item.priceMinor,
          available: item.available,
        },
      },
      200,
    );
  });

  app.openapi(patchOption, async (c) => {
    const { id, optionId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const patch = c.req.valid("json");
    const result = await c.var.db.transaction(async (tx) => {
      const { menuVersion } = await bumpMenuVersion(tx, id);
      const groupsOfRestaurant = tx
        .select({ id: modifierGroups.id })
        .from(modifierGroups)
        .innerJoin(menuItems, eq(menuItems.id, modifierGroups.itemId))
        .where(eq(menuItems.restaurantId, id));
      const mine = and(eq(modifierOptions.id, optionId), inArray(modifierOptions.groupId, groupsOfRestaurant));
      const [before] = await tx.select().from(modifierOptions).where(mine).limit(1);
      const [option] = await tx.update(modifierOptions).set(patch).where(mine).returning();
      if (!option || !before) {
        throw new ApiError(404, "menu_option_not_found", "This restaurant has no option with this id.");
      }
      await auditUpdate(c, tx, {
        action: "menu_option.update",
        entityType: "menu_option",
        entityId: optionId,
        before,
        after: option,
        context: { restaurantId: id, name: option.name, menuVersion },
      });
      return { menuVersion, option };
    });
    await afterCommit(c, id);
    const { option } = result;
    return c.json(
      {
        menuVersion: result.menuVersion,
        item: {
          id: option.id,
          name: option.name,
          priceDeltaMinor: option.priceDeltaMinor,
          available: option.available,
        },
      },
      200,
    );
  });

  app.openapi(createItem, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const body = c.req.valid("json");
    let created: z.infer<typeof MenuItemOut>;
    let menuVersion: number;
    try {
      ({ created, menuVersion } = await c.var.db.transaction(async (tx) => {
        const bumped = await bumpMenuVersion(tx, id);
        const [category] = await tx
          .select({ id: menuCategories.id })
          .from(menuCategories)
          .where(and(eq(menuCategories.id, body.categoryId), eq(menuCategories.restaurantId, id)))
          .limit(1);
        if (!category) {
          throw new ApiError(404, "menu_category_not_found", "This restaurant has no menu category with this id.");
        }
        const [item] = await tx
          .insert(menuItems)
          .values({
            restaurantId: id,
            categoryId: category.id,
            name: body.name,
            description: body.description,
            priceMinor: body.priceMinor,
            currency: bumped.currency,
            available: body.available,
            position: body.position,
          })
          .returning();
        if (!item) throw new Error("menu item insert returned nothing");
        const groups = [];
        for (const [position, g] of body.groups.entries()) {
          const [group] = await tx
            .insert(modifierGroups)
            .values({ itemId: item.id, name: g.name, minChoices: g.minChoices, maxChoices: g.maxChoices, position })
            .returning();
          if (!group) throw new Error("modifier group insert returned nothing");
          const options = await tx
            .insert(modifierOptions)
            .values(g.options.map((o, i) => ({ groupId: group.id, ...o, position: i })))
            .returning();
          groups.push({
            id: group.id,
            name: group.name,
            minChoices: group.minChoices,
            maxChoices: group.maxChoices,
            options: options
              .sort((a, b) => a.position - b.position)
              .map((o) => ({ id: o.id, name: o.name, priceDeltaMinor: o.priceDeltaMinor, available: o.available })),
          });
        }
        await audit(c, tx, {
          action: "menu_item.create",
          entityType: "menu_item",
          entityId: item.id,
          after: { restaurantId: id, menuVersion: bumped.menuVersion, ...body },
        });
        return {
          menuVersion: bumped.menuVersion,
          created: {
            id: item.id,
            categoryId: item.categoryId,
            name: item.name,
            description: item.description,
            priceMinor: item.priceMinor,
            available: item.available,
            groups,
          },
        };
      }));
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ApiError(409, "menu_item_name_taken", "Another item in this category already has this name.");
      }
      throw err;
    }
    await afterCommit(c, id);
    c.header("location", `/v1/restaurants/${id}/menu`);
    return c.json({ menuVersion, item: created }, 201);
  });

  app.openapi(rebuildDiscovery, async (c) => {
    const result = await rebuildDiscoveryIndex(c.env.DISCOVERY, c.var.db);
    log(c, "info", "discovery.rebuilt", { trigger: "admin", ...result });
    await audit(c, c.var.db, {
      action: "discovery.rebuild",
      entityType: "discovery_index",
      entityId: "all",
      after: { ...result },
    });
    return c.json(result, 200);
  });
}
