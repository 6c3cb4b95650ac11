// The notification service end to end inside workerd: events from the queue
// become e-mails, SMS and web pushes at the stand-in (which decrypts pushes
// with an independent implementation), in the recipient's language, once per
// (event, recipient, channel), with preferences, retries and gone
// subscriptions; and the preferences and subscription API's refusals.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { notifications, pushSubscriptions } from "../../db/schema-notifications.ts";
import { failNext, madeUpEvent, notifyBase, standinMessages, standinSubscription } from "../../test/notify-kit.ts";
import { payOrder } from "../../test/stripe.ts";
import { api, createWorld, eventually, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";
import { notifyProjected } from "./fanout.ts";
import { sweepDue } from "./sweep.ts";

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
}, 60_000);

async function subscribe(token: string, app: "customer" | "courier" | "console") {
  const sub = await standinSubscription();
  const res = await api("/v1/me/push-subscriptions", {
    method: "POST",
    token,
    json: { endpoint: sub.endpoint, keys: sub.keys, app },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return { ...sub, apiId: ((await res.json()) as { id: string }).id };
}

async function rowsFor(eventId: string) {
  const { db, close } = openDb(testEnv);
  try {
    return await db.select().from(notifications).where(eq(notifications.eventId, eventId));
  } finally {
    await close();
  }
}

async function fanOut(...messages: ReturnType<typeof madeUpEvent>[]) {
  const { db, close } = openDb(testEnv);
  try {
    return await notifyProjected(testEnv, db, messages);
  } finally {
    await close();
  }
}

describe("from the events queue to the kitchen, the customer and the courier", () => {
  it("a paid order reaches the kitchen's browser as a decrypted push, and staff and customer by e-mail", async () => {
    const kitchen = await subscribe(tokens.staff, "console");
    const pt = await api("/v1/me/notification-preferences", {
      method: "PATCH",
      token: tokens.customer,
      json: { language: "pt" },
    });
    expect(pt.status).toBe(200);
    const placed = await api("/v1/orders", {
      method: "POST",
      token: tokens.customer,
      headers: { "idempotency-key": `notify-${crypto.randomUUID()}` },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 2, optionIds: [world.smallOptionId] }],
        deliveryAddress: world.address,
      },
    });
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string };
    const paidAt = Date.now();
    await payOrder(order.id, tokens.customer);
    const [push] = await eventually(async () => {
      const found = await standinMessages({ kind: "push", to: kitchen.id });
      return found.length > 0 ? found : undefined;
    }, 15_000);
    const latencyMs = (push?.at ?? 0) - paidAt;
    console.warn(`measured: payment webhook to the kitchen's decrypted push in ${latencyMs} ms`);
    expect(push?.subject).toBe(`New order #${order.id.slice(0, 8)}`);
    expect(push?.body).toContain("2 item(s)");
    expect(push?.meta.urgency).toBe("high");
    const staffMail = await eventually(
      async () => (await standinMessages({ kind: "email", to: world.emails.staff }))[0],
    );
    expect(staffMail.subject).toBe(`New order #${order.id.slice(0, 8)}`);
    const customerMail = await eventually(async () =>
      (await standinMessages({ kind: "email", to: world.emails.customer })).find(
        (m) => m.subject === "Encomenda confirmada",
      ),
    );
    expect(customerMail.body).toContain("#");
    // The staff member's own log shows both, sent.
    const mine = await api("/v1/me/notifications", { token: tokens.staff });
    const list = ((await mine.json()) as { notifications: Array<{ orderId: string; channel: string; status: string }> })
      .notifications;
    expect(
      list
        .filter((n) => n.orderId === order.id)
        .map((n) => `${n.channel}:${n.status}`)
        .sort(),
    ).toEqual(["email:sent", "push:sent"]);
  }, 40_000);

  it("a redelivered event sends nothing twice", async () => {
    await subscribe(tokens.customer, "customer");
    const message = madeUpEvent(world, "order.delivered");
    await fanOut(message);
    await fanOut(message);
    await fanOut(message);
    const rows = await rowsFor(message.event.id);
    expect(rows.map((r) => `${r.channel}:${r.status}`).sort()).toEqual(["email:sent", "push:sent"]);
    const pushes = (await standinMessages({ kind: "push" })).filter(
      (m) => m.meta.tag === `order_delivered:${message.order.id}`,
    );
    expect(pushes).toHaveLength(1);
  });

  it("an offer reaches the offered courier by push; a courier cannot switch offers off", async () => {
    const courier = await subscribe(tokens.courier, "courier");
    const refused = await api("/v1/me/notification-preferences", {
      method: "PATCH",
      token: tokens.courier,
      json: { categories: { courier_offers: { push: false } } },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("must_go_category");
    // Even with every channel off and quiet hours all day, the offer goes.
    await api("/v1/me/notification-preferences", {
      method: "PATCH",
      token: tokens.courier,
      json: {
        channels: { push: false, email: false, sms: false },
        quietHours: { start: "00:00", end: "23:59", timeZone: "UTC" },
      },
    });
    const message = madeUpEvent(world, "order.courier_offered", { courierId: world.ids.courier });
    await fanOut(message);
    const [push] = await standinMessages({ kind: "push", to: courier.id });
    expect(push?.subject).toBe("Delivery offer");
    expect(push?.meta.ttl).toBe("60");
  });

  it("opt-outs and quiet hours hold messages back; SMS needs a phone", async () => {
    const res = await api("/v1/me/notification-preferences", {
      method: "PATCH",
      token: tokens.otherCustomer,
      json: { channels: { email: false }, quietHours: { start: "00:00", end: "23:59", timeZone: "UTC" } },
    });
    expect(res.status).toBe(200);
    const message = madeUpEvent(world, "order.courier_at_dropoff");
    message.order.customerId = world.ids.otherCustomer;
    await fanOut(message);
    const rows = await rowsFor(message.event.id);
    expect(rows.map((r) => `${r.channel}:${r.status}:${r.reason}`).sort()).toEqual([
      "push:suppressed:quiet_hours",
      "sms:suppressed:quiet_hours",
    ]);
    await api("/v1/me/notification-preferences", {
      method: "PATCH",
      token: tokens.otherCustomer,
      json: { quietHours: null, phone: "+351912345678" },
    });
    const again = madeUpEvent(world, "order.courier_at_dropoff");
    again.order.customerId = world.ids.otherCustomer;
    await fanOut(again);
    const sms = (await standinMessages({ kind: "sms", to: "+351912345678" })).at(-1);
    expect(sms?.body).toContain("Your courier is here");
  });

  it("a failed send is retried with backoff by the sweep; a gone subscription is removed", async () => {
    await failNext("email", 1, 503);
    const message = madeUpEvent(world, "order.cancelled");
    await fanOut(message);
    const [email] = (await rowsFor(message.event.id)).filter((r) => r.channel === "email");
    expect(email).toMatchObject({ status: "retried", attempts: 1 });
    const { db, close } = openDb(testEnv);
    try {
      await sweepDue(testEnv, db, Date.now() + 11_000);
      const [after] = await db
        .select()
        .from(notifications)
        .where(eq(notifications.id, email?.id ?? 0));
      expect(after).toMatchObject({ status: "sent", attempts: 2 });

      const gone = await subscribe(tokens.otherCustomer, "customer");
      await fetch(`${notifyBase()}/push/subscriptions/${gone.id}/expire`, { method: "POST" });
      const next = madeUpEvent(world, "order.picked_up");
      next.order.customerId = world.ids.otherCustomer;
      await fanOut(next);
      const [push] = await rowsFor(next.event.id);
      expect(push).toMatchObject({ channel: "push", status: "failed" });
      const left = await db
        .select()
        .from(pushSubscriptions)
        .where(and(eq(pushSubscriptions.id, gone.apiId)));
      expect(left).toEqual([]);
    } finally {
      await close();
    }
  });
});

describe("refusals", () => {
  it("preferences and subscriptions need a signed-in user and valid input", async () => {
    expect((await api("/v1/me/notification-preferences")).status).toBe(401);
    const patch = (json: unknown) =>
      api("/v1/me/notification-preferences", { method: "PATCH", token: tokens.customer, json });
    expect((await patch({ language: "fr" })).status).toBe(400);
    expect((await patch({ quietHours: { start: "22:00", end: "07:00", timeZone: "Mars/Olympus" } })).status).toBe(400);
    expect((await patch({ phone: "912345678" })).status).toBe(400);
    expect((await patch({ categories: { new_orders: { email: false } } })).status).toBe(422);
    expect((await patch({ surprise: true })).status).toBe(400);
    const sub = await standinSubscription();
    const post = (json: unknown) => api("/v1/me/push-subscriptions", { method: "POST", token: tokens.customer, json });
    expect((await post({ endpoint: "https://10.0.0.1/push", keys: sub.keys, app: "customer" })).status).toBe(422);
    expect(
      (await post({ endpoint: sub.endpoint, keys: { ...sub.keys, auth: "c2hvcnQ" }, app: "customer" })).status,
    ).toBe(400);
    // Someone else's subscription is not found.
    const mine = await subscribe(tokens.customer, "customer");
    const other = await api(`/v1/me/push-subscriptions/${mine.apiId}`, {
      method: "DELETE",
      token: tokens.otherCustomer,
    });
    expect(other.status).toBe(404);
    const own = await api(`/v1/me/push-subscriptions/${mine.apiId}`, { method: "DELETE", token: tokens.customer });
    expect(own.status).toBe(204);
  });

  it("publishes the VAPID public key", async () => {
    const res = await api("/v1/push/vapid-public-key");
    expect(res.status).toBe(200);
    const { publicKey } = (await res.json()) as { publicKey: string };
    expect(publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
  });
});
