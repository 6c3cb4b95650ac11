// The benchmark's data, drawn from the seeded demo city: restaurants, their
// menus as the API serves them, the zone's fees, and carts that the API
// accepts (each is priced here with the same domain code, so the raw-Postgres
// peer inserts exactly the rows our projection writes).
import { and, eq } from "drizzle-orm";
import { openDb } from "../db/node.ts";
import { deliveryAreas, restaurants } from "../db/schema.ts";
import { pointInPolygon } from "../domain/delivery-areas/point-in-polygon.ts";
import { haversineMeters } from "../domain/geo/distance.ts";
import { type CartLine, type FeePolicy, type PricedCart, priceCart } from "../domain/pricing/price-cart.ts";
import { loadMenu, type Menu } from "../workers/api/menus/menu-repository.ts";
import { pick, pointNear, seededRandom } from "./lib/rng.ts";
import type { Database } from "./platform.ts";

export interface BenchRestaurant {
  id: string;
  lat: number;
  lng: number;
  deliveryRadiusM: number;
  menu: Menu;
}

export interface World {
  restaurants: BenchRestaurant[];
  fees: FeePolicy;
  polygon: Parameters<typeof pointInPolygon>[2];
}

export async function loadWorld(database: Database): Promise<World> {
  const { db, close } = openDb({ DATABASE_URL: database.url, NEON_WS_PROXY: database.wsProxy }, 2);
  try {
    const rows = await db
      .select({ id: restaurants.id, lat: restaurants.lat, lng: restaurants.lng, r: restaurants.deliveryRadiusM })
      .from(restaurants)
      // Slot-based merchants (the grocery) refuse orders for now, which is all the benchmarks place.
      .where(and(eq(restaurants.active, true), eq(restaurants.fulfilment, "on_demand")))
      .orderBy(restaurants.slug);
    const list: BenchRestaurant[] = [];
    for (const row of rows) {
      const menu = await loadMenu(db, row.id);
      if (menu) list.push({ id: row.id, lat: row.lat, lng: row.lng, deliveryRadiusM: row.r, menu });
    }
    const [zone] = await db.select().from(deliveryAreas).where(eq(deliveryAreas.active, true)).limit(1);
    if (!zone) throw new Error("no active zone after seeding");
    return {
      restaurants: list,
      polygon: zone.polygon,
      fees: {
        baseDeliveryFeeMinor: zone.baseDeliveryFeeMinor,
        perKmFeeMinor: zone.perKmFeeMinor,
        serviceFeeBps: zone.serviceFeeBps,
        taxBps: zone.taxBps,
        currency: zone.currency,
      },
    };
  } finally {
    await close();
  }
}

export interface OrderTemplate {
  restaurant: BenchRestaurant;
  body: {
    restaurantId: string;
    items: CartLine[];
    deliveryAddress: { line1: string; city: string; postcode: string; lat: number; lng: number };
    tipMinor: number;
  };
  distanceM: number;
  priced: PricedCart;
}

/** `count` valid carts, the same for the same seed. */
export function orderTemplates(world: World, seed: number, count: number): OrderTemplate[] {
  const random = seededRandom(seed);
  const out: OrderTemplate[] = [];
  let attempts = 0;
  while (out.length < count) {
    if (++attempts > count * 50) throw new Error("could not generate valid carts from the demo city");
    const restaurant = pick(random, world.restaurants);
    const near = pointNear(random, restaurant.lat, restaurant.lng, Math.min(restaurant.deliveryRadiusM * 0.9, 2500));
    const address = { lat: Math.round(near.lat * 1e6) / 1e6, lng: Math.round(near.lng * 1e6) / 1e6 };
    if (!pointInPolygon(address.lat, address.lng, world.polygon)) continue;
    const distanceM = haversineMeters(restaurant, address);
    if (distanceM > restaurant.deliveryRadiusM) continue;
    const items = restaurant.menu.categories.flatMap((c) => c.items).filter((i) => i.available);
    if (items.length === 0) continue;
    const lines: CartLine[] = [];
    const lineCount = 1 + Math.floor(random() * 3);
    for (let n = 0; n < lineCount; n++) {
      const item = pick(random, items);
      const optionIds: string[] = [];
      for (const group of item.groups) {
        const available = group.options.filter((o) => o.available);
        const want = group.minChoices > 0 ? group.minChoices : random() < 0.3 ? Math.min(1, group.maxChoices) : 0;
        for (let k = 0; k < want && k < available.length; k++) optionIds.push((available[k] as { id: string }).id);
      }
      lines.push({ itemId: item.id, quantity: 1 + Math.floor(random() * 2), optionIds });
    }
    const tipMinor = Math.floor(random() * 3) * 100;
    const menu = restaurant.menu;
    const priced = priceCart(
      {
        restaurantId: menu.restaurantId,
        version: menu.version,
        currency: menu.currency,
        items: menu.categories.flatMap((c) => c.items),
      },
      lines,
      world.fees,
      distanceM,
      tipMinor,
    );
    if (!priced.ok) continue;
    out.push({
      restaurant,
      distanceM,
      priced,
      body: {
        restaurantId: restaurant.id,
        items: lines,
        deliveryAddress: {
          line1: `Rua do Benchmark ${out.length + 1}`,
          city: "Lisboa",
          postcode: "1100-148",
          lat: address.lat,
          lng: address.lng,
        },
        tipMinor,
      },
    });
  }
  return out;
}
