// The Order DO's side of dispatch and tracking. The Zone DO of the
// restaurant's cell runs the offer loop and reports back through the Order
// DO's ordinary command path; this file starts that loop when the kitchen
// accepts, turns courier fixes into throttled positions with an ETA for the
// customer and the restaurant, and checks the courier's delivery steps
// against geofences and the hand-off PIN before they reach the state machine.
import type { Principal } from "../../domain/auth/principal.ts";
import { DEFAULT_DARK_POLICY } from "../../domain/dispatch/courier-dark.ts";
import { courierPay } from "../../domain/dispatch/courier-pay.ts";
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import type { Fix } from "../../domain/dispatch/fix.ts";
import { checkGeofence } from "../../domain/dispatch/geofence.ts";
import { checkHandoffPin, MAX_PIN_FAILURES } from "../../domain/dispatch/handoff-pin.ts";
import type { LatLng } from "../../domain/geo/distance.ts";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import { arrivalAt, type BoardCourier, boardShouldHear } from "../../domain/kitchen/board-courier.ts";
import type { OrderEvent, PlacedOrder } from "../../domain/order/order-event.ts";
import {
  DEFAULT_POLICY,
  type DeliveryState,
  decide,
  etaFor,
  type OrderCommand,
  type OrderSnapshot,
} from "../../domain/order/state-machine.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { traceOrStart } from "../../platform/trace-scope.ts";
import type { DispatchRequest } from "../zone/protocol.ts";
import { zoneStub } from "../zone/stubs.ts";
import { CourierJob } from "./courier-job.ts";
import { CourierTrail, TRAIL_RETENTION_MS } from "./courier-trail.ts";
import { FoodReadyTiming, type StoredPlan } from "./food-ready-timing.ts";
import { type LiveEtaView, OrderLiveEta } from "./live-eta.ts";
import type { CommandResult, OrderView, Refusal } from "./order-results.ts";
import type { Watchers } from "./watchers.ts";

/** Watchers see smooth movement at this rate at most, whatever the zone sends. */
export const POSITION_EVERY_MS = 1_000;

const EN_ROUTE: readonly DeliveryState[] = ["assigned", "at_pickup", "picked_up", "at_dropoff"];
const _SEARCHING: readonly DeliveryState[] = ["none", "searching", "offered"];

export type CourierStep = "arrived_at_pickup" | "picked_up" | "arrived_at_dropoff" | "delivered";

export interface StepPosition {
  lat: number;
  lng: number;
  accuracyM: number;
  pin?: string | undefined;
}

/** Refusals of a courier step; a geofence refusal says how far off the courier is and how close they must get. */
export type StepResult =
  | CommandResult
  | (Refusal & { extra?: { distanceM: number; radiusM: number } | { attemptsLeft: number } });

export interface CourierPositionUpdate {
  courierId: string;
  vehicle: Vehicle;
  /** Short display name, for the kitchen's board. */
  courierName?: string;
  fix: Fix;
  /** Every accepted fix since the zone's last forward for this order (ending with `fix`), for the trail. */
  trail?: Fix[];
}

export type PositionResult =
  | { ok: true; broadcast: boolean }
  /** The zone stops forwarding and frees the courier. */
  | { ok: false; code: "not_on_order" | "order_not_found" };

export interface EscalationInfo {
  cell: string;
  radiusM: number;
  candidatesTried: number;
}

/** What the Order DO lends this module; everything that writes goes through the DO's own transaction path. */
export interface DispatchHost {
  ctx: DurableObjectState;
  env: Env;
  watchers: Watchers;
  placed(): PlacedOrder | null;
  snapshot(): OrderSnapshot | null;
  system(command: OrderCommand, source: string): Promise<CommandResult>;
  command(actor: Principal, command: OrderCommand): Promise<CommandResult>;
  /** Arms the alarm to start the courier search later (an order for later). */
  deferDispatch(at: number): Promise<void>;
  view(): OrderView;
  /** The board's summary changed without an event (the courier's estimate): push it to the Restaurant DO. */
  boardChanged(): Promise<void>;
  /** Sets (or clears) one of dispatch's own deadlines; the DO re-arms its alarm after the call that set it. */
  schedule(kind: "courier_dark" | "trail_purge", at: number | null): void;
  /** Whether the object had this table when it woke (see OrderStorage). */
  hasTable(name: string): boolean;
}

const PICKUP_STEPS: readonly CourierStep[] = ["arrived_at_pickup", "picked_up"];

function dropoffOf(order: PlacedOrder): LatLng {
  return { lat: order.deliveryAddress.lat, lng: order.deliveryAddress.lng };
}

/** 0000-9999 from the CSPRNG; modulo bias over 2^32 is negligible at this size. */
function newPin(): string {
  const [n] = crypto.getRandomValues(new Uint32Array(1));
  return String((n ?? 0) % 10_000).padStart(4, "0");
}

export class OrderDispatch {
  private lastBroadcastAt = 0;
  /** Where the courier was last seen, to free them in that zone when the order ends. */
  private lastCourierCell: string | null = null;
  readonly trail: CourierTrail;
  readonly job: CourierJob;
  private readonly timing: FoodReadyTiming;
  readonly liveEta: OrderLiveEta;
  /** The board's view of the courier as last stored (undefined: not read yet): read on every position. */
  private board: BoardCourier | null | undefined;

  constructor(private readonly host: DispatchHost) {
    // Its tables (dispatch_meta, courier_trail) are made with the order's own, by OrderStorage.
    this.trail = new CourierTrail(host.ctx.storage.sql, host.hasTable("courier_trail_counts"));
    this.job = new CourierJob(host, {
      trail: this.trail,
      pinAttemptsLeft: () => Math.max(0, MAX_PIN_FAILURES - this.pinFailures()),
      meta: (key) => this.meta(key),
      setMeta: (key, value) => this.setMeta(key, value),
    });
    this.timing = new FoodReadyTiming({
      env: host.env,
      placed: () => host.placed(),
      snapshot: () => host.snapshot(),
      meta: (key) => this.meta(key),
      setMeta: (key, value) => this.setMeta(key, value),
      deferDispatch: (at) => host.deferDispatch(at),
      start: (plan) => this.start(plan),
    });
    this.liveEta = new OrderLiveEta({
      env: host.env,
      watchers: host.watchers,
      placed: () => host.placed(),
      snapshot: () => host.snapshot(),
      meta: (key) => this.meta(key),
      setMeta: (key, value) => this.setMeta(key, value),
    });
  }

  private pinFailures(): number {
    return Number(this.meta("pin_failures") ?? "0");
  }

  /** The zone cell the courier was last seen in: remembered in memory, else from the trail after an eviction. */
  private courierCell(courierId: unknown): string | null {
    if (this.lastCourierCell !== null) return this.lastCourierCell;
    if (typeof courierId !== "string") return null;
    const last = this.trail.lastPosition(courierId);
    return last ? zoneCellOf(last.lat, last.lng) : null;
  }

  private meta(key: string): string | null {
    const row = this.host.ctx.storage.sql
      .exec<{ value: string }>("select value from dispatch_meta where key = ?", key)
      .toArray()[0];
    return row?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    // An update in place: one row written, not the key's index too.
    this.host.ctx.storage.sql.exec(
      "insert into dispatch_meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
      key,
      value,
    );
  }

  /** Where the assigned courier was last seen (from the trail after an eviction); null if unknown. */
  assignedCourierCell(): string | null {
    return this.courierCell(this.host.snapshot()?.courierId ?? null);
  }

  /** The hand-off PIN, for the customer only: the courier must hear it from them at the door. */
  pin(): string | null {
    return this.meta("pin");
  }

  viewFor<V extends OrderView>(actor: Principal, view: V): V & { handoffPin?: string; liveEta?: LiveEtaView } {
    const pin = this.pin();
    const withPin = actor.role === "customer" && pin !== null ? { ...view, handoffPin: pin } : view;
    const liveEta = this.liveEta.view(view.delivery);
    return liveEta ? { ...withPin, liveEta } : withPin;
  }

  /** Called after every committed transition with the events it appended. */
  async afterEvents(events: readonly OrderEvent[]): Promise<void> {
    for (const event of events) {
      switch (event.type) {
        case "order.accepted":
          await this.timing.onAccepted();
          await this.liveEta.foodTimeChanged(event.at);
          break;
        case "order.prep_time_adjusted":
          await this.timing.retime(false);
          await this.liveEta.foodTimeChanged(event.at);
          break;
        case "order.ready":
          await this.timing.recordPrep(event.payload.readyAt);
          await this.timing.retime(true);
          await this.liveEta.foodTimeChanged(event.at);
          break;
        case "order.courier_assigned":
          this.issuePin();
          // The accept itself came over the courier's socket: count it as a sighting.
          this.setMeta("assigned_at", String(event.at));
          this.host.schedule("courier_dark", event.at + DEFAULT_DARK_POLICY.releaseAfterMs);
          break;
        case "order.courier_released":
          this.host.schedule("courier_dark", null);
          // The next courier's ETA must not start from where this one was.
          this.liveEta.forgetCourier();
          await this.release(event.payload.courierId, this.courierCell(event.payload.courierId));
          this.lastCourierCell = null;
          await this.redispatch();
          break;
        case "order.cancelled":
          await this.stop(event);
          this.ended(event.at);
          break;
        case "order.delivered":
        case "order.delivery_failed":
          await this.release(event.payload.courierId, this.courierCell(event.payload.courierId));
          this.ended(event.at);
          break;
      }
    }
  }

  /** From the Order DO's alarm, when a deferred search is due. */
  async startNow(): Promise<void> {
    await this.start(this.timing.current());
  }

  private ended(at: number): void {
    this.host.schedule("courier_dark", null);
    this.host.schedule("trail_purge", at + TRAIL_RETENTION_MS);
  }

  /** What the zone needs to offer this order, the offer card's details included. */
  private dispatchRequest(order: PlacedOrder, snapshot: OrderSnapshot, now: number): DispatchRequest {
    const plan = this.timing.current();
    return {
      orderId: order.id,
      restaurant: order.restaurantLocation,
      dropoff: dropoffOf(order),
      foodReadyAt: etaFor(snapshot, now).readyAt,
      restaurantName: order.restaurantName ?? null,
      payoutMinor: courierPay(order).totalMinor,
      currency: order.currency,
      // A search the plan deferred (or re-timed) holds back couriers who would be early; one that starts
      // at acceptance because the food is due within the courier lead offers at once.
      timing: plan ? { predictedReadyAt: plan.predictedReadyAt, holdEarly: plan.holdEarly } : null,
      traceparent: traceOrStart(),
    };
  }

  /** The courier left before pickup: the restaurant's zone offers the order again, skipping everyone tried. */
  private async redispatch(): Promise<void> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot || snapshot.delivery !== "searching") return;
    const cell = zoneCellOf(order.restaurantLocation.lat, order.restaurantLocation.lng);
    try {
      const result = await zoneStub(this.host.env, cell).redispatch(this.dispatchRequest(order, snapshot, Date.now()));
      if (!result.ok) logLine("warn", "order.redispatch_refused", { orderId: order.id, cell, code: result.code });
    } catch (err) {
      // The state machine's courier_timeout still escalates an order nobody is looking for.
      logLine("error", "order.redispatch_failed", { orderId: order.id, cell, error: String(err) });
    }
  }

  private async start(plan: StoredPlan | null): Promise<void> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot || snapshot.delivery !== "none") return;
    const note = plan ? { predictedReadyAt: plan.predictedReadyAt, reasons: plan.reasons } : undefined;
    const started = await this.host.system({ type: "dispatch_started", plan: note }, "dispatch");
    if (!started.ok) return;
    const now = Date.now();
    const restaurant = order.restaurantLocation;
    const cell = zoneCellOf(restaurant.lat, restaurant.lng);
    try {
      const result = await zoneStub(this.host.env, cell).requestCourier(
        this.dispatchRequest(order, this.host.snapshot() ?? snapshot, now),
      );
      if (!result.ok) logLine("warn", "order.dispatch_refused", { orderId: order.id, cell, code: result.code });
    } catch (err) {
      // The state machine's courier_timeout still escalates an order nobody is looking for.
      logLine("error", "order.dispatch_request_failed", { orderId: order.id, cell, error: String(err) });
    }
  }

  private issuePin(): void {
    if (this.pin() !== null) return;
    const pin = newPin();
    this.setMeta("pin", pin);
    const text = JSON.stringify({ type: "handoff_pin", pin });
    for (const ws of this.host.ctx.getWebSockets("customer")) {
      try {
        ws.send(text);
      } catch {
        // closed
      }
    }
  }

  private async stop(event: Extract<OrderEvent, { type: "order.cancelled" }>): Promise<void> {
    const order = this.host.placed();
    if (!order) return;
    const previous = event.payload.previousDelivery;
    if (previous === "searching" || previous === "offered") {
      const restaurant = order.restaurantLocation;
      try {
        await zoneStub(this.host.env, zoneCellOf(restaurant.lat, restaurant.lng)).cancelDispatch(order.id);
      } catch (err) {
        logLine("warn", "order.dispatch_cancel_failed", { orderId: order.id, error: String(err) });
      }
    }
    await this.release(event.payload.courierId, this.courierCell(event.payload.courierId));
  }

  /** Best effort: the zone also frees the courier on their next fix, when this order answers not_on_order. */
  private async release(courierId: string | null, cell: string | null): Promise<void> {
    const order = this.host.placed();
    if (courierId === null || cell === null || !order) return;
    try {
      await zoneStub(this.host.env, cell).releaseOrder(courierId, order.id);
    } catch (err) {
      logLine("warn", "order.courier_release_failed", { orderId: order.id, error: String(err) });
    }
  }

  /** A fix of the assigned courier, from their zone: broadcast to the customer and the restaurant with an ETA. */
  async courierPosition(update: CourierPositionUpdate): Promise<PositionResult> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot) return { ok: false, code: "order_not_found" };
    if (snapshot.courierId !== update.courierId || !EN_ROUTE.includes(snapshot.delivery)) {
      return { ok: false, code: "not_on_order" };
    }
    const { fix } = update;
    this.lastCourierCell = zoneCellOf(fix.lat, fix.lng);
    const now = Date.now();
    this.trail.record(update.courierId, update.trail ?? [fix], now);
    if (now - this.lastBroadcastAt < POSITION_EVERY_MS) return { ok: true, broadcast: false };
    this.lastBroadcastAt = now;
    // The learned model for the drop-off's area and hour (decision 53), the fixed one when none is fitted.
    const live = await this.liveEta.forPosition(fix, update.vehicle, now);
    if (!live) return { ok: true, broadcast: false };
    const eta = { pickupAt: live.pickupAt, dropoffAt: live.dropoffAt, model: live.model };
    this.host.watchers.broadcast(
      { type: "courier_position", lat: fix.lat, lng: fix.lng, headingDeg: fix.headingDeg ?? null, at: fix.at, eta },
      ["customer", "restaurant_staff"],
    );
    await this.tellBoard(update, order.restaurantLocation, snapshot.delivery === "assigned", now);
    return { ok: true, broadcast: true };
  }

  /** The courier as the kitchen's board shows them, while they are the one on this order. */
  boardCourier(): BoardCourier | null {
    if (this.board === undefined) {
      const raw = this.meta("board_courier");
      this.board = raw ? (JSON.parse(raw) as BoardCourier) : null;
    }
    const courierId = this.host.snapshot()?.courierId ?? null;
    const info = this.board;
    return info && courierId !== null && info.courierId === courierId ? info : null;
  }

  private async tellBoard(update: CourierPositionUpdate, restaurant: LatLng, toPickup: boolean, now: number) {
    const previous = this.boardCourier();
    const next: BoardCourier = {
      courierId: update.courierId,
      name: update.courierName ?? (previous?.courierId === update.courierId ? previous.name : null),
      vehicle: update.vehicle,
      arrivesAt: arrivalAt(update.fix, restaurant, update.vehicle, toPickup, now),
      at: now,
    };
    if (!boardShouldHear(previous, next)) return;
    this.setMeta("board_courier", JSON.stringify(next));
    this.board = next;
    await this.host.boardChanged();
  }

  /**
   * At most MAX_PIN_FAILURES wrong PINs per order. The count is read and
   * written with no await in between, so concurrent guesses cannot overrun
   * it; the last wrong one tells operators.
   */
  private async checkPin(given: string | undefined): Promise<StepResult | null> {
    const verdict = checkHandoffPin(this.pin(), given, this.pinFailures());
    if (verdict.ok) return null;
    switch (verdict.code) {
      case "pin_required":
        return { ok: false, status: 422, code: "pin_mismatch", message: "Ask the customer for their 4-digit PIN." };
      case "pin_locked":
        return {
          ok: false,
          status: 409,
          code: "pin_locked",
          message: "Too many wrong PINs for this order. Support has been told and will contact you.",
        };
      case "pin_mismatch": {
        this.setMeta("pin_failures", String(verdict.failures));
        if (verdict.locked) {
          const escalated = await this.host.system({ type: "escalate", reason: "pin_locked" }, "dispatch");
          if (!escalated.ok) logLine("warn", "order.pin_escalation_refused", { code: escalated.code });
        }
        return {
          ok: false,
          status: 422,
          code: "pin_mismatch",
          message: verdict.locked
            ? "That PIN is not this order's. No attempts left: support has been told."
            : `That PIN is not this order's. ${verdict.attemptsLeft} attempts left.`,
          extra: { attemptsLeft: verdict.attemptsLeft },
        };
      }
    }
  }

  /**
   * The zone ran out of couriers to ask. The state machine records it once
   * (search_exhausted), so operators and watchers see the order needs a human.
   */
  async escalated(info: EscalationInfo): Promise<CommandResult> {
    return this.host.system(
      {
        type: "search_exhausted",
        reason: info.candidatesTried > 0 ? "no_courier_accepted" : "no_courier_in_range",
        radiusM: info.radiusM,
        candidatesTried: info.candidatesTried,
      },
      `zone:${info.cell}`,
    );
  }

  /**
   * A delivery step posted by a courier. Checked in the order a courier can
   * act on: is it yours, is it the next step, are you there, do you have the
   * customer's PIN. Only then does it reach the state machine.
   */
  async courierStep(actor: Principal, step: CourierStep, position: StepPosition): Promise<StepResult> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot)
      return { ok: false, status: 404, code: "order_not_found", message: "No order has this id." };
    // Someone else's order answers like one that does not exist, so ids cannot be probed.
    if (actor.role !== "courier" || snapshot.courierId !== actor.userId) {
      return { ok: false, status: 404, code: "order_not_found", message: "No order has this id." };
    }
    const command: OrderCommand = { type: step };
    const dryRun = decide(snapshot, command, { role: "courier", id: actor.userId }, Date.now(), DEFAULT_POLICY);
    if (!dryRun.ok) return dryRun;
    const target = PICKUP_STEPS.includes(step) ? order.restaurantLocation : dropoffOf(order);
    const fence = checkGeofence(position, target);
    if (!fence.ok) {
      const distanceM = Math.round(fence.distanceM);
      const radiusM = Math.round(fence.radiusM);
      return {
        ok: false,
        status: 422,
        code: "outside_geofence",
        message: `You are ${distanceM} m from the ${PICKUP_STEPS.includes(step) ? "restaurant" : "drop-off"}; confirm within ${radiusM} m.`,
        extra: { distanceM, radiusM },
      };
    }
    if (step === "delivered") {
      const refused = await this.checkPin(position.pin);
      if (refused) return refused;
    }
    // Set before the command: its delivered event frees the courier in this cell.
    this.lastCourierCell = zoneCellOf(position.lat, position.lng);
    const result = await this.host.command(actor, command);
    if (result.ok && step === "picked_up") await this.pickedUp(actor.userId, this.lastCourierCell);
    return result;
  }

  /** Best effort: the courier's zone stops routing stack checks through this restaurant. */
  private async pickedUp(courierId: string, cell: string): Promise<void> {
    const order = this.host.placed();
    if (!order) return;
    try {
      await zoneStub(this.host.env, cell).jobPickedUp(courierId, order.id);
    } catch (err) {
      logLine("warn", "order.pickup_notice_failed", { orderId: order.id, error: String(err) });
    }
  }
}
