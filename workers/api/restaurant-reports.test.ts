// Reports from Postgres: orders are written straight into the projection
// tables with chosen times, so every bucket (local day and hour in the
// restaurant's time zone, across midnight UTC) and average is known exactly.
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { orderEvents, orderItems, orders, payments } from "../../db/schema.ts";
import { api, createWorld, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";

let world: World;
let tokens: WorldTokens;

const MIN = 60_000;
type Status = "delivered" | "cancelled" | "rejected";

interface Spec {
  status: Status;
  placedAt: string;
  subtotalMinor: number;
  lines?: Array<[name: string, quantity: number, lineTotalMinor: number]>;
  /** Seconds from payment to acceptance, and minutes from acceptance to ready. */
  accept?: number;
  prep?: number;
}

async function insertOrders(specs: Spec[]): Promise<string[]> {
  const { db, close } = openDb(testEnv);
  try {
    const ids: string[] = [];
    for (const spec of specs) {
      const id = crypto.randomUUID();
      ids.push(id);
      const placed = new Date(spec.placedAt);
      await db.insert(orders).values({
        id,
        customerId: world.ids.customer,
        restaurantId: world.restaurantId,
        status: spec.status,
        idempotencyKey: `report-${id}`,
        menuVersion: 1,
        currency: "EUR",
        subtotalMinor: spec.subtotalMinor,
        deliveryFeeMinor: 199,
        serviceFeeMinor: 50,
        taxMinor: 100,
        totalMinor: spec.subtotalMinor + 349,
        deliveryAddress: world.address,
        lastEventSeq: 3,
        placedAt: placed,
        updatedAt: placed,
      });
      const lines = spec.lines ?? [];
      if (lines.length > 0) {
        await db.insert(orderItems).values(
          lines.map(([name, quantity, lineTotalMinor], i) => ({
            orderId: id,
            lineNo: i + 1,
            menuItemId: world.itemId,
            name,
            quantity,
            unitPriceMinor: Math.round(lineTotalMinor / quantity),
            options: [],
            lineTotalMinor,
          })),
        );
      }
      const paidAt = placed.getTime() + 5_000;
      const events: Array<[string, number]> = [["order.paid", paidAt]];
      if (spec.accept !== undefined) {
        events.push(["order.accepted", paidAt + spec.accept * 1000]);
        if (spec.prep !== undefined) events.push(["order.ready", paidAt + spec.accept * 1000 + spec.prep * MIN]);
      }
      await db.insert(orderEvents).values(
        events.map(([type, at], i) => ({
          id: crypto.randomUUID(),
          orderId: id,
          seq: i + 2,
          type,
          actorId: "test",
          actorRole: "system",
          payload: {},
          occurredAt: new Date(at),
        })),
      );
    }
    return ids;
  } finally {
    await close();
  }
}

async function insertPayment(orderId: string, kind: "charge" | "refund", amountMinor: number, at: string) {
  const { db, close } = openDb(testEnv);
  try {
    const ref = `${kind}-${crypto.randomUUID()}`;
    await db.insert(payments).values({
      orderId,
      kind,
      providerRef: ref,
      status: "succeeded",
      amountMinor,
      currency: "EUR",
      idempotencyKey: ref,
      createdAt: new Date(at),
    });
  } finally {
    await close();
  }
}

function report(query: string, token = tokens.staff, restaurantId = world.restaurantId) {
  return api(`/v1/restaurants/${restaurantId}/reports${query}`, { token });
}

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
  const [first] = await insertOrders([
    // Lisbon is UTC+1 in July: 11:00Z is 12:00 on 1 July.
    {
      status: "delivered",
      placedAt: "2026-07-01T11:00:00Z",
      subtotalMinor: 2000,
      lines: [
        ["Margherita", 2, 1800],
        ["Water", 1, 200],
      ],
      accept: 60,
      prep: 15,
    },
    // 23:30Z on 1 July is 00:30 on 2 July in Lisbon.
    {
      status: "delivered",
      placedAt: "2026-07-01T23:30:00Z",
      subtotalMinor: 900,
      lines: [["Margherita", 1, 900]],
      accept: 30,
      prep: 5,
    },
    { status: "cancelled", placedAt: "2026-07-02T10:00:00Z", subtotalMinor: 500, lines: [["Water", 5, 500]] },
    { status: "rejected", placedAt: "2026-07-02T12:00:00Z", subtotalMinor: 700 },
    // 22:59Z on 30 June is still 30 June in Lisbon: outside the period.
    { status: "delivered", placedAt: "2026-06-30T22:59:00Z", subtotalMinor: 4000, lines: [["Water", 1, 4000]] },
  ]);
  if (!first) throw new Error("no order inserted");
  await insertPayment(first, "charge", 2349, "2026-07-01T11:00:05Z");
  await insertPayment(first, "refund", 300, "2026-07-02T09:00:00Z");
});

describe("restaurant reports", () => {
  it("sums sales by local day and hour, top items, refunds, and acceptance and prep times", async () => {
    const res = await report("?from=2026-07-01&to=2026-07-02");
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as {
      currency: string;
      timeZone: string;
      totals: Record<string, number | null>;
      byDay: unknown[];
      byHour: Array<{ hour: number; orders: number; salesMinor: number }>;
      topItems: unknown[];
    };
    expect([body.currency, body.timeZone]).toEqual(["EUR", "Europe/Lisbon"]);
    expect(body.totals).toEqual({
      orders: 2,
      salesMinor: 2900,
      averageOrderMinor: 1450,
      cancelled: 1,
      rejected: 1,
      refunds: 1,
      refundedMinor: 300,
      averageAcceptSeconds: 45,
      averagePrepMinutes: 10,
    });
    expect(body.byDay).toEqual([
      { date: "2026-07-01", orders: 1, salesMinor: 2000 },
      { date: "2026-07-02", orders: 1, salesMinor: 900 },
    ]);
    expect(body.byHour.filter((h) => h.orders > 0)).toEqual([
      { hour: 0, orders: 1, salesMinor: 900 },
      { hour: 12, orders: 1, salesMinor: 2000 },
    ]);
    expect(body.topItems).toEqual([
      { name: "Margherita", quantity: 3, salesMinor: 2700 },
      { name: "Water", quantity: 1, salesMinor: 200 },
    ]);
  });

  it("exports each table as CSV to download", async () => {
    const res = await api(
      `/v1/restaurants/${world.restaurantId}/reports/export?from=2026-07-01&to=2026-07-02&table=items`,
      { token: tokens.staff },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="report-items-2026-07-01-2026-07-02.csv"',
    );
    expect(await res.text()).toBe("item,quantity,sales\r\nMargherita,3,27.00\r\nWater,1,2.00\r\n");
    const days = await api(`/v1/restaurants/${world.restaurantId}/reports/export?from=2026-06-30&to=2026-06-30`, {
      token: tokens.admin,
    });
    expect(await days.text()).toBe("date,orders,sales\r\n2026-06-30,1,40.00\r\n");
  });

  it("is an empty report for a quiet period, not an error", async () => {
    const res = await report("?from=2025-01-01&to=2025-01-07");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { totals: { orders: number; averagePrepMinutes: null }; byDay: unknown[] };
    expect(body.totals.orders).toBe(0);
    expect(body.totals.averagePrepMinutes).toBeNull();
    expect(body.byDay).toHaveLength(7);
  });

  it("refuses other restaurants' staff, other roles and bad periods", async () => {
    const q = "?from=2026-07-01&to=2026-07-02";
    for (const token of [tokens.otherStaff, tokens.customer, tokens.courier]) {
      const res = await report(q, token);
      expect(res.status).toBe(403);
    }
    expect((await report(q, "")).status).toBe(401);
    expect((await report(q, tokens.admin)).status).toBe(200);
    expect((await report(q, tokens.admin, crypto.randomUUID())).status).toBe(404);
    for (const [query, code] of [
      ["?from=2026-07-02&to=2026-07-01", "before_from"],
      ["?from=2026-01-01&to=2026-06-30", "period_too_long"],
      ["?from=2026-02-30&to=2026-03-01", "invalid_date"],
    ] as const) {
      const res = await report(query);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { details?: Array<{ code: string }> } };
      expect(body.error.details?.map((d) => d.code)).toContain(code);
    }
    expect((await report("?from=2026-07-01")).status).toBe(400);
    expect((await report(`${q}&extra=1`)).status).toBe(400);
    const badTable = await api(`/v1/restaurants/${world.restaurantId}/reports/export${q}&table=everything`, {
      token: tokens.staff,
    });
    expect(badTable.status).toBe(400);
  });
});
