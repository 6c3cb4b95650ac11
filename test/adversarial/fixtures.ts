// One world for the adversarial suite: a user of every role and a stranger of
// every role, a restaurant in its own map cell, and an order that is paid,
// accepted and assigned to a courier through the real dispatch path.
import { and, eq, isNull } from "drizzle-orm";
import { openDb } from "../../db/client.ts";
import {
  couriers,
  deadLetters,
  deliveryAreas,
  menuCategories,
  menuItems,
  modifierGroups,
  modifierOptions,
  restaurants,
  users,
} from "../../db/schema.ts";
import { hashPassword } from "../../domain/auth/password.ts";
import { destinationPoint, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { courierSocket, goOnline } from "../../durable-objects/zone/zone-test-kit.ts";
import { payOrder } from "../stripe.ts";
import { api, createWorld, PASSWORD, signInAll, testEnv, type World, type WorldTokens } from "../world.ts";

export type Role = "customer" | "restaurant_staff" | "courier" | "admin";
export type Who = "anonymous" | Role;

export interface Fixtures {
  world: World;
  tokens: WorldTokens & { otherCourier: string };
  ids: World["ids"] & { otherCourier: string; spare: string };
  restaurantAt: LatLng;
  cell: string;
  categoryId: string;
  zoneId: string;
  deadLetterId: number;
  /** Paid, accepted by staff, assigned to `courier`. */
  orderId: string;
  /** Placed by `customer`, not paid yet. */
  unpaidOrderId: string;
  /** Paid and accepted, for operators' actions. */
  operatorOrderId: string;
  placeBody(): Record<string, unknown>;
}

/** The owner of a role's resources, and a stranger of the same role. */
export function principal(fx: Fixtures, who: Who, owner: boolean): string | undefined {
  switch (who) {
    case "anonymous":
      return undefined;
    case "customer":
      return owner ? fx.tokens.customer : fx.tokens.otherCustomer;
    case "restaurant_staff":
      return owner ? fx.tokens.staff : fx.tokens.otherStaff;
    case "courier":
      return owner ? fx.tokens.courier : fx.tokens.otherCourier;
    case "admin":
      return fx.tokens.admin;
  }
}

async function expectStatus(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) throw new Error(`fixture ${what}: ${res.status} ${await res.text()}`);
  return res;
}

export async function buildFixtures(): Promise<Fixtures> {
  const world = await createWorld();
  // The restaurant moves to the centre of a random cell far from other tests, with a zone around it.
  const anchor = { lat: 44 + Math.random() * 4, lng: 10 + Math.random() * 8 };
  const bounds = decodeGeohashBounds(zoneCellOf(anchor.lat, anchor.lng));
  const restaurantAt = { lat: (bounds.minLat + bounds.maxLat) / 2, lng: (bounds.minLng + bounds.maxLng) / 2 };
  const dropoff = destinationPoint(restaurantAt, 90, 900);
  world.address = { ...world.address, lat: dropoff.lat, lng: dropoff.lng };
  const { db, close } = openDb(testEnv);
  let zoneId: string;
  let deadLetterId: number;
  let categoryId: string;
  const ids = { ...world.ids, otherCourier: "", spare: "" };
  const tag = crypto.randomUUID().slice(0, 8);
  try {
    await db.update(restaurants).set(restaurantAt).where(eq(restaurants.id, world.restaurantId));
    const [w, e, s, n] = [
      restaurantAt.lng - 0.2,
      restaurantAt.lng + 0.2,
      restaurantAt.lat - 0.2,
      restaurantAt.lat + 0.2,
    ];
    const [zone] = await db
      .insert(deliveryAreas)
      .values({
        name: `Adversarial zone ${tag}`,
        polygon: {
          type: "Polygon",
          coordinates: [
            [
              [w, s],
              [e, s],
              [e, n],
              [w, n],
              [w, s],
            ],
          ],
        },
        currency: "EUR",
        baseDeliveryFeeMinor: 199,
        perKmFeeMinor: 50,
        serviceFeeBps: 500,
        taxBps: 1300,
      })
      .returning({ id: deliveryAreas.id });
    zoneId = zone?.id as string;
    const passwordHash = await hashPassword(PASSWORD, 1000);
    const extra = await db
      .insert(users)
      .values([
        { email: `courier2-${tag}@test.local`, name: "Kai Other", role: "courier" as const, passwordHash },
        { email: `spare-${tag}@test.local`, name: "Sam Spare", role: "customer" as const, passwordHash },
      ])
      .returning({ id: users.id, email: users.email });
    ids.otherCourier = extra[0]?.id as string;
    ids.spare = extra[1]?.id as string;
    await db.insert(couriers).values({ userId: ids.otherCourier, vehicle: "bicycle", phone: "+351900000002" });
    const [letter] = await db
      .insert(deadLetters)
      .values({ queue: "events", messageId: `adversarial-${tag}`, body: { kind: "fixture" }, attempts: 6 })
      .returning({ id: deadLetters.id });
    deadLetterId = letter?.id as number;
    const [category] = await db
      .select({ id: menuCategories.id })
      .from(menuCategories)
      .where(eq(menuCategories.restaurantId, world.restaurantId))
      .limit(1);
    categoryId = category?.id as string;
  } finally {
    await close();
  }
  const base = await signInAll(world);
  const otherCourierRes = await api("/v1/auth/sign-in", {
    method: "POST",
    json: { email: `courier2-${tag}@test.local`, password: PASSWORD },
  });
  const tokens = { ...base, otherCourier: ((await otherCourierRes.json()) as { accessToken: string }).accessToken };

  const placeBody = () => ({
    restaurantId: world.restaurantId,
    items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
    deliveryAddress: world.address,
  });
  const place = async () => {
    const res = await api("/v1/orders", {
      method: "POST",
      token: tokens.customer,
      headers: { "idempotency-key": `adversarial-${crypto.randomUUID()}` },
      json: placeBody(),
    });
    await expectStatus(res, 201, "place order");
    return ((await res.json()) as { id: string }).id;
  };

  // The assigned order, through the real path: pay, accept, offer over the courier's socket, accept the offer.
  const orderId = await place();
  await payOrder(orderId, tokens.customer);
  const near = destinationPoint(restaurantAt, 0, 60);
  const socketRes = await api(`/v1/couriers/live?lat=${near.lat}&lng=${near.lng}`, {
    token: tokens.courier,
    headers: { upgrade: "websocket" },
  });
  const socket = courierSocket(world.ids.courier, socketRes);
  try {
    await goOnline(socket, near);
    await expectStatus(
      await api(`/v1/orders/${orderId}/accept`, { method: "POST", token: tokens.staff, json: { prepTimeMinutes: 10 } }),
      200,
      "accept",
    );
    await socket.next("offer", 10_000);
    socket.send({ type: "offer_response", orderId, accept: true });
    await socket.next("assigned", 10_000);
  } finally {
    socket.close();
  }
  const unpaidOrderId = await place();
  const operatorOrderId = await place();
  await payOrder(operatorOrderId, tokens.customer);

  return {
    world,
    tokens,
    ids,
    restaurantAt,
    cell: zoneCellOf(restaurantAt.lat, restaurantAt.lng),
    categoryId,
    zoneId,
    deadLetterId,
    orderId,
    unpaidOrderId,
    operatorOrderId,
    placeBody,
  };
}

export interface MenuBits {
  categoryId: string;
  itemId: string;
  groupId: string;
  optionId: string;
}

/** A category with one item, one modifier group and two options in the world's restaurant, for calls that delete. */
export async function freshMenuBits(fx: Fixtures): Promise<MenuBits> {
  const tag = crypto.randomUUID().slice(0, 8);
  const { db, close } = openDb(testEnv);
  try {
    const [category] = await db
      .insert(menuCategories)
      .values({ restaurantId: fx.world.restaurantId, name: `Throwaway ${tag}` })
      .returning({ id: menuCategories.id });
    const [item] = await db
      .insert(menuItems)
      .values({
        restaurantId: fx.world.restaurantId,
        categoryId: category?.id as string,
        name: `Throwaway ${tag}`,
        priceMinor: 500,
        currency: "EUR",
      })
      .returning({ id: menuItems.id });
    const [group] = await db
      .insert(modifierGroups)
      .values({ itemId: item?.id as string, name: "Sauce", minChoices: 0, maxChoices: 1 })
      .returning({ id: modifierGroups.id });
    const [option] = await db
      .insert(modifierOptions)
      .values([
        { groupId: group?.id as string, name: "Red", priceDeltaMinor: 0 },
        { groupId: group?.id as string, name: "White", priceDeltaMinor: 0 },
      ])
      .returning({ id: modifierOptions.id });
    return {
      categoryId: category?.id as string,
      itemId: item?.id as string,
      groupId: group?.id as string,
      optionId: option?.id as string,
    };
  } finally {
    await close();
  }
}

/** A staff member of the world's other restaurant only, for removal. */
export async function freshStaff(fx: Fixtures): Promise<string> {
  const { db, close } = openDb(testEnv);
  try {
    const [row] = await db
      .insert(users)
      .values({
        email: `throwaway-staff-${crypto.randomUUID().slice(0, 8)}@test.local`,
        name: "Tess Temp",
        role: "restaurant_staff",
        restaurantId: fx.world.otherRestaurantId,
      })
      .returning({ id: users.id });
    return row?.id as string;
  } finally {
    await close();
  }
}

/** The restaurant's categories, or one category's items, as they are now (reordering must name each once). */
export async function liveMenuIds(fx: Fixtures, categoryId?: string): Promise<string[]> {
  const { db, close } = openDb(testEnv);
  try {
    if (categoryId) {
      const rows = await db
        .select({ id: menuItems.id })
        .from(menuItems)
        .where(and(eq(menuItems.categoryId, categoryId), isNull(menuItems.archivedAt)));
      return rows.map((r) => r.id).reverse();
    }
    const rows = await db
      .select({ id: menuCategories.id })
      .from(menuCategories)
      .where(and(eq(menuCategories.restaurantId, fx.world.restaurantId), isNull(menuCategories.archivedAt)));
    return rows.map((r) => r.id).reverse();
  } finally {
    await close();
  }
}
