// The events bench's input (bench/events.ts): each delivered order's events as
// the Order DO sends them, their types and counts from bench/lifecycle.ts's
// measurement (or the happy path), dealt into queue batches that interleave
// many orders in flight, every order's own events in sequence.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { OrderEventMessage } from "../domain/order/order-event.ts";
import { seededRandom, seededUuid } from "./lib/rng.ts";
import { ROOT } from "./platform.ts";
import type { OrderTemplate } from "./world.ts";

/** Orders whose events share the batches at any time (many orders in flight, as at peak). */
export const ORDERS_IN_FLIGHT = 40;

/** The happy path, in the order the Order DO emits it. */
const HAPPY_PATH = [
  "order.placed",
  "order.payment_started",
  "order.paid",
  "order.accepted",
  "order.preparing",
  "order.dispatch_started",
  "order.courier_offered",
  "order.courier_assigned",
  "order.ready",
  "order.courier_at_pickup",
  "order.picked_up",
  "order.courier_at_dropoff",
  "order.delivered",
];

interface Lifecycle {
  measuredAt: string;
  ordersDelivered: number;
  eventsPerDeliveredOrder: { mean: number; median: number; min: number; max: number };
  eventTypesPerDeliveredOrder: Record<string, number>;
}

export function readLifecycle(): Lifecycle | null {
  try {
    return JSON.parse(readFileSync(join(ROOT, "bench", "results", "lifecycle.json"), "utf8")) as Lifecycle;
  } catch {
    return null;
  }
}

/** The event types of one delivered order: the measured mix, rounded to whole events, in lifecycle order. */
export function eventSequence(lifecycle: Lifecycle | null): string[] {
  if (!lifecycle) return HAPPY_PATH;
  const counts = lifecycle.eventTypesPerDeliveredOrder;
  const rank = (t: string) => {
    const i = HAPPY_PATH.indexOf(t);
    return i >= 0 ? i : HAPPY_PATH.indexOf("order.picked_up") - 0.5;
  };
  const types = Object.keys(counts).sort((a, b) => rank(a) - rank(b));
  return types.flatMap((t) => Array.from({ length: Math.max(0, Math.round(counts[t] ?? 0)) }, () => t));
}

export interface Pipeline {
  sequence: string[];
  customers: string[];
  courierId: string | null;
  templates: OrderTemplate[];
  seed: number;
}

const STATE_AFTER: Record<string, { state: string; delivery: string | null }> = {
  "order.placed": { state: "placed", delivery: null },
  "order.payment_started": { state: "placed", delivery: null },
  "order.paid": { state: "paid", delivery: null },
  "order.accepted": { state: "accepted", delivery: null },
  "order.preparing": { state: "preparing", delivery: null },
  "order.dispatch_started": { state: "preparing", delivery: "searching" },
  "order.courier_offered": { state: "preparing", delivery: "offered" },
  "order.courier_assigned": { state: "preparing", delivery: "assigned" },
  "order.ready": { state: "ready", delivery: "assigned" },
  "order.courier_at_pickup": { state: "ready", delivery: "at_pickup" },
  "order.picked_up": { state: "picked_up", delivery: "picked_up" },
  "order.courier_at_dropoff": { state: "picked_up", delivery: "at_dropoff" },
  "order.delivered": { state: "delivered", delivery: "delivered" },
};

/**
 * Order `n`'s messages, one per event, each carrying the order as the Order DO
 * sends it. Ids are fresh per (prefix, n) so runs never collide.
 */
function orderMessages(p: Pipeline, prefix: string, n: number): OrderEventMessage[] {
  let h = p.seed | 0;
  for (const ch of `${prefix}:${n}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const random = seededRandom(h >>> 0);
  const template = p.templates[n % p.templates.length] as OrderTemplate;
  const customerId = p.customers[n % p.customers.length] as string;
  const orderId = seededUuid(random);
  const placedAt = Date.now();
  const priced = template.priced;
  let previous = { state: "placed", delivery: null as string | null };
  let courierId: string | null = null;
  return p.sequence.map((type, i) => {
    const after = STATE_AFTER[type] ?? previous;
    if (type === "order.courier_assigned") courierId = p.courierId;
    const at = placedAt + i * 60_000;
    const actor =
      type === "order.placed" || type === "order.payment_started"
        ? { role: "customer", id: customerId }
        : type.startsWith("order.courier_") || type === "order.picked_up" || type === "order.delivered"
          ? { role: p.courierId ? "courier" : "system", id: p.courierId ?? "system" }
          : type === "order.accepted" || type === "order.preparing" || type === "order.ready"
            ? { role: "restaurant_staff", id: customerId }
            : { role: "system", id: "system" };
    const extra: Record<string, unknown> =
      type === "order.placed"
        ? { totalMinor: priced.totalMinor, currency: priced.currency }
        : type === "order.payment_started" || type === "order.paid"
          ? { paymentIntentId: `pi_bench_${prefix}_${n}`, amountMinor: priced.totalMinor }
          : type.startsWith("order.courier_")
            ? { courierId: p.courierId }
            : {};
    const message: OrderEventMessage = {
      kind: "order_event",
      event: {
        id: seededUuid(random),
        orderId,
        seq: i + 1,
        type,
        actorId: actor.id,
        actorRole: actor.role,
        at,
        state: after.state as OrderEventMessage["event"]["state"],
        delivery: after.delivery as OrderEventMessage["event"]["delivery"],
        payload: {
          orderId,
          state: after.state,
          delivery: after.delivery,
          previousState: previous.state,
          previousDelivery: previous.delivery,
          by: actor,
          at,
          ...extra,
        },
        // Synthetic events: the shapes the projection reads, not every field a real one has.
      } as OrderEventMessage["event"],
      order: {
        id: orderId,
        customerId,
        restaurantId: template.restaurant.id,
        idempotencyKey: `bench-events-${prefix}-${n}`,
        fingerprint: "0".repeat(64),
        menuVersion: template.restaurant.menu.version,
        currency: priced.currency,
        lines: priced.lines,
        subtotalMinor: priced.subtotalMinor,
        deliveryFeeMinor: priced.deliveryFeeMinor,
        serviceFeeMinor: priced.serviceFeeMinor,
        taxMinor: priced.taxMinor,
        tipMinor: priced.tipMinor,
        totalMinor: priced.totalMinor,
        deliveryAddress: template.body.deliveryAddress,
        restaurantLocation: { lat: template.restaurant.lat, lng: template.restaurant.lng },
        placedAt,
        courierId,
        prepTimeMinutes: 15,
      },
    };
    previous = after;
    return message;
  });
}

/**
 * Deals batch `b` of a stream where ORDERS_IN_FLIGHT orders emit events in
 * turn: every order's events stay in sequence across batches, and a batch
 * holds events of many orders at different stages, as at peak.
 */
export class BatchStream {
  private active: { n: number; messages: OrderEventMessage[]; next: number }[] = [];
  private nextOrder = 0;
  private turn = 0;
  constructor(
    private readonly p: Pipeline,
    private readonly prefix: string,
  ) {}
  take(size: number): OrderEventMessage[] {
    const out: OrderEventMessage[] = [];
    while (out.length < size) {
      while (this.active.length < ORDERS_IN_FLIGHT) {
        const n = this.nextOrder++;
        // The first orders start at staggered stages (as if their earlier events were projected
        // before the run), so batches mix stages as at a steady peak instead of moving in lockstep.
        const next = n < ORDERS_IN_FLIGHT ? n % this.p.sequence.length : 0;
        this.active.push({ n, messages: orderMessages(this.p, this.prefix, n), next });
      }
      this.turn = this.turn % this.active.length;
      const order = this.active[this.turn] as (typeof this.active)[number];
      out.push(order.messages[order.next++] as OrderEventMessage);
      if (order.next >= order.messages.length) this.active.splice(this.turn, 1);
      else this.turn++;
    }
    return out;
  }
}
