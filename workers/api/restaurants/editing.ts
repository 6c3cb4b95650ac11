// What every restaurant-management endpoint shares: who may edit, the menu
// version bump inside the edit's transaction, and the refresh of the derived
// copies after commit.
//
// Every menu edit bumps restaurants.menu_version in the same transaction as
// the edit, so a version names exactly one menu: orders priced from it keep
// it, and the menu's ETag changes. After commit the KV entry is rewritten at
// once (read-your-writes for the editor and the next order) and a
// restaurant_changed message lets the queue consumer refresh D1 and KV again.
import { eq, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { restaurants } from "../../../db/schema.ts";
import type { Principal } from "../../../domain/auth/principal.ts";
import { refreshRestaurantIndex } from "../../discovery/index-writer.ts";
import { refreshRestaurantCopies, restaurantChanged } from "../../discovery/restaurant-changed.ts";
import type { AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { refreshMenu } from "../menus/menu-cache.ts";

export function assertRestaurantEditor(principal: Principal, restaurantId: string): void {
  if (principal.role === "admin") return;
  if (principal.role === "restaurant_staff" && principal.restaurantId === restaurantId) return;
  throw new ApiError(403, "not_restaurant_staff", "Only this restaurant's staff or an admin can change it.");
}

export const restaurantNotFound = () => new ApiError(404, "restaurant_not_found", "No restaurant has this id.");

/** Postgres unique violation, whether drizzle wrapped the driver's error or not. */
export function isUniqueViolation(err: unknown): boolean {
  return hasPgCode(err, "23505");
}

/** Postgres check or foreign-key violation. */
export function hasPgCode(err: unknown, code: string): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/** Inside a menu transaction: the restaurant row is locked first, so edits of one menu serialise on it. */
export async function bumpMenuVersion(
  tx: Transaction,
  restaurantId: string,
): Promise<{ menuVersion: number; currency: string }> {
  const [row] = await tx
    .update(restaurants)
    .set({ menuVersion: sql`${restaurants.menuVersion} + 1` })
    .where(eq(restaurants.id, restaurantId))
    .returning({ menuVersion: restaurants.menuVersion, currency: restaurants.currency });
  if (!row) throw restaurantNotFound();
  return row;
}

export interface AfterCommitOptions {
  /**
   * Rewrite the discovery row now instead of leaving it to the queue: hours,
   * pauses and labels must show in discovery at once, not a queue hop later.
   */
  discoveryNow?: boolean;
}

/**
 * After a committed change: the KV entry (menu and ordering profile) now, and the
 * event for the consumer. Both are best effort here; the commit stands, and
 * whatever fails is caught up by the consumer or, failing that, a rebuild.
 */
export async function afterCommit(
  c: AppContext,
  restaurantId: string,
  options: AfterCommitOptions = {},
): Promise<void> {
  // Always: the cached entry carries the ordering profile (hours, radius) as well as the menu.
  try {
    await refreshMenu(c.env.MENU_CACHE, c.var.db, restaurantId);
  } catch (err) {
    log(c, "error", "menu.cache_refresh_failed", { restaurantId, error: String(err) });
  }
  if (options.discoveryNow) {
    try {
      await refreshRestaurantIndex(c.env.DISCOVERY, c.var.db, restaurantId);
    } catch (err) {
      log(c, "error", "discovery.refresh_failed", { restaurantId, error: String(err) });
    }
  }
  try {
    await c.env.EVENTS.send(restaurantChanged(restaurantId), { contentType: "json" });
  } catch (err) {
    // Without the event nothing would refresh D1, so do it from here instead.
    log(c, "error", "restaurant.event_send_failed", { restaurantId, error: String(err) });
    c.executionCtx.waitUntil(
      refreshRestaurantCopies(c.env, c.var.db, restaurantId).catch((e: unknown) =>
        log(c, "error", "restaurant.refresh_failed", { restaurantId, error: String(e) }),
      ),
    );
  }
}
