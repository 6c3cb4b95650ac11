// What goes wrong on the road, inside workerd against the real Order and Zone
// DOs: the courier's job view, handing a job back, a courier who goes dark
// before and after pickup, the customer who does not answer the door (wait,
// photo in R2, failed delivery without refund), the hand-off PIN lockout, the
// per-courier rate limit, the trail support reads, and the day's earnings.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { destinationPoint } from "../../../domain/geo/distance.ts";
import type { OrderDO } from "../../../durable-objects/order/order-do.ts";
import { fixAt } from "../../../durable-objects/zone/zone-test-kit.ts";
import {
  assignedOrder,
  courierPost,
  createCouriers,
  createDispatchWorld,
  type DispatchWorld,
  errorCode,
  kitchen,
  online,
  type TestCourier,
  timeline,
} from "../../../test/dispatch-world.ts";
import { api, eventually, testEnv } from "../../../test/world.ts";

let dw: DispatchWorld;
let pool: TestCourier[];

function take(n: number): TestCourier[] {
  const taken = pool.slice(0, n);
  pool = pool.slice(n);
  if (taken.length < n) throw new Error("courier pool exhausted");
  return taken;
}

function orderDO(orderId: string): DurableObjectStub<OrderDO> {
  return testEnv.ORDER.get(testEnv.ORDER.idFromName(orderId));
}

/** Stands in for minutes of silence: the assignment and every position move into the past, and the alarm is due. */
async function silence(orderId: string, minutes: number): Promise<void> {
  const then = Date.now() - minutes * 60_000;
  await runInDurableObject(orderDO(orderId), (_instance: OrderDO, state) => {
    state.storage.sql.exec("update dispatch_meta set value = ? where key = 'assigned_at'", String(then));
    state.storage.sql.exec("update courier_trail set received_at = ?", then);
  });
  await darkAlarmNow(orderId);
}

/** Runs the courier_dark alarm now, whenever it was due. */
async function darkAlarmNow(orderId: string): Promise<void> {
  await runInDurableObject(orderDO(orderId), (_instance: OrderDO, state) => {
    state.storage.sql.exec("update alarm_schedule set at = 1 where kind = 'courier_dark'");
  });
  expect(await runDurableObjectAlarm(orderDO(orderId))).toBe(true);
}

async function pinOf(orderId: string): Promise<string> {
  const res = await api(`/v1/orders/${orderId}`, { token: dw.customer });
  return ((await res.json()) as { order: { handoffPin: string } }).order.handoffPin;
}

/** Assigned, at pickup, food ready, picked up, at the door. */
async function atTheDoor(
  courier: TestCourier,
  orderId: string,
): Promise<{ lat: number; lng: number; accuracyM: number }> {
  const atRestaurant = { ...dw.restaurant, accuracyM: 10 };
  expect((await courierPost(orderId, "arrived-at-pickup", courier.token, atRestaurant)).status).toBe(200);
  await kitchen(dw, orderId, "preparing");
  await kitchen(dw, orderId, "ready");
  expect((await courierPost(orderId, "picked-up", courier.token, atRestaurant)).status).toBe(200);
  const door = { lat: dw.world.address.lat, lng: dw.world.address.lng, accuracyM: 10 };
  expect((await courierPost(orderId, "arrived-at-dropoff", courier.token, door)).status).toBe(200);
  return door;
}

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);

function putPhoto(orderId: string, token: string, body: Uint8Array, type = "image/jpeg") {
  return api(`/v1/couriers/me/orders/${orderId}/failure-photo`, {
    method: "PUT",
    token,
    body,
    headers: { "content-type": type },
  });
}

beforeAll(async () => {
  dw = await createDispatchWorld(14);
  pool = dw.couriers;
});

describe("the courier's job", () => {
  it("offers show the restaurant, both distances and the pay; the job view is the assigned courier's alone", async () => {
    const [rider, other] = take(2) as [TestCourier, TestCourier];
    const socket = await online(rider, destinationPoint(dw.restaurant, 0, 200));
    try {
      const orderId = await (async () => {
        const id = await assignedOrder(dw, socket, 150);
        return id;
      })();
      const offer = socket.messages.find((m) => m.type === "offer");
      expect(offer).toMatchObject({ restaurantName: expect.stringContaining("Test Kitchen"), currency: "EUR" });
      if (offer?.type !== "offer") throw new Error("no offer");
      expect(offer.distanceM).toBeGreaterThan(190);
      expect(offer.dropoffDistanceM).toBeGreaterThan(890);
      expect(offer.dropoffDistanceM).toBeLessThan(910);

      const res = await api(`/v1/couriers/me/orders/${orderId}`, { token: rider.token });
      expect(res.status).toBe(200);
      const job = (await res.json()) as {
        restaurant: { name: string; address: string };
        dropoff: { line1: string };
        items: Array<{ name: string; options: string[] }>;
        pay: { payMinor: number; tipMinor: number; totalMinor: number; currency: string };
        pinAttemptsLeft: number;
        customerWaitUntil: number | null;
      };
      expect(job.restaurant).toMatchObject({ address: "Rua Augusta 1, Lisboa" });
      expect(job.dropoff.line1).toBe(dw.world.address.line1);
      expect(job.items).toEqual([{ name: "Margherita", quantity: 1, options: ["Small"] }]);
      expect(job.pay.tipMinor).toBe(150);
      expect(job.pay.totalMinor).toBe(job.pay.payMinor + 150);
      expect(offer.payoutMinor).toBe(job.pay.totalMinor);
      expect(job).toMatchObject({ pinAttemptsLeft: 5, customerWaitUntil: null });

      // Another courier learns nothing, not even that the order exists; a customer is the wrong role.
      const stranger = await api(`/v1/couriers/me/orders/${orderId}`, { token: other.token });
      expect(stranger.status).toBe(404);
      const customer = await api(`/v1/couriers/me/orders/${orderId}`, { token: dw.customer });
      expect(customer.status).toBe(403);
      expect((await api(`/v1/couriers/me/orders/not-a-uuid`, { token: rider.token })).status).toBe(400);
    } finally {
      socket.close();
    }
  });
});

describe("handing a job back", () => {
  it("before pickup: the order is offered to the next courier, never back to the one who left", async () => {
    const [first, second] = take(2) as [TestCourier, TestCourier];
    const a = await online(first, destinationPoint(dw.restaurant, 0, 100));
    const b = await online(second, destinationPoint(dw.restaurant, 180, 600));
    try {
      const orderId = await assignedOrder(dw, a);
      const handBack = { reason: "restaurant_closed", note: "Shutters down" };
      const res = await courierPost(orderId, "hand-back", first.token, handBack);
      expect(res.status).toBe(200);
      // Already offered to the next courier by the time the answer comes back.
      expect(await res.json()).toMatchObject({ delivery: "offered", courierId: null });
      // The zone tells the app the job is off its list, and offers the order to the other courier.
      await eventually(async () => a.messages.some((m) => m.type === "status" && m.activeOrders.length === 0));
      expect(await b.next("offer")).toMatchObject({ orderId });
      // A retry of the same hand-back answers as the first did and records nothing new.
      expect((await courierPost(orderId, "hand-back", first.token, handBack)).status).toBe(200);
      b.send({ type: "offer_response", orderId, accept: true });
      await b.next("assigned");

      const events = await timeline(orderId, dw.customer);
      const released = events.filter((e) => e.type === "order.courier_released");
      expect(released).toHaveLength(1);
      expect(released[0]).toMatchObject({
        actorRole: "courier",
        payload: { courierId: first.id, reason: "restaurant_closed", note: "Shutters down" },
      });
      expect(events.filter((e) => e.type === "order.courier_offered").map((e) => e.payload.courierId)).toEqual([
        first.id,
        second.id,
      ]);
      expect(a.messages.filter((m) => m.type === "offer")).toHaveLength(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it("refuses another courier, an unknown reason, a hand-back after pickup, and unknown fields", async () => {
    const [rider, other] = take(2) as [TestCourier, TestCourier];
    const socket = await online(rider, destinationPoint(dw.restaurant, 90, 100));
    try {
      const orderId = await assignedOrder(dw, socket);
      // Someone else's order answers like one that does not exist.
      const notYours = await courierPost(orderId, "hand-back", other.token, { reason: "other" });
      expect(notYours.status).toBe(404);
      expect(await errorCode(notYours)).toBe("order_not_found");
      const badReason = await courierPost(orderId, "hand-back", rider.token, { reason: "went_dark" });
      expect(badReason.status).toBe(400);
      const extra = await courierPost(orderId, "hand-back", rider.token, { reason: "other", payout: 5 });
      expect(extra.status).toBe(400);
      const customer = await courierPost(orderId, "hand-back", dw.customer, { reason: "other" });
      expect(customer.status).toBe(403);

      await atTheDoor(rider, orderId);
      const late = await courierPost(orderId, "hand-back", rider.token, { reason: "vehicle_problem" });
      expect(late.status).toBe(409);
      expect(await errorCode(late)).toBe("invalid_transition");
      expect((await timeline(orderId, dw.customer)).some((e) => e.type === "order.courier_released")).toBe(false);
    } finally {
      socket.close();
    }
  });
});

describe("a courier who goes dark", () => {
  it("before pickup is released by the order's alarm and the order is offered again", async () => {
    const [dark, next] = take(2) as [TestCourier, TestCourier];
    const a = await online(dark, destinationPoint(dw.restaurant, 0, 100));
    const b = await online(next, destinationPoint(dw.restaurant, 180, 700));
    try {
      const orderId = await assignedOrder(dw, a);
      // A minute of silence is a tunnel, not a reason to take the job away.
      await silence(orderId, 1);
      expect((await timeline(orderId, dw.customer)).at(-1)).toMatchObject({ delivery: "assigned" });

      await silence(orderId, 4);
      expect(await b.next("offer")).toMatchObject({ orderId });
      const released = (await timeline(orderId, dw.customer)).find((e) => e.type === "order.courier_released");
      expect(released).toMatchObject({ actorRole: "system", payload: { reason: "went_dark", courierId: dark.id } });
      // The courier's own next move is refused: the job is no longer theirs.
      const step = await courierPost(orderId, "arrived-at-pickup", dark.token, { ...dw.restaurant, accuracyM: 10 });
      expect(step.status).toBe(404);
    } finally {
      a.close();
      b.close();
    }
  });

  it("after pickup escalates to operators once, and keeps the job with the courier", async () => {
    const [rider] = take(1) as [TestCourier];
    const socket = await online(rider, destinationPoint(dw.restaurant, 270, 100));
    try {
      const orderId = await assignedOrder(dw, socket);
      const atRestaurant = { ...dw.restaurant, accuracyM: 10 };
      expect((await courierPost(orderId, "arrived-at-pickup", rider.token, atRestaurant)).status).toBe(200);
      await kitchen(dw, orderId, "preparing");
      await kitchen(dw, orderId, "ready");
      expect((await courierPost(orderId, "picked-up", rider.token, atRestaurant)).status).toBe(200);

      await silence(orderId, 4);
      expect((await timeline(orderId, dw.customer)).some((e) => e.type === "order.escalated")).toBe(false);
      await silence(orderId, 6);
      // Still quiet at the next look: nothing new to tell operators.
      await darkAlarmNow(orderId);
      const events = await timeline(orderId, dw.customer);
      const escalations = events.filter((e) => e.type === "order.escalated");
      expect(escalations).toHaveLength(1);
      expect(escalations[0]).toMatchObject({
        actorRole: "system",
        payload: { reason: "courier_dark", courierId: rider.id },
      });
      expect(events.at(-1)).toMatchObject({ state: "picked_up", delivery: "picked_up" });
    } finally {
      socket.close();
    }
  });
});

describe("a customer who does not answer the door", () => {
  it("after the wait the courier fails the delivery with a photo kept in R2, and the customer is not refunded", async () => {
    const [rider, other] = take(2) as [TestCourier, TestCourier];
    const socket = await online(rider, destinationPoint(dw.restaurant, 45, 100));
    try {
      const orderId = await assignedOrder(dw, socket);
      const early = await courierPost(orderId, "customer-wait", rider.token, {});
      expect(early.status).toBe(409);
      await atTheDoor(rider, orderId);

      const failedTooSoon = await courierPost(orderId, "delivery-failed", rider.token, {
        reason: "customer_unreachable",
      });
      expect(failedTooSoon.status).toBe(409);
      expect(await errorCode(failedTooSoon)).toBe("wait_not_started");
      expect((await courierPost(orderId, "customer-wait", other.token, {})).status).toBe(404);
      const wait = await courierPost(orderId, "customer-wait", rider.token, {});
      expect(wait.status).toBe(200);
      // Retried: the same answer, one event.
      expect((await courierPost(orderId, "customer-wait", rider.token, {})).status).toBe(200);
      const job = (await (await api(`/v1/couriers/me/orders/${orderId}`, { token: rider.token })).json()) as {
        customerWaitUntil: number;
      };
      expect(job.customerWaitUntil).toBeGreaterThan(Date.now() + 4 * 60_000);
      const waiting = await courierPost(orderId, "delivery-failed", rider.token, { reason: "customer_unreachable" });
      expect(await errorCode(waiting)).toBe("wait_not_over");

      // The photo: wrong type, not an image, not this courier's order are refused.
      expect((await putPhoto(orderId, rider.token, JPEG, "text/plain")).status).toBe(415);
      expect((await putPhoto(orderId, rider.token, new Uint8Array([1, 2, 3, 4]))).status).toBe(400);
      expect((await putPhoto(orderId, other.token, JPEG)).status).toBe(404);
      const tooBig = new Uint8Array(2 * 1024 * 1024 + 10);
      tooBig.set(JPEG.subarray(0, 3));
      expect((await putPhoto(orderId, rider.token, tooBig)).status).toBe(413);
      const photo = await putPhoto(orderId, rider.token, JPEG);
      expect(photo.status).toBe(201);
      const { photoKey } = (await photo.json()) as { photoKey: string };
      expect(photoKey).toMatch(new RegExp(`^failed-deliveries/${orderId}/[0-9a-f]{64}\\.jpg$`));
      const stored = await testEnv.DELIVERY_EVIDENCE.get(photoKey);
      expect(new Uint8Array(await (stored as R2ObjectBody).arrayBuffer())).toEqual(JPEG);
      expect(stored?.customMetadata).toEqual({ orderId, courierId: rider.id });

      // Stands in for the five minutes passing: in storage and in the live object.
      await runInDurableObject(orderDO(orderId), (instance: OrderDO, state) => {
        const past = Date.now() - 1;
        state.storage.sql.exec(
          "update meta set value = json_set(value, '$.customerWaitUntil', ?) where key = 'snapshot'",
          past,
        );
        (instance as unknown as { snapshot: { customerWaitUntil: number } }).snapshot.customerWaitUntil = past;
      });
      const foreignPhoto = await courierPost(orderId, "delivery-failed", rider.token, {
        reason: "customer_unreachable",
        photoKey: `failed-deliveries/${crypto.randomUUID()}/x.jpg`,
      });
      expect(await errorCode(foreignPhoto)).toBe("photo_not_found");
      const badReason = await courierPost(orderId, "delivery-failed", rider.token, { reason: "rain" });
      expect(badReason.status).toBe(400);
      const failed = await courierPost(orderId, "delivery-failed", rider.token, {
        reason: "customer_unreachable",
        note: "Rang three times, called twice",
        photoKey,
      });
      expect(failed.status).toBe(200);
      expect(await failed.json()).toMatchObject({ status: "failed", delivery: "failed", refundedMinor: 0 });
      expect(
        (await courierPost(orderId, "delivery-failed", rider.token, { reason: "customer_unreachable" })).status,
      ).toBe(200);

      const events = await timeline(orderId, dw.customer);
      expect(events.filter((e) => e.type === "order.customer_wait_started")).toHaveLength(1);
      const ended = events.filter((e) => e.type === "order.delivery_failed");
      expect(ended).toHaveLength(1);
      expect(ended[0]?.payload).toMatchObject({ reason: "customer_unreachable", photoKey, refund: null });
      expect(events.some((e) => e.type.startsWith("order.refund"))).toBe(false);
      // The courier is free for the next job.
      await eventually(async () => socket.messages.some((m) => m.type === "status" && m.activeOrders.length === 0));
    } finally {
      socket.close();
    }
  }, 20_000);
});

describe("the hand-off PIN", () => {
  it("allows five wrong PINs per order, then refuses the step, even with the right PIN, and tells operators", async () => {
    const [rider] = take(1) as [TestCourier];
    const socket = await online(rider, destinationPoint(dw.restaurant, 135, 100));
    try {
      const orderId = await assignedOrder(dw, socket);
      const door = await atTheDoor(rider, orderId);
      const pin = await pinOf(orderId);
      const wrong = String((Number(pin) + 1) % 10_000).padStart(4, "0");
      // Asking without a PIN is not an attempt.
      expect(await errorCode(await courierPost(orderId, "delivered", rider.token, door))).toBe("pin_mismatch");
      const left: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await courierPost(orderId, "delivered", rider.token, { ...door, pin: wrong });
        expect(res.status).toBe(422);
        left.push(((await res.json()) as { error: { attemptsLeft: number } }).error.attemptsLeft);
      }
      expect(left).toEqual([4, 3, 2, 1, 0]);
      const sixth = await courierPost(orderId, "delivered", rider.token, { ...door, pin });
      expect(sixth.status).toBe(409);
      expect(await errorCode(sixth)).toBe("pin_locked");
      const events = await timeline(orderId, dw.customer);
      expect(events.filter((e) => e.type === "order.escalated").map((e) => e.payload.reason)).toEqual(["pin_locked"]);
      expect(events.at(-1)).toMatchObject({ state: "picked_up", delivery: "at_dropoff" });
      const job = (await (await api(`/v1/couriers/me/orders/${orderId}`, { token: rider.token })).json()) as {
        pinAttemptsLeft: number;
      };
      expect(job.pinAttemptsLeft).toBe(0);
    } finally {
      socket.close();
    }
  }, 20_000);

  it("rate-limits each courier's job requests, and only that courier's", async () => {
    const [busy, calm] = await createCouriers(2);
    if (!busy || !calm) throw new Error("no couriers");
    const missing = crypto.randomUUID();
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      statuses.push((await courierPost(missing, "hand-back", busy.token, { reason: "other" })).status);
    }
    expect(statuses.slice(0, 60).every((s) => s === 404)).toBe(true);
    expect(statuses[60]).toBe(429);
    expect((await courierPost(missing, "hand-back", calm.token, { reason: "other" })).status).toBe(404);
  }, 30_000);
});

describe("the trail and the earnings", () => {
  it("keeps every fix of the courier on the job, batched uploads included, for admins only; earnings count the delivery", async () => {
    const [rider] = take(1) as [TestCourier];
    const start = destinationPoint(dw.restaurant, 200, 150);
    const socket = await online(rider, start);
    try {
      const orderId = await assignedOrder(dw, socket, 200);
      // Twelve fixes taken in a dead zone, uploaded as one batch, then a live one: all reach the trail,
      // although positions are forwarded to the order at most once a second.
      const rideStart = Date.now() - 60_000;
      const fixes = Array.from({ length: 12 }, (_, i) =>
        fixAt(destinationPoint(start, 20, 10 * (i + 1)), { at: rideStart + i * 2000 }),
      );
      socket.send({ type: "fixes", fixes });
      expect(await socket.next("ack")).toMatchObject({ seq: fixes.at(-1)?.seq, accepted: 12, dropped: 0 });
      const live = fixAt(destinationPoint(start, 20, 130));
      socket.send({ type: "fix", fix: live });
      await socket.next("ack");
      // The live fix lands within the throttle: it rides along with the next forward.
      await new Promise((r) => setTimeout(r, 1100));
      const last = fixAt(destinationPoint(start, 20, 140));
      socket.send({ type: "fix", fix: last });
      await socket.next("ack");

      const read = async () => {
        const res = await api(`/v1/admin/orders/${orderId}/trail`, { token: dw.admin });
        expect(res.status).toBe(200);
        return (await res.json()) as {
          points: Array<{ seq: number; courierId: string }>;
          stats: { duplicates: number };
        };
      };
      const trail = await eventually(async () => {
        const t = await read();
        return t.points.length >= 14 ? t : null;
      });
      const seqs = trail.points.map((p) => p.seq);
      expect(seqs).toEqual([...fixes.map((f) => f.seq), live.seq, last.seq]);
      expect(trail.points.every((p) => p.courierId === rider.id)).toBe(true);
      expect(trail.stats.duplicates).toBe(0);
      expect((await api(`/v1/admin/orders/${orderId}/trail`, { token: rider.token })).status).toBe(403);
      expect((await api(`/v1/admin/orders/${crypto.randomUUID()}/trail`, { token: dw.admin })).status).toBe(404);

      const door = await atTheDoor(rider, orderId);
      const delivered = await courierPost(orderId, "delivered", rider.token, { ...door, pin: await pinOf(orderId) });
      expect(delivered.status).toBe(200);

      // Kept for the dispute window after the order ends, then deleted by the order's alarm.
      const purgeAt = await runInDurableObject(orderDO(orderId), (_i: OrderDO, state) => {
        const row = state.storage.sql
          .exec<{ at: number }>("select at from alarm_schedule where kind = 'trail_purge'")
          .toArray()[0];
        return row?.at ?? 0;
      });
      expect(purgeAt - Date.now()).toBeGreaterThan(29 * 24 * 60 * 60_000);
      expect(purgeAt - Date.now()).toBeLessThanOrEqual(30 * 24 * 60 * 60_000);
      await runInDurableObject(orderDO(orderId), (_i: OrderDO, state) => {
        state.storage.sql.exec("update alarm_schedule set at = 1 where kind = 'trail_purge'");
      });
      expect(await runDurableObjectAlarm(orderDO(orderId))).toBe(true);
      expect((await read()).points).toEqual([]);

      const from = new Date(Date.now() - 60 * 60_000).toISOString();
      const earnings = await eventually(async () => {
        const res = await api(`/v1/couriers/me/earnings?from=${encodeURIComponent(from)}`, { token: rider.token });
        expect(res.status).toBe(200);
        const body = (await res.json()) as {
          jobs: Array<{ orderId: string; tipMinor: number; payMinor: number; outcome: string }>;
          totals: Array<{ jobs: number; tipMinor: number; totalMinor: number; currency: string }>;
        };
        return body.jobs.length > 0 ? body : null;
      });
      expect(earnings.jobs).toEqual([expect.objectContaining({ orderId, tipMinor: 200, outcome: "delivered" })]);
      const job = earnings.jobs[0] as { payMinor: number };
      expect(earnings.totals).toEqual([
        { currency: "EUR", jobs: 1, payMinor: job.payMinor, tipMinor: 200, totalMinor: job.payMinor + 200 },
      ]);
      const backwards = await api(
        `/v1/couriers/me/earnings?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(from)}`,
        {
          token: rider.token,
        },
      );
      expect(backwards.status).toBe(400);
      expect((await api(`/v1/couriers/me/earnings?from=yesterday`, { token: rider.token })).status).toBe(400);
      expect(
        (await api(`/v1/couriers/me/earnings?from=${encodeURIComponent(from)}`, { token: dw.customer })).status,
      ).toBe(403);
    } finally {
      socket.close();
    }
  }, 30_000);
});
