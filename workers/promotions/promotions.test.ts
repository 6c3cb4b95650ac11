// Promotions end to end: created by staff and operators, applied by a quote
// and a placement alike, never overspent or over-redeemed under concurrent
// placements, given back when an order is called off.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { promotionRedemptions, promotions } from "../../db/schema-promotions.ts";
import type { OrderEventMessage } from "../../domain/order/order-event.ts";
import { api, createWorld, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";
import { projectOrderEvents } from "../events/projection.ts";
import { redeemPromotion, releaseOrphanRedemptions } from "./redemptions.ts";

let world: World;
let tokens: WorldTokens;
const { db, close } = openDb(testEnv, 30);

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});
afterAll(() => close());

const newCode = () => `T${crypto.randomUUID().replace(/-/g, "").slice(0, 10)}`.toUpperCase();

function draft(over: Record<string, unknown> = {}) {
  return {
    code: newCode(),
    kind: "percent",
    percentBps: 2000,
    currency: "EUR",
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    ...over,
  };
}

async function createAsAdmin(over: Record<string, unknown> = {}) {
  const res = await api("/v1/admin/promotions", { method: "POST", token: tokens.admin, json: draft(over) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; code: string };
}

function cart(promoCode?: string) {
  return {
    restaurantId: world.restaurantId,
    items: [{ itemId: world.itemId, quantity: 2, optionIds: [world.largeOptionId, world.extraCheeseId] }],
    deliveryAddress: world.address,
    tipMinor: 150,
    ...(promoCode && { promoCode }),
  };
}

const TOTALS = ["subtotalMinor", "deliveryFeeMinor", "serviceFeeMinor", "taxMinor", "tipMinor", "totalMinor"] as const;

describe("promotions", { timeout: 60_000 }, () => {
  it("a quote and the placement give the same discount, taken off the food and its tax", async () => {
    const promo = await createAsAdmin({ perCustomerLimit: 5 });
    const plain = (await (
      await api("/v1/quotes", { method: "POST", token: tokens.customer, json: cart() })
    ).json()) as Record<string, number>;
    const quoted = await api("/v1/quotes", {
      method: "POST",
      token: tokens.customer,
      json: cart(promo.code.toLowerCase()),
    });
    expect(quoted.status).toBe(200);
    const quote = (await quoted.json()) as Record<string, number | string>;
    expect(quote.discountMinor).toBe(Math.round((plain.subtotalMinor as number) * 0.2));
    // The discount reduces the taxable base (decision 0052's addendum): the food's tax falls with it.
    const taxDrop = (plain.taxMinor as number) - (quote.taxMinor as number);
    expect(taxDrop).toBeGreaterThan(0);
    const added = quote.taxIncluded ? 0 : taxDrop;
    expect(quote.totalMinor).toBe((plain.totalMinor as number) - (quote.discountMinor as number) - added);
    expect(quote.promotionCode).toBe(promo.code);
    for (const f of ["subtotalMinor", "deliveryFeeMinor", "serviceFeeMinor"] as const) {
      expect(quote[f]).toBe(plain[f]);
    }
    const lines = (quote as unknown as { lines: Array<{ discountMinor: number; taxMinor: number }> }).lines;
    expect(lines.reduce((s, l) => s + l.discountMinor, 0)).toBe(quote.discountMinor);

    const key = `promo-${crypto.randomUUID()}`;
    const place = () =>
      api("/v1/orders", {
        method: "POST",
        token: tokens.customer,
        headers: { "idempotency-key": key },
        json: cart(promo.code.toLowerCase()),
      });
    const placed = await place();
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as Record<string, number | string>;
    for (const f of [...TOTALS, "discountMinor", "promotionCode"]) expect(order[f], f).toBe(quote[f]);
    // A retry of the same placement answers the same order and redeems nothing more.
    expect((await place()).status).toBe(200);
    const [row] = await db.select().from(promotions).where(eq(promotions.id, promo.id));
    expect(row?.redemptions).toBe(1);
    expect(row?.spentMinor).toBe(quote.discountMinor);
  });

  it("refuses a code that does not apply, with a code saying why, and places nothing", async () => {
    const unknown = await api("/v1/quotes", { method: "POST", token: tokens.customer, json: cart("NO-SUCH-CODE") });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("promotion_not_found");
    const big = await createAsAdmin({ minOrderMinor: 1_000_000 });
    const refused = await api("/v1/orders", {
      method: "POST",
      token: tokens.customer,
      headers: { "idempotency-key": `promo-${crypto.randomUUID()}` },
      json: cart(big.code),
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("promotion_min_order");
  });

  it("staff create their own restaurant-funded codes only; a disabled code stops applying", async () => {
    const created = await api(`/v1/restaurants/${world.restaurantId}/promotions`, {
      method: "POST",
      token: tokens.staff,
      json: draft({ kind: "fixed", percentBps: undefined, amountMinor: 300 }),
    });
    expect(created.status).toBe(201);
    const promo = (await created.json()) as { id: string; code: string; fundedBy: string; restaurantId: string };
    expect(promo.fundedBy).toBe("restaurant");
    expect(promo.restaurantId).toBe(world.restaurantId);
    const platformFunded = await api(`/v1/restaurants/${world.restaurantId}/promotions`, {
      method: "POST",
      token: tokens.staff,
      json: { ...draft(), fundedBy: "platform" },
    });
    expect(platformFunded.status).toBe(400);
    const disabled = await api(`/v1/restaurants/${world.restaurantId}/promotions/${promo.id}/disable`, {
      method: "POST",
      token: tokens.staff,
    });
    expect(disabled.status).toBe(200);
    const quote = await api("/v1/quotes", { method: "POST", token: tokens.customer, json: cart(promo.code) });
    expect(quote.status).toBe(422);
    expect(((await quote.json()) as { error: { code: string } }).error.code).toBe("promotion_disabled");
    const taken = await api("/v1/admin/promotions", {
      method: "POST",
      token: tokens.admin,
      json: draft({ code: promo.code }),
    });
    expect(taken.status).toBe(409);
  });
});

describe("redemptions under concurrency", { timeout: 60_000 }, () => {
  const request = (code: string, customerId: string) => ({
    code,
    customerId,
    orderId: crypto.randomUUID(),
    restaurantId: world.restaurantId,
    currency: "EUR",
    subtotalMinor: 1000,
    now: Date.now(),
  });

  it("never spends more than the budget, whatever the interleaving", async () => {
    // 300 off each; a budget of 1000 holds three.
    const promo = await createAsAdmin({ kind: "fixed", percentBps: undefined, amountMinor: 300, budgetMinor: 1000 });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => redeemPromotion(db, request(promo.code, crypto.randomUUID()))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const refusals = new Set(results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.code)));
    expect([...refusals]).toEqual(["promotion_budget_exhausted"]);
    const [row] = await db.select().from(promotions).where(eq(promotions.id, promo.id));
    expect(row?.spentMinor).toBe(900);
    expect(row?.redemptions).toBe(3);
  });

  it("never lets one customer redeem more than the limit, and a release gives a use back", async () => {
    const promo = await createAsAdmin({ perCustomerLimit: 2 });
    const customer = crypto.randomUUID();
    const requests = Array.from({ length: 10 }, () => request(promo.code, customer));
    const results = await Promise.all(requests.map((r) => redeemPromotion(db, r)));
    const won = requests.filter((_, i) => results[i]?.ok);
    expect(won).toHaveLength(2);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: "promotion_customer_limit" });

    // The first order is cancelled: its projection releases the redemption, once.
    const first = won[0];
    if (!first) throw new Error("no redemption");
    const message = cancelledMessage(first.orderId, promo.id, promo.code);
    await projectOrderEvents(db, [message]);
    await projectOrderEvents(db, [message]);
    const [row] = await db.select().from(promotions).where(eq(promotions.id, promo.id));
    expect(row?.redemptions).toBe(1);
    expect(row?.spentMinor).toBe(200);
    expect((await redeemPromotion(db, request(promo.code, customer))).ok).toBe(true);
  });

  it("releases a redemption whose placement never reached an order, after an hour", async () => {
    const startsAt = new Date(Date.now() - 3 * 60 * 60 * 1000).toISOString();
    const promo = await createAsAdmin({ kind: "fixed", percentBps: undefined, amountMinor: 100, startsAt });
    const old = { ...request(promo.code, crypto.randomUUID()), now: Date.now() - 2 * 60 * 60 * 1000 };
    expect((await redeemPromotion(db, old)).ok).toBe(true);
    expect(await releaseOrphanRedemptions(db, Date.now())).toBeGreaterThanOrEqual(1);
    const [r] = await db.select().from(promotionRedemptions).where(eq(promotionRedemptions.orderId, old.orderId));
    expect(r?.releasedAt).not.toBeNull();
  });
});

function cancelledMessage(orderId: string, promotionId: string, code: string): OrderEventMessage {
  const at = Date.now();
  return {
    kind: "order_event",
    event: {
      id: crypto.randomUUID(),
      orderId,
      seq: 1,
      type: "order.cancelled",
      actorId: world.ids.customer,
      actorRole: "customer",
      at,
      payload: {
        orderId,
        state: "cancelled",
        delivery: "none",
        previousState: "placed",
        previousDelivery: "none",
        by: { role: "customer", id: world.ids.customer },
        at,
        reason: "test",
        refund: null,
        cancelledBy: "customer",
        paymentIntentId: null,
        courierId: null,
        offeredCourierId: null,
      },
      state: "cancelled",
      delivery: "none",
    },
    order: {
      id: orderId,
      customerId: world.ids.customer,
      restaurantId: world.restaurantId,
      idempotencyKey: `promo-${orderId}`,
      fingerprint: "",
      menuVersion: 1,
      currency: "EUR",
      lines: [],
      subtotalMinor: 1000,
      deliveryFeeMinor: 300,
      serviceFeeMinor: 0,
      taxMinor: 0,
      tipMinor: 0,
      totalMinor: 1100,
      discountMinor: 200,
      promotion: { id: promotionId, code, fundedBy: "platform" },
      deliveryAddress: world.address,
      restaurantLocation: { lat: 38.71, lng: -9.137 },
      placedAt: Date.now() - 60_000,
      courierId: null,
      prepTimeMinutes: null,
    },
  };
}
