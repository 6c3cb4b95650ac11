// Delivery areas (the pricing polygons, today's `zones` table) as the
// back office needs them: every one, active or not, to place restaurants.
import { asc } from "drizzle-orm";
import { deliveryAreas } from "../../../db/schema.ts";
import type { DeliveryAreaShape } from "../../../domain/onboarding/restaurant.ts";
import type { Executor } from "../audit/audit.ts";

export async function loadDeliveryAreas(executor: Executor): Promise<DeliveryAreaShape[]> {
  return executor
    .select({
      id: deliveryAreas.id,
      name: deliveryAreas.name,
      polygon: deliveryAreas.polygon,
      currency: deliveryAreas.currency,
      active: deliveryAreas.active,
    })
    .from(deliveryAreas)
    .orderBy(asc(deliveryAreas.name));
}
