// System of record. Money is always integer minor units next to an ISO 4217
// currency. Projections from the event queue rely on the unique keys marked
// "idempotency" below: a redelivered event must never create a second row.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigserial,
  boolean,
  char,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { CapacityPolicy } from "../domain/kitchen/capacity.ts";
import type { SlotPolicy } from "../domain/kitchen/slots.ts";
import type { SpecialDay } from "../domain/restaurant/schedule.ts";

export const userRole = pgEnum("user_role", ["customer", "restaurant_staff", "courier", "admin"]);
export const vehicleType = pgEnum("vehicle_type", ["foot", "bicycle", "scooter", "car"]);
export const orderStatus = pgEnum("order_status", [
  "placed",
  "paid",
  "accepted",
  "preparing",
  "ready",
  "picked_up",
  "delivered",
  "rejected",
  "cancelled",
  "failed",
]);
export const paymentKind = pgEnum("payment_kind", ["charge", "refund"]);
/** How a merchant delivers: as soon as possible (optionally scheduled), or only in delivery slots. */
export const fulfilmentMode = pgEnum("fulfilment_mode", ["on_demand", "slots"]);

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

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

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** `pbkdf2-sha256$iterations$salt$hash`; null for users who only sign in through OIDC. */
    passwordHash: text("password_hash"),
    role: userRole("role").notNull(),
    /** Set exactly for restaurant staff: their home restaurant (restaurant_staff lists every one they work for). */
    restaurantId: uuid("restaurant_id").references(() => restaurants.id, { onDelete: "restrict" }),
    oidcIssuer: text("oidc_issuer"),
    oidcSubject: text("oidc_subject"),
    /** Set by an operator: no sign-in, no refresh, and every access token issued before it is void. */
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
    /** A customer's contact number for couriers; free text, as people write it. */
    phone: text("phone"),
    /** The customer deleted their account: personal data erased, orders kept (docs/decisions/0020). */
    erasedAt: timestamp("erased_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
    uniqueIndex("users_oidc_key").on(t.oidcIssuer, t.oidcSubject),
    check("users_staff_has_restaurant", sql`(${t.role} = 'restaurant_staff') = (${t.restaurantId} is not null)`),
  ],
);

/** A customer's saved delivery addresses (the same shape an order's deliveryAddress has). */
export const customerAddresses = pgTable(
  "customer_addresses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    line1: text("line1").notNull(),
    line2: text("line2"),
    city: text("city").notNull(),
    postcode: text("postcode").notNull(),
    lat: doublePrecision("lat").notNull(),
    lng: doublePrecision("lng").notNull(),
    instructions: text("instructions"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("customer_addresses_user_idx").on(t.userId, t.createdAt),
    check("customer_addresses_lat_range", sql`${t.lat} between -90 and 90`),
    check("customer_addresses_lng_range", sql`${t.lng} between -180 and 180`),
  ],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** All tokens rotated from one sign-in share a family; reuse of a rotated token revokes the family. */
    familyId: uuid("family_id").notNull(),
    /** Staff of several restaurants: the one this session acts for (null: the user's home restaurant). */
    restaurantId: uuid("restaurant_id").references((): AnyPgColumn => restaurants.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    rotatedAt: timestamp("rotated_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("refresh_tokens_hash_key").on(t.tokenHash), index("refresh_tokens_family_idx").on(t.familyId)],
);

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
    /** Off the menu but kept: orders placed earlier still name it. */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("menu_items_category_name_key").on(t.categoryId, t.name).where(sql`${t.archivedAt} is null`),
    index("menu_items_restaurant_idx").on(t.restaurantId),
    check("menu_items_price_nonnegative", sql`${t.priceMinor} >= 0`),
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
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("zones_name_key").on(t.name),
    check(
      "zones_fees_nonnegative",
      sql`${t.baseDeliveryFeeMinor} >= 0 and ${t.perKmFeeMinor} >= 0 and ${t.serviceFeeBps} between 0 and 10000 and ${t.taxBps} between 0 and 10000`,
    ),
  ],
);

export const couriers = pgTable("couriers", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  vehicle: vehicleType("vehicle").notNull(),
  phone: text("phone").notNull(),
  homeZoneId: uuid("home_zone_id").references(() => deliveryAreas.id, { onDelete: "set null" }),
  active: boolean("active").notNull().default(true),
  /** An operator saw the courier's licence, insurance and right to work; onboarding activates nobody without it. */
  documentsChecked: boolean("documents_checked").notNull().default(false),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export interface DeliveryAddress {
  line1: string;
  line2?: string | undefined;
  city: string;
  postcode: string;
  lat: number;
  lng: number;
  instructions?: string | undefined;
}

export const orders = pgTable(
  "orders",
  {
    id: uuid("id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    restaurantId: uuid("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "restrict" }),
    courierId: uuid("courier_id").references(() => users.id, { onDelete: "restrict" }),
    status: orderStatus("status").notNull(),
    /** The courier-assignment track (searching, offered, assigned, ...); null until dispatch starts. */
    deliveryStatus: text("delivery_status"),
    idempotencyKey: text("idempotency_key").notNull(),
    menuVersion: integer("menu_version").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    subtotalMinor: integer("subtotal_minor").notNull(),
    deliveryFeeMinor: integer("delivery_fee_minor").notNull(),
    serviceFeeMinor: integer("service_fee_minor").notNull(),
    taxMinor: integer("tax_minor").notNull(),
    tipMinor: integer("tip_minor").notNull().default(0),
    totalMinor: integer("total_minor").notNull(),
    /** A promotion's discount, already taken off total_minor (db/schema-promotions.ts). */
    discountMinor: integer("discount_minor").notNull().default(0),
    promotionId: uuid("promotion_id"),
    /** Who pays the discount: 'platform' or 'restaurant'; fixed at placement, read by the ledger. */
    promotionFundedBy: text("promotion_funded_by"),
    deliveryAddress: jsonb("delivery_address").$type<DeliveryAddress>().notNull(),
    prepTimeMinutes: smallint("prep_time_minutes"),
    /** For an order placed for later: when the customer wants it delivered. */
    scheduledFor: timestamp("scheduled_for", { withTimezone: true }),
    /** For a slot-based merchant: the delivery slot's id ("2026-11-30T10:00", local time). */
    deliverySlot: text("delivery_slot"),
    /** Highest event sequence projected: an older event never overwrites a newer state. */
    lastEventSeq: integer("last_event_seq").notNull(),
    placedAt: timestamp("placed_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    /** When the reconciler last compared this row with its Order DO (workers/events/reconciler.ts). */
    reconciledAt: timestamp("reconciled_at", { withTimezone: true }),
  },
  (t) => [
    // idempotency: one order per customer and Idempotency-Key
    uniqueIndex("orders_customer_idempotency_key").on(t.customerId, t.idempotencyKey),
    index("orders_customer_placed_idx").on(t.customerId, t.placedAt),
    index("orders_restaurant_status_placed_idx").on(t.restaurantId, t.status, t.placedAt),
    index("orders_courier_idx").on(t.courierId),
    // Operators' overview: orders placed in the last minutes.
    index("orders_placed_idx").on(t.placedAt),
    // The reconciler walks open orders, least recently checked first.
    index("orders_open_reconciled_idx")
      .on(t.reconciledAt)
      .where(sql`${t.status} not in ('delivered', 'rejected', 'cancelled', 'failed')`),
    check(
      "orders_money_nonnegative",
      sql`${t.subtotalMinor} >= 0 and ${t.deliveryFeeMinor} >= 0 and ${t.serviceFeeMinor} >= 0 and ${t.taxMinor} >= 0 and ${t.tipMinor} >= 0`,
    ),
    check(
      "orders_total_is_sum",
      sql`${t.totalMinor} = ${t.subtotalMinor} + ${t.deliveryFeeMinor} + ${t.serviceFeeMinor} + ${t.taxMinor} + ${t.tipMinor} - ${t.discountMinor}`,
    ),
    // A promotion's discount comes off the food only (domain/pricing/promotions.ts).
    check("orders_discount_within_subtotal", sql`${t.discountMinor} >= 0 and ${t.discountMinor} <= ${t.subtotalMinor}`),
  ],
);

/**
 * A customer's rating of one delivered order (at most one: the key). Not a
 * foreign key to orders: the projection may trail the Order DO that allowed it.
 */
export const orderRatings = pgTable(
  "order_ratings",
  {
    orderId: uuid("order_id").primaryKey(),
    customerId: uuid("customer_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    restaurantId: uuid("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "restrict" }),
    courierId: uuid("courier_id").references(() => users.id, { onDelete: "restrict" }),
    restaurantStars: smallint("restaurant_stars").notNull(),
    restaurantComment: text("restaurant_comment"),
    courierStars: smallint("courier_stars"),
    /** Thumbs: true up, false down, null not given. */
    courierPunctuality: boolean("courier_punctuality"),
    courierCare: boolean("courier_care"),
    courierFriendliness: boolean("courier_friendliness"),
    createdAt: createdAt(),
  },
  (t) => [
    index("order_ratings_restaurant_idx").on(t.restaurantId),
    index("order_ratings_courier_idx").on(t.courierId),
    check("order_ratings_restaurant_stars", sql`${t.restaurantStars} between 1 and 5`),
    check("order_ratings_courier_stars", sql`${t.courierStars} is null or ${t.courierStars} between 1 and 5`),
  ],
);

export interface ChosenOption {
  optionId: string;
  groupId: string;
  name: string;
  priceDeltaMinor: number;
}

export const orderItems = pgTable(
  "order_items",
  {
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    lineNo: smallint("line_no").notNull(),
    menuItemId: uuid("menu_item_id")
      .notNull()
      .references(() => menuItems.id, { onDelete: "restrict" }),
    name: text("name").notNull(),
    quantity: smallint("quantity").notNull(),
    unitPriceMinor: integer("unit_price_minor").notNull(),
    options: jsonb("options").$type<ChosenOption[]>().notNull(),
    lineTotalMinor: integer("line_total_minor").notNull(),
  },
  (t) => [
    // idempotency: a line is written once per order
    primaryKey({ columns: [t.orderId, t.lineNo] }),
    check("order_items_quantity_range", sql`${t.quantity} between 1 and 99`),
    check("order_items_money_nonnegative", sql`${t.unitPriceMinor} >= 0 and ${t.lineTotalMinor} >= 0`),
  ],
);

export const orderEvents = pgTable(
  "order_events",
  {
    /** Minted by the Order DO; redelivery of the same event hits this key. */
    id: uuid("id").primaryKey(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    actorId: text("actor_id").notNull(),
    actorRole: text("actor_role").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    projectedAt: timestamp("projected_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // idempotency and ordering: one event per (order, sequence)
    uniqueIndex("order_events_order_seq_key").on(t.orderId, t.seq),
    // Operators' overview: deliveries of the last hour, and the like.
    index("order_events_type_occurred_idx").on(t.type, t.occurredAt),
    check("order_events_seq_positive", sql`${t.seq} >= 1`),
  ],
);

export const payments = pgTable(
  "payments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "restrict" }),
    kind: paymentKind("kind").notNull(),
    provider: text("provider").notNull().default("stripe"),
    /** PaymentIntent id for charges, Refund id for refunds. */
    providerRef: text("provider_ref").notNull(),
    status: text("status").notNull(),
    amountMinor: integer("amount_minor").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    /** The key sent to the provider: one per order and operation. */
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payments_provider_ref_key").on(t.provider, t.providerRef),
    uniqueIndex("payments_idempotency_key").on(t.idempotencyKey),
    index("payments_order_idx").on(t.orderId),
    check("payments_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

/**
 * Failed sign-ins per account, for back-off. Keyed by a hash of the normalised
 * e-mail whether or not an account has it, so the limiter behaves the same for
 * unknown addresses and tells nobody which exist.
 */
export const signInThrottle = pgTable("sign_in_throttle", {
  accountKey: text("account_key").primaryKey(),
  failures: integer("failures").notNull(),
  blockedUntil: timestamp("blocked_until", { withTimezone: true }),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }).notNull(),
  /** Optimistic concurrency: parallel guesses cannot all read the same count. */
  version: integer("version").notNull().default(0),
});

/** Queue messages that exhausted their retries: visible to operators and replayable. */
export const deadLetters = pgTable(
  "dead_letters",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    queue: text("queue").notNull(),
    messageId: text("message_id").notNull(),
    body: jsonb("body").$type<unknown>().notNull(),
    attempts: integer("attempts").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    replayedAt: timestamp("replayed_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("dead_letters_message_key").on(t.queue, t.messageId)],
);

/**
 * Which restaurants a staff member works for. users.restaurant_id is their
 * home restaurant and always one of these; a session may act for any of them.
 */
export const restaurantStaff = pgTable(
  "restaurant_staff",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    restaurantId: uuid("restaurant_id")
      .notNull()
      .references(() => restaurants.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.restaurantId] }),
    index("restaurant_staff_restaurant_idx").on(t.restaurantId),
  ],
);

/**
 * A link that lets a person an operator registered set their password. Only
 * the token's hash is stored; the link is shown once, to the operator.
 */
export const accountInvitations = pgTable(
  "account_invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    /** A newer invitation for the same person voids this one. */
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("account_invitations_token_key").on(t.tokenHash),
    index("account_invitations_user_idx").on(t.userId),
  ],
);

/**
 * Who changed what, when, with the values before and after. Append-only: a
 * trigger (migrations/*_audit_append_only.sql) refuses UPDATE and DELETE. Rows written from order
 * events carry the event id, so a redelivered event never writes twice.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: text("actor_id").notNull(),
    actorRole: text("actor_role").notNull(),
    /** `<entity>.<verb>`, e.g. `restaurant.update`, `order.refund_requested`. */
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    before: jsonb("before").$type<Record<string, unknown> | null>(),
    after: jsonb("after").$type<Record<string, unknown> | null>(),
    note: text("note"),
    requestId: text("request_id"),
    sourceEventId: uuid("source_event_id"),
  },
  (t) => [
    // idempotency: one audit row per order event
    uniqueIndex("audit_log_source_event_key").on(t.sourceEventId),
    index("audit_log_at_idx").on(t.at),
    index("audit_log_entity_idx").on(t.entityType, t.entityId, t.at),
    index("audit_log_actor_idx").on(t.actorId, t.at),
  ],
);

/**
 * Orders that need a person: derived from the order's events by the
 * projection (domain/exceptions), so it is rebuilt the same whatever order
 * the events arrive in. One row per opening event.
 */
export const orderExceptions = pgTable(
  "order_exceptions",
  {
    /** The event that opened it (idempotency). */
    openedEventId: uuid("opened_event_id").primaryKey(),
    orderId: uuid("order_id")
      .notNull()
      .references(() => orders.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    reason: text("reason"),
    openedSeq: integer("opened_seq").notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true }).notNull(),
    details: jsonb("details").$type<Record<string, unknown>>().notNull(),
    resolvedSeq: integer("resolved_seq"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: text("resolved_by"),
    resolution: text("resolution"),
    resolutionNote: text("resolution_note"),
  },
  (t) => [
    index("order_exceptions_open_idx").on(t.openedAt).where(sql`${t.resolvedAt} is null`),
    index("order_exceptions_order_idx").on(t.orderId),
  ],
);
