// GET /v1/restaurants: the D1 index answers; Postgres answers only when the
// index is empty (a fresh database, or after it was dropped) or failing, and
// an empty index is rebuilt in the background so the next request uses it.
import { type Database, openDb } from "../../db/client.ts";
import type { RatingSummary } from "../../domain/discovery/rating-rank.ts";
import { logLine } from "../api/http/log.ts";
import type { Env } from "../env.ts";
import { rebuildDiscoveryIndex } from "./index-writer.ts";
import {
  type D1Search,
  type DiscoveredRestaurant,
  type DiscoveryQuery,
  rankCandidates,
  searchD1,
  searchPostgres,
} from "./search.ts";

export type DiscoverySource = "d1" | "postgres";

export interface DiscoverOptions {
  d1: D1Database;
  db: () => Database;
  now: Date;
  /** Called once when the index turns out to be empty; schedules a rebuild. */
  onEmptyIndex: () => void;
  onIndexError: (error: unknown) => void;
  /** Customers' ratings per restaurant, a ranking signal; none when they cannot be read. */
  ratings?: () => Promise<ReadonlyMap<string, RatingSummary>>;
}

export async function discoverRestaurants(
  query: DiscoveryQuery,
  options: DiscoverOptions,
): Promise<{ restaurants: DiscoveredRestaurant[]; source: DiscoverySource }> {
  let found: D1Search | undefined;
  const ratingsRead = options.ratings ? options.ratings() : Promise.resolve(new Map<string, RatingSummary>());
  try {
    found = await searchD1(options.d1, query);
  } catch (err) {
    // The index is a cache: when D1 fails the request is still answered, more slowly.
    options.onIndexError(err);
  }
  const ratings = await ratingsRead;
  if (found?.kind === "rows")
    return { restaurants: rankCandidates(found.candidates, query, options.now, ratings), source: "d1" };
  if (found?.kind === "empty_index") options.onEmptyIndex();
  const candidates = await searchPostgres(options.db(), query);
  return { restaurants: rankCandidates(candidates, query, options.now, ratings), source: "postgres" };
}

/** KV marker that damps a burst of requests on an empty index into (about) one rebuild. */
const REBUILD_MARKER = "discovery:rebuild-running";
/** KV's minimum TTL; a crashed rebuild blocks the next automatic one for at most this long. */
const REBUILD_MARKER_TTL_SECONDS = 60;

/**
 * A full rebuild with its own Postgres pool: it runs in waitUntil, after the
 * request's pool is closed. KV is not a lock, so two isolates may both start;
 * rebuilds are idempotent and converge, the marker only saves the work.
 */
export async function rebuildInBackground(env: Env): Promise<void> {
  if (await env.MENU_CACHE.get(REBUILD_MARKER)) return;
  await env.MENU_CACHE.put(REBUILD_MARKER, new Date().toISOString(), { expirationTtl: REBUILD_MARKER_TTL_SECONDS });
  const { db, close } = openDb(env, 2);
  try {
    const result = await rebuildDiscoveryIndex(env.DISCOVERY, db);
    logLine("info", "discovery.rebuilt", { trigger: "empty_index", ...result });
  } catch (err) {
    logLine("error", "discovery.rebuild_failed", { trigger: "empty_index", error: String(err) });
  } finally {
    await close().catch(() => {});
    await env.MENU_CACHE.delete(REBUILD_MARKER).catch(() => {});
  }
}
