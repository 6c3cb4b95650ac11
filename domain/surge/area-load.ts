// Counting an area's surge load from what the operators' map knows: the
// couriers free to take work there and the paid orders there still waiting
// for one. Pure; the City Map DO calls it on its own in-memory state.
import type { MapCourier } from "../citymap/couriers.ts";
import type { MapOrder } from "../citymap/orders.ts";
import { type Polygon, pointInPolygon } from "../delivery-areas/point-in-polygon.ts";
import type { SurgeLoad } from "./surge.ts";

/** Past payment, no courier yet: searching, an offer out, or not yet sent (food not ready, order for later). */
const WAITING_DELIVERY = new Set(["none", "searching", "offered"]);
const WAITING_STATES = new Set(["paid", "accepted", "preparing", "ready"]);

export function countAreaLoad(
  polygon: Polygon,
  couriers: readonly MapCourier[],
  orders: readonly MapOrder[],
): SurgeLoad {
  let availableCouriers = 0;
  for (const c of couriers) {
    if (c.state === "available" && c.lat !== null && c.lng !== null && pointInPolygon(c.lat, c.lng, polygon)) {
      availableCouriers++;
    }
  }
  let waitingOrders = 0;
  for (const o of orders) {
    // The restaurant's position: that is where a courier must come from.
    if (
      WAITING_STATES.has(o.state) &&
      WAITING_DELIVERY.has(o.delivery) &&
      pointInPolygon(o.restaurant.lat, o.restaurant.lng, polygon)
    ) {
      waitingOrders++;
    }
  }
  return { waitingOrders, availableCouriers };
}
