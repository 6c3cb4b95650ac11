// Restaurants and what they sell: opening hours, menus with their choices,
// and the delivery areas (polygons with fees) they serve.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  char,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { CapacityPolicy } from "../domain/kitchen/capacity.ts";
import type { SlotPolicy } from "../domain/kitchen/slots.ts";
import type { SpecialDay } from "../domain/restaurant/schedule.ts";
import { createdAt, fulfilmentMode } from "./schema-common.ts";

export const restaurants = pgTable(
  "restaurants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    cuisines: text("cuisines").array().notNull().default(sql`'{}'::text[]`),
    address: text("address").notNull(),
    lat: doublePrecision("lat").notNull(),
    lng: doublePrecision("lng").notNull(),
    timeZone: text("time_zone").notNull(),
    /** Weekly schedule: [{ day: 0-6 (Sunday=0), open: "HH:MM", close: "HH:MM" }] in the restaurant's time zone. */
    openingHours: jsonb("opening_hours").$type<OpeningHours>().notNull(),
    prepTimeMinutes: smallint("prep_time_minutes").notNull(),
    deliveryRadiusM: integer("delivery_radius_m").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    /** Bumped on every menu change; orders are priced against one version. */
    menuVersion: integer("menu_version").notNull().default(1),
    active: boolean("active").notNull().default(true),
    /** The delivery area (zones row) an operator put the restaurant in; null until one is chosen. */
    deliveryAreaId: uuid("delivery_area_id").references((): AnyPgColumn => deliveryAreas.id, { onDelete: "set null" }),
    /** The platform's cut of the food subtotal, in basis points. */
    commissionBps: integer("commission_bps").notNull().default(1500),
    /** Dates whose hours replace the weekly ones (empty slots: closed that day). */
    specialDays: jsonb("special_days").$type<SpecialDay[]>().notNull().default([]),
    /** A temporary pause: closed to new orders until then, whatever the hours say. */
    pausedUntil: timestamp("paused_until", { withTimezone: true }),
    pauseReason: text("pause_reason"),
    /** What the kitchen can take on; the Restaurant DO applies it at every placement. */
    capacity: jsonb("capacity").$type<CapacityPolicy>(),
    fulfilment: fulfilmentMode("fulfilment").notNull().default("on_demand"),
    /** Delivery-slot templates; set exactly when fulfilment is "slots". */
    deliverySlots: jsonb("delivery_slots").$type<SlotPolicy>(),
    /** On-demand restaurants may also take orders for a later time. */
    acceptsScheduledOrders: boolean("accepts_scheduled_orders").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("restaurants_slug_key").on(t.slug),
    check("restaurants_commission_range", sql`${t.commissionBps} between 0 and 10000`),
    index("restaurants_lat_lng_idx").on(t.lat, t.lng),
    check("restaurants_lat_range", sql`${t.lat} between -90 and 90`),
    check("restaurants_lng_range", sql`${t.lng} between -180 and 180`),
    check("restaurants_prep_time_positive", sql`${t.prepTimeMinutes} between 1 and 240`),
    check("restaurants_radius_positive", sql`${t.deliveryRadiusM} between 100 and 50000`),
    check("restaurants_currency_upper", sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check("restaurants_slots_when_slot_based", sql`(${t.fulfilment} = 'slots') = (${t.deliverySlots} is not null)`),
  ],
);

export interface OpeningHoursSlot {
  day: number;
  open: string;
  close: string;
}

export type OpeningHours = OpeningHoursSlot[];

export const menuCategories = pgTable(
  "menu_categories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    restaurantId: uuid("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    position: smallint("position").notNull().default(0),
    /** Deleted from the menu but kept, because orders name items in it. */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (t) => [
    // A name is taken only by a category still on the menu.
    uniqueIndex("menu_categories_restaurant_name_key").on(t.restaurantId, t.name).where(sql`${t.archivedAt} is null`),
  ],
);

/** A menu photo: the widths stored in R2 under `menu/<restaurantId>/<id>/<width>`. */
export interface MenuPhoto {
  /** SHA-256 of the uploaded files: the same upload is the same photo. */
  id: string;
  widths: number[];
  /** Content type per width. */
  types: Record<string, string>;
  width: number;
  height: number;
}

export const menuItems = pgTable(
  "menu_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    restaurantId: uuid("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    categoryId: uuid("category_id")
      .notNull()
      .references(() => menuCategories.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    priceMinor: integer("price_minor").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    available: boolean("available").notNull().default(true),
    position: smallint("position").notNull().default(0),
    /** EU allergen names (domain/menu/labels.ts). */
    allergens: text("allergens").array().notNull().default(sql`'{}'::text[]`),
    dietaryTags: text("dietary_tags").array().notNull().default(sql`'{}'::text[]`),
    photo: jsonb("photo").$type<MenuPhoto>(),
    /** The item's own tax rate (alcohol vs food), overriding its delivery area's; null: the area's. */
    taxBps: integer("tax_bps"),
    /** Off the menu but kept: orders placed earlier still name it. */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("menu_items_category_name_key").on(t.categoryId, t.name).where(sql`${t.archivedAt} is null`),
    index("menu_items_restaurant_idx").on(t.restaurantId),
    check("menu_items_price_nonnegative", sql`${t.priceMinor} >= 0`),
    check("menu_items_tax_bps_range", sql`${t.taxBps} is null or ${t.taxBps} between 0 and 10000`),
  ],
);

export const modifierGroups = pgTable(
  "modifier_groups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    itemId: uuid("item_id")
      .notNull()
      .references(() => menuItems.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    minChoices: smallint("min_choices").notNull().default(0),
    maxChoices: smallint("max_choices").notNull().default(1),
    position: smallint("position").notNull().default(0),
  },
  (t) => [
    uniqueIndex("modifier_groups_item_name_key").on(t.itemId, t.name),
    check(
      "modifier_groups_choice_bounds",
      sql`${t.minChoices} >= 0 and ${t.maxChoices} >= ${t.minChoices} and ${t.maxChoices} >= 1`,
    ),
  ],
);

export const modifierOptions = pgTable(
  "modifier_options",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    groupId: uuid("group_id")
      .notNull()
      .references(() => modifierGroups.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    priceDeltaMinor: integer("price_delta_minor").notNull().default(0),
    available: boolean("available").notNull().default(true),
    position: smallint("position").notNull().default(0),
  },
  (t) => [
    uniqueIndex("modifier_options_group_name_key").on(t.groupId, t.name),
    // Negative deltas are allowed (a smaller size); the API refuses any that could take an item below zero.
    check("modifier_options_delta_range", sql`${t.priceDeltaMinor} between -10000000 and 10000000`),
  ],
);

/** Delivery areas: the polygons and fees that price orders. The table keeps its first name (decision 0029). */
export const deliveryAreas = pgTable(
  "zones",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    /** GeoJSON Polygon ring(s), [lng, lat] pairs, drawn by operators. */
    polygon: jsonb("polygon").$type<{ type: "Polygon"; coordinates: number[][][] }>().notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    baseDeliveryFeeMinor: integer("base_delivery_fee_minor").notNull(),
    perKmFeeMinor: integer("per_km_fee_minor").notNull(),
    serviceFeeBps: integer("service_fee_bps").notNull(),
    taxBps: integer("tax_bps").notNull(),
    /** Prices and fees already include VAT here (most of Europe); false: tax is added on top. */
    taxIncluded: boolean("tax_included").notNull().default(false),
    /** A subtotal below this pays small_order_fee_minor; 0: no minimum. */
    smallOrderMinimumMinor: integer("small_order_minimum_minor").notNull().default(0),
    smallOrderFeeMinor: integer("small_order_fee_minor").notNull().default(0),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("zones_name_key").on(t.name),
    check(
      "zones_fees_nonnegative",
      sql`${t.baseDeliveryFeeMinor} >= 0 and ${t.perKmFeeMinor} >= 0 and ${t.serviceFeeBps} between 0 and 10000 and ${t.taxBps} between 0 and 10000`,
    ),
    check("zones_small_order_nonnegative", sql`${t.smallOrderMinimumMinor} >= 0 and ${t.smallOrderFeeMinor} >= 0`),
  ],
);
