// Active delivery areas (polygons and fees) for pricing, cached in KV: every
// order placement needs them and they change only when an operator edits one.
import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { deliveryAreas } from "../../../db/schema.ts";
import type { Polygon } from "../../../domain/delivery-areas/point-in-polygon.ts";

export interface DeliveryArea {
  id: string;
  /** The operators' name for it; shown on the customer's map. */
  name?: string;
  polygon: Polygon;
  currency: string;
  baseDeliveryFeeMinor: number;
  perKmFeeMinor: number;
  serviceFeeBps: number;
  taxBps: number;
}

const KEY = "delivery-areas:active";
// Edits invalidate at once; the TTL only bounds how long a missed invalidation could last.
const TTL_SECONDS = 300;

export async function activeDeliveryAreas(kv: KVNamespace, db: () => Database): Promise<DeliveryArea[]> {
  const cached = await kv.get<DeliveryArea[]>(KEY, "json");
  if (cached) return cached;
  const rows = await db()
    .select({
      id: deliveryAreas.id,
      name: deliveryAreas.name,
      polygon: deliveryAreas.polygon,
      currency: deliveryAreas.currency,
      baseDeliveryFeeMinor: deliveryAreas.baseDeliveryFeeMinor,
      perKmFeeMinor: deliveryAreas.perKmFeeMinor,
      serviceFeeBps: deliveryAreas.serviceFeeBps,
      taxBps: deliveryAreas.taxBps,
    })
    .from(deliveryAreas)
    .where(eq(deliveryAreas.active, true));
  await kv.put(KEY, JSON.stringify(rows), { expirationTtl: TTL_SECONDS });
  return rows;
}

export async function invalidateDeliveryAreas(kv: KVNamespace): Promise<void> {
  await kv.delete(KEY);
}
