// Discovery reads the D1 index: it agrees with Postgres, searches dishes,
// follows restaurant changes through the queue, and survives an empty index.
// The restaurants here sit in Cape Town, far from every other test file's
// fixtures (all in Lisbon), because Postgres is shared across files.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { menuCategories, menuItems, restaurants } from "../../db/schema.ts";
import { destinationPoint } from "../../domain/geo/distance.ts";
import { api, createWorld, eventually, signIn, testEnv } from "../../test/world.ts";
import worker from "../index.ts";
import { rebuildDiscoveryIndex } from "./index-writer.ts";
import { restaurantChanged } from "./restaurant-changed.ts";
import { type DiscoveredRestaurant, type DiscoveryQuery, rankCandidates, searchPostgres } from "./search.ts";

const CENTER = { lat: -33.9249, lng: 18.4241 };
const ALWAYS_OPEN = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));

interface Fixture {
  key: "near" | "north" | "eastSmallRadius" | "southInactive" | "westClosed";
  bearing: number;
  distanceM: number;
  radiusM: number;
  cuisines: string[];
  dishes: string[];
  active?: boolean;
  closed?: boolean;
}

const FIXTURES: Fixture[] = [
  { key: "near", bearing: 0, distanceM: 150, radiusM: 3000, cuisines: ["sushi"], dishes: ["Dragon Roll", "Miso Soup"] },
  { key: "north", bearing: 0, distanceM: 1000, radiusM: 5000, cuisines: ["pizza"], dishes: ["Quattro Formaggi"] },
  { key: "eastSmallRadius", bearing: 90, distanceM: 4000, radiusM: 2000, cuisines: ["pizza"], dishes: ["Marinara"] },
  {
    key: "southInactive",
    bearing: 180,
    distanceM: 2000,
    radiusM: 5000,
    cuisines: ["pizza"],
    dishes: ["Diavola"],
    active: false,
  },
  {
    key: "westClosed",
    bearing: 270,
    distanceM: 2500,
    radiusM: 5000,
    cuisines: ["thai"],
    dishes: ["Pad Kra Pao"],
    closed: true,
  },
];

const ids = {} as Record<Fixture["key"], string>;
let tag: string;
let adminToken: string;

async function seedCapeTown(): Promise<void> {
  const { db, close } = openDb(testEnv);
  try {
    for (const f of FIXTURES) {
      const at = destinationPoint(CENTER, f.bearing, f.distanceM);
      const [row] = await db
        .insert(restaurants)
        .values({
          slug: `cpt-${tag}-${f.key}`,
          name: `Cape ${f.key} ${tag}`,
          description: `A ${f.cuisines.join(", ")} place by the sea`,
          cuisines: f.cuisines,
          address: "Long Street 1, Cape Town",
          lat: at.lat,
          lng: at.lng,
          timeZone: "Africa/Johannesburg",
          openingHours: f.closed ? [] : ALWAYS_OPEN,
          prepTimeMinutes: 20,
          deliveryRadiusM: f.radiusM,
          currency: "ZAR",
          active: f.active ?? true,
        })
        .returning({ id: restaurants.id });
      if (!row) throw new Error("fixture insert failed");
      ids[f.key] = row.id;
      const [category] = await db.insert(menuCategories).values({ restaurantId: row.id, name: "Mains" }).returning();
      await db.insert(menuItems).values(
        f.dishes.map((name) => ({
          restaurantId: row.id,
          categoryId: category?.id as string,
          name,
          priceMinor: 10_000,
          currency: "ZAR",
        })),
      );
    }
  } finally {
    await close();
  }
}

async function near(
  params: Record<string, string> = {},
): Promise<{ source: string | null; list: DiscoveredRestaurant[] }> {
  const search = new URLSearchParams({ lat: String(CENTER.lat), lng: String(CENTER.lng), ...params });
  const res = await api(`/v1/restaurants?${search}`);
  expect(res.status).toBe(200);
  const { restaurants } = (await res.json()) as {
    restaurants: Array<
      DiscoveredRestaurant & {
        deliveryFeeMinor: unknown;
        estimatedDeliveryMinutes: unknown;
        deliveryWindowMinutes: unknown;
      }
    >;
  };
  // The fee and time for this point are added by the route, not stored in either index.
  const list = restaurants.map(
    ({ deliveryFeeMinor: _fee, estimatedDeliveryMinutes: _eta, deliveryWindowMinutes: _window, ...r }) => r,
  );
  return { source: res.headers.get("x-discovery-source"), list };
}

async function fromPostgres(query: DiscoveryQuery): Promise<DiscoveredRestaurant[]> {
  const { db, close } = openDb(testEnv);
  try {
    return rankCandidates(await searchPostgres(db, query), query, new Date());
  } finally {
    await close();
  }
}

async function indexRow(id: string) {
  return testEnv.DISCOVERY.prepare(
    "SELECT doc_id, name, delivery_radius_m, active, cuisines, content_hash, updated_at FROM restaurants WHERE id = ?",
  )
    .bind(id)
    .first<{
      doc_id: number;
      name: string;
      delivery_radius_m: number;
      active: number;
      cuisines: string;
      content_hash: string;
      updated_at: number;
    }>();
}

async function deliverRestaurantChanged(restaurantId: string, copies = 1) {
  const batch = createMessageBatch(
    "events",
    Array.from({ length: copies }, (_, i) => ({
      id: `rc-${restaurantId}-${i}-${crypto.randomUUID()}`,
      timestamp: Date.now(),
      attempts: 1,
      body: restaurantChanged(restaurantId),
    })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, testEnv, ctx);
  return getQueueResult(batch, ctx);
}

beforeAll(async () => {
  tag = crypto.randomUUID().slice(0, 8);
  const world = await createWorld();
  [adminToken] = await Promise.all([signIn(world.emails.admin), seedCapeTown()]);
});

describe("discovery from the D1 index", () => {
  // Runs first: each test file starts with its own empty D1.
  it("answers from Postgres while the index is empty, then from D1 once the background rebuild has run", async () => {
    const before = await near();
    expect(before.source).toBe("postgres");
    expect(before.list.map((r) => r.id)).toEqual([ids.near, ids.north, ids.westClosed]);

    await eventually(() => indexRow(ids.westClosed));
    const after = await near();
    expect(after.source).toBe("d1");
    expect(after.list).toEqual(before.list);
  });

  it("returns the same restaurants in the same order as Postgres: nearest first, each within its own radius", async () => {
    const queries: DiscoveryQuery[] = [
      { ...CENTER, openNow: false, limit: 50 },
      { ...CENTER, openNow: true, limit: 50 },
      { ...CENTER, cuisine: "pizza", openNow: false, limit: 50 },
      { ...CENTER, openNow: false, limit: 2 },
      // From 3.5 km east the small-radius restaurant (2 km) now delivers.
      { ...destinationPoint(CENTER, 90, 3500), openNow: false, limit: 50 },
    ];
    for (const q of queries) {
      const params: Record<string, string> = { lat: String(q.lat), lng: String(q.lng), limit: String(q.limit) };
      if (q.openNow) params.openNow = "true";
      if (q.cuisine) params.cuisine = q.cuisine;
      const d1 = await near(params);
      expect(d1.source).toBe("d1");
      expect(d1.list).toEqual(await fromPostgres(q));
    }
    const all = (await near()).list;
    expect(all.map((r) => r.distanceM)).toEqual([...all.map((r) => r.distanceM)].sort((a, b) => a - b));
    expect(all.map((r) => r.id)).not.toContain(ids.eastSmallRadius);
    expect(all.map((r) => r.id)).not.toContain(ids.southInactive);
    expect(all.find((r) => r.id === ids.westClosed)?.openNow).toBe(false);
    expect((await near({ openNow: "true" })).list.map((r) => r.id)).toEqual([ids.near, ids.north]);
    const east = await near({
      lat: String(destinationPoint(CENTER, 90, 3500).lat),
      lng: String(destinationPoint(CENTER, 90, 3500).lng),
    });
    expect(east.list.map((r) => r.id)).toContain(ids.eastSmallRadius);
  });

  it("finds a restaurant by a dish name, by word prefix and without accents", async () => {
    expect((await near({ q: "quattro" })).list.map((r) => r.id)).toEqual([ids.north]);
    expect((await near({ q: "Formag" })).list.map((r) => r.id)).toEqual([ids.north]);
    expect((await near({ q: "drágon ROLL" })).list.map((r) => r.id)).toEqual([ids.near]);
    expect((await near({ q: "sushi" })).list.map((r) => r.id)).toEqual([ids.near]);
    expect((await near({ q: `Cape near ${tag}` })).list.map((r) => r.id)).toEqual([ids.near]);
    expect((await near({ q: "dragon quattro" })).list).toEqual([]);
  });

  it("treats FTS syntax in q as plain words instead of failing or widening the search", async () => {
    for (const q of [
      '"',
      "sushi OR pizza",
      "name:*",
      "NEAR(a b)",
      "miso)",
      "-miso",
      "^",
      "*",
      "'; drop table restaurants; --",
    ]) {
      const res = await near({ q });
      expect(res.source).toBe("d1");
      for (const r of res.list) expect(r.id).toBe(ids.near);
    }
    expect((await near({ q: "sushi OR pizza" })).list).toEqual([]);
    expect((await near({ q: "miso)" })).list.map((r) => r.id)).toEqual([ids.near]);
    expect((await indexRow(ids.near))?.name).toBe(`Cape near ${tag}`);
  });

  it("brings a restaurant change into D1 through the queue consumer, idempotently", async () => {
    const res = await api(`/v1/restaurants/${ids.north}`, {
      method: "PATCH",
      token: adminToken,
      json: { name: `Harbour Slice ${tag}`, deliveryRadiusM: 800, cuisines: ["Pizza", "Italian"] },
    });
    expect(res.status).toBe(200);
    const result = await deliverRestaurantChanged(ids.north, 3);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(3);

    const row = await indexRow(ids.north);
    expect(row).toMatchObject({
      name: `Harbour Slice ${tag}`,
      delivery_radius_m: 800,
      cuisines: '["pizza","italian"]',
    });
    // 1 km away with an 800 m radius: no longer delivers to the centre.
    expect((await near()).list.map((r) => r.id)).toEqual([ids.near, ids.westClosed]);
    expect((await near({ q: "harbour" })).list).toEqual([]);
    expect(
      (await near({ q: "harbour", lat: String(destinationPoint(CENTER, 0, 900).lat) })).list.map((r) => r.id),
    ).toEqual([ids.north]);

    await deliverRestaurantChanged(ids.north);
    expect(await indexRow(ids.north)).toEqual(row);
  });

  it("drops a deactivated restaurant from results once the consumer has run", async () => {
    const res = await api(`/v1/restaurants/${ids.near}`, {
      method: "PATCH",
      token: adminToken,
      json: { active: false },
    });
    expect(res.status).toBe(200);
    await deliverRestaurantChanged(ids.near);
    expect((await near()).list.map((r) => r.id)).toEqual([ids.westClosed]);
    expect((await near({ q: "dragon" })).list).toEqual([]);
    await api(`/v1/restaurants/${ids.near}`, { method: "PATCH", token: adminToken, json: { active: true } });
    await deliverRestaurantChanged(ids.near);
    expect((await near()).list.map((r) => r.id)).toEqual([ids.near, ids.westClosed]);
  });

  it("rebuilds the whole index for an admin and sweeps rows Postgres no longer has", async () => {
    const ghost = crypto.randomUUID();
    await testEnv.DISCOVERY.prepare(
      `INSERT INTO restaurants (id, slug, name, description, cuisines, address, lat, lng, cell, delivery_radius_m,
        prep_time_minutes, currency, time_zone, opening_hours, active, content_hash, updated_at)
       VALUES (?1, 'ghost', 'Ghost Kitchen', '', '[]', '', ?2, ?3, 'k3vng', 5000, 10, 'ZAR', 'UTC', '[]', 1, 'x', 0)`,
    )
      .bind(ghost, CENTER.lat, CENTER.lng)
      .run();
    expect((await near()).list.map((r) => r.id)).toContain(ghost);

    const res = await api("/v1/admin/discovery/rebuild", { method: "POST", token: adminToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { restaurants: number; pages: number };
    expect(body.restaurants).toBeGreaterThanOrEqual(FIXTURES.length);
    expect(await indexRow(ghost)).toBeNull();
    expect((await near()).list).toEqual(await fromPostgres({ ...CENTER, openNow: false, limit: 50 }));
  });

  it("sweeps stale rows between and after pages when the rebuild runs in many small pages", async () => {
    const ghosts = [
      "00000000-0000-4000-8000-000000000000",
      crypto.randomUUID(),
      "ffffffff-ffff-4fff-bfff-ffffffffffff",
    ];
    for (const ghost of ghosts) {
      await testEnv.DISCOVERY.prepare(
        `INSERT INTO restaurants (id, slug, name, description, cuisines, address, lat, lng, cell, delivery_radius_m,
          prep_time_minutes, currency, time_zone, opening_hours, active, content_hash, updated_at)
         VALUES (?1, 'ghost', 'Ghost Kitchen', '', '[]', '', 0, 0, 's0000', 5000, 10, 'ZAR', 'UTC', '[]', 1, 'x', 0)`,
      )
        .bind(ghost)
        .run();
    }
    const { db, close } = openDb(testEnv);
    try {
      const result = await rebuildDiscoveryIndex(testEnv.DISCOVERY, db, 3);
      expect(result.pages).toBeGreaterThan(2);
    } finally {
      await close();
    }
    for (const ghost of ghosts) expect(await indexRow(ghost)).toBeNull();
    for (const id of Object.values(ids)) expect(await indexRow(id)).not.toBeNull();
    const { n } = (await testEnv.DISCOVERY.prepare(
      "SELECT (SELECT count(*) FROM restaurants) - (SELECT count(*) FROM restaurants_fts) AS n",
    ).first<{ n: number }>()) ?? { n: -1 };
    expect(n).toBe(0);
  });

  it("answers from Postgres when the index table is missing instead of failing the request", async () => {
    await testEnv.DISCOVERY.prepare("ALTER TABLE restaurants RENAME TO restaurants_away").run();
    try {
      const res = await near();
      expect(res.source).toBe("postgres");
      expect(res.list.map((r) => r.id)).toEqual([ids.near, ids.westClosed]);
    } finally {
      await testEnv.DISCOVERY.prepare("ALTER TABLE restaurants_away RENAME TO restaurants").run();
    }
  });
});
