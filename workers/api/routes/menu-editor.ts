// The menu editor: the whole menu as staff see it (archived items included),
// categories (create, rename, reorder, delete), item order and deletion.
// Every change is a new menu version (restaurants/editing.ts).
//
// Deleting something orders still name would break those orders' history
// (order_items points at the item), so an item that was ever ordered is
// archived instead: off the menu, its name free again, restorable. A
// category is deleted only when no item is left on the menu in it; if it
// still holds archived items it is archived with them.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { menuCategories, menuItems, orderItems, restaurants } from "../../../db/schema.ts";
import { checkPermutation } from "../../../domain/menu/menu-rules.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import {
  afterCommit,
  assertRestaurantEditor,
  bumpMenuVersion,
  isUniqueViolation,
  restaurantNotFound,
  type Transaction,
} from "../restaurants/editing.ts";
import { categoryNotFound, groupsOfItems, itemNotFound } from "../restaurants/menu-store.ts";
import { itemOut, MenuItemOut, Name, Uuid } from "../restaurants/schemas.ts";
import { restaurantStub } from "./kitchen.ts";

const Category = z
  .object({ id: Uuid, name: z.string(), position: z.number().int(), items: z.array(MenuItemOut) })
  .openapi("ManagedMenuCategory");

const ManagedMenu = z
  .object({
    restaurantId: Uuid,
    menuVersion: z.number().int(),
    currency: z.string(),
    categories: z.array(Category),
    archivedItems: z.array(MenuItemOut).openapi({ description: "Off the menu; PATCH archived:false restores one." }),
  })
  .openapi("ManagedMenu");

const CategoryChange = z.object({
  menuVersion: z.number().int(),
  category: z.object({ id: Uuid, name: z.string(), position: z.number().int() }),
});

const Deletion = z
  .object({
    menuVersion: z.number().int(),
    outcome: z.enum(["deleted", "archived"]).openapi({
      description: "archived: orders name it, so it was taken off the menu and kept (restorable).",
    }),
  })
  .openapi("MenuDeletion");

const staffOnly = [requireAuth("restaurant_staff", "admin")];
const readers = [requireAuth("restaurant_staff", "admin")];

const getManaged = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/menu/manage",
  operationId: "getManagedMenu",
  tags: ["menu editor"],
  summary: "The menu as staff edit it: every category and item in order, with archived items (its staff or an admin)",
  security: bearerSecurity,
  middleware: readers,
  request: { params: z.object({ id: Uuid }) },
  responses: { 200: jsonResponse(ManagedMenu, "The menu"), ...errorResponses(400, 401, 403, 404) },
});

const createCategory = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/menu/categories",
  operationId: "createMenuCategory",
  tags: ["menu editor"],
  summary: "Add a category at the end of the menu (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid }), ...jsonBody(z.strictObject({ name: Name }).openapi("NewMenuCategory")) },
  responses: {
    201: jsonResponse(CategoryChange, "The category and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 409, 429),
  },
});

const renameCategory = createRoute({
  method: "patch",
  path: "/v1/restaurants/{id}/menu/categories/{categoryId}",
  operationId: "renameMenuCategory",
  tags: ["menu editor"],
  summary: "Rename a category (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: {
    params: z.object({ id: Uuid, categoryId: Uuid }),
    ...jsonBody(z.strictObject({ name: Name }).openapi("MenuCategoryPatch")),
  },
  responses: {
    200: jsonResponse(CategoryChange, "The category and the new menu version"),
    ...errorResponses(400, 401, 403, 404, 409, 429),
  },
});

const deleteCategory = createRoute({
  method: "delete",
  path: "/v1/restaurants/{id}/menu/categories/{categoryId}",
  operationId: "deleteMenuCategory",
  tags: ["menu editor"],
  summary: "Delete a category with no items left on the menu (archived if it holds archived items)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, categoryId: Uuid }) },
  responses: { 200: jsonResponse(Deletion, "Gone from the menu"), ...errorResponses(400, 401, 403, 404, 409, 429) },
});

const reorderCategories = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/menu/categories/order",
  operationId: "reorderMenuCategories",
  tags: ["menu editor"],
  summary: "Put the categories in this order: every category on the menu, each once (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: {
    params: z.object({ id: Uuid }),
    ...jsonBody(z.strictObject({ categoryIds: z.array(Uuid).max(200) }).openapi("MenuCategoryOrder")),
  },
  responses: {
    200: jsonResponse(z.object({ menuVersion: z.number().int() }), "Reordered"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const reorderItems = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/menu/categories/{categoryId}/order",
  operationId: "reorderMenuItems",
  tags: ["menu editor"],
  summary: "Put a category's items in this order: every item on the menu in it, each once (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: {
    params: z.object({ id: Uuid, categoryId: Uuid }),
    ...jsonBody(z.strictObject({ itemIds: z.array(Uuid).max(500) }).openapi("MenuItemOrder")),
  },
  responses: {
    200: jsonResponse(z.object({ menuVersion: z.number().int() }), "Reordered"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const deleteItem = createRoute({
  method: "delete",
  path: "/v1/restaurants/{id}/menu/items/{itemId}",
  operationId: "deleteMenuItem",
  tags: ["menu editor"],
  summary: "Delete an item, or archive it when orders name it (new menu version)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params: z.object({ id: Uuid, itemId: Uuid }) },
  responses: { 200: jsonResponse(Deletion, "Gone from the menu"), ...errorResponses(400, 401, 403, 404, 429) },
});

const categoryNameTaken = () =>
  new ApiError(409, "menu_category_name_taken", "Another category on the menu already has this name.");

async function liveCategoryIds(tx: Transaction, restaurantId: string): Promise<string[]> {
  const rows = await tx
    .select({ id: menuCategories.id })
    .from(menuCategories)
    .where(and(eq(menuCategories.restaurantId, restaurantId), isNull(menuCategories.archivedAt)))
    .orderBy(asc(menuCategories.position), asc(menuCategories.name));
  return rows.map((r) => r.id);
}

/** Writes positions 0..n-1 in the given order, one statement. */
async function writePositions(
  tx: Transaction,
  table: typeof menuCategories | typeof menuItems,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  const cases = sql.join(
    ids.map((id, i) => sql`when ${id}::uuid then ${i}`),
    sql` `,
  );
  await tx
    .update(table)
    .set({ position: sql`(case ${table.id} ${cases} end)::smallint` })
    .where(inArray(table.id, [...ids]));
}

export function registerMenuEditorRoutes(app: App): void {
  app.openapi(getManaged, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const db = c.var.db;
    const [restaurant] = await db
      .select({ menuVersion: restaurants.menuVersion, currency: restaurants.currency })
      .from(restaurants)
      .where(eq(restaurants.id, id))
      .limit(1);
    if (!restaurant) throw restaurantNotFound();
    const [categories, items] = await Promise.all([
      db
        .select()
        .from(menuCategories)
        .where(and(eq(menuCategories.restaurantId, id), isNull(menuCategories.archivedAt)))
        .orderBy(asc(menuCategories.position), asc(menuCategories.name)),
      db
        .select()
        .from(menuItems)
        .where(eq(menuItems.restaurantId, id))
        .orderBy(asc(menuItems.position), asc(menuItems.name)),
    ]);
    const groups = await groupsOfItems(
      db,
      items.map((i) => i.id),
    );
    const out = items.map((i) => itemOut(id, i, groups.get(i.id) ?? []));
    const liveCategories = new Set(categories.map((cat) => cat.id));
    return c.json(
      {
        restaurantId: id,
        menuVersion: restaurant.menuVersion,
        currency: restaurant.currency,
        categories: categories.map((cat) => ({
          id: cat.id,
          name: cat.name,
          position: cat.position,
          items: out.filter((i) => i.categoryId === cat.id && !i.archived),
        })),
        archivedItems: out.filter((i) => i.archived || !liveCategories.has(i.categoryId)),
      },
      200,
    );
  });

  app.openapi(createCategory, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { name } = c.req.valid("json");
    try {
      const result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        const position = (await liveCategoryIds(tx, id)).length;
        const [row] = await tx.insert(menuCategories).values({ restaurantId: id, name, position }).returning();
        if (!row) throw new Error("category insert returned nothing");
        return { menuVersion, category: { id: row.id, name: row.name, position: row.position } };
      });
      await afterCommit(c, id);
      return c.json(result, 201);
    } catch (err) {
      if (isUniqueViolation(err)) throw categoryNameTaken();
      throw err;
    }
  });

  app.openapi(renameCategory, async (c) => {
    const { id, categoryId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { name } = c.req.valid("json");
    try {
      const result = await c.var.db.transaction(async (tx) => {
        const { menuVersion } = await bumpMenuVersion(tx, id);
        const [row] = await tx
          .update(menuCategories)
          .set({ name })
          .where(
            and(
              eq(menuCategories.id, categoryId),
              eq(menuCategories.restaurantId, id),
              isNull(menuCategories.archivedAt),
            ),
          )
          .returning();
        if (!row) throw categoryNotFound();
        return { menuVersion, category: { id: row.id, name: row.name, position: row.position } };
      });
      await afterCommit(c, id);
      return c.json(result, 200);
    } catch (err) {
      if (isUniqueViolation(err)) throw categoryNameTaken();
      throw err;
    }
  });

  app.openapi(deleteCategory, async (c) => {
    const { id, categoryId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const result = await c.var.db.transaction(async (tx) => {
      const { menuVersion } = await bumpMenuVersion(tx, id);
      const items = await tx
        .select({ id: menuItems.id, archivedAt: menuItems.archivedAt })
        .from(menuItems)
        .innerJoin(menuCategories, eq(menuCategories.id, menuItems.categoryId))
        .where(
          and(
            eq(menuItems.categoryId, categoryId),
            eq(menuCategories.restaurantId, id),
            isNull(menuCategories.archivedAt),
          ),
        );
      const [category] = await tx
        .select({ id: menuCategories.id })
        .from(menuCategories)
        .where(
          and(
            eq(menuCategories.id, categoryId),
            eq(menuCategories.restaurantId, id),
            isNull(menuCategories.archivedAt),
          ),
        )
        .limit(1);
      if (!category) throw categoryNotFound();
      const live = items.filter((i) => i.archivedAt === null).length;
      if (live > 0) {
        throw new ApiError(
          409,
          "menu_category_not_empty",
          `${live} item(s) are still on the menu in this category; move or delete them first.`,
        );
      }
      if (items.length > 0) {
        await tx.update(menuCategories).set({ archivedAt: new Date() }).where(eq(menuCategories.id, categoryId));
        return { menuVersion, outcome: "archived" as const };
      }
      await tx.delete(menuCategories).where(eq(menuCategories.id, categoryId));
      return { menuVersion, outcome: "deleted" as const };
    });
    await afterCommit(c, id);
    return c.json(result, 200);
  });

  app.openapi(reorderCategories, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { categoryIds } = c.req.valid("json");
    const result = await c.var.db.transaction(async (tx) => {
      const { menuVersion } = await bumpMenuVersion(tx, id);
      const issues = checkPermutation(await liveCategoryIds(tx, id), categoryIds, "categoryIds");
      if (issues.length > 0) throw validationError(issues, "Name every category on the menu exactly once.");
      await writePositions(tx, menuCategories, categoryIds);
      return { menuVersion };
    });
    await afterCommit(c, id);
    return c.json(result, 200);
  });

  app.openapi(reorderItems, async (c) => {
    const { id, categoryId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { itemIds } = c.req.valid("json");
    const result = await c.var.db.transaction(async (tx) => {
      const { menuVersion } = await bumpMenuVersion(tx, id);
      if (!(await liveCategoryIds(tx, id)).includes(categoryId)) throw categoryNotFound();
      const current = await tx
        .select({ id: menuItems.id })
        .from(menuItems)
        .where(and(eq(menuItems.categoryId, categoryId), isNull(menuItems.archivedAt)));
      const issues = checkPermutation(
        current.map((r) => r.id),
        itemIds,
        "itemIds",
      );
      if (issues.length > 0)
        throw validationError(issues, "Name every item on the menu in this category exactly once.");
      await writePositions(tx, menuItems, itemIds);
      return { menuVersion };
    });
    await afterCommit(c, id);
    return c.json(result, 200);
  });

  app.openapi(deleteItem, async (c) => {
    const { id, itemId } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    // An order placed a moment ago may not be in Postgres yet; the kitchen's ledger knows it.
    const recent = (await restaurantStub(c.env, id).recentlyOrdered([itemId])).length > 0;
    const result = await c.var.db.transaction(async (tx) => {
      const { menuVersion } = await bumpMenuVersion(tx, id);
      const [item] = await tx
        .select({ id: menuItems.id, archivedAt: menuItems.archivedAt })
        .from(menuItems)
        .where(and(eq(menuItems.id, itemId), eq(menuItems.restaurantId, id)))
        .limit(1);
      if (!item) throw itemNotFound();
      const [ordered] = await tx
        .select({ one: sql<number>`1` })
        .from(orderItems)
        .where(eq(orderItems.menuItemId, itemId))
        .limit(1);
      if (ordered || recent) {
        if (item.archivedAt === null) {
          await tx.update(menuItems).set({ archivedAt: new Date() }).where(eq(menuItems.id, itemId));
        }
        return { menuVersion, outcome: "archived" as const };
      }
      await tx.delete(menuItems).where(eq(menuItems.id, itemId));
      return { menuVersion, outcome: "deleted" as const };
    });
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(result, 200);
  });
}
