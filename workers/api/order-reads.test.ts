// Order lists from the Postgres projections: a customer's history, a
// restaurant's filtered orders and a courier's current job, with cursor
// pagination that neither skips nor repeats, and refusals for outsiders.
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { orders } from "../../db/schema.ts";
import type { OrderState } from "../../domain/order/state-machine.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";
import { orderStubFor } from "./routes/orders.ts";

interface Summary {
  id: string;
  status: OrderState;
  delivery: string;
  customerId: string;
  restaurantId: string;
  restaurantName: string;
  courierId: string | null;
  totalMinor: number;
  placedAt: string;
}

interface Page {
  orders: Summary[];
  nextCursor: string | null;
}

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

interface Seed {
  customerId: string;
  restaurantId: string;
  status: OrderState;
  placedAt: string;
  courierId?: string;
}

/** Writes projected order rows directly, with placement times a test can reason about. */
async function seed(rows: Seed[]): Promise<string[]> {
  const { db, close } = openDb(testEnv);
  try {
    const inserted = await db
      .insert(orders)
      .values(
        rows.map((r) => ({
          id: crypto.randomUUID(),
          customerId: r.customerId,
          restaurantId: r.restaurantId,
          courierId: r.courierId ?? null,
          status: r.status,
          deliveryStatus: r.courierId ? "picked_up" : null,
          idempotencyKey: `seed-${crypto.randomUUID()}`,
          menuVersion: 1,
          currency: "EUR",
          subtotalMinor: 1000,
          deliveryFeeMinor: 200,
          serviceFeeMinor: 50,
          taxMinor: 150,
          tipMinor: 0,
          totalMinor: 1400,
          deliveryAddress: world.address,
          lastEventSeq: 1,
          placedAt: new Date(r.placedAt),
          updatedAt: new Date(r.placedAt),
        })),
      )
      .returning({ id: orders.id });
    return inserted.map((r) => r.id);
  } finally {
    await close();
  }
}

async function getPage(path: string, token: string): Promise<Page> {
  const res = await api(path, { token });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

/** Follows nextCursor to the end, returning every page. */
async function allPages(path: string, token: string): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const page: Page = await getPage(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path, token);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 20);
  return pages;
}

async function errorOf(res: Response): Promise<[number, string]> {
  return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
}

function newestFirst(ids: string[], placedAt: string[]): string[] {
  return ids
    .map((id, i) => ({ id, at: Date.parse(placedAt[i] ?? "") }))
    .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
    .map((o) => o.id);
}

describe("GET /v1/me/orders", () => {
  it("pages through the customer's orders newest first without skipping or repeating, ties broken by id", async () => {
    const placedAt = [
      "2026-02-01T10:00:00.000Z",
      "2026-02-02T10:00:00.000Z",
      "2026-02-03T10:00:00.000Z",
      "2026-02-03T10:00:00.000Z",
      "2026-02-03T10:00:00.000Z",
      "2026-02-04T10:00:00.000Z",
      "2026-02-05T10:00:00.000Z",
    ];
    const ids = await seed(
      placedAt.map((at) => ({
        customerId: world.ids.otherCustomer,
        restaurantId: world.restaurantId,
        status: "delivered",
        placedAt: at,
      })),
    );

    const pages = await allPages("/v1/me/orders?limit=3", tokens.otherCustomer);
    expect(pages.map((p) => p.orders.length)).toEqual([3, 3, 1]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
    const seen = pages.flatMap((p) => p.orders.map((o) => o.id));
    expect(seen).toEqual(newestFirst(ids, placedAt));
    expect(pages[0]?.orders[0]).toMatchObject({
      customerId: world.ids.otherCustomer,
      restaurantName: expect.stringContaining("Test Kitchen"),
      totalMinor: 1400,
    });

    const mine = await getPage("/v1/me/orders?limit=100", tokens.customer);
    expect(mine.orders.filter((o) => ids.includes(o.id))).toEqual([]);
  });

  it("lists an order placed through the API once the projection has it", async () => {
    const res = await api("/v1/orders", {
      method: "POST",
      token: tokens.customer,
      headers: { "idempotency-key": `reads-${crypto.randomUUID()}` },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
        deliveryAddress: world.address,
      },
    });
    const { id } = (await res.json()) as { id: string };
    const first = await eventually(async () => (await getPage("/v1/me/orders", tokens.customer)).orders[0]);
    expect(first).toMatchObject({ id, status: "placed", restaurantId: world.restaurantId, delivery: "none" });
  });

  it("refuses a limit above 100, a forged cursor, and callers who are not customers", async () => {
    expect(await errorOf(await api("/v1/me/orders?limit=101", { token: tokens.customer }))).toEqual([
      400,
      "validation_failed",
    ]);
    expect(await errorOf(await api("/v1/me/orders?cursor=not-a-cursor", { token: tokens.customer }))).toEqual([
      400,
      "validation_failed",
    ]);
    const forged = btoa(JSON.stringify(["'; drop table orders; --", crypto.randomUUID()]));
    expect(await errorOf(await api(`/v1/me/orders?cursor=${forged}`, { token: tokens.customer }))).toEqual([
      400,
      "validation_failed",
    ]);
    expect(await errorOf(await api("/v1/me/orders", { token: tokens.staff }))).toEqual([403, "role_not_allowed"]);
    expect(await errorOf(await api("/v1/me/orders"))).toEqual([401, "token_missing"]);
  });
});

describe("GET /v1/restaurants/{id}/orders", () => {
  // The other restaurant's board is seeded here, so its staff read it and this file's
  // first restaurant (with API-placed orders) stays out of the counts.
  let byStatus: Map<OrderState, string>;
  let path: string;

  beforeAll(async () => {
    const states: Array<[OrderState, string]> = [
      ["placed", "2026-03-01T09:00:00.000Z"],
      ["paid", "2026-03-01T12:00:00.000Z"],
      ["accepted", "2026-03-02T09:00:00.000Z"],
      ["preparing", "2026-03-02T23:59:59.000Z"],
      ["ready", "2026-03-03T00:00:00.000Z"],
      ["delivered", "2026-03-03T12:00:00.000Z"],
      ["cancelled", "2026-03-04T12:00:00.000Z"],
      ["rejected", "2026-03-05T12:00:00.000Z"],
    ];
    const ids = await seed(
      states.map(([status, placedAt]) => ({
        customerId: world.ids.customer,
        restaurantId: world.otherRestaurantId,
        status,
        placedAt,
      })),
    );
    byStatus = new Map(states.map(([status], i) => [status, ids[i] ?? ""]));
    path = `/v1/restaurants/${world.otherRestaurantId}/orders`;
  });

  const statuses = (page: Page) => page.orders.map((o) => o.status);

  it("shows the restaurant's staff its orders newest first, filtered by one or more states", async () => {
    expect(statuses(await getPage(path, tokens.otherStaff))).toEqual([
      "rejected",
      "cancelled",
      "delivered",
      "ready",
      "preparing",
      "accepted",
      "paid",
      "placed",
    ]);
    expect(statuses(await getPage(`${path}?status=paid,accepted`, tokens.otherStaff))).toEqual(["accepted", "paid"]);
    expect(statuses(await getPage(`${path}?status=ready&status=placed`, tokens.otherStaff))).toEqual([
      "ready",
      "placed",
    ]);
    expect((await getPage(`${path}?status=cancelled`, tokens.otherStaff)).orders.map((o) => o.id)).toEqual([
      byStatus.get("cancelled"),
    ]);
  });

  it("live=true keeps only orders that are still in progress", async () => {
    expect(statuses(await getPage(`${path}?live=true`, tokens.otherStaff))).toEqual([
      "ready",
      "preparing",
      "accepted",
      "paid",
      "placed",
    ]);
    expect(statuses(await getPage(`${path}?live=true&status=paid,delivered`, tokens.otherStaff))).toEqual(["paid"]);
  });

  it("filters by placement time: from inclusive, to exclusive, a plain date meaning the whole UTC day", async () => {
    expect(statuses(await getPage(`${path}?from=2026-03-02&to=2026-03-02`, tokens.otherStaff))).toEqual([
      "preparing",
      "accepted",
    ]);
    expect(
      statuses(await getPage(`${path}?from=2026-03-01T12:00:00Z&to=2026-03-03T00:00:00Z`, tokens.otherStaff)),
    ).toEqual(["preparing", "accepted", "paid"]);
    expect(statuses(await getPage(`${path}?from=2026-03-04`, tokens.otherStaff))).toEqual(["rejected", "cancelled"]);
  });

  it("paginates a filtered list with the same cursor", async () => {
    const pages = await allPages(`${path}?live=true&limit=2`, tokens.otherStaff);
    expect(pages.map(statuses)).toEqual([["ready", "preparing"], ["accepted", "paid"], ["placed"]]);
  });

  it("lets an admin read any restaurant and says 404 for one that does not exist", async () => {
    expect((await getPage(path, tokens.admin)).orders).toHaveLength(8);
    expect(await errorOf(await api(`/v1/restaurants/${crypto.randomUUID()}/orders`, { token: tokens.admin }))).toEqual([
      404,
      "restaurant_not_found",
    ]);
  });

  it("refuses another restaurant's staff, customers and couriers with 403", async () => {
    expect(await errorOf(await api(path, { token: tokens.staff }))).toEqual([403, "not_restaurant_staff"]);
    expect(await errorOf(await api(path, { token: tokens.customer }))).toEqual([403, "role_not_allowed"]);
    expect(await errorOf(await api(path, { token: tokens.courier }))).toEqual([403, "role_not_allowed"]);
  });

  it("refuses unknown states, reversed ranges and malformed dates with 400", async () => {
    for (const query of [
      "status=paid,eaten",
      "status=",
      "from=2026-03-05&to=2026-03-01",
      "from=yesterday",
      "live=yes",
    ]) {
      expect(await errorOf(await api(`${path}?${query}`, { token: tokens.otherStaff })), query).toEqual([
        400,
        "validation_failed",
      ]);
    }
  });
});

describe("GET /v1/couriers/me/job", () => {
  it("is 404 no_current_job until the courier has an order in progress, ignoring finished ones", async () => {
    expect(await errorOf(await api("/v1/couriers/me/job", { token: tokens.courier }))).toEqual([404, "no_current_job"]);
    await seed([
      {
        customerId: world.ids.customer,
        restaurantId: world.restaurantId,
        status: "delivered",
        placedAt: "2026-04-01T10:00:00Z",
        courierId: world.ids.courier,
      },
    ]);
    expect(await errorOf(await api("/v1/couriers/me/job", { token: tokens.courier }))).toEqual([404, "no_current_job"]);
    expect(await errorOf(await api("/v1/couriers/me/job", { token: tokens.customer }))).toEqual([
      403,
      "role_not_allowed",
    ]);
  });

  it("returns the order a courier was assigned through the Order DO, with pickup, drop-off and items", async () => {
    const res = await api("/v1/orders", {
      method: "POST",
      token: tokens.customer,
      headers: { "idempotency-key": `job-${crypto.randomUUID()}` },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 2, optionIds: [world.smallOptionId] }],
        deliveryAddress: world.address,
      },
    });
    const { id } = (await res.json()) as { id: string };
    await payOrder(id, tokens.customer);
    expect(
      (await api(`/v1/orders/${id}/accept`, { method: "POST", token: tokens.staff, json: { prepTimeMinutes: 10 } }))
        .status,
    ).toBe(200);
    const stub = orderStubFor(testEnv, id);
    // Accepting started dispatch; with no courier online nearby the zone keeps searching, so offer directly.
    expect(
      (
        await stub.system(
          { type: "courier_offered", courierId: world.ids.courier, expiresAt: Date.now() + 60_000 },
          "test",
        )
      ).ok,
    ).toBe(true);
    const assigned = await stub.command(
      { userId: world.ids.courier, role: "courier" },
      { type: "courier_assigned", courierId: world.ids.courier },
    );
    expect(assigned.ok).toBe(true);

    const job = await eventually(async () => {
      const r = await api("/v1/couriers/me/job", { token: tokens.courier });
      return r.status === 200
        ? ((await r.json()) as {
            order: Summary;
            pickup: { restaurantId: string };
            dropoff: { lat: number };
            items: unknown[];
          })
        : undefined;
    });
    expect(job.order).toMatchObject({ id, status: "accepted", courierId: world.ids.courier, delivery: "assigned" });
    expect(job.pickup.restaurantId).toBe(world.restaurantId);
    expect(job.dropoff.lat).toBe(world.address.lat);
    expect(job.items).toEqual([{ name: "Margherita", quantity: 2 }]);
  });
});

describe("the OpenAPI document", () => {
  it("describes the read endpoints and their filters", async () => {
    const res = await api("/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/me/orders", "/v1/restaurants/{id}/orders", "/v1/couriers/me/job"]),
    );
    const params = doc.paths["/v1/restaurants/{id}/orders"]?.get?.parameters?.map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(["id", "status", "live", "from", "to", "cursor", "limit"]));
  });
});
