// A refund the platform made that Stripe fails afterwards (refund.failed):
// the order gets one refund_stuck exception for operators, its payment row
// says failed and the ledger booking is reversed, however often it arrives.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { payments } from "../../db/schema.ts";
import { ledgerTransactions } from "../../db/schema-ledger.ts";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import { payOrder, signedWebhook, testStripe } from "../../test/stripe.ts";
import { api, createWorld, eventually, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";

let world: World;
let tokens: WorldTokens;

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

async function rejectedPaidOrder(): Promise<string> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: tokens.customer,
    headers: { "idempotency-key": `refund-failed-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  await payOrder(id, tokens.customer);
  const rejected = await api(`/v1/orders/${id}/reject`, {
    method: "POST",
    token: tokens.staff,
    json: { reason: "out of dough" },
  });
  expect(rejected.status).toBe(200);
  return id;
}

async function timeline(orderId: string): Promise<OrderEvent[]> {
  const res = await api(`/v1/orders/${orderId}`, { token: tokens.admin });
  return ((await res.json()) as { timeline: OrderEvent[] }).timeline;
}

describe("refund.failed for a refund the platform made", () => {
  it("reverses the booking, marks the payment failed and opens one exception", async () => {
    const orderId = await rejectedPaidOrder();
    const refundId = String((await timeline(orderId)).find((e) => e.type === "order.refunded")?.payload.refundId);
    const { db, close } = openDb(testEnv);
    try {
      // The projection books the refund first; the failure is only booked after it.
      await eventually(async () => {
        const rows = await db
          .select()
          .from(ledgerTransactions)
          .where(eq(ledgerTransactions.idempotencyKey, `refund:${refundId}`));
        return rows.length === 1 ? rows : undefined;
      });
      await testStripe().rawRequest("POST", `/v1/test_helpers/refunds/${refundId}/fail`, {
        failure_reason: "expired_or_canceled_card",
      });
      const list = await testStripe().events.list({ limit: 100 });
      const event = list.data.find(
        (e) => e.type === "refund.failed" && (e.data.object as { id: string }).id === refundId,
      );
      const payload = JSON.stringify(event);
      const first = await signedWebhook(payload);
      expect(first.status).toBe(200);
      expect(await first.json()).toMatchObject({ duplicate: false, booked: 1 });
      const again = await signedWebhook(payload);
      expect(await again.json()).toMatchObject({ duplicate: true, booked: 0 });

      const stuck = (await timeline(orderId)).filter((e) => e.type === "order.refund_stuck");
      expect(stuck).toHaveLength(1);
      expect(String(stuck[0]?.payload.error)).toContain(refundId);
      const [row] = await db
        .select()
        .from(payments)
        .where(and(eq(payments.providerRef, refundId), eq(payments.kind, "refund")));
      expect(row?.status).toBe("failed");
      const reversal = await db
        .select()
        .from(ledgerTransactions)
        .where(eq(ledgerTransactions.idempotencyKey, `refund-failed:${refundId}`));
      expect(reversal.map((r) => r.kind)).toEqual(["refund_failed"]);
    } finally {
      await close();
    }
  });
});
