// Delivery areas (the pricing polygons, today's `zones` table) as the
// back office needs them: every one, active or not, to place restaurants.
import { asc } from "drizzle-orm";
import { zones } from "../../../db/schema.ts";
import type { DeliveryAreaShape } from "../../../domain/onboarding/restaurant.ts";
import type { Executor } from "../audit/audit.ts";

export async function loadDeliveryAreas(executor: Executor): Promise<DeliveryAreaShape[]> {
  return executor
    .select({ id: zones.id, name: zones.name, polygon: zones.polygon, currency: zones.currency, active: zones.active })
    .from(zones)
    .orderBy(asc(zones.name));
}
