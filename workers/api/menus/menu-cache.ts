// The menu read path: versioned JSON in KV, with an ETag per menu version so
// clients revalidate with a 304 and no body. Postgres is read only on a miss;
// a menu edit bumps the version and rewrites the entry.
import type { Database } from "../../../db/client.ts";
import { loadMenu, type Menu } from "./menu-repository.ts";

export interface CachedMenu {
  etag: string;
  json: string;
}

const TTL_SECONDS = 3600;

export function menuEtag(menu: Pick<Menu, "restaurantId" | "version">): string {
  return `"menu-${menu.restaurantId}-v${menu.version}"`;
}

const keyOf = (restaurantId: string) => `menu:${restaurantId}`;

export async function readMenu(kv: KVNamespace, db: () => Database, restaurantId: string): Promise<CachedMenu | null> {
  const cached = await kv.get<CachedMenu>(keyOf(restaurantId), "json");
  if (cached) return cached;
  const menu = await loadMenu(db(), restaurantId);
  if (!menu) return null;
  const entry: CachedMenu = { etag: menuEtag(menu), json: JSON.stringify(menu) };
  await kv.put(keyOf(restaurantId), JSON.stringify(entry), { expirationTtl: TTL_SECONDS });
  return entry;
}

/**
 * Rewrites the entry from Postgres right after an edit, so the editor's next
 * read (and the next order priced) already sees the new version. Two edits
 * racing can leave the older one in KV; the queue consumer calls this again
 * after each edit, and it always reads the newest committed menu.
 */
export async function refreshMenu(kv: KVNamespace, db: Database, restaurantId: string): Promise<CachedMenu | null> {
  const menu = await loadMenu(db, restaurantId);
  if (!menu) {
    await invalidateMenu(kv, restaurantId);
    return null;
  }
  const entry: CachedMenu = { etag: menuEtag(menu), json: JSON.stringify(menu) };
  await kv.put(keyOf(restaurantId), JSON.stringify(entry), { expirationTtl: TTL_SECONDS });
  return entry;
}

export async function invalidateMenu(kv: KVNamespace, restaurantId: string): Promise<void> {
  await kv.delete(keyOf(restaurantId));
}
