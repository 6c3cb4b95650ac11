// Operators' surge settings, one row per delivery area (issue 16, decision
// 0040). No row means surge is off for the area. The live level is not here:
// it is derived from the city map every few seconds and kept in KV.
import { sql } from "drizzle-orm";
import { boolean, check, doublePrecision, integer, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { deliveryAreas } from "./schema.ts";

export const surgePolicies = pgTable(
  "surge_policies",
  {
    zoneId: uuid("zone_id")
      .primaryKey()
      .references(() => deliveryAreas.id, { onDelete: "cascade" }),
    enabled: boolean("enabled").notNull(),
    startRatio: doublePrecision("start_ratio").notNull(),
    fullRatio: doublePrecision("full_ratio").notNull(),
    capBps: integer("cap_bps").notNull(),
    halfLifeSeconds: integer("half_life_seconds").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "surge_policies_bounds",
      sql`${t.startRatio} > 0 and ${t.fullRatio} > ${t.startRatio} and ${t.capBps} between 10000 and 30000 and ${t.halfLifeSeconds} between 0 and 3600`,
    ),
  ],
);
