// POST /v1/quotes prices a cart exactly as placement does, creates nothing,
// and refuses what placement would refuse.
import { beforeAll, describe, expect, it } from "vitest";
import { api, createWorld, signIn, type World } from "../../test/world.ts";

let world: World;
let customer: string;
let staff: string;

beforeAll(async () => {
  world = await createWorld();
  [customer, staff] = await Promise.all([signIn(world.emails.customer), signIn(world.emails.staff)]);
});

function cart(overrides: Record<string, unknown> = {}) {
  return {
    restaurantId: world.restaurantId,
    items: [{ itemId: world.itemId, quantity: 2, optionIds: [world.largeOptionId, world.extraCheeseId] }],
    deliveryAddress: world.address,
    tipMinor: 150,
    ...overrides,
  };
}

const TOTALS = ["subtotalMinor", "deliveryFeeMinor", "serviceFeeMinor", "taxMinor", "tipMinor", "totalMinor"] as const;

describe("quotes", () => {
  it("quotes the totals the placed order then has", async () => {
    const quoted = await api("/v1/quotes", { method: "POST", token: customer, json: cart() });
    expect(quoted.status).toBe(200);
    const quote = (await quoted.json()) as Record<string, number> & { lines: unknown[] };
    expect(quote.tipMinor).toBe(150);
    expect(quote.lines).toHaveLength(1);
    const placed = await api("/v1/orders", {
      method: "POST",
      token: customer,
      headers: { "idempotency-key": `quote-${crypto.randomUUID()}` },
      json: cart(),
    });
    const order = (await placed.json()) as Record<string, number>;
    for (const field of TOTALS) expect(order[field], field).toBe(quote[field]);
  });

  it("discovery shows the same delivery fee for that address, and an estimated time", async () => {
    const { lat, lng } = world.address;
    const listed = (await (await api(`/v1/restaurants?lat=${lat}&lng=${lng}`)).json()) as {
      restaurants: { id: string; deliveryFeeMinor: number | null; estimatedDeliveryMinutes: number }[];
    };
    const mine = listed.restaurants.find((r) => r.id === world.restaurantId);
    const quote = (await (await api("/v1/quotes", { method: "POST", token: customer, json: cart() })).json()) as {
      deliveryFeeMinor: number;
    };
    expect(mine?.deliveryFeeMinor).toBe(quote.deliveryFeeMinor);
    expect(mine?.estimatedDeliveryMinutes).toBeGreaterThan(0);
  });

  it("refuses an address out of reach, a broken cart, and callers who are not customers", async () => {
    const far = await api("/v1/quotes", {
      method: "POST",
      token: customer,
      json: cart({ deliveryAddress: { ...world.address, lat: world.address.lat + 1 } }),
    });
    expect(far.status).toBe(422);
    expect(((await far.json()) as { error: { code: string } }).error.code).toBe("outside_delivery_radius");
    const broken = await api("/v1/quotes", {
      method: "POST",
      token: customer,
      json: cart({ items: [{ itemId: world.itemId, quantity: 1, optionIds: [] }] }),
    });
    expect(broken.status).toBe(422);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe("cart_invalid");
    expect((await api("/v1/quotes", { method: "POST", token: staff, json: cart() })).status).toBe(403);
    expect((await api("/v1/quotes", { method: "POST", json: cart() })).status).toBe(401);
  });
});
