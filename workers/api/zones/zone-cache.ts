// Active delivery zones (polygons and fees) for pricing, cached in KV: every
// order placement needs them and they change only when an operator edits one.
import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { zones } from "../../../db/schema.ts";
import type { Polygon } from "../../../domain/zones/point-in-polygon.ts";

export interface PricingZone {
  id: string;
  polygon: Polygon;
  currency: string;
  baseDeliveryFeeMinor: number;
  perKmFeeMinor: number;
  serviceFeeBps: number;
  taxBps: number;
}

const KEY = "zones:active";
// Edits invalidate at once; the TTL only bounds how long a missed invalidation could last.
const TTL_SECONDS = 300;

export async function activeZones(kv: KVNamespace, db: () => Database): Promise<PricingZone[]> {
  const cached = await kv.get<PricingZone[]>(KEY, "json");
  if (cached) return cached;
  const rows = await db()
    .select({
      id: zones.id,
      polygon: zones.polygon,
      currency: zones.currency,
      baseDeliveryFeeMinor: zones.baseDeliveryFeeMinor,
      perKmFeeMinor: zones.perKmFeeMinor,
      serviceFeeBps: zones.serviceFeeBps,
      taxBps: zones.taxBps,
    })
    .from(zones)
    .where(eq(zones.active, true));
  await kv.put(KEY, JSON.stringify(rows), { expirationTtl: TTL_SECONDS });
  return rows;
}

export async function invalidateZones(kv: KVNamespace): Promise<void> {
  await kv.delete(KEY);
}
