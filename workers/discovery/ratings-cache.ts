// Customers' ratings per restaurant for discovery's ranking and rating filter,
// cached in KV: the listing is the hottest read and stays off Postgres (the
// D1 index answers it, decision 0007); one grouped query refills the cache at
// most once a minute, and a new rating clears it.
import { avg, count } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { orderRatings } from "../../db/schema.ts";
import type { RatingSummary } from "../../domain/discovery/rating-rank.ts";

const KEY = "discovery:restaurant-ratings";
// KV's minimum; a rating clears the key at once, so this only bounds a missed clear.
const TTL_SECONDS = 60;

/** [restaurantId, average, count] rows: a compact value for a city's worth of restaurants. */
type Cached = Array<[string, number, number]>;

export async function restaurantRatings(
  kv: KVNamespace,
  db: () => Database,
): Promise<ReadonlyMap<string, RatingSummary>> {
  const cached = await kv.get<Cached>(KEY, "json");
  if (cached) return new Map(cached.map(([id, average, n]) => [id, { average, count: n }]));
  const rows = await db()
    .select({ id: orderRatings.restaurantId, average: avg(orderRatings.restaurantStars), count: count() })
    .from(orderRatings)
    .groupBy(orderRatings.restaurantId);
  const entries: Cached = rows.map((r) => [r.id, Number(r.average ?? 0), r.count]);
  await kv.put(KEY, JSON.stringify(entries), { expirationTtl: TTL_SECONDS });
  return new Map(entries.map(([id, average, n]) => [id, { average, count: n }]));
}

export async function invalidateRestaurantRatings(kv: KVNamespace): Promise<void> {
  await kv.delete(KEY);
}
