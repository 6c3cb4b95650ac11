// The order as callers see it (OrderView) and as the restaurant's live board
// shows it, computed from what was placed and the current snapshot. Pure, so
// the Order DO and anything lent its state render it the same way.
import type { Principal } from "../../domain/auth/principal.ts";
import type { BoardCourier } from "../../domain/kitchen/board-courier.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import { estimatedReadyAt, etaFor, type OrderSnapshot } from "../../domain/order/state-machine.ts";
import type { BoardOrder } from "../restaurant/restaurant-do.ts";
import type { OrderView } from "./order-results.ts";

export function orderView(order: PlacedOrder, snapshot: OrderSnapshot, lastSeq: number, now: number): OrderView {
  const readyAt = etaFor(snapshot, now).readyAt;
  const estimated = estimatedReadyAt(snapshot, now);
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  const slot = order.schedule?.slot ?? null;
  return {
    id: order.id,
    status: snapshot.state,
    delivery: snapshot.delivery,
    customerId: order.customerId,
    restaurantId: order.restaurantId,
    courierId: snapshot.courierId,
    currency: order.currency,
    lines: order.lines,
    subtotalMinor: order.subtotalMinor,
    deliveryFeeMinor: order.deliveryFeeMinor,
    serviceFeeMinor: order.serviceFeeMinor,
    taxMinor: order.taxMinor,
    taxIncluded: order.taxIncluded ?? false,
    smallOrderFeeMinor: order.smallOrderFeeMinor ?? 0,
    tipMinor: order.tipMinor,
    totalMinor: order.totalMinor,
    discountMinor: order.discountMinor ?? 0,
    roundingMinor: order.roundingMinor ?? 0,
    promotionCode: order.promotion?.code ?? null,
    paidMinor: snapshot.paidMinor,
    refundedMinor: snapshot.refundedMinor,
    deliveryAddress: order.deliveryAddress,
    prepTimeMinutes: snapshot.prepTimeMinutes,
    readyAt: readyAt === null ? null : new Date(readyAt).toISOString(),
    placedAt: new Date(order.placedAt).toISOString(),
    lastSeq,
    quotedPrepMinutes: snapshot.quotedPrepMinutes ?? null,
    estimatedReadyAt: iso(estimated),
    scheduledFor: iso(order.schedule?.deliverAt),
    releaseAt: iso(order.schedule?.releaseAt),
    deliverySlot: slot && { id: slot.id, startsAt: iso(slot.startsAt) ?? "", endsAt: iso(slot.endsAt) ?? "" },
  };
}

/** The order as the restaurant's live board shows it; the Restaurant DO also pulls it to heal a missed push. */
export function boardOrder(
  order: PlacedOrder,
  snapshot: OrderSnapshot,
  view: OrderView,
  courier: BoardCourier | null = null,
): BoardOrder {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: view.id,
    status: view.status,
    delivery: view.delivery,
    totalMinor: view.totalMinor,
    placedAt: view.placedAt,
    prepTimeMinutes: view.prepTimeMinutes,
    readyAt: view.readyAt,
    lastSeq: view.lastSeq,
    quotedPrepMinutes: view.quotedPrepMinutes,
    estimatedReadyAt: view.estimatedReadyAt,
    scheduledFor: view.scheduledFor,
    releaseAt: view.releaseAt,
    released: view.releaseAt === null || (snapshot.releasedAt ?? null) !== null,
    deliverySlot: view.deliverySlot,
    courier: courier && {
      name: courier.name,
      vehicle: courier.vehicle,
      arrivesAt: courier.arrivesAt === null ? null : iso(courier.arrivesAt),
      at: iso(courier.at),
    },
    items: order.lines.map((l) => ({
      name: l.name,
      quantity: l.quantity,
      options: l.options.map((o) => o.name),
    })),
  };
}

/** Who may watch an order and see its timeline: its customer, its restaurant's staff, its courier, admins. */
export function mayWatch(actor: Principal, snapshot: OrderSnapshot): boolean {
  return (
    actor.role === "admin" ||
    (actor.role === "customer" && actor.userId === snapshot.customerId) ||
    (actor.role === "restaurant_staff" && actor.restaurantId === snapshot.restaurantId) ||
    (actor.role === "courier" && actor.userId === snapshot.courierId)
  );
}
