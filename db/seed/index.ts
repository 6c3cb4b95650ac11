// Seeds the demo city into Postgres. Idempotent: every row has an id derived
// from its natural key (UUIDv5 over SHA-1) and is inserted with `on conflict
// do nothing`, so a second run writes nothing. After each level the real ids
// are read back by natural key, so rows created earlier by other means (a
// staff member adding a category through the API, say) are reused, not
// duplicated or broken.
import { eq, inArray, sql } from "drizzle-orm";
import { hashPassword } from "../../domain/auth/password.ts";
import type { Role } from "../../domain/auth/principal.ts";
import { pick, seededRandom } from "../../domain/random/seeded-random.ts";
import type { Database } from "../client.ts";
import {
  couriers,
  deliveryAreas,
  menuCategories,
  menuItems,
  modifierGroups,
  modifierOptions,
  restaurants,
  users,
} from "../schema.ts";
import {
  CITY,
  COURIER_COUNT,
  DEMO_ADMIN,
  DEMO_CUSTOMERS,
  DEMO_PASSWORDS,
  FIRST_NAMES,
  LAST_NAMES,
  RESTAURANTS,
  type RestaurantSpec,
  ZONE,
} from "./demo-city.ts";
import { SLOT_MERCHANTS, type SlotMerchantSpec } from "./grocery.ts";

/** Every merchant the seed writes: the restaurants, then the slot-based grocery. */
export const MERCHANTS: readonly RestaurantSpec[] = [...RESTAURANTS, ...SLOT_MERCHANTS];
const slotSettings = (r: RestaurantSpec) => (r as Partial<SlotMerchantSpec>).deliverySlots;

export interface SeedOptions {
  /** PBKDF2 iterations for demo passwords; tests lower it for speed. */
  passwordIterations?: number;
}

export interface SeedCounts {
  zones: number;
  restaurants: number;
  menuCategories: number;
  menuItems: number;
  modifierGroups: number;
  modifierOptions: number;
  users: number;
  couriers: number;
}

export interface SeedSignIn {
  role: Role;
  email: string;
  password: string;
  restaurantId?: string;
  restaurantName?: string;
}

export interface SeedSummary {
  city: string;
  zoneId: string;
  /** Size of the demo data set (rows that exist after seeding). */
  total: SeedCounts;
  /** Rows this run actually wrote; all zero on a re-run. */
  inserted: SeedCounts;
  signIns: SeedSignIn[];
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
type Vehicle = (typeof couriers.$inferInsert)["vehicle"];

// Fixed namespace for this project's demo data; changing it would re-key every seeded row.
const NAMESPACE = "9b3e6a52-4f0c-4d7e-8a61-2c5d9e7f1b40";
const CHUNK = 500;

function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/-/g, "");
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** RFC 9562 UUIDv5: stable across runs and machines for the same name. */
export async function seedUuid(name: string): Promise<string> {
  const ns = hexToBytes(NAMESPACE);
  const text = new TextEncoder().encode(name);
  const input = new Uint8Array(ns.length + text.length);
  input.set(ns, 0);
  input.set(text, ns.length);
  const b = new Uint8Array(await crypto.subtle.digest("SHA-1", input)).slice(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** mulberry32: tiny, seedable, and the same on every platform, unlike Math.random. */
function chunks<T>(rows: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const key = (...parts: string[]) => parts.join("\u0000");

export function staffEmail(slug: string): string {
  return `staff+${slug}@demo.test`;
}

export function courierEmail(n: number): string {
  return `courier${String(n).padStart(2, "0")}@demo.test`;
}

interface CourierSpec {
  email: string;
  name: string;
  vehicle: Vehicle;
  phone: string;
}

export function demoCouriers(): CourierSpec[] {
  const random = seededRandom(0x115b0a);
  // Weighted like a real central-Lisbon fleet: mostly two-wheelers.
  const vehicles: Vehicle[] = ["scooter", "scooter", "scooter", "bicycle", "bicycle", "bicycle", "car", "foot"];
  const out: CourierSpec[] = [];
  for (let n = 1; n <= COURIER_COUNT; n++) {
    const digits = Array.from({ length: 7 }, () => Math.floor(random() * 10)).join("");
    out.push({
      email: courierEmail(n),
      name: `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`,
      vehicle: pick(random, vehicles),
      phone: `+351 9${pick(random, ["1", "2", "3", "6"])}${digits.slice(0, 1)} ${digits.slice(1, 4)} ${digits.slice(4)}`,
    });
  }
  return out;
}

function zeroCounts(): SeedCounts {
  return {
    zones: 0,
    restaurants: 0,
    menuCategories: 0,
    menuItems: 0,
    modifierGroups: 0,
    modifierOptions: 0,
    users: 0,
    couriers: 0,
  };
}

export async function seedDemoCity(db: Database, options: SeedOptions = {}): Promise<SeedSummary> {
  // One transaction: an interrupted seed leaves nothing half-written behind.
  return db.transaction((tx) => seedInTransaction(tx, options));
}

async function seedInTransaction(tx: Tx, options: SeedOptions): Promise<SeedSummary> {
  const inserted = zeroCounts();
  const total = zeroCounts();

  // Zone
  const zoneRows = await tx
    .insert(deliveryAreas)
    .values({ id: await seedUuid(`zone:${ZONE.name}`), currency: CITY.currency, ...ZONE })
    .onConflictDoNothing()
    .returning({ id: deliveryAreas.id });
  inserted.zones = zoneRows.length;
  total.zones = 1;
  const [zone] = await tx.select({ id: deliveryAreas.id }).from(deliveryAreas).where(eq(deliveryAreas.name, ZONE.name));
  if (!zone) throw new Error(`zone ${ZONE.name} missing after insert`);

  // Restaurants
  const restaurantRows = await Promise.all(
    MERCHANTS.map(async (r) => ({
      id: await seedUuid(`restaurant:${r.slug}`),
      slug: r.slug,
      name: r.name,
      description: r.description,
      cuisines: [...r.cuisines],
      address: r.address,
      lat: r.lat,
      lng: r.lng,
      timeZone: CITY.timeZone,
      openingHours: r.openingHours,
      prepTimeMinutes: r.prepTimeMinutes,
      deliveryRadiusM: r.deliveryRadiusM,
      currency: CITY.currency,
      ...(slotSettings(r)
        ? { fulfilment: "slots" as const, deliverySlots: slotSettings(r), acceptsScheduledOrders: false }
        : {}),
    })),
  );
  for (const batch of chunks(restaurantRows)) {
    const rows = await tx.insert(restaurants).values(batch).onConflictDoNothing().returning({ id: restaurants.id });
    inserted.restaurants += rows.length;
  }
  total.restaurants = restaurantRows.length;
  const restaurantIds = new Map(
    (
      await tx
        .select({ id: restaurants.id, slug: restaurants.slug })
        .from(restaurants)
        .where(
          inArray(
            restaurants.slug,
            MERCHANTS.map((r) => r.slug),
          ),
        )
    ).map((r) => [r.slug, r.id]),
  );
  const restaurantIdOf = (r: RestaurantSpec): string => {
    const id = restaurantIds.get(r.slug);
    if (!id) throw new Error(`restaurant ${r.slug} missing after insert`);
    return id;
  };
  const allRestaurantIds = [...restaurantIds.values()];

  // Categories
  const categoryRows: (typeof menuCategories.$inferInsert & { id: string })[] = [];
  for (const r of MERCHANTS) {
    const restaurantId = restaurantIdOf(r);
    for (const [position, category] of r.menu.entries()) {
      categoryRows.push({
        id: await seedUuid(`category:${restaurantId}:${category.name}`),
        restaurantId,
        name: category.name,
        position,
      });
    }
  }
  for (const batch of chunks(categoryRows)) {
    const rows = await tx
      .insert(menuCategories)
      .values(batch)
      .onConflictDoNothing()
      .returning({ id: menuCategories.id });
    inserted.menuCategories += rows.length;
  }
  total.menuCategories = categoryRows.length;
  const categoryIds = new Map(
    (
      await tx
        .select({ id: menuCategories.id, restaurantId: menuCategories.restaurantId, name: menuCategories.name })
        .from(menuCategories)
        .where(inArray(menuCategories.restaurantId, allRestaurantIds))
    ).map((c) => [key(c.restaurantId, c.name), c.id]),
  );

  // Items
  const itemRows: (typeof menuItems.$inferInsert & { id: string })[] = [];
  for (const r of MERCHANTS) {
    const restaurantId = restaurantIdOf(r);
    for (const category of r.menu) {
      const categoryId = categoryIds.get(key(restaurantId, category.name));
      if (!categoryId) throw new Error(`category ${r.slug}/${category.name} missing after insert`);
      for (const [position, [name, description, priceMinor]] of category.items.entries()) {
        itemRows.push({
          id: await seedUuid(`item:${categoryId}:${name}`),
          restaurantId,
          categoryId,
          name,
          description,
          priceMinor,
          currency: CITY.currency,
          position,
        });
      }
    }
  }
  for (const batch of chunks(itemRows)) {
    const rows = await tx.insert(menuItems).values(batch).onConflictDoNothing().returning({ id: menuItems.id });
    inserted.menuItems += rows.length;
  }
  total.menuItems = itemRows.length;
  const itemIds = new Map(
    (
      await tx
        .select({ id: menuItems.id, categoryId: menuItems.categoryId, name: menuItems.name })
        .from(menuItems)
        .where(inArray(menuItems.restaurantId, allRestaurantIds))
    ).map((i) => [key(i.categoryId, i.name), i.id]),
  );

  // Modifier groups
  const groupRows: (typeof modifierGroups.$inferInsert & { id: string })[] = [];
  const groupOptions = new Map<string, readonly (readonly [string, number])[]>();
  for (const r of MERCHANTS) {
    const restaurantId = restaurantIdOf(r);
    for (const category of r.menu) {
      const categoryId = categoryIds.get(key(restaurantId, category.name)) ?? "";
      for (const [name, , , ...modifierKeys] of category.items) {
        const itemId = itemIds.get(key(categoryId, name));
        if (!itemId) throw new Error(`item ${r.slug}/${name} missing after insert`);
        for (const [position, modifierKey] of modifierKeys.entries()) {
          const spec = r.modifiers[modifierKey];
          if (!spec) throw new Error(`${r.slug}/${name}: unknown modifier group "${modifierKey}"`);
          groupRows.push({
            id: await seedUuid(`group:${itemId}:${spec.name}`),
            itemId,
            name: spec.name,
            minChoices: spec.min,
            maxChoices: spec.max,
            position,
          });
          groupOptions.set(key(itemId, spec.name), spec.options);
        }
      }
    }
  }
  for (const batch of chunks(groupRows)) {
    const rows = await tx
      .insert(modifierGroups)
      .values(batch)
      .onConflictDoNothing()
      .returning({ id: modifierGroups.id });
    inserted.modifierGroups += rows.length;
  }
  total.modifierGroups = groupRows.length;
  const groups = await tx
    .select({ id: modifierGroups.id, itemId: modifierGroups.itemId, name: modifierGroups.name })
    .from(modifierGroups)
    .innerJoin(menuItems, eq(menuItems.id, modifierGroups.itemId))
    .where(inArray(menuItems.restaurantId, allRestaurantIds));

  // Modifier options
  const optionRows: (typeof modifierOptions.$inferInsert & { id: string })[] = [];
  for (const group of groups) {
    const options = groupOptions.get(key(group.itemId, group.name));
    if (!options) continue; // a group staff added themselves: not ours to fill
    for (const [position, [name, priceDeltaMinor]] of options.entries()) {
      optionRows.push({
        id: await seedUuid(`option:${group.id}:${name}`),
        groupId: group.id,
        name,
        priceDeltaMinor,
        position,
      });
    }
  }
  for (const batch of chunks(optionRows)) {
    const rows = await tx
      .insert(modifierOptions)
      .values(batch)
      .onConflictDoNothing()
      .returning({ id: modifierOptions.id });
    inserted.modifierOptions += rows.length;
  }
  total.modifierOptions = optionRows.length;

  // Users
  interface DemoUser {
    email: string;
    name: string;
    role: Role;
    restaurantId: string | null;
    restaurantName?: string;
  }
  const courierSpecs = demoCouriers();
  const demoUsers: DemoUser[] = [
    { email: DEMO_ADMIN.email, name: DEMO_ADMIN.name, role: "admin", restaurantId: null },
    ...DEMO_CUSTOMERS.map((c) => ({ email: c.email, name: c.name, role: "customer" as const, restaurantId: null })),
    ...MERCHANTS.map((r) => ({
      email: staffEmail(r.slug),
      name: `${r.name} team`,
      role: "restaurant_staff" as const,
      restaurantId: restaurantIdOf(r),
      restaurantName: r.name,
    })),
    ...courierSpecs.map((c) => ({ email: c.email, name: c.name, role: "courier" as const, restaurantId: null })),
  ];
  const emails = demoUsers.map((u) => u.email.toLowerCase());
  const lowerEmail = sql<string>`lower(${users.email})`;
  const existing = new Set(
    (await tx.select({ email: lowerEmail }).from(users).where(inArray(lowerEmail, emails))).map((u) => u.email),
  );
  const missing = demoUsers.filter((u) => !existing.has(u.email.toLowerCase()));
  // PBKDF2 at 100k iterations costs tens of milliseconds per hash; ~80 users
  // would take seconds on every fresh start. So each role's demo password is
  // hashed once and that salted hash is shared by the role's demo users. A
  // shared salt is acceptable only because these are public demo passwords.
  const hashes = new Map<Role, string>();
  for (const role of new Set(missing.map((u) => u.role))) {
    hashes.set(role, await hashPassword(DEMO_PASSWORDS[role], options.passwordIterations));
  }
  const userRows = await Promise.all(
    missing.map(async (u) => ({
      id: await seedUuid(`user:${u.email.toLowerCase()}`),
      email: u.email,
      name: u.name,
      role: u.role,
      restaurantId: u.restaurantId,
      passwordHash: hashes.get(u.role) ?? null,
    })),
  );
  for (const batch of chunks(userRows)) {
    const rows = await tx.insert(users).values(batch).onConflictDoNothing().returning({ id: users.id });
    inserted.users += rows.length;
  }
  total.users = demoUsers.length;
  const userIds = new Map(
    (await tx.select({ id: users.id, email: lowerEmail }).from(users).where(inArray(lowerEmail, emails))).map((u) => [
      u.email,
      u.id,
    ]),
  );

  // Couriers
  const courierRows = courierSpecs.map((c) => {
    const userId = userIds.get(c.email.toLowerCase());
    if (!userId) throw new Error(`courier user ${c.email} missing after insert`);
    return { userId, vehicle: c.vehicle, phone: c.phone, homeZoneId: zone.id };
  });
  for (const batch of chunks(courierRows)) {
    const rows = await tx.insert(couriers).values(batch).onConflictDoNothing().returning({ id: couriers.userId });
    inserted.couriers += rows.length;
  }
  total.couriers = courierRows.length;

  const signIns: SeedSignIn[] = demoUsers.map((u) => ({
    role: u.role,
    email: u.email,
    password: DEMO_PASSWORDS[u.role],
    ...(u.restaurantId ? { restaurantId: u.restaurantId, restaurantName: u.restaurantName ?? "" } : {}),
  }));

  return { city: CITY.name, zoneId: zone.id, total, inserted, signIns };
}
