// Restaurant management: only the restaurant's staff or an admin may edit;
// every menu edit is a new menu version with a new ETag, and orders are priced
// from the version current when they are placed.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { menuCategories, restaurants } from "../../db/schema.ts";
import { api, createWorld, signIn, testEnv, type World } from "../../test/world.ts";

interface ErrorBody {
  error: { code: string; details?: Array<{ path: string; code: string }> };
}
interface MenuBody {
  version: number;
  restaurantName: string;
  categories: Array<{
    id: string;
    items: Array<{
      id: string;
      name: string;
      priceMinor: number;
      available: boolean;
      groups: Array<{ id: string; options: Array<{ id: string; available: boolean; priceDeltaMinor: number }> }>;
    }>;
  }>;
}
interface OrderBody {
  id: string;
  subtotalMinor: number;
  lines: Array<{ unitPriceMinor: number; lineTotalMinor: number }>;
}

let world: World;
let tokens: { staff: string; otherStaff: string; admin: string; customer: string };

async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  return ((await res.json()) as ErrorBody).error;
}

async function menu(restaurantId = world.restaurantId): Promise<{ etag: string; body: MenuBody }> {
  const res = await api(`/v1/restaurants/${restaurantId}/menu`);
  expect(res.status).toBe(200);
  return { etag: res.headers.get("etag") ?? "", body: (await res.json()) as MenuBody };
}

function itemOf(m: MenuBody, itemId: string) {
  return m.categories.flatMap((c) => c.items).find((i) => i.id === itemId);
}

async function placeOrder(items: Array<{ itemId: string; quantity: number; optionIds: string[] }>): Promise<Response> {
  return api("/v1/orders", {
    method: "POST",
    token: tokens.customer,
    headers: { "idempotency-key": `admin-test-${crypto.randomUUID()}` },
    json: { restaurantId: world.restaurantId, items, deliveryAddress: world.address },
  });
}

async function categoryOf(restaurantId: string): Promise<string> {
  const { db, close } = openDb(testEnv);
  try {
    const existing = await db
      .select({ id: menuCategories.id })
      .from(menuCategories)
      .where(eq(menuCategories.restaurantId, restaurantId));
    if (existing[0]) return existing[0].id;
    const [created] = await db.insert(menuCategories).values({ restaurantId, name: "Sides" }).returning();
    return created?.id as string;
  } finally {
    await close();
  }
}

beforeAll(async () => {
  world = await createWorld();
  const [staff, otherStaff, admin, customer] = await Promise.all([
    signIn(world.emails.staff),
    signIn(world.emails.otherStaff),
    signIn(world.emails.admin),
    signIn(world.emails.customer),
  ]);
  tokens = { staff, otherStaff, admin, customer } as typeof tokens;
});

describe("who may manage a restaurant", () => {
  it("refuses another restaurant's staff with 403 not_restaurant_staff, on every management endpoint", async () => {
    const { etag } = await menu();
    const calls: Array<[string, string, unknown]> = [
      ["PATCH", `/v1/restaurants/${world.restaurantId}`, { prepTimeMinutes: 30 }],
      ["PATCH", `/v1/restaurants/${world.restaurantId}/menu/items/${world.itemId}`, { priceMinor: 1 }],
      ["PATCH", `/v1/restaurants/${world.restaurantId}/menu/options/${world.largeOptionId}`, { available: false }],
      [
        "POST",
        `/v1/restaurants/${world.restaurantId}/menu/items`,
        { categoryId: crypto.randomUUID(), name: "Sneaky", priceMinor: 1 },
      ],
    ];
    for (const [method, path, json] of calls) {
      const res = await api(path, { method, token: tokens.otherStaff, json });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe("not_restaurant_staff");
    }
    expect((await menu()).etag).toBe(etag);
  });

  it("refuses customers with 403 role_not_allowed and anonymous callers with 401", async () => {
    const path = `/v1/restaurants/${world.restaurantId}`;
    const asCustomer = await api(path, { method: "PATCH", token: tokens.customer, json: { prepTimeMinutes: 30 } });
    expect(asCustomer.status).toBe(403);
    expect((await errorOf(asCustomer)).code).toBe("role_not_allowed");
    const anonymous = await api(path, { method: "PATCH", json: { prepTimeMinutes: 30 } });
    expect(anonymous.status).toBe(401);
  });

  it("lets only an admin rebuild the discovery index", async () => {
    const res = await api("/v1/admin/discovery/rebuild", { method: "POST", token: tokens.staff });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("role_not_allowed");
  });
});

describe("PATCH /v1/restaurants/{id}", () => {
  it("saves hours, prep time, radius and cuisines for the restaurant's own staff", async () => {
    const hours = [
      { day: 1, open: "11:00", close: "23:00" },
      { day: 5, open: "18:00", close: "02:00" },
    ];
    const res = await api(`/v1/restaurants/${world.otherRestaurantId}`, {
      method: "PATCH",
      token: tokens.otherStaff,
      json: { openingHours: hours, prepTimeMinutes: 25, deliveryRadiusM: 3000, cuisines: ["Pizza", "pizza", "Vegan"] },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: world.otherRestaurantId,
      openingHours: hours,
      prepTimeMinutes: 25,
      deliveryRadiusM: 3000,
      cuisines: ["pizza", "vegan"],
    });
    const { db, close } = openDb(testEnv);
    try {
      const [row] = await db.select().from(restaurants).where(eq(restaurants.id, world.otherRestaurantId));
      expect(row).toMatchObject({ openingHours: hours, prepTimeMinutes: 25, deliveryRadiusM: 3000 });
    } finally {
      await close();
    }
  });

  it("refuses bad opening hours, out-of-range numbers, unknown fields and empty bodies with 400, changing nothing", async () => {
    const path = `/v1/restaurants/${world.restaurantId}`;
    const cases: Array<[unknown, string]> = [
      [{ openingHours: [{ day: 7, open: "09:00", close: "17:00" }] }, "openingHours.0.day"],
      [{ openingHours: [{ day: 1, open: "24:00", close: "17:00" }] }, "openingHours.0.open"],
      [{ openingHours: [{ day: 1, open: "9:00", close: "17:00" }] }, "openingHours.0.open"],
      [{ openingHours: [{ day: 1, open: "09:00", close: "17:60" }] }, "openingHours.0.close"],
      [{ openingHours: [{ day: 1, open: "09:00" }] }, "openingHours.0.close"],
      [{ prepTimeMinutes: 0 }, "prepTimeMinutes"],
      [{ prepTimeMinutes: 241 }, "prepTimeMinutes"],
      [{ deliveryRadiusM: 50 }, "deliveryRadiusM"],
      [{ deliveryRadiusM: 50_001 }, "deliveryRadiusM"],
      [{ menuVersion: 99 }, ""],
      [{}, ""],
    ];
    for (const [json, path_] of cases) {
      const res = await api(path, { method: "PATCH", token: tokens.staff, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      const error = await errorOf(res);
      expect(error.code).toBe("validation_failed");
      if (path_) expect(error.details?.map((d) => d.path)).toContain(path_);
    }
    const { db, close } = openDb(testEnv);
    try {
      const [row] = await db.select().from(restaurants).where(eq(restaurants.id, world.restaurantId));
      expect(row).toMatchObject({ prepTimeMinutes: 15, deliveryRadiusM: 5000, menuVersion: 1 });
    } finally {
      await close();
    }
  });

  it("answers 404 for an admin editing a restaurant that does not exist", async () => {
    const res = await api(`/v1/restaurants/${crypto.randomUUID()}`, {
      method: "PATCH",
      token: tokens.admin,
      json: { prepTimeMinutes: 30 },
    });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("restaurant_not_found");
  });
});

describe("menu edits", () => {
  it("answers 404 for an item or option that is not this restaurant's, without bumping the menu version", async () => {
    const { etag } = await menu();
    const foreignCategory = await categoryOf(world.otherRestaurantId);
    const cases: Array<[string, string, unknown, string]> = [
      [
        "PATCH",
        `/v1/restaurants/${world.restaurantId}/menu/items/${crypto.randomUUID()}`,
        { priceMinor: 1 },
        "menu_item_not_found",
      ],
      [
        "PATCH",
        `/v1/restaurants/${world.otherRestaurantId}/menu/items/${world.itemId}`,
        { priceMinor: 1 },
        "menu_item_not_found",
      ],
      [
        "PATCH",
        `/v1/restaurants/${world.restaurantId}/menu/options/${crypto.randomUUID()}`,
        { available: false },
        "menu_option_not_found",
      ],
      [
        "PATCH",
        `/v1/restaurants/${world.otherRestaurantId}/menu/options/${world.largeOptionId}`,
        { available: false },
        "menu_option_not_found",
      ],
      [
        "POST",
        `/v1/restaurants/${world.restaurantId}/menu/items`,
        { categoryId: foreignCategory, name: "Stray", priceMinor: 100 },
        "menu_category_not_found",
      ],
    ];
    for (const [method, path, json, code] of cases) {
      const res = await api(path, { method, token: tokens.admin, json });
      expect(res.status, path).toBe(404);
      expect((await errorOf(res)).code).toBe(code);
    }
    expect((await menu()).etag).toBe(etag);
  });

  it("refuses negative or fractional prices and impossible modifier bounds with 400", async () => {
    const itemPath = `/v1/restaurants/${world.restaurantId}/menu/items/${world.itemId}`;
    for (const json of [{ priceMinor: -1 }, { priceMinor: 9.5 }, { available: "yes" }, {}]) {
      const res = await api(itemPath, { method: "PATCH", token: tokens.staff, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    const categoryId = await categoryOf(world.restaurantId);
    const option = { name: "Only", priceDeltaMinor: 0 };
    const groups: Array<[unknown, string]> = [
      [{ name: "G", minChoices: 2, maxChoices: 1, options: [option, { name: "Two" }] }, "groups.0.minChoices"],
      [{ name: "G", minChoices: 0, maxChoices: 2, options: [option] }, "groups.0.maxChoices"],
      [{ name: "G", maxChoices: 0, options: [option] }, "groups.0.maxChoices"],
      [{ name: "G", options: [] }, "groups.0.options"],
      [{ name: "G", options: [option, option] }, "groups.0.options.1.name"],
    ];
    for (const [group, path] of groups) {
      const res = await api(`/v1/restaurants/${world.restaurantId}/menu/items`, {
        method: "POST",
        token: tokens.staff,
        json: { categoryId, name: "Bad bounds", priceMinor: 500, groups: [group] },
      });
      expect(res.status, JSON.stringify(group)).toBe(400);
      expect((await errorOf(res)).details?.map((d) => d.path)).toContain(path);
    }
  });

  it("prices orders placed after a price change at the new price under a new ETag; earlier orders keep theirs", async () => {
    const before = await menu();
    const line = { itemId: world.itemId, quantity: 2, optionIds: [world.smallOptionId] };
    const earlier = await placeOrder([line]);
    expect(earlier.status).toBe(201);
    const earlierOrder = (await earlier.json()) as OrderBody;
    expect(earlierOrder.subtotalMinor).toBe(2 * 900);

    const res = await api(`/v1/restaurants/${world.restaurantId}/menu/items/${world.itemId}`, {
      method: "PATCH",
      token: tokens.staff,
      json: { priceMinor: 1250 },
    });
    expect(res.status).toBe(200);
    const changed = (await res.json()) as { menuVersion: number; item: { priceMinor: number } };
    expect(changed).toMatchObject({ menuVersion: before.body.version + 1, item: { priceMinor: 1250 } });

    // Read-your-writes: the very next read has the new version, and the old ETag no longer matches.
    const revalidated = await api(`/v1/restaurants/${world.restaurantId}/menu`, {
      headers: { "if-none-match": before.etag },
    });
    expect(revalidated.status).toBe(200);
    const after = await menu();
    expect(after.etag).not.toBe(before.etag);
    expect(after.body.version).toBe(changed.menuVersion);
    expect(itemOf(after.body, world.itemId)?.priceMinor).toBe(1250);

    const later = await placeOrder([line]);
    expect(later.status).toBe(201);
    const laterOrder = (await later.json()) as OrderBody;
    expect(laterOrder.subtotalMinor).toBe(2 * 1250);
    expect(laterOrder.lines[0]?.unitPriceMinor).toBe(1250);

    const reread = await api(`/v1/orders/${earlierOrder.id}`, { token: tokens.customer });
    expect(((await reread.json()) as { order: OrderBody }).order.subtotalMinor).toBe(2 * 900);
  });

  it("makes an option unavailable for the next order and changes its price delta", async () => {
    const res = await api(`/v1/restaurants/${world.restaurantId}/menu/options/${world.extraCheeseId}`, {
      method: "PATCH",
      token: tokens.staff,
      json: { available: false, priceDeltaMinor: 175 },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      item: { id: world.extraCheeseId, available: false, priceDeltaMinor: 175 },
    });
    const option = itemOf((await menu()).body, world.itemId)
      ?.groups.flatMap((g) => g.options)
      .find((o) => o.id === world.extraCheeseId);
    expect(option).toMatchObject({ available: false, priceDeltaMinor: 175 });

    const refused = await placeOrder([
      { itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId, world.extraCheeseId] },
    ]);
    expect(refused.status).toBe(422);
    expect((await errorOf(refused)).code).toBe("cart_invalid");
  });

  it("adds an item with modifier groups that the next order can buy, and refuses a duplicate name with 409", async () => {
    const categoryId = await categoryOf(world.restaurantId);
    const before = await menu();
    const res = await api(`/v1/restaurants/${world.restaurantId}/menu/items`, {
      method: "POST",
      token: tokens.staff,
      json: {
        categoryId,
        name: "Calzone",
        description: "Folded",
        priceMinor: 1100,
        groups: [
          {
            name: "Filling",
            minChoices: 1,
            maxChoices: 2,
            options: [
              { name: "Ham", priceDeltaMinor: 200 },
              { name: "Mushroom" },
              { name: "Olives", available: false },
            ],
          },
        ],
      },
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as {
      menuVersion: number;
      item: { id: string; groups: Array<{ id: string; options: Array<{ id: string; name: string }> }> };
    };
    expect(created.menuVersion).toBe(before.body.version + 1);
    const options = created.item.groups[0]?.options ?? [];
    expect(options.map((o) => o.name)).toEqual(["Ham", "Mushroom", "Olives"]);

    const after = await menu();
    expect(after.etag).not.toBe(before.etag);
    expect(itemOf(after.body, created.item.id)).toMatchObject({ name: "Calzone", priceMinor: 1100, available: true });

    const order = await placeOrder([
      { itemId: created.item.id, quantity: 1, optionIds: [options[0]?.id as string, options[1]?.id as string] },
    ]);
    expect(order.status).toBe(201);
    expect(((await order.json()) as OrderBody).subtotalMinor).toBe(1300);

    const duplicate = await api(`/v1/restaurants/${world.restaurantId}/menu/items`, {
      method: "POST",
      token: tokens.staff,
      json: { categoryId, name: "Calzone", priceMinor: 900 },
    });
    expect(duplicate.status).toBe(409);
    expect((await errorOf(duplicate)).code).toBe("menu_item_name_taken");
    expect((await menu()).etag).toBe(after.etag);
  });

  it("gives the menu a new version when the restaurant is renamed, since the menu carries its name", async () => {
    const before = await menu();
    const res = await api(`/v1/restaurants/${world.restaurantId}`, {
      method: "PATCH",
      token: tokens.staff,
      json: { name: "Renamed Kitchen" },
    });
    expect(res.status).toBe(200);
    const after = await menu();
    expect(after.etag).not.toBe(before.etag);
    expect(after.body).toMatchObject({ restaurantName: "Renamed Kitchen", version: before.body.version + 1 });
    const same = await api(`/v1/restaurants/${world.restaurantId}`, {
      method: "PATCH",
      token: tokens.staff,
      json: { name: "Renamed Kitchen" },
    });
    expect(((await same.json()) as { menuVersion: number }).menuVersion).toBe(after.body.version);
  });
});

describe("the API document", () => {
  it("describes every management endpoint", async () => {
    const doc = (await (await api("/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths["/v1/restaurants/{id}"] ?? {})).toContain("patch");
    expect(Object.keys(doc.paths["/v1/restaurants/{id}/menu/items/{itemId}"] ?? {})).toContain("patch");
    expect(Object.keys(doc.paths["/v1/restaurants/{id}/menu/options/{optionId}"] ?? {})).toContain("patch");
    expect(Object.keys(doc.paths["/v1/restaurants/{id}/menu/items"] ?? {})).toContain("post");
    expect(Object.keys(doc.paths["/v1/admin/discovery/rebuild"] ?? {})).toContain("post");
  });
});

describe("an item's own tax rate", () => {
  it("staff set and clear it, the public menu shows it, and out-of-range rates are refused", async () => {
    const path = `/v1/restaurants/${world.restaurantId}/menu/items/${world.itemId}`;
    const set = await api(path, { method: "PATCH", token: tokens.staff, json: { taxBps: 2300 } });
    expect(set.status).toBe(200);
    const menu = (await (await api(`/v1/restaurants/${world.restaurantId}/menu`)).json()) as {
      categories: Array<{ items: Array<{ id: string; taxBps?: number | null }> }>;
    };
    const item = menu.categories.flatMap((c) => c.items).find((i) => i.id === world.itemId);
    expect(item?.taxBps).toBe(2300);
    for (const taxBps of [-1, 10_001, 12.5, "23"]) {
      const res = await api(path, { method: "PATCH", token: tokens.staff, json: { taxBps } });
      expect(res.status, String(taxBps)).toBe(400);
    }
    expect((await api(path, { method: "PATCH", token: tokens.otherStaff, json: { taxBps: 600 } })).status).toBe(403);
    expect((await api(path, { method: "PATCH", token: tokens.staff, json: { taxBps: null } })).status).toBe(200);
  });
});
