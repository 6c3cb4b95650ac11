// Couriers on the road in the scenario: each follows a list of stops (pick
// up, drop off), one straight leg at a time, waits at a counter until the
// food is ready, and can have a stacked order's pickup slipped into the list
// mid-route (decision 38's fixed route: first restaurant, second restaurant,
// first drop-off, second drop-off). Free couriers and couriers who may take
// a stack are kept in the platform's own spatial index (domain/geo), as the
// Zone DO keeps them, so a search never scans the fleet.
import { HANDOVER_MS } from "../../domain/dispatch/eta.ts";
import { DEFAULT_STACK_POLICY } from "../../domain/dispatch/stacking.ts";
import { haversineMeters } from "../../domain/geo/distance.ts";
import { SpatialIndex } from "../../domain/geo/spatial-index.ts";
import type { EventQueue } from "./queue.ts";
import { areaOf, positionAt, type SimCourier, type SimOrder, type Stop, type World } from "./world.ts";

/** Counters this close are the same counter (stacking.ts's SAME_COUNTER_M). */
const SAME_COUNTER_M = 30;

export interface CourierHost {
  queue: EventQueue;
  world: World;
  /** Stacking allowed (new dispatch). */
  stacking: boolean;
  pickedUp(order: SimOrder, at: number): void;
  delivered(order: SimOrder, at: number): void;
}

export class Fleet {
  /** Couriers with no job and no open offer, where they stand. */
  readonly free = new SpatialIndex<SimCourier>({ referenceLat: 38.72, bucketSizeM: 500 });
  /** Couriers with one job who may be offered a second, indexed at that job's restaurant. */
  readonly stackable = new SpatialIndex<SimCourier>({ referenceLat: 38.72, bucketSizeM: 500 });

  constructor(private readonly host: CourierHost) {
    for (const c of host.world.couriers) this.reindex(c);
  }

  /** Keeps the two indexes in step with a courier's jobs and offers. */
  reindex(c: SimCourier): void {
    const key = String(c.id);
    if (c.jobs.length === 0 && !c.offered) this.free.upsert(key, c.legTo.lat, c.legTo.lng, c);
    else this.free.remove(key);
    const first = c.jobs[0];
    // Walkers carry one bag: checkStack bounds only the first customer's delay, and a walker's second
    // drop-off can then be an hour away (seen in this scenario; the Zone DO has no such rule yet).
    const mayStack = this.host.stacking && c.vehicle !== "foot";
    if (mayStack && first && !c.offered && c.jobs.length < DEFAULT_STACK_POLICY.maxJobs) {
      this.stackable.upsert(key, first.kitchen.at.lat, first.kitchen.at.lng, c);
    } else this.stackable.remove(key);
  }

  setBusy(c: SimCourier, now: number): void {
    if (c.jobs.length > 0 && c.busySince === null) c.busySince = now;
    if (c.jobs.length === 0 && c.busySince !== null) {
      c.busyMs += now - c.busySince;
      c.busySince = null;
    }
  }

  /** A first job: to its counter, then its customer. */
  assign(c: SimCourier, order: SimOrder, now: number): void {
    order.courier = c;
    c.jobs.push(order);
    c.stops.push({ kind: "pickup", order }, { kind: "dropoff", order });
    this.setBusy(c, now);
    this.reindex(c);
    this.go(c, now);
  }

  /** A second job on the fixed route; a courier already riding to the first customer turns for the second counter. */
  stack(c: SimCourier, order: SimOrder, now: number): void {
    order.courier = c;
    c.jobs.push(order);
    const firstPickup = c.stops.findIndex((s) => s.kind === "pickup");
    const pickup: Stop = { kind: "pickup", order };
    if (firstPickup >= 0) c.stops.splice(firstPickup + 1, 0, pickup);
    else c.stops.unshift(pickup);
    c.stops.push({ kind: "dropoff", order });
    this.reindex(c);
    // Riding with the first bag: the leg in progress is abandoned where the courier is now.
    if (c.leg === "dropoff") this.go(c, now);
  }

  /** Starts the leg to the next stop (or parks the courier when there is none). */
  private go(c: SimCourier, now: number): void {
    const token = ++c.legToken;
    const stop = c.stops[0];
    const from = positionAt(c, now);
    if (!stop) {
      c.leg = "idle";
      c.legFrom = from;
      c.legTo = from;
      c.legStart = now;
      c.legEnd = now;
      c.area = areaOf(from);
      this.reindex(c);
      return;
    }
    const order = stop.order;
    const to = stop.kind === "pickup" ? order.kitchen.at : order.dropoff;
    const d = haversineMeters(from, to);
    const ride = this.host.world.rideMs(from, to, c.vehicle, order.area, now);
    // The world's rides carry a door overhead; a counter in the same street costs no ride at all.
    const legMs = d <= SAME_COUNTER_M ? 0 : stop.kind === "pickup" ? Math.max(0, ride - HANDOVER_MS) : ride;
    c.leg = stop.kind;
    c.legFrom = from;
    c.legTo = to;
    c.legStart = now;
    c.legEnd = now + legMs;
    this.host.queue.at(c.legEnd, () => {
      if (token === c.legToken) this.arrive(c, stop, c.legEnd);
    });
  }

  private arrive(c: SimCourier, stop: Stop, now: number): void {
    const order = stop.order;
    if (stop.kind === "dropoff") {
      c.stops.shift();
      c.jobs = c.jobs.filter((o) => o !== order);
      this.host.delivered(order, now);
      this.setBusy(c, now);
      this.reindex(c);
      this.go(c, now);
      return;
    }
    c.leg = "handover";
    if (order.arrivedAt === null) order.arrivedAt = now;
    c.waitingFor = order;
    this.tryPickup(order, now);
  }

  /** The handover: once both the courier and the food are at the counter. */
  tryPickup(order: SimOrder, now: number): void {
    const c = order.courier;
    if (!c || c.waitingFor !== order || order.state !== "ready" || order.pickedUpAt !== null) return;
    c.waitingFor = null;
    c.stops.shift();
    const at = now + HANDOVER_MS / 2;
    this.host.pickedUp(order, at);
    const token = ++c.legToken;
    c.legFrom = order.kitchen.at;
    c.legTo = order.kitchen.at;
    c.legStart = now;
    c.legEnd = at;
    this.reindex(c);
    this.host.queue.at(at, () => {
      if (token === c.legToken) this.go(c, at);
    });
  }
}
