// Discovery reads: "which restaurants deliver to this point". The D1 index is
// the normal path; Postgres answers only when the index is empty or failing.
// Both paths fetch bounding-box candidates and then share one ranking step in
// code (exact haversine, each restaurant's own radius, opening hours), so the
// two can only differ in which rows are in their store, never in the maths.
import { and, asc, between, eq, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { menuItems, restaurants } from "../../db/schema.ts";
import {
  compareRanked,
  displayAverage,
  meetsMinRating,
  type RatingSummary,
  rankingScore,
} from "../../domain/discovery/rating-rank.ts";
import { EARTH_RADIUS_M, haversineMeters } from "../../domain/geo/distance.ts";
import {
  type Allergen,
  allergenMask,
  type DietaryTag,
  dietaryMask,
  type ItemProfile,
  isEmptyFilter,
  profilesMatch,
} from "../../domain/menu/labels.ts";
import type { OpeningSlot } from "../../domain/restaurant/opening-hours.ts";
import { isTakingOrdersAt, nextOpening, type SpecialDay } from "../../domain/restaurant/schedule.ts";

export interface DiscoveryQuery {
  lat: number;
  lng: number;
  cuisine?: string | undefined;
  q?: string | undefined;
  openNow: boolean;
  limit: number;
  /** Restaurants with at least one available item carrying all of these tags... */
  dietary?: DietaryTag[] | undefined;
  /** ...and none of these allergens. */
  avoidAllergens?: Allergen[] | undefined;
  /** Only restaurants whose customers rate them at least this (1..5); unrated ones do not pass. */
  minRating?: number | undefined;
}

/** The kitchen's live state as its Restaurant DO last wrote it to D1; absent means not busy. */
export interface KitchenState {
  busy: boolean;
  reason: "manual" | "at_capacity" | null;
  acceptingOrders: boolean;
  quotedPrepMinutes: number | null;
  /** Epoch ms after which the row no longer holds; null: until the next write. */
  validUntil: number | null;
}

/** A restaurant as both stores return it, before distance and opening hours are applied. */
export interface Candidate {
  id: string;
  slug: string;
  name: string;
  description: string;
  cuisines: string[];
  address: string;
  lat: number;
  lng: number;
  prepTimeMinutes: number;
  deliveryRadiusM: number;
  currency: string;
  timeZone: string;
  openingHours: OpeningSlot[];
  specialDays: SpecialDay[];
  pausedUntil: number | null;
  itemProfiles: ItemProfile[];
  fulfilment: "on_demand" | "slots";
  acceptsScheduledOrders: boolean;
  kitchen: KitchenState | null;
}

export interface DiscoveredRestaurant {
  id: string;
  slug: string;
  name: string;
  description: string;
  cuisines: string[];
  address: string;
  lat: number;
  lng: number;
  distanceM: number;
  prepTimeMinutes: number;
  deliveryRadiusM: number;
  currency: string;
  openNow: boolean;
  /** ISO 8601: when a closed (or paused) restaurant takes orders again, if within two weeks. */
  opensAt: string | null;
  /** ISO 8601 while a temporary pause lasts. */
  pausedUntil: string | null;
  /** The kitchen is at capacity or busy by hand: orders take longer, or are refused (acceptingOrders false). */
  busy: boolean;
  acceptingOrders: boolean;
  /** Prep time the next order would be quoted, with the kitchen's current load. */
  quotedPrepMinutes: number | null;
  fulfilment: "on_demand" | "slots";
  acceptsScheduledOrders: boolean;
  /** IANA zone of the restaurant: its hours, and the time of day its delivery times are learned for. */
  timeZone: string;
  /** Customers' mean restaurant stars (one decimal); null before the first rating. */
  ratingAverage: number | null;
  ratingCount: number;
}

/** No restaurant delivers further than this (the schema's check); it bounds every scan. */
export const MAX_DELIVERY_RADIUS_M = 50_000;
/**
 * Rows fetched per query, nearest (approximately) first. Only a pathological
 * density reaches it; it keeps one request from pulling a whole country.
 */
export const CANDIDATE_CAP = 2_000;
const MAX_QUERY_TOKENS = 8;

export interface BoundingBox {
  minLat: number;
  maxLat: number;
  /** One range, two when the box crosses the antimeridian, null when it spans every longitude (near a pole). */
  lngRanges: Array<[number, number]> | null;
}

/**
 * The exact lat/lng box around a spherical cap of radius `radiusM`
 * (the longitude half-width is asin(sin δ / cos φ), wider than δ / cos φ away
 * from the equator), so no restaurant inside the radius is ever cut off by
 * the box. A cap that reaches a pole covers every longitude.
 */
export function boundingBox(lat: number, lng: number, radiusM: number): BoundingBox {
  const delta = radiusM / EARTH_RADIUS_M;
  const deltaDeg = (delta * 180) / Math.PI;
  const minLat = lat - deltaDeg;
  const maxLat = lat + deltaDeg;
  if (minLat <= -90 || maxLat >= 90)
    return { minLat: Math.max(minLat, -90), maxLat: Math.min(maxLat, 90), lngRanges: null };
  const ratio = Math.sin(delta) / Math.cos((lat * Math.PI) / 180);
  if (ratio >= 1) return { minLat, maxLat, lngRanges: null };
  const span = (Math.asin(ratio) * 180) / Math.PI;
  const west = lng - span;
  const east = lng + span;
  if (west < -180)
    return {
      minLat,
      maxLat,
      lngRanges: [
        [west + 360, 180],
        [-180, east],
      ],
    };
  if (east > 180)
    return {
      minLat,
      maxLat,
      lngRanges: [
        [west, 180],
        [-180, east - 360],
      ],
    };
  return { minLat, maxLat, lngRanges: [[west, east]] };
}

/**
 * The user's words as an FTS5 query that can only ever be a conjunction of
 * quoted prefix terms: every character that is not a letter or a digit is a
 * separator, so quotes, operators (AND, OR, NOT, NEAR are quoted into plain
 * words), column filters and parentheses cannot reach the FTS parser.
 * Returns null when nothing searchable is left.
 */
export function ftsMatchExpression(q: string): string | null {
  const tokens = searchTokens(q);
  if (tokens.length === 0) return null;
  return tokens.map((t) => `"${t}"*`).join(" ");
}

/** The words of a search box: runs of letters and digits, lowercased, at most MAX_QUERY_TOKENS. */
export function searchTokens(q: string): string[] {
  return (
    q
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).slice(0, MAX_QUERY_TOKENS);
}

/** Nearest first (ties by id, so both stores give one order), only where the point is inside the radius. */
export function rankCandidates(
  candidates: readonly Candidate[],
  query: DiscoveryQuery,
  now: Date,
  ratings: ReadonlyMap<string, RatingSummary> = new Map(),
): DiscoveredRestaurant[] {
  const inRange = candidates
    .map((c) => ({ c, distanceM: haversineMeters(query, c) }))
    .filter(({ c, distanceM }) => distanceM <= c.deliveryRadiusM)
    .sort((a, b) => a.distanceM - b.distanceM || (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0));
  const filter = { dietary: query.dietary ?? [], avoidAllergens: query.avoidAllergens ?? [] };
  const out: Array<DiscoveredRestaurant & { score: number }> = [];
  const at = now.getTime();
  // Every candidate in range is scored (CANDIDATE_CAP bounds them), then the best `limit` kept:
  // a well-rated restaurant a little further away may rank above the nearest ones.
  for (const { c, distanceM } of inRange) {
    const rating = ratings.get(c.id);
    if (!meetsMinRating(rating, query.minRating)) continue;
    if (!isEmptyFilter(filter) && !profilesMatch(c.itemProfiles, filter)) continue;
    const schedule = {
      timeZone: c.timeZone,
      weekly: c.openingHours,
      specialDays: c.specialDays,
      pausedUntil: c.pausedUntil,
    };
    const openNow = isTakingOrdersAt(schedule, at);
    if (query.openNow && !openNow) continue;
    const kitchen = c.kitchen && (c.kitchen.validUntil === null || at < c.kitchen.validUntil) ? c.kitchen : null;
    const opensAt = openNow ? null : nextOpening(schedule, at);
    out.push({
      id: c.id,
      slug: c.slug,
      name: c.name,
      description: c.description,
      cuisines: c.cuisines,
      address: c.address,
      lat: c.lat,
      lng: c.lng,
      distanceM: Math.round(distanceM),
      prepTimeMinutes: c.prepTimeMinutes,
      deliveryRadiusM: c.deliveryRadiusM,
      currency: c.currency,
      openNow,
      opensAt: opensAt === null ? null : new Date(opensAt).toISOString(),
      pausedUntil: c.pausedUntil !== null && c.pausedUntil > at ? new Date(c.pausedUntil).toISOString() : null,
      busy: kitchen?.busy ?? false,
      acceptingOrders: openNow && (kitchen?.acceptingOrders ?? true),
      quotedPrepMinutes: kitchen ? kitchen.quotedPrepMinutes : c.prepTimeMinutes,
      fulfilment: c.fulfilment,
      acceptsScheduledOrders: c.acceptsScheduledOrders,
      timeZone: c.timeZone,
      ratingAverage: rating && rating.count > 0 ? displayAverage(rating.average) : null,
      ratingCount: rating?.count ?? 0,
      score: rankingScore(distanceM, rating),
    });
  }
  return out
    .sort(compareRanked)
    .slice(0, query.limit)
    .map(({ score: _score, ...restaurant }) => restaurant);
}

interface D1CandidateRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  cuisines: string;
  address: string;
  lat: number;
  lng: number;
  prep_time_minutes: number;
  delivery_radius_m: number;
  currency: string;
  time_zone: string;
  opening_hours: string;
  special_days: string;
  paused_until: number | null;
  item_profiles: string;
  fulfilment: string;
  accepts_scheduled: number;
  k_busy: number | null;
  k_reason: string | null;
  k_accepting: number | null;
  k_quoted: number | null;
  k_valid_until: number | null;
}

export type D1Search = { kind: "rows"; candidates: Candidate[] } | { kind: "empty_index" };

/**
 * Candidates from the D1 index. An empty answer is double-checked against the
 * whole table so "nothing near you" is told apart from "the index is empty".
 */
export async function searchD1(d1: D1Database, query: DiscoveryQuery): Promise<D1Search> {
  const box = boundingBox(query.lat, query.lng, MAX_DELIVERY_RADIUS_M);
  // Only fixed SQL fragments are concatenated; every value is a bound parameter.
  const where = ["r.active = 1", "r.lat BETWEEN ? AND ?"];
  const params: Array<string | number> = [box.minLat, box.maxLat];
  if (box.lngRanges) {
    where.push(`(${box.lngRanges.map(() => "r.lng BETWEEN ? AND ?").join(" OR ")})`);
    for (const [west, east] of box.lngRanges) params.push(west, east);
  }
  if (query.cuisine) {
    where.push("EXISTS (SELECT 1 FROM json_each(r.cuisines) AS c WHERE c.value = ?)");
    params.push(query.cuisine.toLowerCase());
  }
  if (query.q !== undefined) {
    const match = ftsMatchExpression(query.q);
    if (match === null) return { kind: "rows", candidates: [] };
    where.push("r.doc_id IN (SELECT rowid FROM restaurants_fts WHERE restaurants_fts MATCH ?)");
    params.push(match);
  }
  const want = dietaryMask(query.dietary ?? []);
  const avoid = allergenMask(query.avoidAllergens ?? []);
  if (want !== 0 || avoid !== 0) {
    // Some available item with every wanted tag and none of the allergens (profiles are [dietary, allergens]).
    where.push(
      "EXISTS (SELECT 1 FROM json_each(r.item_profiles) AS p WHERE (json_extract(p.value, '$[0]') & ?) = ? AND (json_extract(p.value, '$[1]') & ?) = 0)",
    );
    params.push(want, want, avoid);
  }
  const cosLat = Math.cos((query.lat * Math.PI) / 180);
  params.push(query.lat, query.lat, query.lng, query.lng, cosLat * cosLat, CANDIDATE_CAP);
  const { results } = await d1
    .prepare(
      `SELECT r.id, r.slug, r.name, r.description, r.cuisines, r.address, r.lat, r.lng,
              r.prep_time_minutes, r.delivery_radius_m, r.currency, r.time_zone, r.opening_hours,
              r.special_days, r.paused_until, r.item_profiles, r.fulfilment, r.accepts_scheduled,
              k.busy AS k_busy, k.reason AS k_reason, k.accepting_orders AS k_accepting,
              k.quoted_prep_minutes AS k_quoted, k.valid_until AS k_valid_until
         FROM restaurants AS r
         LEFT JOIN kitchen_status AS k ON k.restaurant_id = r.id
        WHERE ${where.join(" AND ")}
        ORDER BY (r.lat - ?) * (r.lat - ?) + (r.lng - ?) * (r.lng - ?) * ?
        LIMIT ?`,
    )
    .bind(...params)
    .all<D1CandidateRow>();
  if (results.length === 0) {
    const any = await d1.prepare("SELECT 1 AS present FROM restaurants LIMIT 1").first<{ present: number }>();
    if (!any) return { kind: "empty_index" };
  }
  return {
    kind: "rows",
    candidates: results.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      description: r.description,
      cuisines: JSON.parse(r.cuisines) as string[],
      address: r.address,
      lat: r.lat,
      lng: r.lng,
      prepTimeMinutes: r.prep_time_minutes,
      deliveryRadiusM: r.delivery_radius_m,
      currency: r.currency,
      timeZone: r.time_zone,
      openingHours: JSON.parse(r.opening_hours) as OpeningSlot[],
      specialDays: JSON.parse(r.special_days) as SpecialDay[],
      pausedUntil: r.paused_until,
      itemProfiles: JSON.parse(r.item_profiles) as ItemProfile[],
      fulfilment: r.fulfilment === "slots" ? "slots" : "on_demand",
      acceptsScheduledOrders: r.accepts_scheduled === 1,
      kitchen:
        r.k_busy === null
          ? null
          : {
              busy: r.k_busy === 1,
              reason: r.k_reason === "manual" || r.k_reason === "at_capacity" ? r.k_reason : null,
              acceptingOrders: r.k_accepting === 1,
              quotedPrepMinutes: r.k_quoted,
              validUntil: r.k_valid_until,
            },
    })),
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * Candidates straight from Postgres, for when the index cannot answer (the
 * kitchen's live state lives only in D1, so here nobody is shown busy). Text
 * search here is a substring match of every word on the same fields the FTS
 * index covers: close to, but looser than, the index's word-prefix match.
 */
export async function searchPostgres(db: Database, query: DiscoveryQuery): Promise<Candidate[]> {
  const box = boundingBox(query.lat, query.lng, MAX_DELIVERY_RADIUS_M);
  const conditions: Array<SQL | undefined> = [
    eq(restaurants.active, true),
    between(restaurants.lat, box.minLat, box.maxLat),
    box.lngRanges ? or(...box.lngRanges.map(([w, e]) => between(restaurants.lng, w, e))) : undefined,
    query.cuisine ? sql`${query.cuisine.toLowerCase()} = any(${restaurants.cuisines})` : undefined,
  ];
  if (query.q !== undefined) {
    const tokens = searchTokens(query.q);
    if (tokens.length === 0) return [];
    for (const token of tokens) {
      const pattern = `%${escapeLike(token)}%`;
      conditions.push(sql`(${restaurants.name} ilike ${pattern}
        or ${restaurants.description} ilike ${pattern}
        or array_to_string(${restaurants.cuisines}, ' ') ilike ${pattern}
        or exists (select 1 from ${menuItems} where ${menuItems.restaurantId} = ${restaurants.id} and ${menuItems.name} ilike ${pattern}))`);
    }
  }
  const dietary = query.dietary ?? [];
  const avoid = query.avoidAllergens ?? [];
  if (dietary.length > 0 || avoid.length > 0) {
    conditions.push(sql`exists (select 1 from ${menuItems} where ${menuItems.restaurantId} = ${restaurants.id}
      and ${menuItems.available} and ${menuItems.archivedAt} is null
      and ${menuItems.dietaryTags} @> ${sql.param(dietary)}::text[]
      and not (${menuItems.allergens} && ${sql.param(avoid)}::text[]))`);
  }
  const cosLat = Math.cos((query.lat * Math.PI) / 180);
  const rows = await db
    .select({
      id: restaurants.id,
      slug: restaurants.slug,
      name: restaurants.name,
      description: restaurants.description,
      cuisines: restaurants.cuisines,
      address: restaurants.address,
      lat: restaurants.lat,
      lng: restaurants.lng,
      prepTimeMinutes: restaurants.prepTimeMinutes,
      deliveryRadiusM: restaurants.deliveryRadiusM,
      currency: restaurants.currency,
      timeZone: restaurants.timeZone,
      openingHours: restaurants.openingHours,
      specialDays: restaurants.specialDays,
      pausedUntil: restaurants.pausedUntil,
      fulfilment: restaurants.fulfilment,
      acceptsScheduledOrders: restaurants.acceptsScheduledOrders,
    })
    .from(restaurants)
    .where(and(...conditions))
    .orderBy(
      asc(
        sql`power(${restaurants.lat} - ${query.lat}, 2) + power(${restaurants.lng} - ${query.lng}, 2) * ${cosLat * cosLat}`,
      ),
    )
    .limit(CANDIDATE_CAP);
  // The label filter ran in SQL; profiles are only needed to filter again in rankCandidates, so pass a match-all one.
  const matchAll: ItemProfile[] = [[dietaryMask(dietary), 0]];
  return rows.map((r) => ({
    ...r,
    pausedUntil: r.pausedUntil?.getTime() ?? null,
    itemProfiles: matchAll,
    kitchen: null,
  }));
}
