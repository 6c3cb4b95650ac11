// Writes the D1 discovery index from Postgres: one restaurant after a change
// event, or everything (a rebuild). Restaurants travel to D1 as one JSON
// parameter expanded with json_each, so a page of hundreds of restaurants is
// a handful of statements in one `batch` (one transaction) instead of several
// per restaurant, which keeps a rebuild far below D1's per-invocation query cap.
//
// Idempotent: a row is only rewritten when its content hash changes, so the
// same input leaves the same row. A rebuild never overwrites or sweeps a row
// that an event refreshed after the rebuild started (updated_at guard): that
// row was read from Postgres later than the rebuild's own snapshot.
import { and, asc, eq, gt, inArray, isNull } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { menuItems, restaurants } from "../../db/schema.ts";
import { encodeGeohash, ZONE_PRECISION } from "../../domain/geo/geohash.ts";
import { itemProfiles } from "../../domain/menu/labels.ts";

/** One D1 row, in the shape the SQL below reads with json_extract. */
interface IndexDocument {
  id: string;
  slug: string;
  name: string;
  description: string;
  cuisines: string;
  cuisinesText: string;
  address: string;
  lat: number;
  lng: number;
  cell: string;
  deliveryRadiusM: number;
  prepTimeMinutes: number;
  currency: string;
  timeZone: string;
  openingHours: string;
  specialDays: string;
  pausedUntil: number | null;
  itemProfiles: string;
  fulfilment: string;
  acceptsScheduled: 0 | 1;
  active: 0 | 1;
  dishes: string;
  contentHash: string;
}

interface MenuFacts {
  dishes: string[];
  /** Available items' labels, for the dietary and allergen filters. */
  labels: Array<{ dietaryTags: string[]; allergens: string[] }>;
}

type RestaurantRow = typeof restaurants.$inferSelect;

/** Restaurants per rebuild page: one Postgres round trip for rows, one for dishes, one D1 batch. */
export const REBUILD_PAGE_SIZE = 250;
/** Guard value for refreshes driven by an event: they are always newer than any rebuild. */
const NO_GUARD = Number.MAX_SAFE_INTEGER;

const encoder = new TextEncoder();

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Enough text for any real menu; a runaway one is cut at a dish boundary rather than bloating the index. */
const MAX_DISH_TEXT = 32_000;

function searchableDishes(names: readonly string[]): string {
  const text = names.join("\n");
  if (text.length <= MAX_DISH_TEXT) return text;
  const cut = text.slice(0, MAX_DISH_TEXT);
  return cut.slice(0, Math.max(0, cut.lastIndexOf("\n")));
}

async function documentOf(row: RestaurantRow, facts: MenuFacts): Promise<IndexDocument> {
  const content = {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    cuisines: JSON.stringify(row.cuisines),
    cuisinesText: row.cuisines.join(" "),
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    cell: encodeGeohash(row.lat, row.lng, ZONE_PRECISION),
    deliveryRadiusM: row.deliveryRadiusM,
    prepTimeMinutes: row.prepTimeMinutes,
    currency: row.currency,
    timeZone: row.timeZone,
    openingHours: JSON.stringify(row.openingHours),
    specialDays: JSON.stringify(row.specialDays),
    pausedUntil: row.pausedUntil?.getTime() ?? null,
    itemProfiles: JSON.stringify(itemProfiles(facts.labels)),
    fulfilment: row.fulfilment,
    acceptsScheduled: row.acceptsScheduledOrders ? (1 as const) : (0 as const),
    active: row.active ? (1 as const) : (0 as const),
    dishes: searchableDishes(facts.dishes),
  };
  return { ...content, contentHash: await sha256Hex(JSON.stringify(content)) };
}

/** Dish names (sorted, so the same menu always gives the same document) and labels per restaurant. */
async function menuFactsOf(db: Database, restaurantIds: string[]): Promise<Map<string, MenuFacts>> {
  const byRestaurant = new Map<string, MenuFacts>();
  if (restaurantIds.length === 0) return byRestaurant;
  const rows = await db
    .select({
      restaurantId: menuItems.restaurantId,
      name: menuItems.name,
      available: menuItems.available,
      dietaryTags: menuItems.dietaryTags,
      allergens: menuItems.allergens,
    })
    .from(menuItems)
    .where(and(inArray(menuItems.restaurantId, restaurantIds), isNull(menuItems.archivedAt)))
    .orderBy(asc(menuItems.restaurantId), asc(menuItems.name));
  for (const r of rows) {
    const facts = byRestaurant.get(r.restaurantId) ?? { dishes: [], labels: [] };
    if (facts.dishes.at(-1) !== r.name) facts.dishes.push(r.name);
    if (r.available) facts.labels.push({ dietaryTags: r.dietaryTags, allergens: r.allergens });
    byRestaurant.set(r.restaurantId, facts);
  }
  return byRestaurant;
}

async function documentsOf(db: Database, rows: RestaurantRow[]): Promise<IndexDocument[]> {
  const facts = await menuFactsOf(
    db,
    rows.map((r) => r.id),
  );
  return Promise.all(rows.map((r) => documentOf(r, facts.get(r.id) ?? { dishes: [], labels: [] })));
}

const UPSERT_ROWS = `
INSERT INTO restaurants (id, slug, name, description, cuisines, address, lat, lng, cell, delivery_radius_m,
                         prep_time_minutes, currency, time_zone, opening_hours, special_days, paused_until,
                         item_profiles, fulfilment, accepts_scheduled, active, content_hash, updated_at)
SELECT json_extract(d.value, '$.id'), json_extract(d.value, '$.slug'), json_extract(d.value, '$.name'),
       json_extract(d.value, '$.description'), json_extract(d.value, '$.cuisines'), json_extract(d.value, '$.address'),
       json_extract(d.value, '$.lat'), json_extract(d.value, '$.lng'), json_extract(d.value, '$.cell'),
       json_extract(d.value, '$.deliveryRadiusM'), json_extract(d.value, '$.prepTimeMinutes'),
       json_extract(d.value, '$.currency'), json_extract(d.value, '$.timeZone'), json_extract(d.value, '$.openingHours'),
       json_extract(d.value, '$.specialDays'), json_extract(d.value, '$.pausedUntil'),
       json_extract(d.value, '$.itemProfiles'), json_extract(d.value, '$.fulfilment'),
       json_extract(d.value, '$.acceptsScheduled'),
       json_extract(d.value, '$.active'), json_extract(d.value, '$.contentHash'), ?2
  FROM json_each(?1) AS d
 WHERE true
ON CONFLICT (id) DO UPDATE SET
  slug = excluded.slug, name = excluded.name, description = excluded.description, cuisines = excluded.cuisines,
  address = excluded.address, lat = excluded.lat, lng = excluded.lng, cell = excluded.cell,
  delivery_radius_m = excluded.delivery_radius_m, prep_time_minutes = excluded.prep_time_minutes,
  currency = excluded.currency, time_zone = excluded.time_zone, opening_hours = excluded.opening_hours,
  special_days = excluded.special_days, paused_until = excluded.paused_until, item_profiles = excluded.item_profiles,
  fulfilment = excluded.fulfilment, accepts_scheduled = excluded.accepts_scheduled, active = excluded.active, content_hash = excluded.content_hash, updated_at = excluded.updated_at
WHERE restaurants.content_hash <> excluded.content_hash AND restaurants.updated_at <= ?3`;

// The text row follows its restaurant row only where that row now holds this
// document's hash: a row the guard kept newer keeps its own text too.
const DELETE_TEXT = `
DELETE FROM restaurants_fts WHERE rowid IN (
  SELECT r.doc_id FROM json_each(?1) AS d
    JOIN restaurants AS r ON r.id = json_extract(d.value, '$.id') AND r.content_hash = json_extract(d.value, '$.contentHash'))`;

const INSERT_TEXT = `
INSERT INTO restaurants_fts (rowid, name, cuisines, description, dishes)
SELECT r.doc_id, json_extract(d.value, '$.name'), json_extract(d.value, '$.cuisinesText'),
       json_extract(d.value, '$.description'), json_extract(d.value, '$.dishes')
  FROM json_each(?1) AS d
  JOIN restaurants AS r ON r.id = json_extract(d.value, '$.id') AND r.content_hash = json_extract(d.value, '$.contentHash')`;

/** Keeps each JSON parameter far below D1's 2 MB limit on a single value, however long the menus. */
const MAX_PARAM_BYTES = 512 * 1024;

function jsonChunks(docs: IndexDocument[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const json = JSON.stringify(doc);
    const size = encoder.encode(json).byteLength + 1;
    if (current.length > 0 && bytes + size > MAX_PARAM_BYTES) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      bytes = 0;
    }
    current.push(json);
    bytes += size;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}

function writeStatements(d1: D1Database, docs: IndexDocument[], now: number, guard: number): D1PreparedStatement[] {
  return jsonChunks(docs).flatMap((json) => [
    d1.prepare(UPSERT_ROWS).bind(json, now, guard),
    d1.prepare(DELETE_TEXT).bind(json),
    d1.prepare(INSERT_TEXT).bind(json),
  ]);
}

/**
 * Removes index rows whose ids lie in (after, upTo] (upTo null: no upper end)
 * but are not in `keep`: restaurants deleted from Postgres since the index saw them.
 */
function sweepStatements(
  d1: D1Database,
  after: string,
  upTo: string | null,
  keep: string[],
  guard: number,
): D1PreparedStatement[] {
  const ids = JSON.stringify(keep);
  const stale = `SELECT doc_id FROM restaurants
    WHERE id > ?1 AND (?2 IS NULL OR id <= ?2) AND updated_at <= ?3 AND id NOT IN (SELECT value FROM json_each(?4))`;
  return [
    d1.prepare(`DELETE FROM restaurants_fts WHERE rowid IN (${stale})`).bind(after, upTo, guard, ids),
    d1.prepare(`DELETE FROM restaurants WHERE doc_id IN (${stale})`).bind(after, upTo, guard, ids),
  ];
}

/** Brings one restaurant's index row in line with Postgres (or removes it if Postgres no longer has it). */
export async function refreshRestaurantIndex(d1: D1Database, db: Database, restaurantId: string): Promise<void> {
  const rows = await db.select().from(restaurants).where(eq(restaurants.id, restaurantId)).limit(1);
  if (rows.length === 0) {
    await d1.batch([
      d1
        .prepare("DELETE FROM restaurants_fts WHERE rowid IN (SELECT doc_id FROM restaurants WHERE id = ?1)")
        .bind(restaurantId),
      d1.prepare("DELETE FROM restaurants WHERE id = ?1").bind(restaurantId),
    ]);
    return;
  }
  await d1.batch(writeStatements(d1, await documentsOf(db, rows), Date.now(), NO_GUARD));
}

export interface RebuildResult {
  restaurants: number;
  pages: number;
  ms: number;
}

/**
 * Rebuilds the whole index from Postgres, page by page in id order. Safe to
 * run on a live index (readers see old or new rows, never a gap) and safe to
 * run twice at once: both converge on Postgres.
 */
export async function rebuildDiscoveryIndex(
  d1: D1Database,
  db: Database,
  pageSize = REBUILD_PAGE_SIZE,
): Promise<RebuildResult> {
  const startedAt = Date.now();
  let after = "";
  let total = 0;
  let pages = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(restaurants)
      .where(after ? gt(restaurants.id, after) : undefined)
      .orderBy(asc(restaurants.id))
      .limit(pageSize);
    const last = rows.length === pageSize ? (rows.at(-1)?.id ?? null) : null;
    const docs = await documentsOf(db, rows);
    await d1.batch([
      ...(docs.length > 0 ? writeStatements(d1, docs, Date.now(), startedAt) : []),
      ...sweepStatements(
        d1,
        after,
        last,
        rows.map((r) => r.id),
        startedAt,
      ),
    ]);
    total += rows.length;
    pages++;
    if (last === null) break;
    after = last;
  }
  return { restaurants: total, pages, ms: Date.now() - startedAt };
}
