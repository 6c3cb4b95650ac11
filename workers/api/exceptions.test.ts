// The exceptions queue end to end inside workerd: a courier search that gives
// up lands in the queue through the projection; operators offer the order to
// a courier, assign one outright, restart the search, cancel with a partial
// refund, resolve and add notes, each an event with the operator as actor,
// audited; everyone else is refused.
import { beforeAll, describe, expect, it } from "vitest";
import { destinationPoint } from "../../domain/geo/distance.ts";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import { type Courier, createOperatorWorld, type OperatorWorld } from "../../test/operator-world.ts";
import { api, eventually } from "../../test/world.ts";

let ow: OperatorWorld;
let pool: Courier[];

function take(n: number): Courier[] {
  const taken = pool.slice(0, n);
  pool = pool.slice(n);
  if (taken.length < n) throw new Error("courier pool exhausted");
  return taken;
}

interface ExceptionItem {
  id: string;
  orderId: string;
  kind: string;
  reason: string | null;
  ageMs: number;
  resolvedAt: string | null;
  resolution: string | null;
  resolutionNote: string | null;
  order: { restaurantName: string; status: string; customerName: string };
}

async function exceptionsOf(orderId: string, status: "open" | "resolved" = "open"): Promise<ExceptionItem[]> {
  const res = await api(`/v1/admin/exceptions?status=${status}&orderId=${orderId}`, { token: ow.tokens.admin });
  expect(res.status).toBe(200);
  return ((await res.json()) as { exceptions: ExceptionItem[] }).exceptions;
}

function act(orderId: string, action: string, json: unknown, token = ow.tokens.admin, key?: string) {
  return api(`/v1/admin/orders/${orderId}/${action}`, {
    method: "POST",
    token,
    json,
    ...(key ? { headers: { "idempotency-key": key } } : {}),
  });
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

beforeAll(async () => {
  ow = await createOperatorWorld({ lat: 36 + Math.random() * 3, lng: -6 + Math.random() * 4 });
  pool = await ow.couriers(8);
});

describe("the exceptions queue", () => {
  it("lists an order nobody took, with its age and reason; an offer to a chosen courier settles it", async () => {
    const [decliner] = take(1) as [Courier];
    const socket = await ow.online(decliner);
    try {
      const orderId = await ow.escalatedOrder(socket);
      const [open] = await eventually(async () => {
        const list = await exceptionsOf(orderId);
        return list.length > 0 ? list : null;
      });
      expect(open).toMatchObject({
        orderId,
        kind: "no_courier",
        reason: "no_courier_accepted",
        resolvedAt: null,
        order: { status: "accepted", customerName: "Cora Customer" },
      });
      expect(open?.ageMs).toBeGreaterThanOrEqual(0);

      // The operator phones the courier who declined and offers it to them again; they accept.
      const offered = await act(orderId, "offer", { courierId: decliner.id, reason: "agreed on the phone" });
      expect(offered.status).toBe(200);
      expect(await offered.json()).toMatchObject({ delivery: "offered" });
      expect(await socket.next("offer")).toMatchObject({ orderId });
      socket.send({ type: "offer_response", orderId, accept: true });
      expect(await socket.next("assigned")).toEqual({ type: "assigned", orderId });

      const events = await ow.timeline(orderId, ow.tokens.admin);
      const byOperator = events.find((e) => e.type === "order.courier_offered" && e.payload.byOperator === true);
      expect(byOperator).toMatchObject({ actorRole: "admin", actorId: ow.world.ids.admin });
      expect(events.at(-1)).toMatchObject({ type: "order.courier_assigned", actorId: decliner.id });

      const [settled] = await eventually(async () => {
        const list = await exceptionsOf(orderId, "resolved");
        return list.length > 0 ? list : null;
      });
      expect(settled).toMatchObject({ resolution: "courier_assigned" });
      const audit = await api(`/v1/admin/audit?entityType=order&entityId=${orderId}`, { token: ow.tokens.admin });
      const entries = ((await audit.json()) as { entries: Array<Record<string, unknown>> }).entries;
      expect(entries).toContainEqual(
        expect.objectContaining({
          action: "order.courier_offered",
          actorId: ow.world.ids.admin,
          sourceEventId: byOperator?.id,
          after: expect.objectContaining({ courierId: decliner.id, reason: "agreed on the phone" }),
        }),
      );
    } finally {
      socket.close();
    }
  });

  it("gives an order to a courier outright with a reason; the courier's app is told, the customer does not see why", async () => {
    const [decliner, chosen] = take(2) as [Courier, Courier];
    const a = await ow.online(decliner);
    try {
      const orderId = await ow.escalatedOrder(a);
      const b = await ow.online(chosen, destinationPoint(ow.restaurant, 180, 300));
      try {
        const assigned = await act(orderId, "assign", { courierId: chosen.id, reason: "Bruno is around the corner" });
        expect(assigned.status).toBe(200);
        expect(await assigned.json()).toMatchObject({ delivery: "assigned", courierId: chosen.id });
        expect(await b.next("assigned")).toEqual({ type: "assigned", orderId });

        const forced = (e: OrderEvent) => "forced" in e.payload && e.payload.forced === true;
        const forCustomer = (await ow.timeline(orderId)).find(forced);
        expect(forCustomer?.payload).toBeDefined();
        expect(forCustomer?.payload).not.toHaveProperty("reason");
        const forOperator = (await ow.timeline(orderId, ow.tokens.admin)).find(forced);
        expect(forOperator?.payload).toMatchObject({ reason: "Bruno is around the corner" });

        // The assigned courier may now move the order; the courier who declined may not.
        const atRestaurant = { ...ow.restaurant, accuracyM: 10 };
        const wrong = await api(`/v1/couriers/me/orders/${orderId}/arrived-at-pickup`, {
          method: "POST",
          token: decliner.token,
          json: atRestaurant,
        });
        expect(wrong.status).toBe(404);
        const right = await api(`/v1/couriers/me/orders/${orderId}/arrived-at-pickup`, {
          method: "POST",
          token: chosen.token,
          json: atRestaurant,
        });
        expect(right.status).toBe(200);
        const [settled] = await eventually(async () => {
          const list = await exceptionsOf(orderId, "resolved");
          return list.length > 0 ? list : null;
        });
        expect(settled).toMatchObject({
          resolution: "courier_assigned_by_operator",
          resolutionNote: "Bruno is around the corner",
        });
      } finally {
        b.close();
      }
    } finally {
      a.close();
    }
  });

  it("restarts the search: the couriers who declined are asked again", async () => {
    const [decliner] = take(1) as [Courier];
    const socket = await ow.online(decliner);
    try {
      const orderId = await ow.escalatedOrder(socket);
      const res = await act(orderId, "redispatch", { reason: "more couriers online now" });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ delivery: "searching", courierId: null });
      expect(await socket.next("offer")).toMatchObject({ orderId });
      const types = (await ow.timeline(orderId, ow.tokens.admin)).map((e) => e.type);
      expect(types.slice(types.indexOf("order.redispatched"))).toEqual(["order.redispatched", "order.courier_offered"]);
      const [settled] = await eventually(async () => {
        const list = await exceptionsOf(orderId, "resolved");
        return list.length > 0 ? list : null;
      });
      expect(settled?.resolution).toBe("redispatched");
    } finally {
      socket.close();
    }
  });

  it("cancels with a partial refund once, however often the operator's request is retried", async () => {
    const orderId = await ow.placePaidOrder();
    await ow.accept(orderId);
    const key = `cancel-${crypto.randomUUID()}`;
    const first = await act(orderId, "cancel", { reason: "kitchen closed early", refundMinor: 500 }, undefined, key);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: "cancelled", refundedMinor: 500 });
    const retry = await act(orderId, "cancel", { reason: "kitchen closed early", refundMinor: 500 }, undefined, key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const refunded = await eventually(async () => {
      const events = await ow.timeline(orderId, ow.tokens.admin);
      return events.find((e) => e.type === "order.refunded");
    });
    expect(refunded.payload.amountMinor).toBe(500);
    const events = await ow.timeline(orderId, ow.tokens.admin);
    expect(events.filter((e) => e.type === "order.cancelled")).toHaveLength(1);
    // Without the key a second cancel is a conflict with the order's state.
    const again = await act(orderId, "cancel", { reason: "again" });
    expect(again.status).toBe(409);
  });

  it("keeps operators' notes and resolutions on the order, for operators' eyes", async () => {
    const orderId = await ow.placePaidOrder();
    const note = await act(orderId, "notes", { note: "Called the customer: gate code 4411" });
    expect(note.status).toBe(200);
    const resolved = await act(orderId, "resolve", { note: "Nothing else to do", kinds: ["no_courier"] });
    expect(resolved.status).toBe(200);
    const operatorView = await ow.timeline(orderId, ow.tokens.admin);
    expect(operatorView.find((e) => e.type === "order.operator_note")?.payload.note).toBe(
      "Called the customer: gate code 4411",
    );
    const customerView = await ow.timeline(orderId);
    const hidden = customerView.find((e) => e.type === "order.operator_note");
    expect(hidden?.payload).not.toHaveProperty("note");
    expect(customerView.find((e) => e.type === "order.exception_resolved")?.payload).not.toHaveProperty("note");
  });
});

describe("refusals", () => {
  it("lets only operators list and act, and says why an action cannot be done", async () => {
    const orderId = await ow.placePaidOrder();
    const actions: Array<[string, unknown]> = [
      ["offer", { courierId: ow.world.ids.courier, reason: "x" }],
      ["assign", { courierId: ow.world.ids.courier, reason: "x" }],
      ["redispatch", { reason: "x" }],
      ["cancel", { reason: "x" }],
      ["resolve", { note: "x" }],
      ["notes", { note: "x" }],
    ];
    for (const [action, body] of actions) {
      for (const who of ["customer", "staff", "courier"] as const) {
        const res = await act(orderId, action, body, ow.tokens[who]);
        expect(res.status, `${action} by ${who}`).toBe(403);
      }
      const anonymous = await api(`/v1/admin/orders/${orderId}/${action}`, { method: "POST", json: body });
      expect(anonymous.status, action).toBe(401);
    }
    for (const who of ["customer", "staff", "courier"] as const) {
      expect((await api("/v1/admin/exceptions", { token: ow.tokens[who] })).status).toBe(403);
    }
    // Nothing the refused callers sent reached the order.
    expect((await ow.timeline(orderId, ow.tokens.admin)).map((e) => e.type)).toEqual([
      "order.placed",
      "order.payment_started",
      "order.paid",
    ]);

    const cases: Array<[string, unknown, number, string]> = [
      ["assign", { courierId: ow.world.ids.customer, reason: "x" }, 404, "courier_not_found"],
      ["assign", { courierId: ow.world.ids.courier }, 400, "validation_failed"],
      ["offer", { courierId: ow.world.ids.courier, reason: "x" }, 409, "courier_not_online"],
      // Paid but not accepted: nobody looks for a courier yet.
      ["redispatch", { reason: "x" }, 409, "invalid_transition"],
      ["cancel", { reason: "x", refundMinor: -1 }, 400, "validation_failed"],
      ["cancel", { reason: "x", refundMinor: 999_999 }, 422, "invalid_refund_amount"],
      ["notes", { note: "" }, 400, "validation_failed"],
      ["resolve", { note: "x", kinds: ["lost_in_space"] }, 400, "validation_failed"],
    ];
    for (const [action, body, status, want] of cases) {
      const res = await act(orderId, action, body);
      expect(res.status, `${action} ${JSON.stringify(body)}`).toBe(status);
      expect(await code(res)).toBe(want);
    }
    const unknown = await act(crypto.randomUUID(), "notes", { note: "x" });
    expect(unknown.status).toBe(404);
    const badKey = await act(orderId, "notes", { note: "x" }, undefined, "no");
    expect(badKey.status).toBe(400);
    expect((await api("/v1/admin/exceptions?kind=lost", { token: ow.tokens.admin })).status).toBe(400);
  });

  it("cuts a deactivated courier's app off at their zone and keeps them off", async () => {
    const [leaver] = take(1) as [Courier];
    const socket = await ow.online(leaver);
    const closed = new Promise<number>((resolve) => socket.ws.addEventListener("close", (e) => resolve(e.code)));
    // The zone has reported them to the live map, which is how the Worker finds their zone.
    await eventually(async () => {
      const res = await api(`/v1/admin/live-map/${ow.cell.slice(0, 3)}`, { token: ow.tokens.admin });
      const snapshot = (await res.json()) as { couriers: Array<{ courierId: string }> };
      return snapshot.couriers.some((c) => c.courierId === leaver.id);
    });
    const off = await api(`/v1/admin/users/${leaver.id}/deactivate`, { method: "POST", token: ow.tokens.admin });
    expect(off.status).toBe(200);
    expect(await socket.next("error")).toMatchObject({ code: "courier_deactivated" });
    expect(await closed).toBe(4003);
    const back = await api(`/v1/couriers/live?lat=${ow.restaurant.lat}&lng=${ow.restaurant.lng}`, {
      token: leaver.token,
      headers: { upgrade: "websocket" },
    });
    expect(back.status).toBe(401);
  });
});
