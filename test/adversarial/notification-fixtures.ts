// Throwaway partner endpoints (with one logged delivery) for the access
// matrix: each call that changes or removes one gets its own.
import { openDb } from "../../db/client.ts";
import { webhookDeliveries, webhookEndpoints } from "../../db/schema-notifications.ts";
import { generateSecret } from "../../domain/webhooks/signature.ts";
import { notifyBase } from "../notify-kit.ts";
import { testEnv } from "../world.ts";
import type { Fixtures } from "./fixtures.ts";

export async function freshEndpoint(fx: Fixtures): Promise<{ id: string; deliveryId: string }> {
  const { db, close } = openDb(testEnv);
  try {
    const [endpoint] = await db
      .insert(webhookEndpoints)
      .values({
        restaurantId: fx.world.restaurantId,
        url: `${notifyBase()}/partners/matrix`,
        eventTypes: ["order.paid"],
        secret: generateSecret(),
      })
      .returning({ id: webhookEndpoints.id });
    const id = endpoint?.id as string;
    const [delivery] = await db
      .insert(webhookDeliveries)
      .values({
        endpointId: id,
        eventId: crypto.randomUUID(),
        eventType: "order.paid",
        orderId: fx.orderId,
        seq: 1,
        body: "{}",
        status: "failed",
        eventAt: new Date(),
      })
      .returning({ id: webhookDeliveries.id });
    return { id, deliveryId: delivery?.id as string };
  } finally {
    await close();
  }
}

/** A well-formed subscription (the keys are not a real point; nothing is sent to it here). */
export function pushSubscriptionBody() {
  const b64url = (n: number) =>
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(n))))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
  return {
    endpoint: `${notifyBase()}/push/send/${crypto.randomUUID()}`,
    keys: { p256dh: b64url(65), auth: b64url(16) },
    app: "customer",
  };
}
