// "A restaurant or its menu changed": sent by the management API after each
// commit, consumed by the queue handler, which re-reads Postgres and rewrites
// the derived copies (D1 discovery row, KV menu). The message carries only the
// id, never the new values, so redelivered or reordered messages all converge
// on whatever Postgres holds when they are processed.
import type { Database } from "../../db/client.ts";
import { logLine } from "../api/http/log.ts";
import { refreshMenu } from "../api/menus/menu-cache.ts";
import type { Env } from "../env.ts";
import { refreshRestaurantIndex } from "./index-writer.ts";

export interface RestaurantChangedMessage {
  kind: "restaurant_changed";
  restaurantId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isRestaurantChangedMessage(body: unknown): body is RestaurantChangedMessage {
  const b = body as Partial<RestaurantChangedMessage> | null;
  return !!b && b.kind === "restaurant_changed" && typeof b.restaurantId === "string" && UUID.test(b.restaurantId);
}

export function restaurantChanged(restaurantId: string): RestaurantChangedMessage {
  return { kind: "restaurant_changed", restaurantId };
}

/** Both derived copies of one restaurant, from Postgres as it is now. */
export async function refreshRestaurantCopies(
  env: Pick<Env, "DISCOVERY" | "MENU_CACHE">,
  db: Database,
  restaurantId: string,
): Promise<void> {
  await refreshRestaurantIndex(env.DISCOVERY, db, restaurantId);
  await refreshMenu(env.MENU_CACHE, db, restaurantId);
}

/**
 * Handles every restaurant_changed message of a batch. A burst of edits to one
 * restaurant arrives as several messages; one refresh serves all of them,
 * since each refresh reads the latest state anyway.
 */
export async function handleRestaurantChanges(
  env: Pick<Env, "DISCOVERY" | "MENU_CACHE">,
  db: Database,
  messages: ReadonlyArray<Message<RestaurantChangedMessage>>,
): Promise<void> {
  const byRestaurant = new Map<string, Array<Message<RestaurantChangedMessage>>>();
  for (const m of messages) {
    const list = byRestaurant.get(m.body.restaurantId) ?? [];
    list.push(m);
    byRestaurant.set(m.body.restaurantId, list);
  }
  for (const [restaurantId, group] of byRestaurant) {
    try {
      await refreshRestaurantCopies(env, db, restaurantId);
      for (const m of group) m.ack();
    } catch (err) {
      const attempts = Math.max(...group.map((m) => m.attempts));
      logLine("warn", "queue.restaurant_refresh_failed", { restaurantId, attempts, error: String(err) });
      for (const m of group) m.retry({ delaySeconds: Math.min(300, 2 ** m.attempts) });
    }
  }
}
