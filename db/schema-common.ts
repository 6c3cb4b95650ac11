// What the schema's parts share: the enums and the created_at column.
// Money is always integer minor units next to an ISO 4217 currency.
import { pgEnum, timestamp } from "drizzle-orm/pg-core";

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

export const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
