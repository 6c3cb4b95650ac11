// Rating an order: once, by its customer, only after delivery; the courier
// part only when a courier delivered it; the restaurant's summary follows.
import { beforeAll, describe, expect, it } from "vitest";
import {
  assignedOrder,
  courierPost,
  createDispatchWorld,
  type DispatchWorld,
  errorCode,
  kitchen,
  online,
} from "../../test/dispatch-world.ts";
import { api, signIn } from "../../test/world.ts";

let dw: DispatchWorld;
let stranger: string;
let delivered: string;
let undelivered: string;

const rating = {
  restaurant: { stars: 4, comment: "Hot and on time" },
  courier: { stars: 5, punctuality: "up", care: "up", friendliness: "down" },
};

beforeAll(async () => {
  dw = await createDispatchWorld(2);
  stranger = await signIn(dw.world.emails.otherCustomer);
  const [rider, idle] = dw.couriers;
  if (!rider || !idle) throw new Error("two couriers expected");
  const socket = await online(rider, dw.restaurant);
  delivered = await assignedOrder(dw, socket);
  const atRestaurant = { ...dw.restaurant, accuracyM: 10 };
  expect((await courierPost(delivered, "arrived-at-pickup", rider.token, atRestaurant)).status).toBe(200);
  await kitchen(dw, delivered, "preparing");
  await kitchen(dw, delivered, "ready");
  expect((await courierPost(delivered, "picked-up", rider.token, atRestaurant)).status).toBe(200);
  const door = { lat: dw.world.address.lat, lng: dw.world.address.lng, accuracyM: 10 };
  expect((await courierPost(delivered, "arrived-at-dropoff", rider.token, door)).status).toBe(200);
  const view = await api(`/v1/orders/${delivered}`, { token: dw.customer });
  const pin = ((await view.json()) as { order: { handoffPin: string } }).order.handoffPin;
  expect((await courierPost(delivered, "delivered", rider.token, { ...door, pin })).status).toBe(200);
  socket.close();
  const placed = await api("/v1/orders", {
    method: "POST",
    token: dw.customer,
    headers: { "idempotency-key": `rating-${crypto.randomUUID()}` },
    json: {
      restaurantId: dw.world.restaurantId,
      items: [{ itemId: dw.world.itemId, quantity: 1, optionIds: [dw.world.smallOptionId] }],
      deliveryAddress: dw.world.address,
    },
  });
  undelivered = ((await placed.json()) as { id: string }).id;
}, 60_000);

function rate(orderId: string, token: string, body: unknown = rating) {
  return api(`/v1/orders/${orderId}/rating`, { method: "POST", token, json: body });
}

describe("ratings", () => {
  it("refuses rating before delivery, someone else's order, and other roles", async () => {
    const early = await rate(undelivered, dw.customer);
    expect([early.status, await errorCode(early)]).toEqual([409, "not_delivered"]);
    const theirs = await rate(delivered, stranger);
    expect([theirs.status, await errorCode(theirs)]).toEqual([404, "order_not_found"]);
    expect((await rate(delivered, dw.staff)).status).toBe(403);
    const bad = await rate(delivered, dw.customer, { restaurant: { stars: 6 } });
    expect([bad.status, await errorCode(bad)]).toEqual([400, "validation_failed"]);
    const unrated = await api(`/v1/orders/${delivered}/rating`, { token: dw.customer });
    expect([unrated.status, await errorCode(unrated)]).toEqual([404, "rating_not_found"]);
  });

  it("rates a delivered order once, and the restaurant's summary counts it", async () => {
    const first = await rate(delivered, dw.customer);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({
      restaurant: { stars: 4, comment: "Hot and on time" },
      courier: { stars: 5, punctuality: "up", care: "up", friendliness: "down" },
    });
    const twice = await rate(delivered, dw.customer, { restaurant: { stars: 1 } });
    expect([twice.status, await errorCode(twice)]).toEqual([409, "already_rated"]);
    const mine = await api(`/v1/orders/${delivered}/rating`, { token: dw.customer });
    expect(((await mine.json()) as { restaurant: { stars: number } }).restaurant.stars).toBe(4);
    const hidden = await api(`/v1/orders/${delivered}/rating`, { token: stranger });
    expect(hidden.status).toBe(404);
    const summary = await api(`/v1/restaurants/${dw.world.restaurantId}/ratings`);
    expect(await summary.json()).toEqual({ restaurantId: dw.world.restaurantId, count: 1, average: 4 });
  });
});
