// Helpers for the notification and webhook tests inside workerd: the
// stand-in's address (scripts/dev/notify-standin), its records, and order
// event messages made up for one world, fed to the fan-out as the queue would.
import type { OrderEvent, OrderEventMessage } from "../domain/order/order-event.ts";
import { testEnv, type World } from "./world.ts";

export const notifyBase = (): string => (testEnv as unknown as { NOTIFY_STANDIN: string }).NOTIFY_STANDIN;

export interface StandinMessage {
  id: string;
  kind: "email" | "sms" | "push";
  to: string;
  subject: string;
  body: string;
  at: number;
  meta: Record<string, unknown>;
}

export async function standinMessages(query: { kind?: string; to?: string } = {}): Promise<StandinMessage[]> {
  const res = await fetch(`${notifyBase()}/messages?${new URLSearchParams(query)}`);
  return ((await res.json()) as { messages: StandinMessage[] }).messages;
}

export async function standinSubscription(): Promise<{
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}> {
  const res = await fetch(`${notifyBase()}/push/subscriptions`, { method: "POST" });
  return res.json();
}

export async function failNext(kind: string, count: number, status: number): Promise<void> {
  await fetch(`${notifyBase()}/control/fail`, { method: "POST", body: JSON.stringify({ kind, count, status }) });
}

export function madeUpEvent(
  world: World,
  type: string,
  payload: Record<string, unknown> = {},
  orderId: string = crypto.randomUUID(),
  seq = 1,
): OrderEventMessage {
  const at = Date.now();
  return {
    kind: "order_event",
    event: {
      id: crypto.randomUUID(),
      orderId,
      seq,
      type,
      actorId: "system:test",
      actorRole: "system",
      at,
      payload,
      state: "paid",
      delivery: "none",
    } as OrderEvent,
    order: {
      id: orderId,
      customerId: world.ids.customer,
      restaurantId: world.restaurantId,
      idempotencyKey: crypto.randomUUID(),
      fingerprint: "test",
      menuVersion: 1,
      currency: "EUR",
      lines: [
        {
          lineNo: 1,
          itemId: world.itemId,
          name: "Margherita",
          quantity: 1,
          unitPriceMinor: 900,
          options: [],
          lineTotalMinor: 900,
        },
      ],
      subtotalMinor: 900,
      deliveryFeeMinor: 199,
      serviceFeeMinor: 45,
      taxMinor: 0,
      tipMinor: 0,
      totalMinor: 1144,
      deliveryAddress: world.address,
      restaurantLocation: { lat: 38.71, lng: -9.137 },
      restaurantName: "Test Kitchen",
      placedAt: at,
      courierId: null,
      prepTimeMinutes: 15,
    },
  };
}
