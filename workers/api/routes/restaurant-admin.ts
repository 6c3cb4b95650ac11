// Restaurant management: the profile, and the item-level menu edits (patch an
// item or an option, add an item with its groups) by the restaurant's own
// staff (or an admin), and the operator's discovery-index rebuild. Categories,
// ordering, groups and deletion are in menu-editor.ts; hours and pauses in
// restaurant-hours.ts; what they share is in restaurants/editing.ts.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { menuItems, modifierGroups, modifierOptions, restaurants } from "../../../db/schema.ts";
import { ALLERGENS, DIETARY_TAGS, normaliseLabels } from "../../../domain/menu/labels.ts";
import { checkWeeklyHours } from "../../../domain/restaurant/schedule.ts";
import { rebuildDiscoveryIndex } from "../../discovery/index-writer.ts";
import { audit, auditUpdate, updateRestaurantAudited } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import {
  afterCommit,
  assertRestaurantEditor,
  bumpMenuVersion,
  isUniqueViolation,
  restaurantNotFound,
  type Transaction,
} from "../restaurants/editing.ts";
import {
  assertPriceFloor,
  categoryOfRestaurant,
  itemNotFound,
  loadManagedItem,
  optionOfRestaurant,
} from "../restaurants/menu-store.ts";
import {
  Allergens,
  Delta,
  DietaryTags,
  MenuChange,
  MenuItemOut,
  MenuOptionOut,
  Money,
  Name,
  NewGroup,
  NOTHING_TO_CHANGE,
  nonEmpty,
  OpeningSlot,
  profileOf,
  RestaurantProfile,
  refineUniqueNames,
  Uuid,
} from "../restaurants/schemas.ts";

const RestaurantPatch = z
  .strictObject({
    name: Name.optional(),
    description: z.string().trim().max(2000).optional(),
    cuisines: z.array(z.string().trim().min(1).max(40)).max(12).optional(),
    openingHours: z.array(OpeningSlot).max(42).optional(),
    prepTimeMinutes: z.number().int().min(1).max(240).optional(),
    deliveryRadiusM: z.number().int().min(100).max(50_000).optional(),
    active: z.boolean().optional(),
    acceptsScheduledOrders: z.boolean().optional(),
  })
  .refine(nonEmpty, NOTHING_TO_CHANGE)
  .openapi("RestaurantPatch");

const TaxBps = z.number().int().min(0).max(10_000).nullable().openapi({
  description: "The item's own tax rate in basis points (alcohol vs food); null: its delivery area's rate.",
});

const ItemPatch = z
  .strictObject({
    available: z.boolean().optional(),
    priceMinor: Money.optional(),
    taxBps: TaxBps.optional(),
    name: Name.optional(),
    description: z.string().trim().max(1000).optional(),
    allergens: Allergens.optional(),
    dietaryTags: DietaryTags.optional(),
    categoryId: Uuid.optional().openapi({ description: "Move the item to another of the restaurant's categories." }),
    archived: z
      .literal(false)
      .optional()
      .openapi({ description: "false puts an archived item back on the menu (DELETE archives)." }),
  })
  .refine(nonEmpty, NOTHING_TO_CHANGE)
  .openapi("MenuItemPatch");

const OptionPatch = z
  .strictObject({ available: z.boolean().optional(), priceDeltaMinor: Delta.optional(), name: Name.optional() })
  .refine(nonEmpty, NOTHING_TO_CHANGE)
  .openapi("MenuOptionPatch");

const NewItem = z
  .strictObject({
    categoryId: Uuid,
    name: Name,
    description: z.string().trim().max(1000).default(""),
    priceMinor: Money,
    taxBps: TaxBps.default(null),
    available: z.boolean().default(true),
    position: z.number().int().min(0).max(1000).default(0),
    allergens: Allergens.default([]),
    dietaryTags: DietaryTags.default([]),
    groups: z.array(NewGroup).max(10).default([]),
  })
  .superRefine((item, ctx) =>
    refineUniqueNames(
      item.groups.map((g) => g.name),
      ctx,
      "groups",
      "Group",
    ),
  )
  .openapi("NewMenuItem");

const staffOnly = [requireAuth("restaurant_staff", "admin")];

const patchRestaurant = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}",
  operationId: "updateRestaurant",
  tags: ["restaurants"],
  summary: "Edit a restaurant's profile, weekly hours, prep time, radius or availability (its staff or an admin)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid }), ...jsonBody(RestaurantPatch) },
  responses: {
    200: jsonResponse(RestaurantProfile, "The restaurant as saved"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const patchItem = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}/menu/items/{itemId}",
  operationId: "updateMenuItem",
  tags: ["menu editor"],
  summary: "Change a menu item: price, availability, name, description, labels, category; restore an archived one",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, itemId: Uuid }), ...jsonBody(ItemPatch) },
  responses: {
    200: jsonResponse(MenuChange(MenuItemOut), "The item and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 409, 422, 429),
  },
});

const patchOption = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}/menu/options/{optionId}",
  operationId: "updateMenuOption",
  tags: ["menu editor"],
  summary: "Change a modifier option's availability, name or price delta (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, optionId: Uuid }), ...jsonBody(OptionPatch) },
  responses: {
    200: jsonResponse(MenuChange(MenuOptionOut), "The option and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 409, 422, 429),
  },
});

const createItem = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/menu/items",
  operationId: "createMenuItem",
  tags: ["menu editor"],
  summary: "Add an item, with its modifier groups and options, to an existing category (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid }), ...jsonBody(NewItem) },
  responses: {
    201: jsonResponse(MenuChange(MenuItemOut), "The new item and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 409, 422, 429),
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

const itemNameTaken = () =>
  new ApiError(409, "menu_item_name_taken", "Another item in this category already has this name.");

export function registerRestaurantAdminRoutes(app: App): void {
  app.openapi(patchRestaurant, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const patch = c.req.valid("json");
    if (patch.openingHours) {
      const issues = checkWeeklyHours(patch.openingHours);
      if (issues.length > 0) {
        throw validationError(
          issues.map((i) => ({ ...i, path: i.path ? `openingHours.${i.path}` : "openingHours" })),
          "The opening hours overlap or are too many.",
        );
      }
    }
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
      ...(patch.acceptsScheduledOrders !== undefined && { acceptsScheduledOrders: patch.acceptsScheduledOrders }),
    };
    const row = await updateRestaurantAudited(c, id, set);
    if (!row) throw restaurantNotFound();
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(profileOf(row), 200);
  });

  app.openapi(patchItem, async (c) => {
    const { id, itemId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { archived, allergens, dietaryTags, ...rest } = c.req.valid("json");
    let result: { menuVersion: number; item: z.infer<typeof MenuItemOut> };
    try {
      result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        if (rest.categoryId !== undefined) await categoryOfRestaurant(tx, id, rest.categoryId);
        const mine = and(eq(menuItems.id, itemId), eq(menuItems.restaurantId, id));
        const [before] = await tx.select().from(menuItems).where(mine).limit(1);
        const [item] = await tx
          .update(menuItems)
          .set({
            ...rest,
            ...(allergens !== undefined && { allergens: normaliseLabels(ALLERGENS, allergens) }),
            ...(dietaryTags !== undefined && { dietaryTags: normaliseLabels(DIETARY_TAGS, dietaryTags) }),
            ...(archived === false && { archivedAt: null }),
          })
          .where(and(eq(menuItems.id, itemId), eq(menuItems.restaurantId, id)))
          .returning({ id: menuItems.id, categoryId: menuItems.categoryId });
        if (!item) throw itemNotFound();
        if (archived === false && rest.categoryId === undefined) {
          await categoryOfRestaurant(tx, id, item.categoryId).catch(() => {
            throw new ApiError(
              409,
              "menu_category_archived",
              "This item's category was deleted; restore it into another category (send categoryId).",
            );
          });
        }
        if (rest.priceMinor !== undefined) await assertPriceFloor(tx, id, itemId);
        const [after] = await tx.select().from(menuItems).where(mine).limit(1);
        if (before && after) {
          await auditUpdate(c, tx, {
            action: "menu_item.update",
            entityType: "menu_item",
            entityId: itemId,
            before,
            after,
            context: { restaurantId: id, name: after.name, menuVersion },
          });
        }
        return { menuVersion, item: await loadManagedItem(tx, id, itemId) };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw itemNameTaken();
      throw err;
    }
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(result, 200);
  });

  app.openapi(patchOption, async (c) => {
    const { id, optionId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const patch = c.req.valid("json");
    let result: { menuVersion: number; item: z.infer<typeof MenuOptionOut> };
    try {
      result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        const found = await optionOfRestaurant(tx, id, optionId);
        const [before] = await tx.select().from(modifierOptions).where(eq(modifierOptions.id, found.optionId)).limit(1);
        const [option] = await tx
          .update(modifierOptions)
          .set(patch)
          .where(eq(modifierOptions.id, found.optionId))
          .returning();
        if (!option) throw new Error("option update returned nothing");
        if (patch.priceDeltaMinor !== undefined) await assertPriceFloor(tx, id, found.itemId);
        if (before) {
          await auditUpdate(c, tx, {
            action: "menu_option.update",
            entityType: "menu_option",
            entityId: optionId,
            before,
            after: option,
            context: { restaurantId: id, itemId: found.itemId, name: option.name, menuVersion },
          });
        }
        return {
          menuVersion,
          item: {
            id: option.id,
            name: option.name,
            priceDeltaMinor: option.priceDeltaMinor,
            available: option.available,
          },
        };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ApiError(409, "menu_option_name_taken", "Another option in this group already has this name.");
      }
      throw err;
    }
    await afterCommit(c, id);
    return c.json(result, 200);
  });

  app.openapi(createItem, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const body = c.req.valid("json");
    let result: { menuVersion: number; item: z.infer<typeof MenuItemOut> };
    try {
      result = await c.var.db.transaction(async (tx) => {
        const bumped = await bumpMenuVersion(tx, id);
        await categoryOfRestaurant(tx, id, body.categoryId);
        const [item] = await tx
          .insert(menuItems)
          .values({
            restaurantId: id,
            categoryId: body.categoryId,
            name: body.name,
            description: body.description,
            priceMinor: body.priceMinor,
            taxBps: body.taxBps,
            currency: bumped.currency,
            available: body.available,
            position: body.position,
            allergens: normaliseLabels(ALLERGENS, body.allergens),
            dietaryTags: normaliseLabels(DIETARY_TAGS, body.dietaryTags),
          })
          .returning({ id: menuItems.id });
        if (!item) throw new Error("menu item insert returned nothing");
        for (const [position, g] of body.groups.entries()) {
          await insertGroup(tx, item.id, g, position);
        }
        await assertPriceFloor(tx, id, item.id);
        await audit(c, tx, {
          action: "menu_item.create",
          entityType: "menu_item",
          entityId: item.id,
          after: { restaurantId: id, menuVersion: bumped.menuVersion, ...body },
        });
        return { menuVersion: bumped.menuVersion, item: await loadManagedItem(tx, id, item.id) };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw itemNameTaken();
      throw err;
    }
    await afterCommit(c, id, { discoveryNow: true });
    c.header("location", `/v1/restaurants/${id}/menu`);
    return c.json(result, 201);
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

/** One modifier group and its options, in the order given. */
export async function insertGroup(
  tx: Transaction,
  itemId: string,
  g: z.infer<typeof NewGroup>,
  position: number,
): Promise<string> {
  const [group] = await tx
    .insert(modifierGroups)
    .values({ itemId, name: g.name, minChoices: g.minChoices, maxChoices: g.maxChoices, position })
    .returning({ id: modifierGroups.id });
  if (!group) throw new Error("modifier group insert returned nothing");
  await tx.insert(modifierOptions).values(g.options.map((o, i) => ({ groupId: group.id, ...o, position: i })));
  return group.id;
}
