// The API-path pieces the per-isolate memos change, timed in this process
// (Node, the same V8 as workerd) for the baseline's code and this branch's,
// taking turns round by round: reading the restaurant's KV entry and pricing
// view, the delivery areas, and the access token's verification. KV is an
// in-memory stand-in here (its `get(…, "json")` parses like the real one), so
// what a KV read costs by itself is not in these figures; within its fresh
// window the branch makes no KV read at all.
import { join } from "node:path";
import { openDb } from "../db/node.ts";
import { issueAccessToken, loadSigningKeys, verifyAccessToken } from "../domain/auth/tokens.ts";
import { VerifiedTokens } from "../domain/auth/verified-tokens.ts";
import type { Database as BenchDatabase } from "./platform.ts";
import type { World } from "./world.ts";

const JWT = { issuer: "https://api.edge-delivery.local", audience: "edge-delivery" };
const ITERATIONS = 2000;

class MemoryKv {
  private readonly values = new Map<string, string>();
  async get(key: string, type?: "text" | "json"): Promise<unknown> {
    const value = this.values.get(key);
    if (value === undefined) return null;
    return type === "json" ? JSON.parse(value) : value;
  }
  async put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

interface MenuLike {
  categories: { items: unknown[] }[];
}
type MenuCacheModule = {
  readMenu(kv: unknown, db: () => unknown, id: string): Promise<{ json: string } | null>;
  readMenuForPricing?(kv: unknown, db: () => unknown, id: string): Promise<{ menu: MenuLike } | null>;
  refreshMenu(kv: unknown, db: unknown, id: string): Promise<unknown>;
};
type AreaCacheModule = { activeDeliveryAreas(kv: unknown, db: () => unknown): Promise<unknown[]> };

export interface MicroResult {
  code: "baseline" | "branch";
  /** Median over rounds of µs per placement's worth of these pieces. */
  usPerPlacement: number[];
}

export async function microPlacement(
  database: BenchDatabase,
  world: World,
  jwtPrivateKeys: string,
  roots: { baseline: string; branch: string },
  rounds: number,
  clock: { advance(ms: number): void },
): Promise<MicroResult[]> {
  const { db, close } = openDb({ DATABASE_URL: database.url, NEON_WS_PROXY: database.wsProxy }, 2);
  try {
    const keys = await loadSigningKeys(jwtPrivateKeys);
    const now = Math.floor(Date.now() / 1000);
    const tokens = await Promise.all(
      database.customers
        .slice(0, 50)
        .map((userId) =>
          issueAccessToken(keys, { userId, role: "customer" }, { ...JWT, ttlSeconds: 3600 }, now, crypto.randomUUID()),
        ),
    );
    const systems = await Promise.all(
      (["baseline", "branch"] as const).map(async (code) => {
        const root = roots[code];
        const menus = (await import(join(root, "workers/api/menus/menu-cache.ts"))) as MenuCacheModule;
        const areas = (await import(join(root, "workers/api/delivery-areas/area-cache.ts"))) as AreaCacheModule;
        const kv = new MemoryKv();
        for (const r of world.restaurants) await menus.refreshMenu(kv, db, r.id);
        await areas.activeDeliveryAreas(kv, () => db);
        const verified = new VerifiedTokens();
        const pricingViews = new WeakMap<object, unknown[]>();
        const once = async (i: number) => {
          const restaurant = world.restaurants[i % world.restaurants.length] as World["restaurants"][number];
          const token = tokens[i % tokens.length] as string;
          if (code === "baseline") {
            const cached = await menus.readMenu(kv, () => db, restaurant.id);
            const menu = JSON.parse(cached?.json ?? "null") as MenuLike;
            menu.categories.flatMap((c) => c.items);
            await areas.activeDeliveryAreas(kv, () => db);
            await verifyAccessToken(keys, token, JWT);
          } else {
            const priced = await menus.readMenuForPricing?.(kv, () => db, restaurant.id);
            const menu = priced?.menu as MenuLike;
            if (!pricingViews.has(menu))
              pricingViews.set(
                menu,
                menu.categories.flatMap((c) => c.items),
              );
            await areas.activeDeliveryAreas(kv, () => db);
            if (!verified.get(token, Date.now())) verified.set(token, await verifyAccessToken(keys, token, JWT));
          }
        };
        return { code, once, usPerPlacement: [] as number[] };
      }),
    );
    for (const s of systems) for (let i = 0; i < 500; i++) await s.once(i);
    for (let round = 0; round < rounds; round++) {
      for (const s of systems) {
        const started = performance.now();
        for (let i = 0; i < ITERATIONS; i++) {
          await s.once(i);
          // Every 40th placement lands past the memo's 2 s window: the revalidation path is in the figure.
          if (i % 40 === 39) clock.advance(2_100);
        }
        s.usPerPlacement.push(((performance.now() - started) * 1000) / ITERATIONS);
      }
    }
    return systems.map((s) => ({ code: s.code, usPerPlacement: s.usPerPlacement }));
  } finally {
    await close();
  }
}
