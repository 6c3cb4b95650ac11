// Promotion codes and their redemptions (docs/decisions/0041-promotions.md).
// The rules are pure (domain/pricing/promotions.ts); these tables hold the
// facts the rules need and enforce what must hold whatever code runs: a
// promotion never spends more than its budget (a check on the row every
// redemption updates), and an order redeems at most one promotion once.
import { sql } from "drizzle-orm";
import { boolean, char, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { restaurants, users } from "./schema.ts";

export const promotions = pgTable(
  "promotions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Upper case (domain/pricing/promotions.ts normalizeCode). */
    code: text("code").notNull(),
    kind: text("kind").notNull(),
    percentBps: integer("percent_bps"),
    amountMinor: integer("amount_minor"),
    maxDiscountMinor: integer("max_discount_minor"),
    currency: char("currency", { length: 3 }).notNull(),
    minOrderMinor: integer("min_order_minor").notNull().default(0),
    firstOrderOnly: boolean("first_order_only").notNull().default(false),
    perCustomerLimit: integer("per_customer_limit"),
    budgetMinor: integer("budget_minor"),
    /** Discount held by redemptions not released; never above the budget. */
    spentMinor: integer("spent_minor").notNull().default(0),
    redemptions: integer("redemptions").notNull().default(0),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    fundedBy: text("funded_by").notNull(),
    restaurantId: uuid("restaurant_id").references(() => restaurants.id, { onDelete: "restrict" }),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("promotions_code_key").on(t.code),
    index("promotions_restaurant_idx").on(t.restaurantId),
    check("promotions_kind", sql`${t.kind} in ('percent', 'fixed')`),
    check("promotions_funded_by", sql`${t.fundedBy} in ('platform', 'restaurant')`),
    check("promotions_restaurant_funds_own", sql`${t.fundedBy} = 'platform' or ${t.restaurantId} is not null`),
    check("promotions_within_budget", sql`${t.budgetMinor} is null or ${t.spentMinor} <= ${t.budgetMinor}`),
    check("promotions_spent_nonnegative", sql`${t.spentMinor} >= 0 and ${t.redemptions} >= 0`),
  ],
);

/** One per order that used a code; released (not deleted) when the order is called off. */
export const promotionRedemptions = pgTable(
  "promotion_redemptions",
  {
    /** idempotency: a retried placement finds its own redemption. */
    orderId: uuid("order_id").primaryKey(),
    promotionId: uuid("promotion_id")
      .notNull()
      .references(() => promotions.id, { onDelete: "restrict" }),
    customerId: uuid("customer_id").notNull(),
    discountMinor: integer("discount_minor").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    redeemedAt: timestamp("redeemed_at", { withTimezone: true }).notNull().defaultNow(),
    releasedAt: timestamp("released_at", { withTimezone: true }),
  },
  (t) => [
    index("promotion_redemptions_customer_idx").on(t.promotionId, t.customerId),
    index("promotion_redemptions_customer_any_idx").on(t.customerId),
    check("promotion_redemptions_discount_positive", sql`${t.discountMinor} > 0`),
  ],
);
