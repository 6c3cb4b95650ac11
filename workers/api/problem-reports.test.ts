// A customer's problem report inside workerd: it is an event on the order
// (note hidden from the kitchen), lands in the operators' exceptions queue
// through the projection, stays there after delivery until an operator
// resolves it, and is audited when they do; anyone but the order's own
// customer, an unpaid order and a malformed report are refused.
import { beforeAll, describe, expect, it } from "vitest";
import { createOperatorWorld, type OperatorWorld } from "../../test/operator-world.ts";
import { api, eventually } from "../../test/world.ts";

let ow: OperatorWorld;

beforeAll(async () => {
  ow = await createOperatorWorld({ lat: 40 + Math.random() * 2, lng: -8 + Math.random() * 2 });
});

function report(orderId: string, json: unknown, token = ow.tokens.customer) {
  return api(`/v1/orders/${orderId}/problems`, { method: "POST", token, json });
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

interface ExceptionItem {
  kind: string;
  reason: string | null;
  details: Record<string, unknown>;
  resolution: string | null;
  resolutionNote: string | null;
}

async function exceptionsOf(orderId: string, status: "open" | "resolved" = "open"): Promise<ExceptionItem[]> {
  const res = await api(`/v1/admin/exceptions?status=${status}&orderId=${orderId}`, { token: ow.tokens.admin });
  expect(res.status).toBe(200);
  return ((await res.json()) as { exceptions: ExceptionItem[] }).exceptions;
}

describe("a customer's problem report", () => {
  it("joins the exceptions queue with its reason, and an operator's resolution is audited", async () => {
    const orderId = await ow.placePaidOrder();
    await ow.accept(orderId);
    const res = await report(orderId, { problem: "late", note: "Nobody has told me anything for 40 minutes" });
    expect(res.status).toBe(200);

    const [open] = await eventually(async () => {
      const list = await exceptionsOf(orderId);
      return list.length > 0 ? list : null;
    });
    expect(open).toMatchObject({
      kind: "customer_problem",
      reason: "late",
      details: { problem: "late", note: "Nobody has told me anything for 40 minutes" },
    });
    const filtered = await api(`/v1/admin/exceptions?kind=customer_problem&orderId=${orderId}`, {
      token: ow.tokens.admin,
    });
    expect(((await filtered.json()) as { exceptions: unknown[] }).exceptions).toHaveLength(1);

    // The kitchen sees that a problem was reported, not what the customer wrote.
    const staffView = await ow.timeline(orderId, ow.tokens.staff);
    const seen = staffView.find((e) => e.type === "order.problem_reported");
    expect(seen?.payload).toMatchObject({ problem: "late" });
    expect(seen?.payload).not.toHaveProperty("note");
    const adminView = await ow.timeline(orderId, ow.tokens.admin);
    expect(adminView.find((e) => e.type === "order.problem_reported")?.payload).toMatchObject({
      note: "Nobody has told me anything for 40 minutes",
    });

    const resolved = await api(`/v1/admin/orders/${orderId}/resolve`, {
      method: "POST",
      token: ow.tokens.admin,
      json: { note: "Apologised, voucher sent", kinds: ["customer_problem"] },
    });
    expect(resolved.status).toBe(200);
    const [closed] = await eventually(async () => {
      const list = await exceptionsOf(orderId, "resolved");
      return list.length > 0 ? list : null;
    });
    expect(closed).toMatchObject({ resolution: "resolved", resolutionNote: "Apologised, voucher sent" });
    const audit = await eventually(async () => {
      const res = await api(`/v1/admin/audit?entityType=order&entityId=${orderId}`, { token: ow.tokens.admin });
      const { entries } = (await res.json()) as { entries: Array<{ action: string; actorId: string }> };
      return entries.some((e) => e.action === "order.exception_resolved") ? entries : null;
    });
    expect(audit.find((e) => e.action === "order.exception_resolved")?.actorId).toBe(ow.world.ids.admin);
  });

  it("is refused for someone else's order, from staff, couriers and operators, before payment, and when malformed", async () => {
    const orderId = await ow.placePaidOrder();
    const ok = { problem: "missing_items", note: "no drinks" };
    const other = await report(orderId, ok, ow.tokens.otherCustomer);
    expect([403, 404]).toContain(other.status);
    for (const token of [ow.tokens.staff, ow.tokens.courier, ow.tokens.admin]) {
      const res = await report(orderId, ok, token);
      expect(res.status).toBe(403);
    }
    expect((await report(orderId, {}, ow.tokens.customer)).status).toBe(400);
    expect((await report(orderId, { problem: "cold" }, ow.tokens.customer)).status).toBe(400);
    expect((await report(orderId, { ...ok, note: "x".repeat(1001) }, ow.tokens.customer)).status).toBe(400);
    expect((await report(orderId, { ...ok, extra: true }, ow.tokens.customer)).status).toBe(400);
    expect((await report(crypto.randomUUID(), ok, ow.tokens.customer)).status).toBe(404);
    const unauthenticated = await api(`/v1/orders/${orderId}/problems`, { method: "POST", json: ok });
    expect(unauthenticated.status).toBe(401);

    // An order nobody has paid for yet.
    const placed = await api("/v1/orders", {
      method: "POST",
      token: ow.tokens.customer,
      headers: { "idempotency-key": `problems-${crypto.randomUUID()}` },
      json: {
        restaurantId: ow.world.restaurantId,
        items: [{ itemId: ow.world.itemId, quantity: 1, optionIds: [ow.world.smallOptionId] }],
        deliveryAddress: ow.world.address,
      },
    });
    expect(placed.status).toBe(201);
    const { id: unpaid } = (await placed.json()) as { id: string };
    const early = await report(unpaid, ok);
    expect(early.status).toBe(409);
    expect(await code(early)).toBe("invalid_transition");
  });
});
