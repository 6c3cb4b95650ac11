// Who an audience is, with what the channels need: e-mail, phone, language,
// preferences and push subscriptions. One statement for the staff of all the
// restaurants asked about and one for all the users' contacts, whatever their number.
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { couriers, restaurantStaff, users } from "../../db/schema.ts";
import { notificationPreferences, pushSubscriptions } from "../../db/schema-notifications.ts";
import { type NotificationPreferences, withDefaults } from "../../domain/notifications/preferences.ts";
import type { Audience } from "../../domain/notifications/routing.ts";

export interface Recipient {
  userId: string;
  email: string;
  phone: string | null;
  prefs: NotificationPreferences;
  pushTargets: number;
}

export async function expandAudiences(db: Database, audiences: readonly Audience[]): Promise<Map<string, string[]>> {
  const byAudience = new Map<string, string[]>();
  const restaurants = [...new Set(audiences.filter((a) => a.kind === "restaurant").map((a) => a.restaurantId))];
  // Staff of a restaurant: its members, and those whose home restaurant it is (accounts made before memberships),
  // in one statement, so a queue batch pays one round trip for all its restaurants.
  const staff =
    restaurants.length === 0
      ? []
      : await db
          .select({ userId: restaurantStaff.userId, restaurantId: restaurantStaff.restaurantId })
          .from(restaurantStaff)
          .where(inArray(restaurantStaff.restaurantId, restaurants))
          .unionAll(
            db
              .select({ userId: users.id, restaurantId: sql<string>`${users.restaurantId}` })
              .from(users)
              .where(and(inArray(users.restaurantId, restaurants), eq(users.role, "restaurant_staff"))),
          );
  for (const a of audiences) {
    const key = audienceKey(a);
    if (a.kind === "user") byAudience.set(key, [a.userId]);
    else
      byAudience.set(
        key,
        staff.filter((s) => s.restaurantId === a.restaurantId).map((s) => s.userId),
      );
  }
  return byAudience;
}

export function audienceKey(a: Audience): string {
  return a.kind === "user" ? `user:${a.userId}` : `restaurant:${a.restaurantId}`;
}

/** Active users only: a deactivated account is told nothing. */
export async function loadRecipients(db: Database, userIds: readonly string[]): Promise<Map<string, Recipient>> {
  const ids = [...new Set(userIds)];
  const result = new Map<string, Recipient>();
  if (ids.length === 0) return result;
  // One statement (one round trip) for the users and everything the channels need: users,
  // notification_preferences and couriers are keyed by user id, so the joins add no rows.
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      settings: notificationPreferences.settings,
      courierPhone: couriers.phone,
      pushTargets: sql<number>`(select count(*) from ${pushSubscriptions} where ${pushSubscriptions.userId} = ${users.id})::int`,
    })
    .from(users)
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
    .leftJoin(couriers, eq(couriers.userId, users.id))
    .where(and(inArray(users.id, ids), isNull(users.deactivatedAt)));
  for (const row of rows) {
    const p = withDefaults(row.settings ?? undefined);
    result.set(row.id, {
      userId: row.id,
      email: row.email,
      phone: p.phone ?? row.courierPhone ?? null,
      prefs: p,
      pushTargets: Number(row.pushTargets),
    });
  }
  return result;
}

export async function contactOf(db: Database, userId: string): Promise<Recipient | undefined> {
  return (await loadRecipients(db, [userId])).get(userId);
}

export async function pushTargetsOf(db: Database, userId: string) {
  return db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId));
}
