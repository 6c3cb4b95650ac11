// The menu read path: versioned JSON in KV, with an ETag per menu version so
// clients revalidate with a 304 and no body. Postgres is read only on a miss;
// a menu edit bumps the version and rewrites the entry. The entry also holds
// the restaurant's ordering profile (location, radius, hours), so placing an
// order needs no Postgres read at all.
import type { Database } from "../../../db/client.ts";
import { IsolateMemo } from "../cache/isolate-memo.ts";
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

/** A KV entry as this isolate keeps it: the menu itself is parsed only when pricing asks for it. */
interface MemoEntry {
  entry: CachedMenu;
  menu: Menu | null;
}

// Every placement, quote and menu read of a restaurant reads the same entry; the memo spares
// the KV read within its fresh window and both JSON parses while the entry is unchanged.
const memo = new IsolateMemo<MemoEntry>();

function usable(cached: CachedMenu | null): cached is CachedMenu {
  // Entries written before the ordering profile (or its kitchen fields) was cached count as a miss.
  return !!cached?.ordering && Array.isArray(cached.ordering.specialDays);
}

/** Where a read found the menu: this isolate's memo, KV, or Postgres (a KV miss). */
export type MenuSource = "memo" | "kv" | "db";

async function readMemo(
  kv: KVNamespace,
  db: () => Database,
  restaurantId: string,
): Promise<{ value: MemoEntry; source: MenuSource } | null> {
  const key = keyOf(restaurantId);
  const now = Date.now();
  const fresh = memo.fresh(key, now);
  if (fresh) return { value: fresh, source: "memo" };
  const raw = await kv.get(key, "text");
  if (raw !== null) {
    const value = memo.resolve(key, raw, now, (text) => ({ entry: JSON.parse(text) as CachedMenu, menu: null }));
    if (usable(value.entry)) return { value, source: "kv" };
    memo.forget(key);
  }
  const entry = await refreshMenu(kv, db(), restaurantId);
  return entry ? { value: memo.fresh(key, Date.now()) ?? { entry, menu: null }, source: "db" } : null;
}

export async function readMenu(kv: KVNamespace, db: () => Database, restaurantId: string): Promise<CachedMenu | null> {
  return (await readMemo(kv, db, restaurantId))?.value.entry ?? null;
}

/** `readMenu` that also says where the menu came from (for the `Server-Timing` header of the public read). */
export async function readMenuWithSource(
  kv: KVNamespace,
  db: () => Database,
  restaurantId: string,
): Promise<{ entry: CachedMenu; source: MenuSource } | null> {
  const read = await readMemo(kv, db, restaurantId);
  return read && { entry: read.value.entry, source: read.source };
}

/**
 * The entry with its menu parsed, for pricing. Shared by every request of this
 * isolate while the entry is unchanged: callers must not modify either object.
 */
export async function readMenuForPricing(
  kv: KVNamespace,
  db: () => Database,
  restaurantId: string,
): Promise<{ entry: CachedMenu; menu: Menu } | null> {
  const value = (await readMemo(kv, db, restaurantId))?.value;
  if (!value) return null;
  value.menu ??= JSON.parse(value.entry.json) as Menu;
  return { entry: value.entry, menu: value.menu };
}

/**
 * Rewrites the entry from Postgres right after an edit, so the editor's next
 * read (and the next order priced) already sees the new version. Two edits
 * racing can leave the older one in KV; the queue consumer calls this again
 * after each edit, and it always reads the newest committed menu.
 */
export async function refreshMenu(kv: KVNamespace, db: Database, restaurantId: string): Promise<CachedMenu | null> {
  // Forgotten first: if the refresh fails half-way, the next read goes back to KV, as without a memo.
  memo.forget(keyOf(restaurantId));
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
  const raw = JSON.stringify(entry);
  await kv.put(keyOf(restaurantId), raw, { expirationTtl: TTL_SECONDS });
  memo.set(keyOf(restaurantId), raw, { entry, menu: null }, Date.now());
  return entry;
}

export async function invalidateMenu(kv: KVNamespace, restaurantId: string): Promise<void> {
  memo.forget(keyOf(restaurantId));
  await kv.delete(keyOf(restaurantId));
}
