// Active delivery areas (polygons and fees) for pricing, cached in KV: every
// order placement needs them and they change only when an operator edits one.
import { eq } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { deliveryAreas } from "../../../db/schema.ts";
import type { Polygon } from "../../../domain/delivery-areas/point-in-polygon.ts";
import { IsolateMemo } from "../cache/isolate-memo.ts";

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
  /** Absent in a list cached before these settings existed: tax added, no minimum. */
  taxIncluded?: boolean;
  smallOrderMinimumMinor?: number;
  smallOrderFeeMinor?: number;
}

const KEY = "delivery-areas:active";
// Edits invalidate at once; the TTL only bounds how long a missed invalidation could last.
const TTL_SECONDS = 300;

// Every placement, quote and search reads the same list: parsed once per isolate while unchanged.
const memo = new IsolateMemo<DeliveryArea[]>();

/** Shared by every request of this isolate while unchanged: callers must not modify it. */
export async function activeDeliveryAreas(kv: KVNamespace, db: () => Database): Promise<DeliveryArea[]> {
  const now = Date.now();
  const fresh = memo.fresh(KEY, now);
  if (fresh) return fresh;
  const raw = await kv.get(KEY, "text");
  if (raw !== null) return memo.resolve(KEY, raw, now, (text) => JSON.parse(text) as DeliveryArea[]);
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
      taxIncluded: deliveryAreas.taxIncluded,
      smallOrderMinimumMinor: deliveryAreas.smallOrderMinimumMinor,
      smallOrderFeeMinor: deliveryAreas.smallOrderFeeMinor,
    })
    .from(deliveryAreas)
    .where(eq(deliveryAreas.active, true));
  const text = JSON.stringify(rows);
  await kv.put(KEY, text, { expirationTtl: TTL_SECONDS });
  memo.set(KEY, text, rows, Date.now());
  return rows;
}

export async function invalidateDeliveryAreas(kv: KVNamespace): Promise<void> {
  memo.forget(KEY);
  await kv.delete(KEY);
}
