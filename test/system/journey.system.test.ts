// A new user's first `npm start`, walked end to end: the platform as the boot
// module starts it (wrangler dev, the queue, the Stripe stand-in) on the
// embedded PostgreSQL by default, or on the machine's server with
// SYSTEM_DATABASE=server (CI runs both). Orders go from placement to delivery
// with real clients (the simulator: couriers on WebSockets, kitchens, PIN
// hand-off), one is cancelled with a refund and one partly refunded; then
// every order and every event must be in Postgres exactly once, the
// customer's and courier's reads must agree, and the connections the load
// opened must be closed again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bootSystem,
  call,
  connectionCount,
  DEMO,
  drift,
  liveOrders,
  openRestaurants,
  placeOrder,
  projectedOrders,
  type System,
  signIn,
  simulate,
  waitFor,
} from "./system-kit.ts";

let system: System;
let base: string;
let admin: string;
let customer: string;

beforeAll(async () => {
  system = await bootSystem("journey");
  base = system.platform.apiBase;
  [admin, customer] = await Promise.all([signIn(base, ...DEMO.admin), signIn(base, ...DEMO.customer)]);
}, 240_000);

afterAll(async () => {
  await system?.dispose();
}, 60_000);

async function paid(id: string): Promise<void> {
  const checkout = await call(base, "POST", `/v1/orders/${id}/checkout`, { token: customer });
  expect(checkout.status).toBe(200);
  await waitFor(
    async () => (await liveOrders(base, admin, [id])).get(id)?.status === "paid",
    30_000,
    `order ${id} paid`,
  );
}

describe(`the journey on ${process.env.SYSTEM_DATABASE === "server" ? "the machine's PostgreSQL" : "the embedded PostgreSQL"}`, () => {
  it("keeps Postgres exactly in step with every order, event and read", async () => {
    const baseline = await connectionCount(system.platform);

    // Placement, payment, acceptance, offers, pickup and delivery with the PIN, by real clients.
    let peak = baseline;
    const sampler = setInterval(() => {
      void connectionCount(system.platform)
        .then((n) => {
          peak = Math.max(peak, n);
        })
        .catch(() => {});
    }, 1000);
    const report = await simulate(base, { couriers: "10", rate: "0.5", duration: "8", cook: "2", drain: "120" });
    clearInterval(sampler);
    // The simulator picks restaurants and items at random, so a placement may be refused for a
    // business reason (say, an item sold out); never for a server error.
    console.log(`placements refused: ${JSON.stringify(report.refusals)}`);
    expect(Object.keys(report.refusals).filter((why) => why.startsWith("5"))).toEqual([]);
    expect(report.placeFailed).toBeLessThanOrEqual(1);
    expect(report.orders.length).toBeGreaterThanOrEqual(2);
    // Most orders finish in the drain time; which ones depends on where the simulated couriers
    // happen to drive. What must hold for all of them is below: Postgres equals their Order DO.
    const delivered = report.orders.filter((o) => o.events.includes("order.delivered"));
    console.log(`simulated orders: ${report.orders.length}, delivered ${delivered.length}`);
    expect(delivered.length).toBeGreaterThanOrEqual(1);
    for (const step of ["order.paid", "order.accepted", "order.courier_assigned", "order.picked_up"]) {
      expect(delivered[0]?.events).toContain(step);
    }

    // A cancellation before acceptance, refunded in full.
    const [restaurant] = await openRestaurants(base);
    if (!restaurant) throw new Error("no open restaurant");
    const cancelled = await placeOrder(base, customer, restaurant);
    expect(cancelled.status).toBe(201);
    const cancelledId = cancelled.id as string;
    await paid(cancelledId);
    const cancel = await call(base, "POST", `/v1/orders/${cancelledId}/cancel`, {
      token: customer,
      body: { reason: "changed my mind" },
    });
    expect(cancel.status).toBe(200);

    // A partial refund on a delivered order.
    const deliveredId = delivered[0]?.id as string;
    const refund = await call(base, "POST", `/v1/orders/${deliveredId}/refunds`, {
      token: admin,
      body: { amountMinor: 100, reason: "cold fries" },
    });
    expect(refund.status).toBe(200);

    const ids = [...report.orders.map((o) => o.id), cancelledId];
    // Refunds append `order.refunded` once Stripe answers; wait for both.
    await waitFor(
      async () => {
        const live = await liveOrders(base, admin, [cancelledId, deliveredId]);
        const events = await Promise.all(
          [cancelledId, deliveredId].map((id) =>
            call<{ timeline: Array<{ type: string }> }>(base, "GET", `/v1/orders/${id}`, { token: admin }),
          ),
        );
        return (
          live.get(cancelledId)?.status === "cancelled" &&
          events.every((e) => e.body.timeline?.some((t) => t.type === "order.refunded"))
        );
      },
      30_000,
      "refunds recorded",
    );

    // Postgres converges to the Order DOs: every order, every event, once.
    const live = await liveOrders(base, admin, ids);
    await waitFor(
      async () => drift(live, await projectedOrders(system.platform, ids)).length === 0,
      60_000,
      "Postgres in step with the Order DOs",
    );
    expect(drift(live, await projectedOrders(system.platform, ids))).toEqual([]);
    expect(live.get(cancelledId)?.status).toBe("cancelled");
    expect(live.get(deliveredId)?.status).toBe("delivered");

    // The reads built on Postgres agree: the customer's history and the health view.
    const mine = await call<{ orders: Array<{ id: string; status: string }> }>(base, "GET", "/v1/me/orders?limit=50", {
      token: customer,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.orders.find((o) => o.id === cancelledId)?.status).toBe("cancelled");
    const health = await call<{ status: string; projection: { laggingOrders: number } }>(base, "GET", "/v1/health");
    expect(health.body).toMatchObject({ status: "ok", projection: { laggingOrders: 0 } });

    // Every pool the Worker opened is closed again: back to the baseline once the load is over.
    const after = await waitFor(
      async () => {
        const n = await connectionCount(system.platform);
        return n <= baseline ? n : undefined;
      },
      30_000,
      `connections back to ${baseline}`,
    );
    console.log(`connections: baseline ${baseline}, peak ${peak}, after ${after}`);
    expect(after).toBeLessThanOrEqual(baseline);
  }, 400_000);

  // wrangler dev drops an env-file name wrangler.toml does not declare; these are all undeclared (decision 0046).
  it("gives the Worker the local settings the boot module sets: web push, loopback endpoints", async () => {
    const vapid = await call<{ publicKey: string }>(base, "GET", "/v1/push/vapid-public-key");
    expect(vapid.status).toBe(200);
    const endpoint = await call<{ id: string }>(base, "POST", "/v1/webhook-endpoints", {
      token: admin,
      body: { url: "http://127.0.0.1:9/local-receiver", eventTypes: ["order.paid"], description: "boot check" },
    });
    expect(endpoint.status).toBe(201);
    expect((await call(base, "DELETE", `/v1/webhook-endpoints/${endpoint.body.id}`, { token: admin })).status).toBe(
      204,
    );
    const subscription = (await (
      await fetch(`${system.platform.notifyUrl}/push/subscriptions`, { method: "POST" })
    ).json()) as { endpoint: string; keys: { p256dh: string; auth: string } };
    const pushed = await call(base, "POST", "/v1/me/push-subscriptions", {
      token: customer,
      body: { endpoint: subscription.endpoint, keys: subscription.keys, app: "customer" },
    });
    expect(pushed.status).toBe(201);
  }, 30_000);
});
