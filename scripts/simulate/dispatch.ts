// The scenario's two dispatch engines, on the same domain functions the
// Order and Zone DOs call.
//
// today: the search starts when the kitchen accepts and offers the order to
//   the nearest free courier, one order per courier.
// new:   domain/dispatch/food-ready.ts plans when to search (the kitchen's
//   estimate, its record, its board) and holds couriers who would arrive too
//   early; domain/dispatch/stacking.ts lets a courier on a job take a second
//   order within the first customer's bound; domain/dispatch/scoring.ts ranks
//   free and stacking couriers by travel, lateness, load, acceptance and rating
//   (durable-objects/zone/ranking.ts does the same for the Zone DO).
import { ROAD_FACTOR, travelTimeMs, type Vehicle } from "../../domain/dispatch/eta.ts";
import { holdOfferUntil, planDispatch } from "../../domain/dispatch/food-ready.ts";
import { type Candidate, rankCandidates, type StackFacts } from "../../domain/dispatch/scoring.ts";
import { checkStack, DEFAULT_STACK_POLICY, type StackJob } from "../../domain/dispatch/stacking.ts";
import { fitFor } from "../../domain/eta/calibration.ts";
import { haversineMeters } from "../../domain/geo/distance.ts";
import type { Fleet } from "./couriers.ts";
import type { EventQueue } from "./queue.ts";
import { type DispatchMode, hourAt, positionAt, type SimCourier, type SimOrder, type World } from "./world.ts";

const OFFER_TIMEOUT_MS = 30_000;
const SEARCH_RADIUS_M = 4000;
const RETRY_MS = 15_000;
/** Free couriers the new engine ranks per search (the Zone DO asks its index for a handful too). */
const FREE_CANDIDATES = 6;
const STACK_CANDIDATES = 6;

export interface DispatchStats {
  offers: number;
  assignments: number;
  stackedAssignments: number;
  holds: number;
  searches: number;
}

type Pick = Candidate & { courier: SimCourier; stack: StackFacts | null; freeApproachMs: number | null };

export class Dispatcher {
  readonly stats: DispatchStats = { offers: 0, assignments: 0, stackedAssignments: 0, holds: 0, searches: 0 };
  /** Orders searching for a courier now (surge reads it). */
  readonly waiting = new Set<SimOrder>();

  constructor(
    private readonly mode: DispatchMode,
    private readonly queue: EventQueue,
    private readonly world: World,
    private readonly fleet: Fleet,
  ) {}

  /** The kitchen accepted: today searches at once; new plans the search around the food. */
  accepted(order: SimOrder, now: number): void {
    if (this.mode === "today") {
      this.start(order, now);
      return;
    }
    const k = order.kitchen;
    const outlook = {
      latenessSamplesMs: k.latenessMs.slice(-20),
      ordersInKitchen: k.cooking + k.queue.length - 1,
      maxActiveOrders: k.capacity,
    };
    const plan = planDispatch(order.estimatedReadyAt, outlook, now);
    order.predictedReadyAt = plan.predictedReadyAt;
    if (plan.searchAt <= now) {
      this.start(order, now);
      return;
    }
    order.holdEarly = true;
    this.queue.at(plan.searchAt, () => this.start(order, plan.searchAt));
  }

  /** Food marked ready starts a deferred search at once (decision 37). */
  foodReady(order: SimOrder, now: number): void {
    if (this.mode === "new") this.start(order, now);
  }

  private start(order: SimOrder, now: number): void {
    if (order.searching || order.courier !== null) return;
    order.searching = true;
    this.waiting.add(order);
    this.search(order, now);
  }

  private readyAt(order: SimOrder): number | null {
    return order.predictedReadyAt ?? order.estimatedReadyAt;
  }

  private jobsOf(c: SimCourier): StackJob[] {
    return c.jobs.map((o) => ({
      orderId: String(o.id),
      restaurant: o.kitchen.at,
      dropoff: o.dropoff,
      foodReadyAt: o.readyAt ?? this.readyAt(o),
      pickedUp: o.pickedUpAt !== null,
    }));
  }

  /** Legs priced with the learned road factor of the order's area and hour (the fixed 1.3 understates the old town). */
  private legTime(order: SimOrder, now: number): (m: number, v: Vehicle) => number {
    const fit = fitFor(this.world.learned, order.area, Math.floor(hourAt(now)));
    return (m, v) => (fit.roadFactor / ROAD_FACTOR) * travelTimeMs(m, v);
  }

  private stackFacts(
    c: SimCourier,
    order: SimOrder,
    now: number,
    freeApproachMs: number | null,
  ): (StackFacts & { secondDelayMs: number }) | null {
    const target = {
      restaurant: order.kitchen.at,
      dropoff: order.dropoff,
      foodReadyAt: this.readyAt(order),
      freeApproachMs,
    };
    // A first order already delayed by an earlier stack has only the rest of its bound to give.
    const first = c.jobs[0];
    const left = DEFAULT_STACK_POLICY.maxFirstDelayMs - (first?.stackDelayMs ?? 0);
    const policy = { ...DEFAULT_STACK_POLICY, maxFirstDelayMs: Math.max(0, left) };
    const verdict = checkStack(
      positionAt(c, now),
      c.vehicle,
      this.jobsOf(c),
      target,
      now,
      policy,
      this.legTime(order, now),
    );
    if (!verdict.ok) return null;
    return {
      withOrderId: verdict.withOrderId,
      firstDelayMs: verdict.firstDelayMs,
      toPickupMs: Math.max(0, verdict.arrivesAtPickupAt - now),
      sameRestaurant: verdict.sameRestaurant,
      secondDelayMs: verdict.secondDelayMs,
    };
  }

  private candidates(order: SimOrder, now: number): Pick[] {
    const at = order.kitchen.at;
    const notDeclined = (e: { data: SimCourier }) => !order.declinedBy?.has(e.data.id);
    const k = this.mode === "today" ? 1 : FREE_CANDIDATES;
    const picks: Pick[] = this.fleet.free.nearest(at.lat, at.lng, k, SEARCH_RADIUS_M, notDeclined).map((n) => ({
      courierId: n.id,
      courier: n.entry.data,
      distanceM: n.distanceM,
      vehicle: n.entry.data.vehicle,
      activeJobs: 0,
      recentOffers: n.entry.data.recentOffers,
      recentAccepts: n.entry.data.recentAccepts,
      rating: n.entry.data.rating,
      stack: null,
      freeApproachMs: null,
    }));
    if (this.mode === "today") return picks;
    // What the second customer of a stack is measured against: the best free courier found.
    const legTime = this.legTime(order, now);
    let freeApproachMs: number | null = null;
    for (const p of picks) {
      const ms = legTime(p.distanceM, p.vehicle);
      if (freeApproachMs === null || ms < freeApproachMs) freeApproachMs = ms;
    }
    const gap = DEFAULT_STACK_POLICY.maxRestaurantGapM;
    for (const n of this.fleet.stackable.nearest(at.lat, at.lng, STACK_CANDIDATES, gap, notDeclined)) {
      const c = n.entry.data;
      const stack = this.stackFacts(c, order, now, freeApproachMs);
      if (!stack) continue;
      const distanceM = haversineMeters(positionAt(c, now), at);
      picks.push({
        courierId: n.id,
        courier: c,
        distanceM,
        vehicle: c.vehicle,
        activeJobs: c.jobs.length,
        recentOffers: c.recentOffers,
        recentAccepts: c.recentAccepts,
        rating: c.rating,
        stack,
        freeApproachMs,
      });
    }
    const readyAt = this.readyAt(order) ?? now;
    return rankCandidates(picks, { foodReadyInMs: readyAt - now });
  }

  private search(order: SimOrder, now: number): void {
    if (order.courier !== null) return;
    this.stats.searches++;
    const best = this.candidates(order, now)[0];
    if (!best) {
      // Everyone near has said no once: the next round asks them again, as the offer loop's rounds do.
      if (order.declinedBy?.size) order.declinedBy.clear();
      this.queue.at(now + RETRY_MS, () => this.search(order, now + RETRY_MS));
      return;
    }
    if (order.holdEarly) {
      const travelMs = best.stack ? best.stack.toPickupMs : travelTimeMs(best.distanceM, best.vehicle);
      const until = holdOfferUntil(order.predictedReadyAt, travelMs, now);
      if (until !== null) {
        this.stats.holds++;
        this.queue.at(until, () => this.search(order, until));
        return;
      }
    }
    this.offer(order, best, now);
  }

  private offer(order: SimOrder, pick: Pick, now: number): void {
    const c = pick.courier;
    c.offered = true;
    this.fleet.reindex(c);
    this.stats.offers++;
    order.offers++;
    c.recentOffers++;
    const accepts = this.world.chance() < c.acceptProbability;
    const answerAt = now + (accepts ? 3_000 + this.world.chance() * 10_000 : OFFER_TIMEOUT_MS);
    this.queue.at(answerAt, () => {
      c.offered = false;
      if (accepts) c.recentAccepts++;
      // As deliverOffer does: the courier must still be free, or still carry exactly the job the stack was checked on.
      const still = pick.stack
        ? c.jobs.length === 1 &&
          String(c.jobs[0]?.id) === pick.stack.withOrderId &&
          this.stackFacts(c, order, answerAt, pick.freeApproachMs)
        : c.jobs.length === 0;
      if (!accepts || !still) {
        if (!accepts) {
          order.declinedBy = order.declinedBy ?? new Set();
          order.declinedBy.add(c.id);
        }
        this.fleet.reindex(c);
        return this.search(order, answerAt);
      }
      this.stats.assignments++;
      this.waiting.delete(order);
      order.searching = false;
      if (pick.stack) {
        this.stats.stackedAssignments++;
        const first = c.jobs[0];
        if (first && typeof still === "object") {
          first.stackDelayMs += still.firstDelayMs;
          // The second order's own delay counts against its bound too, should it become a first later.
          order.stackDelayMs += still.secondDelayMs;
        }
        this.fleet.stack(c, order, answerAt);
      } else this.fleet.assign(c, order, answerAt);
    });
  }
}
