import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { verifyPassword } from "../../domain/auth/password.ts";
import { openDb } from "../node.ts";
import { couriers, deliveryAreas, menuItems, modifierGroups, modifierOptions, restaurants, users } from "../schema.ts";
import { GROCERY } from "./grocery.ts";
import { MERCHANTS, type SeedSummary, seedDemoCity } from "./index.ts";

describe("seedDemoCity", () => {
  const { db, close } = openDb({ DATABASE_URL: inject("databaseUrl"), NEON_WS_PROXY: inject("wsProxy") }, 2);
  let first: SeedSummary;
  let second: SeedSummary;

  async function tableCounts() {
    const rows = async (query: Promise<{ n: number }[]>) => (await query)[0]?.n ?? 0;
    return {
      restaurants: await rows(db.select({ n: count() }).from(restaurants)),
      menuItems: await rows(db.select({ n: count() }).from(menuItems)),
      modifierGroups: await rows(db.select({ n: count() }).from(modifierGroups)),
      modifierOptions: await rows(db.select({ n: count() }).from(modifierOptions)),
      couriers: await rows(db.select({ n: count() }).from(couriers)),
      users: await rows(db.select({ n: count() }).from(users)),
      zones: await rows(db.select({ n: count() }).from(deliveryAreas)),
    };
  }

  beforeAll(async () => {
    first = await seedDemoCity(db, { passwordIterations: 1000 });
    second = await seedDemoCity(db, { passwordIterations: 1000 });
  }, 120_000);

  afterAll(() => close());

  it("seeds a city of realistic size", async () => {
    expect(first.total.restaurants).toBeGreaterThanOrEqual(22);
    expect(first.total.menuItems).toBeGreaterThanOrEqual(320);
    expect(first.total.couriers).toBe(50);
    const counts = await tableCounts();
    expect(counts.restaurants).toBeGreaterThanOrEqual(20);
    expect(counts.menuItems).toBeGreaterThanOrEqual(300);
    expect(counts.modifierGroups).toBeGreaterThan(100);
    expect(counts.modifierOptions).toBeGreaterThan(counts.modifierGroups);
    expect(counts.couriers).toBeGreaterThanOrEqual(50);
    expect(counts.zones).toBeGreaterThanOrEqual(1);
  });

  it("creates users of every role, one staff member per restaurant", async () => {
    const byRole = await db.select({ role: users.role, n: count() }).from(users).groupBy(users.role);
    const roles = new Map(byRole.map((r) => [r.role, r.n]));
    expect(roles.get("customer")).toBeGreaterThanOrEqual(1);
    expect(roles.get("admin")).toBeGreaterThanOrEqual(1);
    expect(roles.get("courier")).toBeGreaterThanOrEqual(50);
    expect(roles.get("restaurant_staff")).toBeGreaterThanOrEqual(MERCHANTS.length);
    for (const role of ["customer", "restaurant_staff", "courier", "admin"] as const) {
      expect(first.signIns.some((s) => s.role === role)).toBe(true);
    }
    const staff = first.signIns.filter((s) => s.role === "restaurant_staff");
    expect(new Set(staff.map((s) => s.restaurantId)).size).toBe(MERCHANTS.length);
  });

  it("includes a slot-based grocery with its delivery windows, and counts on its stock list", async () => {
    const [grocery] = await db
      .select({ fulfilment: restaurants.fulfilment, slots: restaurants.deliverySlots, id: restaurants.id })
      .from(restaurants)
      .where(eq(restaurants.slug, GROCERY.slug));
    expect(grocery?.fulfilment).toBe("slots");
    expect(grocery?.slots?.templates.length).toBe(GROCERY.deliverySlots.templates.length);
    expect(grocery?.slots?.templates.every((t) => t.capacity > 0)).toBe(true);
    const names = new Set(
      (
        await db
          .select({ name: menuItems.name })
          .from(menuItems)
          .where(eq(menuItems.restaurantId, grocery?.id ?? ""))
      ).map((i) => i.name),
    );
    // Every counted item exists under that name, or seedMerchantStock would silently skip it.
    for (const name of Object.keys(GROCERY.stock)) expect(names.has(name), name).toBe(true);
    const others = await db.select({ n: count() }).from(restaurants).where(eq(restaurants.fulfilment, "slots"));
    expect(others[0]?.n).toBe(1);
  });

  it("stores passwords that verify", async () => {
    const customer = first.signIns.find((s) => s.email === "customer@demo.test");
    expect(customer).toBeDefined();
    const [row] = await db
      .select({ hash: users.passwordHash })
      .from(users)
      .where(eq(sql`lower(${users.email})`, "customer@demo.test"));
    expect(await verifyPassword(customer?.password ?? "", row?.hash ?? "")).toBe(true);
  });

  it("respects the modifier group bounds", async () => {
    const bad = await db
      .select({ n: count() })
      .from(modifierGroups)
      .where(sql`${modifierGroups.maxChoices} < ${modifierGroups.minChoices}`);
    expect(bad[0]?.n).toBe(0);
    const optionless = await db
      .select({ n: count() })
      .from(modifierGroups)
      .where(
        sql`not exists (select 1 from ${modifierOptions} where ${modifierOptions.groupId} = ${modifierGroups.id})`,
      );
    expect(optionless[0]?.n).toBe(0);
  });

  it("is idempotent: the second run writes nothing and reports the same data", async () => {
    expect(first.inserted.restaurants).toBeGreaterThan(0);
    for (const n of Object.values(second.inserted)) expect(n).toBe(0);
    expect(second.total).toEqual(first.total);
    expect(second.zoneId).toBe(first.zoneId);
    expect(second.signIns).toEqual(first.signIns);
    const before = await tableCounts();
    await seedDemoCity(db, { passwordIterations: 1000 });
    expect(await tableCounts()).toEqual(before);
  }, 60_000);
});
