// Operators acting on an order that needs a person: offer it to a courier
// who must accept, give it to a courier outright, restart the search, cancel
// with a full or partial refund, resolve with a note, or add a contact note.
// Each is a state-machine command with the operator as actor (see
// domain/order/operator-commands.ts); this adapter adds what the zones must
// do about it. An Idempotency-Key makes a retried action a no-op.
import type { Principal } from "../../domain/auth/principal.ts";
import { DEFAULT_OFFER_POLICY } from "../../domain/dispatch/offers.ts";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import {
  type Actor,
  DEFAULT_POLICY,
  decide,
  etaFor,
  type OrderCommand,
  type OrderSnapshot,
} from "../../domain/order/state-machine.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { cityMapOfCell } from "../city-map/stub.ts";
import type { DispatchRequest } from "../zone/protocol.ts";
import { zoneStub } from "../zone/stubs.ts";
import type { CommandResult, OrderView, Refusal } from "./order-results.ts";

export type OperatorAction =
  /** `courierCell`: where the live map last saw the courier; their zone shows them the offer. */
  | { type: "offer"; courierId: string; courierCell: string; reason: string }
  | { type: "assign"; courierId: string; courierCell: string | null; reason: string }
  | { type: "redispatch"; reason: string }
  | { type: "cancel"; reason: string; refundMinor?: number | undefined }
  | { type: "resolve"; note: string; kinds?: string[] | undefined }
  | { type: "note"; note: string };

export type OperatorResult = (CommandResult & { replayed?: boolean }) | Refusal;

export interface OperatorHost {
  env: Env;
  placed(): PlacedOrder | null;
  snapshot(): OrderSnapshot | null;
  view(): OrderView;
  /** The state machine's path, with fields added to the events' payloads. */
  applyAs(actor: Actor, command: OrderCommand, operatorKey: string | undefined): Promise<CommandResult>;
  /** Has an event already recorded this Idempotency-Key? */
  seenKey(key: string): boolean;
  /** Where the assigned courier was last seen, if the order knows. */
  courierCell(): string | null;
}

const notFound: Refusal = { ok: false, status: 404, code: "order_not_found", message: "No order has this id." };

export class OrderOperator {
  constructor(private readonly host: OperatorHost) {}

  async act(principal: Principal, action: OperatorAction, idempotencyKey?: string): Promise<OperatorResult> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot) return notFound;
    if (principal.role !== "admin") {
      return { ok: false, status: 403, code: "role_not_allowed", message: "Only operators act on orders this way." };
    }
    if (idempotencyKey !== undefined && this.host.seenKey(idempotencyKey)) {
      return { ok: true, order: this.host.view(), events: [], replayed: true };
    }
    const actor: Actor = { role: "admin", id: principal.userId };
    const extra = idempotencyKey;
    switch (action.type) {
      case "offer":
        return this.offer(actor, order, snapshot, action, extra);
      case "assign":
        return this.assign(actor, order, snapshot, action, extra);
      case "redispatch":
        return this.redispatch(actor, order, snapshot, action.reason, extra);
      case "cancel":
        return this.host.applyAs(
          actor,
          { type: "cancel", reason: action.reason, refundMinor: action.refundMinor },
          extra,
        );
      case "resolve":
        return this.host.applyAs(actor, { type: "resolve_exceptions", note: action.note, kinds: action.kinds }, extra);
      case "note":
        return this.host.applyAs(actor, { type: "add_note", note: action.note }, extra);
    }
  }

  private request(order: PlacedOrder, snapshot: OrderSnapshot): DispatchRequest {
    return {
      orderId: order.id,
      restaurant: order.restaurantLocation,
      dropoff: { lat: order.deliveryAddress.lat, lng: order.deliveryAddress.lng },
      foodReadyAt: etaFor(snapshot, Date.now()).readyAt,
    };
  }

  private dispatchZone(order: PlacedOrder) {
    return zoneStub(this.host.env, zoneCellOf(order.restaurantLocation.lat, order.restaurantLocation.lng));
  }

  /**
   * The courier's zone shows them the offer first and only then does the
   * order record it: an offer the courier never saw is never on the order,
   * and nothing is left to undo if they cannot be reached.
   */
  private async offer(
    actor: Actor,
    order: PlacedOrder,
    snapshot: OrderSnapshot,
    action: Extract<OperatorAction, { type: "offer" }>,
    extra: string | undefined,
  ): Promise<OperatorResult> {
    const expiresAt = Date.now() + DEFAULT_OFFER_POLICY.offerTtlMs;
    const command: OrderCommand = {
      type: "operator_offer",
      courierId: action.courierId,
      expiresAt,
      reason: action.reason,
    };
    const dryRun = decide(snapshot, command, actor, Date.now(), DEFAULT_POLICY);
    if (!dryRun.ok) return dryRun;
    let shown: Awaited<ReturnType<ReturnType<OrderOperator["dispatchZone"]>["operatorOffer"]>>;
    try {
      shown = await this.dispatchZone(order).operatorOffer(
        this.request(order, snapshot),
        action.courierId,
        action.courierCell,
        expiresAt,
      );
    } catch (err) {
      logLine("error", "order.operator_offer_failed", { orderId: order.id, error: String(err) });
      return { ok: false, status: 502, code: "dispatch_unreachable", message: "Dispatch did not answer; retry." };
    }
    if (!shown.ok) return { ok: false, status: 409, code: shown.code, message: shown.message };
    return this.host.applyAs(actor, command, extra);
  }

  private async assign(
    actor: Actor,
    order: PlacedOrder,
    snapshot: OrderSnapshot,
    action: Extract<OperatorAction, { type: "assign" }>,
    extra: string | undefined,
  ): Promise<OperatorResult> {
    const result = await this.host.applyAs(
      actor,
      { type: "operator_assign", courierId: action.courierId, reason: action.reason },
      extra,
    );
    if (!result.ok) return result;
    const env = this.host.env;
    await this.bestEffort(order.id, "stop_search", () => this.dispatchZone(order).cancelDispatch(order.id));
    await this.release(order, snapshot.courierId);
    if (action.courierCell !== null) {
      const cell = action.courierCell;
      // Without this the courier's app learns of the job on its next poll, and positions reach nobody.
      await this.bestEffort(order.id, "tell_courier", () =>
        zoneStub(env, cell).assignDirect(action.courierId, order.id),
      );
    }
    return result;
  }

  private async redispatch(
    actor: Actor,
    order: PlacedOrder,
    snapshot: OrderSnapshot,
    reason: string,
    extra: string | undefined,
  ): Promise<OperatorResult> {
    const result = await this.host.applyAs(actor, { type: "redispatch", reason }, extra);
    if (!result.ok) return result;
    await this.release(order, snapshot.courierId);
    const after = this.host.snapshot() ?? snapshot;
    await this.bestEffort(order.id, "restart_search", () =>
      this.dispatchZone(order).restartDispatch(this.request(order, after)),
    );
    return result;
  }

  /** The zone of the courier who had the order: as the order last saw them, else as the live map does. */
  private async previousCourierCell(order: PlacedOrder, courierId: string): Promise<string | null> {
    const known = this.host.courierCell();
    if (known !== null) return known;
    try {
      const restaurantCell = zoneCellOf(order.restaurantLocation.lat, order.restaurantLocation.lng);
      return (await cityMapOfCell(this.host.env, restaurantCell).locateCourier(courierId))?.cell ?? null;
    } catch {
      return null;
    }
  }

  private async release(order: PlacedOrder, courierId: string | null): Promise<void> {
    if (courierId === null) return;
    const cell = await this.previousCourierCell(order, courierId);
    if (cell === null) return;
    await this.bestEffort(order.id, "release_previous", () =>
      zoneStub(this.host.env, cell).releaseOrder(courierId, order.id),
    );
  }

  private async bestEffort(orderId: string, step: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (err) {
      // The order's state is what counts; zones heal on the courier's next fix or the order's next alarm.
      logLine("warn", "order.operator_side_effect_failed", { orderId, step, error: String(err) });
    }
  }
}
