// Active orders on the operators' map: from the restaurant to the drop-off,
// pushed by each Order DO after every transition it commits.

export interface MapOrder {
  orderId: string;
  /** The order's event sequence: a push never replaces a newer one. */
  seq: number;
  state: string;
  delivery: string;
  restaurantId: string;
  restaurantName: string | null;
  restaurant: { lat: number; lng: number };
  dropoff: { lat: number; lng: number };
  courierId: string | null;
  placedAt: number;
  /** The order waits for a person (courier search gave up, courier dark...). */
  escalated: boolean;
  updatedAt: number;
}

/** On the map from payment until it ends; unpaid orders are not anyone's work yet. */
export function isOnMap(order: Pick<MapOrder, "state">): boolean {
  return !["placed", "delivered", "rejected", "cancelled", "failed"].includes(order.state);
}

export type OrderFold =
  | { action: "upsert"; order: MapOrder }
  /** Off the map; the map remembers the sequence so a late, older push cannot bring it back. */
  | { action: "tombstone"; orderId: string; seq: number }
  | { action: "ignore" };

/**
 * What the map does with a pushed order, given the newest sequence it has
 * seen for it (on the map or already gone). Pushes may arrive out of order.
 */
export function foldOrder(knownSeq: number | undefined, pushed: MapOrder): OrderFold {
  if (knownSeq !== undefined && knownSeq >= pushed.seq) return { action: "ignore" };
  if (!isOnMap(pushed)) return { action: "tombstone", orderId: pushed.orderId, seq: pushed.seq };
  return { action: "upsert", order: pushed };
}
