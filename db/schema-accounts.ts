// People and their access: users, sessions (refresh tokens), sign-in
// throttling, couriers, restaurant staff and invitations.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, userRole, vehicleType } from "./schema-common.ts";
import { deliveryAreas, restaurants } from "./schema-restaurants.ts";

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
