// Orders as the event projection writes them: the order, its lines, its
// events, payments, ratings and exceptions. Projections rely on the unique
// keys marked "idempotency": a redelivered event must never create a second row.
import { sql } from "drizzle-orm";
import {
  boolean,
  char,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./schema-accounts.ts";
import { createdAt, orderStatus, paymentKind } from "./schema-common.ts";
import { menuItems, restaurants } from "./schema-restaurants.ts";

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
    /** tax_minor is contained in the prices (a VAT-inclusive area), not added to the total. */
    taxIncluded: boolean("tax_included").notNull().default(false),
    /** The part of tax_minor on the food; the rest is on the fees. The ledger splits who remits it by this. */
    itemsTaxMinor: integer("items_tax_minor").notNull().default(0),
    smallOrderFeeMinor: integer("small_order_fee_minor").notNull().default(0),
    tipMinor: integer("tip_minor").notNull().default(0),
    totalMinor: integer("total_minor").notNull(),
    /**
     * Added to total_minor so Stripe can charge it: a three-decimal currency's total rounded to 10 fils
     * (−4..+5; 0 elsewhere). The ledger books it to platform:rounding (domain/pricing/final-price.ts).
     */
    roundingMinor: integer("rounding_minor").notNull().default(0),
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
      sql`${t.subtotalMinor} >= 0 and ${t.deliveryFeeMinor} >= 0 and ${t.serviceFeeMinor} >= 0 and ${t.taxMinor} >= 0 and ${t.tipMinor} >= 0 and ${t.smallOrderFeeMinor} >= 0 and ${t.itemsTaxMinor} between 0 and ${t.taxMinor}`,
    ),
    check(
      "orders_total_is_sum",
      sql`${t.totalMinor} = ${t.subtotalMinor} + ${t.deliveryFeeMinor} + ${t.serviceFeeMinor} + ${t.smallOrderFeeMinor} + (case when ${t.taxIncluded} then 0 else ${t.taxMinor} end) + ${t.tipMinor} - ${t.discountMinor} + ${t.roundingMinor}`,
    ),
    check("orders_rounding_within_half_step", sql`${t.roundingMinor} between -4 and 5`),
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
    /** The restaurant's one public reply; editing replaces it (decision 51). */
    replyText: text("reply_text"),
    replyBy: uuid("reply_by").references(() => users.id, { onDelete: "set null" }),
    repliedAt: timestamp("replied_at", { withTimezone: true }),
    /** Moderation: the comment is withheld from everyone but admins; the stars still count. */
    hiddenAt: timestamp("hidden_at", { withTimezone: true }),
    hiddenBy: uuid("hidden_by").references(() => users.id, { onDelete: "set null" }),
    hiddenReason: text("hidden_reason"),
  },
  (t) => [
    index("order_ratings_restaurant_idx").on(t.restaurantId),
    index("order_ratings_restaurant_recent_idx").on(t.restaurantId, t.createdAt, t.orderId),
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
