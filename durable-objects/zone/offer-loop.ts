// The offer loop of every order whose restaurant is in this zone's cell: find
// and rank couriers, offer the order to one at a time, widen the radius, and
// escalate when nobody takes it (rules in domain/dispatch/offers.ts). The Zone
// DO lends it its storage, lock and neighbours through OfferLoopHost, as the
// Order DO lends dispatch.ts its own; the courier's side of an offer (showing
// it, their answer) stays with the zone the courier is in.

import {
  nextOffer,
  type OfferPolicy,
  onAccept,
  onDecline,
  onExpire,
  pinOffer,
  reopenOffers,
  startOffers,
} from "../../domain/dispatch/offers.ts";
import { explainChoice } from "../../domain/dispatch/scoring.ts";
import { haversineMeters } from "../../domain/geo/distance.ts";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import { parseTraceparent } from "../../domain/trace/traceparent.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { currentTraceparent, withTrace } from "../../platform/trace-scope.ts";
import type {
  DeliverOfferResult,
  DispatchRecord,
  DispatchRequest,
  DispatchStatus,
  HeldOffer,
  OfferChoice,
  OfferMessage,
  OfferResponseResult,
  RequestCourierResult,
  ZoneCandidate,
} from "./protocol.ts";
import { expectedReadyAt, holdFor, type Ranked, rankForOrder } from "./ranking.ts";
import { orderDispatchStub, zoneStub } from "./stubs.ts";

/** A record whose search has a trace (decision 0054) that this call is not yet running under. */
function outsideTrace(record: DispatchRecord): record is DispatchRecord & { request: { traceparent: string } } {
  const wanted = record.request.traceparent;
  // A malformed one (never written, but storage outlives code) would recurse forever.
  return wanted !== undefined && currentTraceparent() !== wanted && parseTraceparent(wanted) !== null;
}

import type { ZoneStorage } from "./zone-storage.ts";

/** How many ranked candidates one search returns beyond those already tried. */
export const CANDIDATES_K = 10;
/** Back-off when a step of an offer loop failed (a zone or order unreachable); the alarm retries it. */
const RETRY_MS = 5_000;
/** While nobody at all is in range, the widest search is repeated this often for couriers coming online. */
export const RESCAN_MS = 20_000;
/** How long an order may wait with nobody in range before the zone escalates it anyway. */
export const MAX_SEARCH_MS = 60 * 60_000;
/** Choices kept per order for operators: enough for every round of a hard search. */
const MAX_CHOICES = 20;

function dispatchStatus(record: DispatchRecord): DispatchStatus {
  if (record.offers.assignedCourierId !== null) return "assigned";
  if (record.offers.escalated) return "escalated";
  return record.offers.current !== null ? "offered" : "searching";
}

/** What the Zone DO lends its offer loop. */
export interface OfferLoopHost {
  env: Env;
  store: ZoneStorage;
  policy: OfferPolicy;
  /** This zone's geohash cell. */
  cell(): string;
  learnCell(cell: string): void;
  /** Serialises work per key (here: per order) across awaits. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  armAlarm(): Promise<void>;
  nearestAvailable(lat: number, lng: number, k: number, radiusM: number): Promise<ZoneCandidate[]>;
  /** This zone's own courier side, called directly when the courier is in this cell. */
  deliverOffer(courierId: string, held: HeldOffer): Promise<DeliverOfferResult>;
  offerClosed(courierId: string, orderId: string, reason: "expired" | "cancelled"): Promise<{ ok: true }>;
}

export class OfferLoop {
  constructor(private readonly host: OfferLoopHost) {}

  /** Starts (or, if already running, reports) the offer loop for one order whose restaurant is in this cell. */
  async requestCourier(request: DispatchRequest): Promise<RequestCourierResult> {
    this.host.learnCell(zoneCellOf(request.restaurant.lat, request.restaurant.lng));
    return this.host.withLock(`order:${request.orderId}`, async () => {
      let record = this.host.store.loadDispatch(request.orderId);
      if (!record) {
        record = {
          request,
          offers: startOffers(request.orderId, this.host.policy),
          offeredCell: null,
          startedAt: Date.now(),
        };
        this.host.store.saveDispatch(record);
      }
      await this.advance(record);
      await this.host.armAlarm();
      return { ok: true, status: dispatchStatus(record) };
    });
  }

  /**
   * The assigned courier left before pickup (handed the job back or went
   * dark): offer the order again from the first radius, skipping everyone
   * already tried, the courier who left included.
   */
  async redispatch(request: DispatchRequest): Promise<RequestCourierResult> {
    this.host.learnCell(zoneCellOf(request.restaurant.lat, request.restaurant.lng));
    return this.host.withLock(`order:${request.orderId}`, async () => {
      const previous = this.host.store.loadDispatch(request.orderId);
      const record: DispatchRecord = {
        request,
        offers: previous
          ? reopenOffers(previous.offers, this.host.policy)
          : startOffers(request.orderId, this.host.policy),
        offeredCell: null,
        startedAt: Date.now(),
      };
      this.host.store.saveDispatch(record);
      await this.advance(record);
      await this.host.armAlarm();
      return { ok: true, status: dispatchStatus(record) };
    });
  }

  private async rankedFor(record: DispatchRecord, now: number): Promise<Ranked[]> {
    const { restaurant } = record.request;
    const found = await this.host.nearestAvailable(
      restaurant.lat,
      restaurant.lng,
      CANDIDATES_K + record.offers.candidatesTried.length,
      record.offers.radiusM,
    );
    return rankForOrder(found, record.request, now);
  }

  /**
   * Runs the loop until it has to wait: offer the best untried courier, widen
   * the radius when none is left, escalate after the last step. Caller holds
   * the order's lock, so the courier's answer is only handled after the order
   * has recorded the offer.
   */
  private async advance(record: DispatchRecord): Promise<void> {
    if (outsideTrace(record)) return withTrace(record.request.traceparent, () => this.advance(record));
    const orderId = record.request.orderId;
    const order = orderDispatchStub(this.host.env, orderId);
    const unreachable = new Set<string>();
    let ranked: Ranked[] | null = null;
    let rankedRadius = -1;
    try {
      for (let step = 0; step < 100; step++) {
        const now = Date.now();
        if (ranked === null || rankedRadius !== record.offers.radiusM) {
          ranked = await this.rankedFor(record, now);
          rankedRadius = record.offers.radiusM;
        }
        const decision = nextOffer(
          record.offers,
          ranked.filter((c) => !unreachable.has(c.courierId)),
          now,
          this.host.policy,
        );
        switch (decision.action) {
          case "wait":
            this.host.store.setDeadline(orderId, "offer", decision.until);
            return;
          case "settled":
            this.host.store.setDeadline(orderId, "offer", null);
            return;
          case "widen":
            record.offers = decision.state;
            this.host.store.saveDispatch(record);
            continue;
          case "escalate": {
            // Escalating an order nobody was ever offered gives operators no one to call, and at
            // acceptance the food is usually many minutes away: keep watching for couriers coming
            // online. The order's own courier_timeout still escalates food left waiting too long.
            if (decision.state.candidatesTried.length === 0 && now - record.startedAt < MAX_SEARCH_MS) {
              this.host.store.saveDispatch(record);
              this.host.store.setDeadline(orderId, "retry", now + RESCAN_MS);
              return;
            }
            record.offers = decision.state;
            record.offeredCell = null;
            this.host.store.saveDispatch(record);
            this.host.store.setDeadline(orderId, "offer", null);
            const result = await order.dispatchEscalated(
              {
                cell: this.host.cell(),
                radiusM: record.offers.radiusM,
                candidatesTried: record.offers.candidatesTried.length,
              },
              currentTraceparent(),
            );
            if (!result.ok) logLine("warn", "zone.escalation_refused", { orderId, code: result.code });
            return;
          }
          case "offer": {
            const rank = ranked.findIndex((c) => c.courierId === decision.courierId);
            const candidate = ranked[rank] as Ranked;
            const hold = holdFor(record.request, candidate, now);
            if (hold !== null) {
              // The best courier would stand at the counter: ask again when they would not (ranks may change by then).
              record.heldUntil = hold;
              this.host.store.saveDispatch(record);
              this.host.store.setDeadline(orderId, "retry", hold);
              return;
            }
            const readyAt = expectedReadyAt(record.request);
            const choice: OfferChoice = {
              courierId: decision.courierId,
              at: now,
              score: Math.round(candidate.score),
              reasons: explainChoice(candidate, { foodReadyInMs: (readyAt ?? now) - now }, rank + 1, ranked.length),
              stackedWith: candidate.stack?.withOrderId ?? null,
            };
            const message: OfferMessage = {
              type: "offer",
              orderId,
              restaurant: record.request.restaurant,
              dropoff: record.request.dropoff,
              expiresAt: decision.expiresAt,
              foodReadyAt: record.request.foodReadyAt,
              distanceM: Math.round(candidate.distanceM),
              dropoffDistanceM: Math.round(haversineMeters(record.request.restaurant, record.request.dropoff)),
              restaurantName: record.request.restaurantName ?? null,
              payoutMinor: record.request.payoutMinor ?? null,
              currency: record.request.currency ?? null,
              stackedWith: candidate.stack?.withOrderId ?? null,
              firstDelayMs: candidate.stack?.firstDelayMs ?? null,
            };
            const held: HeldOffer = { orderId, dispatchCell: this.host.cell(), expiresAt: decision.expiresAt, message };
            const delivered = await this.deliverTo(candidate.cell, decision.courierId, held);
            if (!delivered.ok) {
              // Went offline or got another offer since the search: not a decline, just skip them this time.
              unreachable.add(decision.courierId);
              continue;
            }
            record.offers = decision.state;
            record.offeredCell = candidate.cell;
            record.heldUntil = null;
            record.choices = [...(record.choices ?? []), choice].slice(-MAX_CHOICES);
            this.host.store.saveDispatch(record);
            this.host.store.setDeadline(orderId, "offer", decision.expiresAt);
            const recorded = await order.system(
              {
                type: "courier_offered",
                courierId: decision.courierId,
                expiresAt: decision.expiresAt,
                choice: { score: choice.score, reasons: choice.reasons, stackedWith: choice.stackedWith },
              },
              `zone:${this.host.cell()}`,
              currentTraceparent(),
            );
            if (!recorded.ok) {
              // The order moved on (cancelled, or assigned by an operator): stop offering it.
              logLine("warn", "zone.offer_not_recorded", { orderId, code: recorded.code });
              await this.closeOfferAt(candidate.cell, decision.courierId, orderId, "cancelled");
              this.host.store.deleteDispatch(orderId);
            }
            return;
          }
        }
      }
    } catch (err) {
      logLine("error", "zone.dispatch_step_failed", { orderId, error: String(err) });
      this.host.store.setDeadline(orderId, "retry", Date.now() + RETRY_MS);
    }
  }

  private deliverTo(cell: string, courierId: string, held: HeldOffer): Promise<DeliverOfferResult> {
    return cell === this.host.cell()
      ? this.host.deliverOffer(courierId, held)
      : zoneStub(this.host.env, cell).deliverOffer(courierId, held);
  }

  async closeOfferAt(
    cell: string | null,
    courierId: string,
    orderId: string,
    reason: "expired" | "cancelled",
  ): Promise<void> {
    if (cell === null) return;
    try {
      if (cell === this.host.cell()) await this.host.offerClosed(courierId, orderId, reason);
      else await zoneStub(this.host.env, cell).offerClosed(courierId, orderId, reason);
    } catch (err) {
      // The courier's own zone also lets an expired offer lapse by its expiry time.
      logLine("warn", "zone.offer_close_failed", { orderId, courierId, error: String(err) });
    }
  }

  /**
   * The single place an order's offer is answered. Serialised per order, so of
   * two couriers accepting at once exactly one is assigned (offers.ts refuses
   * everyone but the live offer's holder, and anyone once assigned).
   */
  async offerResponse(orderId: string, courierId: string, accept: boolean): Promise<OfferResponseResult> {
    const result = await this.host.withLock(`order:${orderId}`, () => this.decideResponse(orderId, courierId, accept));
    await this.host.armAlarm();
    return result;
  }

  private async decideResponse(orderId: string, courierId: string, accept: boolean): Promise<OfferResponseResult> {
    const record = this.host.store.loadDispatch(orderId);
    if (!record) return { ok: false, code: "offer_not_yours", message: "This order has no open offers." };
    if (outsideTrace(record)) {
      return withTrace(record.request.traceparent, () => this.decideResponse(orderId, courierId, accept));
    }
    const order = orderDispatchStub(this.host.env, orderId);
    const courier = { userId: courierId, role: "courier" as const };
    const now = Date.now();
    if (!accept) {
      const live = record.offers.current;
      if (live === null || live.courierId !== courierId) {
        return { ok: false, code: "offer_not_yours", message: "You hold no live offer for this order." };
      }
      record.offers = onDecline(record.offers, courierId);
      record.offeredCell = null;
      this.host.store.saveDispatch(record);
      this.host.store.setDeadline(orderId, "offer", null);
      const declined = await order.command(courier, { type: "offer_declined", courierId }, currentTraceparent());
      if (!declined.ok) logLine("warn", "zone.decline_not_recorded", { orderId, code: declined.code });
      await this.advance(record);
      return { ok: true, outcome: "declined" };
    }
    const verdict = onAccept(record.offers, courierId, now);
    if (!verdict.ok) {
      const message =
        verdict.refused === "already_assigned"
          ? "Another courier has this order."
          : verdict.refused === "offer_expired"
            ? "The offer has expired."
            : "This offer is not yours.";
      return { ok: false, code: verdict.refused, message };
    }
    if (record.offers.assignedCourierId === courierId) return { ok: true, outcome: "assigned" };
    const assigned = await order.command(courier, { type: "courier_assigned", courierId }, currentTraceparent());
    if (!assigned.ok) {
      // The order's own clock says the offer lapsed, or the order was closed meanwhile.
      if (assigned.code === "offer_expired") {
        record.offers = onExpire(record.offers, Number.POSITIVE_INFINITY);
        record.offeredCell = null;
        this.host.store.saveDispatch(record);
        await this.advance(record);
        return { ok: false, code: "offer_expired", message: assigned.message };
      }
      this.host.store.deleteDispatch(orderId);
      return { ok: false, code: "order_closed", message: assigned.message };
    }
    record.offers = verdict.state;
    record.offeredCell = null;
    this.host.store.saveDispatch(record);
    this.host.store.setDeadline(orderId, "offer", null);
    return { ok: true, outcome: "assigned" };
  }

  /**
   * The kitchen's estimate changed while the search runs (decision 37): later
   * offers use the new time, and a courier who would now wait at the counter
   * is held back. A live offer stays: withdrawing it from a courier who may
   * be accepting is worse than a short wait.
   */
  async retime(
    orderId: string,
    foodReadyAt: number | null,
    timing: DispatchRequest["timing"],
  ): Promise<{ ok: true; retimed: boolean }> {
    const retimed = await this.host.withLock(`order:${orderId}`, async () => {
      const record = this.host.store.loadDispatch(orderId);
      if (!record || record.offers.assignedCourierId !== null || record.offers.escalated) return false;
      record.request = { ...record.request, foodReadyAt, timing: timing ?? null };
      this.host.store.saveDispatch(record);
      if (record.offers.current === null) {
        this.host.store.setDeadline(orderId, "retry", null);
        await this.advance(record);
      }
      return true;
    });
    await this.host.armAlarm();
    return { ok: true, retimed };
  }

  /** Why the search offered this order to whom, for operators; null if this zone runs no search for it. */
  choices(orderId: string): { choices: OfferChoice[]; heldUntil: number | null } | null {
    const record = this.host.store.loadDispatch(orderId);
    return record ? { choices: record.choices ?? [], heldUntil: record.heldUntil ?? null } : null;
  }

  /** The order was cancelled or rejected while searching: withdraw any live offer and stop. */
  async cancelDispatch(orderId: string): Promise<{ ok: true; cancelled: boolean }> {
    const cancelled = await this.host.withLock(`order:${orderId}`, async () => {
      const record = this.host.store.loadDispatch(orderId);
      if (!record) return false;
      const live = record.offers.current;
      if (live) await this.closeOfferAt(record.offeredCell, live.courierId, orderId, "cancelled");
      this.host.store.deleteDispatch(orderId);
      return true;
    });
    await this.host.armAlarm();
    return { ok: true, cancelled };
  }

  async onDeadline(orderId: string): Promise<void> {
    const record = this.host.store.loadDispatch(orderId);
    if (!record) return;
    if (outsideTrace(record)) return withTrace(record.request.traceparent, () => this.onDeadline(orderId));
    const live = record.offers.current;
    if (live !== null) {
      const now = Date.now();
      // Deadlines are only a wake-up call; the offer's own expiry decides.
      if (now < live.expiresAt) {
        this.host.store.setDeadline(orderId, "offer", live.expiresAt);
        return;
      }
      const offeredCell = record.offeredCell;
      record.offers = onExpire(record.offers, now);
      record.offeredCell = null;
      this.host.store.saveDispatch(record);
      await this.closeOfferAt(offeredCell, live.courierId, orderId, "expired");
      // A system decline is how the order records an expiry.
      const recorded = await orderDispatchStub(this.host.env, orderId).system(
        { type: "offer_declined", courierId: live.courierId },
        `zone:${this.host.cell()}`,
        currentTraceparent(),
      );
      if (!recorded.ok) logLine("warn", "zone.expiry_not_recorded", { orderId, code: recorded.code });
    }
    await this.advance(record);
  }

  /**
   * An operator offers the order to one courier, who must accept (this zone is
   * the order's dispatch zone; the courier may be anywhere). The Order DO has
   * already recorded the offer; this withdraws any other live offer, shows the
   * courier theirs, and lets the usual answer and expiry paths run.
   */
  async operatorOffer(
    request: DispatchRequest,
    courierId: string,
    courierCell: string,
    expiresAt: number,
  ): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    this.host.learnCell(zoneCellOf(request.restaurant.lat, request.restaurant.lng));
    const result = await this.host.withLock(`order:${request.orderId}`, async () => {
      const now = Date.now();
      const record: DispatchRecord = this.host.store.loadDispatch(request.orderId) ?? {
        request,
        offers: startOffers(request.orderId, this.host.policy),
        offeredCell: null,
        startedAt: now,
      };
      const pinned = pinOffer(record.offers, courierId, expiresAt);
      if (!pinned.ok) return { ok: false as const, code: "already_assigned", message: "A courier has this order." };
      const message: OfferMessage = {
        type: "offer",
        orderId: request.orderId,
        restaurant: request.restaurant,
        dropoff: request.dropoff,
        expiresAt,
        foodReadyAt: request.foodReadyAt,
        distanceM: 0,
        dropoffDistanceM: Math.round(haversineMeters(request.restaurant, request.dropoff)),
        restaurantName: request.restaurantName ?? null,
        payoutMinor: request.payoutMinor ?? null,
        currency: request.currency ?? null,
      };
      const delivered = await this.deliverTo(courierCell, courierId, {
        orderId: request.orderId,
        dispatchCell: this.host.cell(),
        expiresAt,
        message,
      });
      if (!delivered.ok) {
        const why: Record<typeof delivered.code, string> = {
          unknown_courier: "The courier is not where the map last saw them; they may have gone offline.",
          not_connected: "The courier's app is not connected.",
          busy: "The courier is busy (on a job, holding another offer, on a break or quiet).",
        };
        return { ok: false as const, code: `courier_${delivered.code}`, message: why[delivered.code] };
      }
      const live = record.offers.current;
      if (live !== null && live.courierId !== courierId) {
        await this.closeOfferAt(record.offeredCell, live.courierId, request.orderId, "cancelled");
      }
      record.offers = pinned.state;
      record.offeredCell = courierCell;
      this.host.store.saveDispatch(record);
      this.host.store.setDeadline(request.orderId, "offer", expiresAt);
      return { ok: true as const };
    });
    await this.host.armAlarm();
    return result;
  }

  /** An operator restarted the search: forget who was tried, withdraw any live offer and start again. */
  async restartDispatch(request: DispatchRequest): Promise<RequestCourierResult> {
    this.host.learnCell(zoneCellOf(request.restaurant.lat, request.restaurant.lng));
    await this.host.withLock(`order:${request.orderId}`, async () => {
      const old = this.host.store.loadDispatch(request.orderId);
      const live = old?.offers.current;
      if (old && live) await this.closeOfferAt(old.offeredCell, live.courierId, request.orderId, "cancelled");
      this.host.store.deleteDispatch(request.orderId);
      this.host.store.setDeadline(request.orderId, "offer", null);
      this.host.store.setDeadline(request.orderId, "retry", null);
    });
    return this.requestCourier(request);
  }
}
