// Who an audience is, with what the channels need: e-mail, phone, language,
// preferences and push subscriptions. One query per kind of fact per event.
import { and, eq, inArray, isNull } from "drizzle-orm";
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
  // Staff of a restaurant: its members, and those whose home restaurant it is (accounts made before memberships).
  const [members, homes] =
    restaurants.length === 0
      ? [[], []]
      : await Promise.all([
          db
            .select({ userId: restaurantStaff.userId, restaurantId: restaurantStaff.restaurantId })
            .from(restaurantStaff)
            .where(inArray(restaurantStaff.restaurantId, restaurants)),
          db
            .select({ userId: users.id, restaurantId: users.restaurantId })
            .from(users)
            .where(and(inArray(users.restaurantId, restaurants), eq(users.role, "restaurant_staff"))),
        ]);
  const staff = [...members, ...homes];
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
  const [rows, prefs, phones, subs] = await Promise.all([
    db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(and(inArray(users.id, ids), isNull(users.deactivatedAt))),
    db.select().from(notificationPreferences).where(inArray(notificationPreferences.userId, ids)),
    db.select({ userId: couriers.userId, phone: couriers.phone }).from(couriers).where(inArray(couriers.userId, ids)),
    db
      .select({ userId: pushSubscriptions.userId, id: pushSubscriptions.id })
      .from(pushSubscriptions)
      .where(inArray(pushSubscriptions.userId, ids)),
  ]);
  for (const row of rows) {
    const p = withDefaults(prefs.find((x) => x.userId === row.id)?.settings);
    result.set(row.id, {
      userId: row.id,
      email: row.email,
      phone: p.phone ?? phones.find((x) => x.userId === row.id)?.phone ?? null,
      prefs: p,
      pushTargets: subs.filter((s) => s.userId === row.id).length,
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
