// The courier's side of offers in their own zone: showing an offer to a
// courier who can take it now, withdrawing it, and passing their answer to the
// zone that dispatches the order (which decides). Lent the zone's state
// through CourierOffersHost, the host-interface pattern of
// durable-objects/order/dispatch.ts; the dispatching side is offer-loop.ts.
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import type { CourierState, DeliverOfferResult, HeldOffer, OfferResponseResult, ZoneMessage } from "./protocol.ts";
import { zoneStub } from "./stubs.ts";

export interface CourierOffersHost {
  env: Env;
  cell(): string;
  couriers: Map<string, CourierState>;
  /** Couriers being handed to the next zone: offered nothing meanwhile. */
  handingOver: Set<string>;
  isConnected(courierId: string): boolean;
  isAvailable(state: CourierState, now: number): boolean;
  isStackable(state: CourierState, now: number): boolean;
  jobsOf(state: CourierState): NonNullable<CourierState["jobs"]>;
  save(state: CourierState): void;
  sendTo(courierId: string, message: ZoneMessage): void;
  mapChanged(force: boolean): Promise<void>;
  /** This zone's own answer path, when it dispatches the order itself. */
  offerResponse(orderId: string, courierId: string, accept: boolean): Promise<OfferResponseResult>;
}

export class CourierOffers {
  constructor(private readonly host: CourierOffersHost) {}

  /**
   * Shows an offer to a courier of this cell, if they can take it right now:
   * a plain offer only while they have no job, a stacked one only while they
   * still carry exactly the job it was checked against.
   */
  async deliverOffer(courierId: string, held: HeldOffer): Promise<DeliverOfferResult> {
    const state = this.host.couriers.get(courierId);
    if (!state) return { ok: false, code: "unknown_courier" };
    if (!this.host.isConnected(courierId) || this.host.handingOver.has(courierId))
      return { ok: false, code: "not_connected" };
    const now = Date.now();
    const stackedWith = held.message.stackedWith ?? null;
    const fits =
      stackedWith === null
        ? this.host.isAvailable(state, now)
        : this.host.isStackable(state, now) && state.activeOrders.length === 1 && state.activeOrders[0] === stackedWith;
    if (!fits) return { ok: false, code: "busy" };
    state.offer = held;
    state.recentOffers++;
    this.host.save(state);
    this.host.sendTo(courierId, held.message);
    await this.host.mapChanged(true);
    return { ok: true };
  }

  /** The dispatching zone withdrew an offer (expired, or the order went away). */
  async offerClosed(courierId: string, orderId: string, reason: "expired" | "cancelled"): Promise<{ ok: true }> {
    const state = this.host.couriers.get(courierId);
    if (state?.offer?.orderId === orderId) {
      state.offer = null;
      this.host.save(state);
      this.host.sendTo(courierId, { type: "offer_withdrawn", orderId, reason });
      await this.host.mapChanged(true);
    }
    return { ok: true };
  }

  /** A courier of this cell answered an offer over their socket; the dispatching zone decides. */
  async answerOffer(courierId: string, orderId: string, accept: boolean): Promise<void> {
    const state = this.host.couriers.get(courierId);
    if (!state) return;
    const held = state.offer?.orderId === orderId ? state.offer : null;
    if (!held) {
      if (accept && state.activeOrders.includes(orderId)) {
        this.host.sendTo(courierId, { type: "assigned", orderId });
        return;
      }
      this.host.sendTo(courierId, {
        type: "error",
        code: "offer_not_yours",
        message: "You hold no offer for this order.",
        orderId,
      });
      return;
    }
    let result: OfferResponseResult;
    try {
      result =
        held.dispatchCell === this.host.cell()
          ? await this.host.offerResponse(orderId, courierId, accept)
          : await zoneStub(this.host.env, held.dispatchCell).offerResponse(orderId, courierId, accept);
    } catch (err) {
      logLine("warn", "zone.offer_response_failed", { orderId, courierId, error: String(err) });
      this.host.sendTo(courierId, {
        type: "error",
        code: "try_again",
        message: "Could not reach dispatch; answer again.",
        orderId,
      });
      return;
    }
    const current = this.host.couriers.get(courierId);
    if (!current) return;
    if (current.offer?.orderId === orderId) current.offer = null;
    if (result.ok && result.outcome === "assigned") {
      if (!current.activeOrders.includes(orderId)) current.activeOrders = [...current.activeOrders, orderId];
      // Remembered as the offer described it, so a later order can be checked as a stack on this one.
      const { restaurant, dropoff, foodReadyAt } = held.message;
      current.jobs = [
        ...this.host.jobsOf(current).filter((j) => j.orderId !== orderId),
        { orderId, restaurant, dropoff, foodReadyAt },
      ];
      current.recentAccepts++;
      this.host.save(current);
      this.host.sendTo(courierId, { type: "assigned", orderId });
      return;
    }
    this.host.save(current);
    if (result.ok) this.host.sendTo(courierId, { type: "declined", orderId });
    else this.host.sendTo(courierId, { type: "error", code: result.code, message: result.message, orderId });
  }
}
