// The Order DO's report to the live city map: after every committed
// transition, the order as the map draws it. Best effort and whole each time,
// so the next report repairs a lost one; the map keeps only the newest by seq.
import type { MapOrder } from "../../domain/citymap/orders.ts";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import { isTerminal, type OrderSnapshot } from "../../domain/order/state-machine.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { cityMapOfCell } from "../city-map/stub.ts";

export function mapOrderOf(order: PlacedOrder, snapshot: OrderSnapshot, seq: number, now: number): MapOrder {
  const named = order as PlacedOrder & { restaurantName?: unknown };
  return {
    orderId: order.id,
    seq,
    state: snapshot.state,
    delivery: snapshot.delivery,
    restaurantId: order.restaurantId,
    restaurantName: typeof named.restaurantName === "string" ? named.restaurantName : null,
    restaurant: order.restaurantLocation,
    dropoff: { lat: order.deliveryAddress.lat, lng: order.deliveryAddress.lng },
    courierId: snapshot.courierId,
    placedAt: order.placedAt,
    escalated: snapshot.escalatedAt !== null,
    updatedAt: now,
  };
}

/** An order that was never paid never reached the map, so its end need not be reported either. */
export function worthReporting(snapshot: OrderSnapshot): boolean {
  if (snapshot.state === "placed") return false;
  return !(isTerminal(snapshot.state) && snapshot.paidAt === null);
}

export async function reportToMap(
  env: Env,
  order: PlacedOrder,
  snapshot: OrderSnapshot,
  lastSeq: () => number,
): Promise<void> {
  if (!worthReporting(snapshot)) return;
  const seq = lastSeq();
  const cell = zoneCellOf(order.restaurantLocation.lat, order.restaurantLocation.lng);
  try {
    await cityMapOfCell(env, cell).orderChanged(mapOrderOf(order, snapshot, seq, Date.now()));
  } catch (err) {
    logLine("warn", "order.map_report_failed", { orderId: order.id, error: String(err) });
  }
}
