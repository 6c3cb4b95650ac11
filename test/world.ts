// Test fixtures for tests inside workerd: a small world (one restaurant with a
// menu, a zone, a user of every role) written straight into Postgres, plus
// helpers to call the API as one of those users.
import { env, exports } from "cloudflare:workers";
import { openDb } from "../db/client.ts";
import {
  couriers,
  deliveryAreas,
  menuCategories,
  menuItems,
  modifierGroups,
  modifierOptions,
  restaurants,
  users,
} from "../db/schema.ts";
import { hashPassword } from "../domain/auth/password.ts";
import type { Env } from "../workers/env.ts";

export const testEnv = env as unknown as Env;
export const PASSWORD = "correct horse battery";

export interface World {
  restaurantId: string;
  otherRestaurantId: string;
  itemId: string;
  sizeGroupId: string;
  largeOptionId: string;
  smallOptionId: string;
  extraCheeseId: string;
  emails: {
    customer: string;
    staff: string;
    otherStaff: string;
    admin: string;
    courier: string;
    otherCustomer: string;
  };
  ids: { customer: string; staff: string; courier: string; admin: string; otherCustomer: string };
  address: { line1: string; city: string; postcode: string; lat: number; lng: number };
}

const ALWAYS_OPEN = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));

export async function createWorld(): Promise<World> {
  const tag = crypto.randomUUID().slice(0, 8);
  const { db, close } = openDb(testEnv);
  try {
    // Low iteration count keeps fixtures fast; verification reads the count from the hash.
    const passwordHash = await hashPassword(PASSWORD, 1000);
    const [restaurant, other] = await db
      .insert(restaurants)
      .values(
        [0, 1].map((n) => ({
          slug: `test-${tag}-${n}`,
          name: `Test Kitchen ${tag} ${n}`,
          cuisines: ["pizza"],
          address: "Rua Augusta 1, Lisboa",
          lat: 38.71 + n * 0.001,
          lng: -9.137,
          timeZone: "Europe/Lisbon",
          openingHours: ALWAYS_OPEN,
          prepTimeMinutes: 15,
          deliveryRadiusM: 5000,
          currency: "EUR",
        })),
      )
      .returning({ id: restaurants.id });
    if (!restaurant || !other) throw new Error("fixture insert failed");
    const [category] = await db
      .insert(menuCategories)
      .values({ restaurantId: restaurant.id, name: "Pizza" })
      .returning();
    const [item] = await db
      .insert(menuItems)
      .values({
        restaurantId: restaurant.id,
        categoryId: category?.id as string,
        name: "Margherita",
        priceMinor: 900,
        currency: "EUR",
      })
      .returning();
    const [size, extras] = await db
      .insert(modifierGroups)
      .values([
        { itemId: item?.id as string, name: "Size", minChoices: 1, maxChoices: 1 },
        { itemId: item?.id as string, name: "Extras", minChoices: 0, maxChoices: 2, position: 1 },
      ])
      .returning();
    const options = await db
      .insert(modifierOptions)
      .values([
        { groupId: size?.id as string, name: "Small", priceDeltaMinor: 0 },
        { groupId: size?.id as string, name: "Large", priceDeltaMinor: 300 },
        { groupId: extras?.id as string, name: "Extra cheese", priceDeltaMinor: 150 },
      ])
      .returning();
    await db.insert(deliveryAreas).values({
      name: `Test zone ${tag}`,
      polygon: {
        type: "Polygon",
        coordinates: [
          [
            [-9.2, 38.68],
            [-9.08, 38.68],
            [-9.08, 38.78],
            [-9.2, 38.78],
            [-9.2, 38.68],
          ],
        ],
      },
      currency: "EUR",
      baseDeliveryFeeMinor: 199,
      perKmFeeMinor: 50,
      serviceFeeBps: 500,
      taxBps: 1300,
    });
    const emails = {
      customer: `customer-${tag}@test.local`,
      otherCustomer: `customer2-${tag}@test.local`,
      staff: `staff-${tag}@test.local`,
      otherStaff: `staff2-${tag}@test.local`,
      admin: `admin-${tag}@test.local`,
      courier: `courier-${tag}@test.local`,
    };
    const inserted = await db
      .insert(users)
      .values([
        { email: emails.customer, name: "Cora Customer", role: "customer" as const, passwordHash },
        { email: emails.otherCustomer, name: "Otto Other", role: "customer" as const, passwordHash },
        {
          email: emails.staff,
          name: "Sam Staff",
          role: "restaurant_staff" as const,
          restaurantId: restaurant.id,
          passwordHash,
        },
        {
          email: emails.otherStaff,
          name: "Olga Staff",
          role: "restaurant_staff" as const,
          restaurantId: other.id,
          passwordHash,
        },
        { email: emails.admin, name: "Ada Admin", role: "admin" as const, passwordHash },
        { email: emails.courier, name: "Cole Courier", role: "courier" as const, passwordHash },
      ])
      .returning({ id: users.id, email: users.email });
    const idOf = (email: string) => inserted.find((u) => u.email === email)?.id as string;
    await db.insert(couriers).values({ userId: idOf(emails.courier), vehicle: "bicycle", phone: "+351900000000" });
    return {
      restaurantId: restaurant.id,
      otherRestaurantId: other.id,
      itemId: item?.id as string,
      sizeGroupId: size?.id as string,
      smallOptionId: options[0]?.id as string,
      largeOptionId: options[1]?.id as string,
      extraCheeseId: options[2]?.id as string,
      emails,
      ids: {
        customer: idOf(emails.customer),
        otherCustomer: idOf(emails.otherCustomer),
        staff: idOf(emails.staff),
        courier: idOf(emails.courier),
        admin: idOf(emails.admin),
      },
      address: { line1: "Praça do Comércio 1", city: "Lisboa", postcode: "1100-148", lat: 38.7075, lng: -9.1364 },
    };
  } finally {
    await close();
  }
}

export function api(path: string, init: RequestInit & { token?: string; json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return (exports as unknown as { default: Fetcher }).default.fetch(
    new Request(`https://api.test${path}`, { ...init, headers, body }),
  );
}

export async function signIn(email: string): Promise<string> {
  const res = await api("/v1/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export type WorldTokens = Record<keyof World["emails"], string>;

/** Signs in every user of a world at once: one access token per role. */
export async function signInAll(world: World): Promise<WorldTokens> {
  const entries = await Promise.all(
    Object.entries(world.emails).map(async ([who, email]) => [who, await signIn(email)] as const),
  );
  return Object.fromEntries(entries) as WorldTokens;
}

/** Polls until `check` returns a value, for effects that travel through the queue. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
