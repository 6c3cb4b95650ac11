// The menu read path: versioned JSON in KV, with an ETag per menu version so
// clients revalidate with a 304 and no body. Postgres is read only on a miss;
// a menu edit bumps the version and rewrites the entry. The entry also holds
// the restaurant's ordering profile (location, radius, hours), so placing an
// order needs no Postgres read at all.
import type { Database } from "../../../db/client.ts";
import { loadMenuWithProfile, type Menu, type OrderingProfile } from "./menu-repository.ts";

export interface CachedMenu {
  etag: string;
  json: string;
  ordering: OrderingProfile;
}

const TTL_SECONDS = 3600;

export function menuEtag(menu: Pick<Menu, "restaurantId" | "version">): string {
  return `"menu-${menu.restaurantId}-v${menu.version}"`;
}

const keyOf = (restaurantId: string) => `menu:${restaurantId}`;

export async function readMenu(kv: KVNamespace, db: () => Database, restaurantId: string): Promise<CachedMenu | null> {
  const cached = await kv.get<CachedMenu>(keyOf(restaurantId), "json");
  // Entries written before the ordering profile (or its kitchen fields) was cached count as a miss.
  if (cached?.ordering && Array.isArray(cached.ordering.specialDays)) return cached;
  return refreshMenu(kv, db(), restaurantId);
}

/**
 * Rewrites the entry from Postgres right after an edit, so the editor's next
 * read (and the next order priced) already sees the new version. Two edits
 * racing can leave the older one in KV; the queue consumer calls this again
 * after each edit, and it always reads the newest committed menu.
 */
export async function refreshMenu(kv: KVNamespace, db: Database, restaurantId: string): Promise<CachedMenu | null> {
  const loaded = await loadMenuWithProfile(db, restaurantId);
  if (!loaded) {
    await invalidateMenu(kv, restaurantId);
    return null;
  }
  const entry: CachedMenu = {
    etag: menuEtag(loaded.menu),
    json: JSON.stringify(loaded.menu),
    ordering: loaded.ordering,
  };
  await kv.put(keyOf(restaurantId), JSON.stringify(entry), { expirationTtl: TTL_SECONDS });
  return entry;
}

export async function invalidateMenu(kv: KVNamespace, restaurantId: string): Promise<void> {
  await kv.delete(keyOf(restaurantId));
}
