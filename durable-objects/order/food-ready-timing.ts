// Food-ready timing, the Order DO's side (decision 37): when to start the
// courier search so a courier reaches the counter as the food is ready, from
// the kitchen's estimate, its board and its record (domain/dispatch/
// food-ready.ts), and what to do when the food's time moves. dispatch.ts lends
// it the order, its meta table and the search start through FoodReadyHost.
import { type DispatchPlan, type KitchenOutlook, planDispatch } from "../../domain/dispatch/food-ready.ts";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import { etaFor, type OrderSnapshot } from "../../domain/order/state-machine.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { zoneStub } from "../zone/stubs.ts";

/** Minutes as the kitchen states prep times. */
const MINUTE_MS = 60_000;

/** The plan the search started (or will start) under; holdEarly: whether the zone holds back early couriers. */
export type StoredPlan = DispatchPlan & { holdEarly: boolean };

export interface FoodReadyHost {
  env: Env;
  placed(): PlacedOrder | null;
  snapshot(): OrderSnapshot | null;
  meta(key: string): string | null;
  setMeta(key: string, value: string): void;
  /** Arms the Order DO's alarm to start the search at `at` (replacing any earlier time). */
  deferDispatch(at: number): Promise<void>;
  /** Starts the search now under this plan (records dispatch_started, asks the zone). */
  start(plan: StoredPlan): Promise<void>;
}

export class FoodReadyTiming {
  constructor(private readonly host: FoodReadyHost) {}

  /**
   * Food-ready timing (decision 37): the search starts so that a courier
   * reaches the counter as the food is ready, by the kitchen's estimate, its
   * board and its record, rather than the moment it accepts. An order for
   * later is the same case with a later estimate.
   */
  async onAccepted(): Promise<void> {
    const snapshot = this.host.snapshot();
    if (!snapshot) return;
    const now = Date.now();
    const plan = await this.plan(snapshot, now);
    if (plan.searchAt > now) {
      this.keepPlan(plan, true);
      await this.host.deferDispatch(plan.searchAt);
      return;
    }
    await this.host.start(this.keepPlan(plan, false));
  }

  /** The kitchen's outlook from its Restaurant DO; without it the plan uses the estimate alone. */
  private async outlook(order: PlacedOrder, scheduled: boolean): Promise<KitchenOutlook | null> {
    try {
      const stub = this.host.env.RESTAURANT.get(this.host.env.RESTAURANT.idFromName(order.restaurantId));
      const outlook = await stub.prepOutlook(order.id);
      // An order for later is cooked when its time comes: tonight's board says nothing about it.
      return scheduled ? { ...outlook, ordersInKitchen: 0 } : outlook;
    } catch (err) {
      logLine("warn", "order.prep_outlook_failed", { orderId: order.id, error: String(err) });
      return null;
    }
  }

  private async plan(snapshot: OrderSnapshot, now: number): Promise<DispatchPlan> {
    const order = this.host.placed();
    const estimate = etaFor(snapshot, now).readyAt;
    const outlook = order && estimate !== null ? await this.outlook(order, (snapshot.readyBy ?? null) !== null) : null;
    return planDispatch(estimate, outlook, now);
  }

  current(): StoredPlan | null {
    const raw = this.host.meta("plan");
    return raw === null ? null : (JSON.parse(raw) as StoredPlan);
  }

  private keepPlan(plan: DispatchPlan, holdEarly: boolean): StoredPlan {
    const stored = { ...plan, holdEarly };
    this.host.setMeta("plan", JSON.stringify(stored));
    return stored;
  }

  /**
   * The food's time moved: the kitchen changed its prep time, or marked it
   * ready. A search not started yet is re-planned (or started, once the food
   * is ready); a running one is told, so it holds back a courier who would
   * now wait at the counter. An assigned courier keeps the job: their ETA
   * follows from the new time.
   */
  async retime(ready: boolean): Promise<void> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot) return;
    const now = Date.now();
    if (snapshot.delivery === "none") {
      // No plan yet: acceptance has not been handled, and it will plan with the newest estimate.
      if (this.current() === null) return;
      const plan = ready ? planDispatch(now, null, now) : await this.plan(snapshot, now);
      if (plan.searchAt > now) {
        this.keepPlan(plan, true);
        await this.host.deferDispatch(plan.searchAt);
      } else {
        await this.host.start(this.keepPlan(plan, !ready));
      }
      return;
    }
    if (snapshot.delivery !== "searching" && snapshot.delivery !== "offered") return;
    const plan = this.keepPlan(ready ? planDispatch(now, null, now) : await this.plan(snapshot, now), !ready);
    const cell = zoneCellOf(order.restaurantLocation.lat, order.restaurantLocation.lng);
    try {
      await zoneStub(this.host.env, cell).retime(order.id, etaFor(snapshot, now).readyAt, {
        predictedReadyAt: plan.predictedReadyAt,
        holdEarly: plan.holdEarly,
      });
    } catch (err) {
      logLine("warn", "order.dispatch_retime_failed", { orderId: order.id, cell, error: String(err) });
    }
  }

  /** The kitchen's record for food-ready timing: how far off its last estimate was. Best effort. */
  async recordPrep(readyAt: number): Promise<void> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot || snapshot.acceptedAt === null || snapshot.prepTimeMinutes === null) return;
    // Orders for later are cooked to a time, not as fast as the kitchen can: they say nothing about its pace.
    if ((snapshot.readyBy ?? null) !== null) return;
    const estimated = snapshot.acceptedAt + snapshot.prepTimeMinutes * MINUTE_MS;
    try {
      const stub = this.host.env.RESTAURANT.get(this.host.env.RESTAURANT.idFromName(order.restaurantId));
      await stub.recordPrep(order.id, readyAt, readyAt - estimated);
    } catch (err) {
      logLine("warn", "order.prep_record_failed", { orderId: order.id, error: String(err) });
    }
  }
}
