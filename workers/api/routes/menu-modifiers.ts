// Modifier groups and options ("Size: one of Small/Large", "Extras: up to 3")
// on an existing item. Orders keep the chosen options' names and prices in
// their own rows, so groups and options can be deleted outright. After every
// change the group's bounds and the item's cheapest valid price are checked
// inside the same transaction: a change that breaks them is refused whole.
import { createRoute, z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { modifierGroups, modifierOptions } from "../../../db/schema.ts";
import { checkGroupBounds } from "../../../domain/menu/menu-rules.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import {
  afterCommit,
  assertRestaurantEditor,
  bumpMenuVersion,
  isUniqueViolation,
  type Transaction,
} from "../restaurants/editing.ts";
import { assertPriceFloor, groupOfRestaurant, loadManagedItem, optionOfRestaurant } from "../restaurants/menu-store.ts";
import {
  MenuChange,
  MenuItemOut,
  Name,
  NewGroup,
  NewOption,
  NOTHING_TO_CHANGE,
  nonEmpty,
  Uuid,
} from "../restaurants/schemas.ts";
import { insertGroup } from "./restaurant-admin.ts";

const GroupPatch = z
  .strictObject({
    name: Name.optional(),
    minChoices: z.number().int().min(0).max(20).optional(),
    maxChoices: z.number().int().min(1).max(20).optional(),
  })
  .refine(nonEmpty, NOTHING_TO_CHANGE)
  .openapi("ModifierGroupPatch");

const staffOnly = [requireAuth("restaurant_staff", "admin")];
const itemChanged = (description: string) => ({
  200: jsonResponse(MenuChange(MenuItemOut), description),
  ...errorResponses(400, 401, 403, 404, 409, 422, 429),
});

const addGroup = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/menu/items/{itemId}/groups",
  operationId: "createModifierGroup",
  tags: ["menu editor"],
  summary: "Add a modifier group with its options to an item (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, itemId: Uuid }), ...jsonBody(NewGroup) },
  responses: itemChanged("The item with its groups, and the new menu version"),
});

const patchGroup = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}/menu/groups/{groupId}",
  operationId: "updateModifierGroup",
  tags: ["menu editor"],
  summary: "Rename a modifier group or change its min/max choices (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, groupId: Uuid }), ...jsonBody(GroupPatch) },
  responses: itemChanged("The item with its groups, and the new menu version"),
});

const deleteGroup = createRoute({
  method: "delete",
  path: "/v1/restaurants/{id}/menu/groups/{groupId}",
  operationId: "deleteModifierGroup",
  tags: ["menu editor"],
  summary: "Remove a modifier group and its options (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, groupId: Uuid }) },
  responses: itemChanged("The item without the group, and the new menu version"),
});

const addOption = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/menu/groups/{groupId}/options",
  operationId: "createModifierOption",
  tags: ["menu editor"],
  summary: "Add an option at the end of a modifier group (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, groupId: Uuid }), ...jsonBody(NewOption.openapi("NewModifierOption")) },
  responses: itemChanged("The item with the new option, and the new menu version"),
});

const deleteOption = createRoute({
  method: "delete",
  path: "/v1/restaurants/{id}/menu/options/{optionId}",
  operationId: "deleteModifierOption",
  tags: ["menu editor"],
  summary: "Remove an option from its group (new menu version); a group keeps at least maxChoices options",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, optionId: Uuid }) },
  responses: itemChanged("The item without the option, and the new menu version"),
});

/** The group as it now stands still lets a customer choose: bounds within its options. */
async function assertGroupBounds(
  tx: Transaction,
  restaurantId: string,
  itemId: string,
  groupId: string,
): Promise<void> {
  const item = await loadManagedItem(tx, restaurantId, itemId);
  const group = item.groups.find((g) => g.id === groupId);
  if (!group) return;
  const issues = checkGroupBounds(group);
  if (issues.length > 0) {
    throw new ApiError(
      422,
      "invalid_choice_bounds",
      `${group.name}: ${issues.map((i) => i.message).join(" ")}`,
      issues,
    );
  }
}

const groupNameTaken = () =>
  new ApiError(409, "modifier_group_name_taken", "This item already has a group with this name.");
const optionNameTaken = () =>
  new ApiError(409, "menu_option_name_taken", "Another option in this group already has this name.");

export function registerMenuModifierRoutes(app: App): void {
  app.openapi(addGroup, async (c) => {
    const { id, itemId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const body = c.req.valid("json");
    try {
      const result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        const item = await loadManagedItem(tx, id, itemId);
        await insertGroup(tx, itemId, body, item.groups.length);
        await assertPriceFloor(tx, id, itemId);
        return { menuVersion, item: await loadManagedItem(tx, id, itemId) };
      });
      await afterCommit(c, id);
      return c.json(result, 200);
    } catch (err) {
      if (isUniqueViolation(err)) throw groupNameTaken();
      throw err;
    }
  });

  app.openapi(patchGroup, async (c) => {
    const { id, groupId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const patch = c.req.valid("json");
    try {
      const result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        const { itemId } = await groupOfRestaurant(tx, id, groupId);
        await tx.update(modifierGroups).set(patch).where(eq(modifierGroups.id, groupId));
        await assertGroupBounds(tx, id, itemId, groupId);
        await assertPriceFloor(tx, id, itemId);
        return { menuVersion, item: await loadManagedItem(tx, id, itemId) };
      });
      await afterCommit(c, id);
      return c.json(result, 200);
    } catch (err) {
      if (isUniqueViolation(err)) throw groupNameTaken();
      // The table's own check (min <= max, max >= 1) backs up the one above.
      if ((err as { code?: string }).code === "23514") {
        throw validationError([
          { path: "minChoices", code: "min_above_max", message: "minChoices cannot exceed maxChoices." },
        ]);
      }
      throw err;
    }
  });

  app.openapi(deleteGroup, async (c) => {
    const { id, groupId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const result = await c.var.db.transaction(async (tx) => {
      const { menuVersion } = await bumpMenuVersion(tx, id);
      const { itemId } = await groupOfRestaurant(tx, id, groupId);
      await tx.delete(modifierGroups).where(eq(modifierGroups.id, groupId));
      // A group with a required surcharge may have been what kept another group's discounts above zero.
      await assertPriceFloor(tx, id, itemId);
      return { menuVersion, item: await loadManagedItem(tx, id, itemId) };
    });
    await afterCommit(c, id);
    return c.json(result, 200);
  });

  app.openapi(addOption, async (c) => {
    const { id, groupId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const body = c.req.valid("json");
    try {
      const result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        const { itemId } = await groupOfRestaurant(tx, id, groupId);
        const [{ next } = { next: 0 }] = await tx
          .select({ next: sql<number>`coalesce(max(${modifierOptions.position}) + 1, 0)::int` })
          .from(modifierOptions)
          .where(eq(modifierOptions.groupId, groupId));
        await tx.insert(modifierOptions).values({ groupId, ...body, position: next });
        await assertPriceFloor(tx, id, itemId);
        return { menuVersion, item: await loadManagedItem(tx, id, itemId) };
      });
      await afterCommit(c, id);
      return c.json(result, 200);
    } catch (err) {
      if (isUniqueViolation(err)) throw optionNameTaken();
      throw err;
    }
  });

  app.openapi(deleteOption, async (c) => {
    const { id, optionId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const result = await c.var.db.transaction(async (tx) => {
      const { menuVersion } = await bumpMenuVersion(tx, id);
      const { groupId, itemId } = await optionOfRestaurant(tx, id, optionId);
      await tx.delete(modifierOptions).where(eq(modifierOptions.id, optionId));
      await assertGroupBounds(tx, id, itemId, groupId);
      await assertPriceFloor(tx, id, itemId);
      return { menuVersion, item: await loadManagedItem(tx, id, itemId) };
    });
    await afterCommit(c, id);
    return c.json(result, 200);
  });
}
