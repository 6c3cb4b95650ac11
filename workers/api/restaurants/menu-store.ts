// SQL the menu editor's routes share: loading an item as staff see it, and
// re-checking the rules a change must keep inside the change's transaction.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { menuCategories, menuItems, modifierGroups, modifierOptions } from "../../../db/schema.ts";
import { checkItemPrice } from "../../../domain/menu/menu-rules.ts";
import { ApiError } from "../http/errors.ts";
import type { Transaction } from "./editing.ts";
import { itemOut, type MenuItemOutput } from "./schemas.ts";

type Queryable = Database | Transaction;

export const itemNotFound = () =>
  new ApiError(404, "menu_item_not_found", "This restaurant has no menu item with this id.");
export const categoryNotFound = () =>
  new ApiError(404, "menu_category_not_found", "This restaurant has no menu category with this id.");
export const groupNotFound = () =>
  new ApiError(404, "modifier_group_not_found", "This restaurant has no modifier group with this id.");
export const optionNotFound = () =>
  new ApiError(404, "menu_option_not_found", "This restaurant has no option with this id.");

/** Groups with their options, per item, in menu order. */
export async function groupsOfItems(db: Queryable, itemIds: string[]): Promise<Map<string, MenuItemOutput["groups"]>> {
  const byItem = new Map<string, MenuItemOutput["groups"]>();
  if (itemIds.length === 0) return byItem;
  const groups = await db
    .select()
    .from(modifierGroups)
    .where(inArray(modifierGroups.itemId, itemIds))
    .orderBy(asc(modifierGroups.position), asc(modifierGroups.name));
  const options = groups.length
    ? await db
        .select()
        .from(modifierOptions)
        .where(
          inArray(
            modifierOptions.groupId,
            groups.map((g) => g.id),
          ),
        )
        .orderBy(asc(modifierOptions.position), asc(modifierOptions.name))
    : [];
  for (const g of groups) {
    const list = byItem.get(g.itemId) ?? [];
    list.push({
      id: g.id,
      name: g.name,
      minChoices: g.minChoices,
      maxChoices: g.maxChoices,
      options: options
        .filter((o) => o.groupId === g.id)
        .map((o) => ({ id: o.id, name: o.name, priceDeltaMinor: o.priceDeltaMinor, available: o.available })),
    });
    byItem.set(g.itemId, list);
  }
  return byItem;
}

/** One item of this restaurant as staff see it (archived or not); 404 when it is not this restaurant's. */
export async function loadManagedItem(db: Queryable, restaurantId: string, itemId: string): Promise<MenuItemOutput> {
  const [item] = await db
    .select()
    .from(menuItems)
    .where(and(eq(menuItems.id, itemId), eq(menuItems.restaurantId, restaurantId)))
    .limit(1);
  if (!item) throw itemNotFound();
  const groups = await groupsOfItems(db, [item.id]);
  return itemOut(restaurantId, item, groups.get(item.id) ?? []);
}

/**
 * After a change to an item's price, groups or options (inside the same
 * transaction): refuse it with 422 if some valid choice would now cost below zero.
 */
export async function assertPriceFloor(tx: Transaction, restaurantId: string, itemId: string): Promise<void> {
  const item = await loadManagedItem(tx, restaurantId, itemId);
  const issues = checkItemPrice(item.priceMinor, item.groups);
  if (issues.length > 0) {
    throw new ApiError(422, "negative_price_possible", issues[0]?.message ?? "An item could cost below zero.", issues);
  }
}

/** The group's item, checked to be this restaurant's. */
export async function groupOfRestaurant(
  db: Queryable,
  restaurantId: string,
  groupId: string,
): Promise<{ groupId: string; itemId: string }> {
  const [row] = await db
    .select({ groupId: modifierGroups.id, itemId: modifierGroups.itemId })
    .from(modifierGroups)
    .innerJoin(menuItems, eq(menuItems.id, modifierGroups.itemId))
    .where(and(eq(modifierGroups.id, groupId), eq(menuItems.restaurantId, restaurantId)))
    .limit(1);
  if (!row) throw groupNotFound();
  return row;
}

export async function optionOfRestaurant(
  db: Queryable,
  restaurantId: string,
  optionId: string,
): Promise<{ optionId: string; groupId: string; itemId: string }> {
  const [row] = await db
    .select({ optionId: modifierOptions.id, groupId: modifierOptions.groupId, itemId: modifierGroups.itemId })
    .from(modifierOptions)
    .innerJoin(modifierGroups, eq(modifierGroups.id, modifierOptions.groupId))
    .innerJoin(menuItems, eq(menuItems.id, modifierGroups.itemId))
    .where(and(eq(modifierOptions.id, optionId), eq(menuItems.restaurantId, restaurantId)))
    .limit(1);
  if (!row) throw optionNotFound();
  return row;
}

export async function categoryOfRestaurant(db: Queryable, restaurantId: string, categoryId: string): Promise<void> {
  const [row] = await db
    .select({ id: menuCategories.id, archivedAt: menuCategories.archivedAt })
    .from(menuCategories)
    .where(and(eq(menuCategories.id, categoryId), eq(menuCategories.restaurantId, restaurantId)))
    .limit(1);
  if (!row || row.archivedAt !== null) throw categoryNotFound();
}
