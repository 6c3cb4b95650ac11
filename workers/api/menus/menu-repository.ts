// Reads a restaurant's menu from Postgres (the system of record) in the shape
// both the menu endpoint and server-side pricing use.
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import {
  type MenuPhoto,
  menuCategories,
  menuItems,
  modifierGroups,
  modifierOptions,
  type OpeningHours,
  restaurants,
} from "../../../db/schema.ts";
import { type CapacityPolicy, DEFAULT_CAPACITY } from "../../../domain/kitchen/capacity.ts";
import type { SlotPolicy } from "../../../domain/kitchen/slots.ts";
import type { Allergen, DietaryTag } from "../../../domain/menu/labels.ts";
import type { SpecialDay } from "../../../domain/restaurant/schedule.ts";

export interface MenuOption {
  id: string;
  name: string;
  priceDeltaMinor: number;
  available: boolean;
}
export interface MenuGroup {
  id: string;
  name: string;
  minChoices: number;
  maxChoices: number;
  options: MenuOption[];
}
/** Where a menu photo is served; `?w=` picks the stored width. */
export interface MenuPhotoLink {
  url: string;
  widths: number[];
  width: number;
  height: number;
}
export interface MenuItem {
  id: string;
  name: string;
  description: string;
  priceMinor: number;
  available: boolean;
  allergens: Allergen[];
  dietaryTags: DietaryTag[];
  photo: MenuPhotoLink | null;
  groups: MenuGroup[];
  /** The item's own tax rate; null (or absent in a menu cached before it existed): the delivery area's. */
  taxBps?: number | null;
}

export function photoUrl(restaurantId: string, photoId: string): string {
  return `/v1/media/menu/${restaurantId}/${photoId}`;
}

export function photoOf(restaurantId: string, photo: MenuPhoto | null): MenuPhotoLink | null {
  if (!photo) return null;
  return { url: photoUrl(restaurantId, photo.id), widths: photo.widths, width: photo.width, height: photo.height };
}
export interface Menu {
  restaurantId: string;
  restaurantName: string;
  version: number;
  currency: string;
  categories: Array<{ id: string; name: string; items: MenuItem[] }>;
}

/** What placing an order needs to know about the restaurant besides its menu; cached beside the menu. */
export interface OrderingProfile {
  /** Street address, for the courier; absent in cache entries written before it was cached. */
  address?: string;
  lat: number;
  lng: number;
  deliveryRadiusM: number;
  timeZone: string;
  openingHours: OpeningHours;
  specialDays: SpecialDay[];
  /** Epoch ms, or null. */
  pausedUntil: number | null;
  prepTimeMinutes: number;
  capacity: CapacityPolicy;
  fulfilment: "on_demand" | "slots";
  deliverySlots: SlotPolicy | null;
  acceptsScheduledOrders: boolean;
}

export async function loadMenu(db: Database, restaurantId: string): Promise<Menu | null> {
  return (await loadMenuWithProfile(db, restaurantId))?.menu ?? null;
}

export async function loadMenuWithProfile(
  db: Database,
  restaurantId: string,
): Promise<{ menu: Menu; ordering: OrderingProfile } | null> {
  const restaurantRows = await db
    .select({
      id: restaurants.id,
      name: restaurants.name,
      address: restaurants.address,
      version: restaurants.menuVersion,
      currency: restaurants.currency,
      active: restaurants.active,
      lat: restaurants.lat,
      lng: restaurants.lng,
      deliveryRadiusM: restaurants.deliveryRadiusM,
      timeZone: restaurants.timeZone,
      openingHours: restaurants.openingHours,
      specialDays: restaurants.specialDays,
      pausedUntil: restaurants.pausedUntil,
      prepTimeMinutes: restaurants.prepTimeMinutes,
      capacity: restaurants.capacity,
      fulfilment: restaurants.fulfilment,
      deliverySlots: restaurants.deliverySlots,
      acceptsScheduledOrders: restaurants.acceptsScheduledOrders,
    })
    .from(restaurants)
    .where(eq(restaurants.id, restaurantId))
    .limit(1);
  const restaurant = restaurantRows[0];
  if (!restaurant?.active) return null;

  const [categories, items] = await Promise.all([
    db
      .select()
      .from(menuCategories)
      .where(and(eq(menuCategories.restaurantId, restaurantId), isNull(menuCategories.archivedAt)))
      .orderBy(asc(menuCategories.position), asc(menuCategories.name)),
    db
      .select()
      .from(menuItems)
      .where(and(eq(menuItems.restaurantId, restaurantId), isNull(menuItems.archivedAt)))
      .orderBy(asc(menuItems.position), asc(menuItems.name)),
  ]);
  const itemIds = items.map((i) => i.id);
  const groups = itemIds.length
    ? await db
        .select()
        .from(modifierGroups)
        .where(inArray(modifierGroups.itemId, itemIds))
        .orderBy(asc(modifierGroups.position))
    : [];
  const groupIds = groups.map((g) => g.id);
  const options = groupIds.length
    ? await db
        .select()
        .from(modifierOptions)
        .where(inArray(modifierOptions.groupId, groupIds))
        .orderBy(asc(modifierOptions.position))
    : [];

  const optionsByGroup = new Map<string, MenuOption[]>();
  for (const o of options) {
    const list = optionsByGroup.get(o.groupId) ?? [];
    list.push({ id: o.id, name: o.name, priceDeltaMinor: o.priceDeltaMinor, available: o.available });
    optionsByGroup.set(o.groupId, list);
  }
  const groupsByItem = new Map<string, MenuGroup[]>();
  for (const g of groups) {
    const list = groupsByItem.get(g.itemId) ?? [];
    list.push({
      id: g.id,
      name: g.name,
      minChoices: g.minChoices,
      maxChoices: g.maxChoices,
      options: optionsByGroup.get(g.id) ?? [],
    });
    groupsByItem.set(g.itemId, list);
  }
  const itemsByCategory = new Map<string, MenuItem[]>();
  for (const i of items) {
    const list = itemsByCategory.get(i.categoryId) ?? [];
    list.push({
      id: i.id,
      name: i.name,
      description: i.description,
      priceMinor: i.priceMinor,
      available: i.available,
      allergens: i.allergens as Allergen[],
      dietaryTags: i.dietaryTags as DietaryTag[],
      photo: photoOf(restaurant.id, i.photo),
      groups: groupsByItem.get(i.id) ?? [],
      taxBps: i.taxBps,
    });
    itemsByCategory.set(i.categoryId, list);
  }
  const menu: Menu = {
    restaurantId: restaurant.id,
    restaurantName: restaurant.name,
    version: restaurant.version,
    currency: restaurant.currency,
    categories: categories.map((cat) => ({ id: cat.id, name: cat.name, items: itemsByCategory.get(cat.id) ?? [] })),
  };
  const ordering: OrderingProfile = {
    address: restaurant.address,
    lat: restaurant.lat,
    lng: restaurant.lng,
    deliveryRadiusM: restaurant.deliveryRadiusM,
    timeZone: restaurant.timeZone,
    openingHours: restaurant.openingHours,
    specialDays: restaurant.specialDays,
    pausedUntil: restaurant.pausedUntil?.getTime() ?? null,
    prepTimeMinutes: restaurant.prepTimeMinutes,
    capacity: { ...DEFAULT_CAPACITY, ...restaurant.capacity },
    fulfilment: restaurant.fulfilment,
    deliverySlots: restaurant.deliverySlots,
    acceptsScheduledOrders: restaurant.acceptsScheduledOrders,
  };
  return { menu, ordering };
}
