// A seeded evening of orders through the dispatch functions, twice: as today
// (search at acceptance, one job per courier) and with food-ready timing and
// stacking (decisions 37 and 38). Same kitchens, same couriers, same demand.
// It measures what the issue asks: how long couriers stand at counters, how
// many deliveries are stacked, and that delivery times do not get worse.
import { describe, expect, it } from "vitest";
import { haversineMeters, type LatLng, metersToLatDegrees, metersToLngDegrees } from "../geo/distance.ts";
import { seededRandom } from "../random/seeded-random.ts";
import { HANDOVER_MS, travelTimeMs } from "./eta.ts";
import { holdOfferUntil, planDispatch } from "./food-ready.ts";
import { type Candidate, rankCandidates, type StackFacts } from "./scoring.ts";
import { checkStack } from "./stacking.ts";

const MIN = 60_000;
const ACCEPT_MS = 30_000; // an offer answered in half its 30 s window
const CENTRE = { lat: 38.72, lng: -9.14 };
const at = (north: number, east: number): LatLng => ({
  lat: CENTRE.lat + metersToLatDegrees(north),
  lng: CENTRE.lng + metersToLngDegrees(east, CENTRE.lat),
});

interface Order {
  id: string;
  kitchen: number;
  restaurant: LatLng;
  dropoff: LatLng;
  acceptedAt: number;
  estimatedReadyAt: number;
  readyAt: number;
}

interface Courier {
  id: string;
  pos: LatLng;
  freeAt: number;
  /** The one job that may take a stack: its food not yet collected. */
  open: { order: Order; arrivesAt: number; leavesAt: number; deliveredAt: number } | null;
}

function world(seed: number) {
  const random = seededRandom(seed);
  const spot = () => at((random() - 0.5) * 5_000, (random() - 0.5) * 5_000);
  // Kitchens differ: some finish on time, some are habitually late.
  const kitchens = Array.from({ length: 16 }, (_, i) => ({
    at: i % 4 === 0 ? at((random() - 0.5) * 600, (random() - 0.5) * 600) : spot(),
    biasMs: (random() < 0.4 ? 3 + random() * 5 : random() * 1.5 - 0.5) * MIN,
  }));
  const orders: Order[] = [];
  for (let i = 0; i < 360; i++) {
    const k = Math.floor(random() * kitchens.length);
    const kitchen = kitchens[k] as (typeof kitchens)[number];
    // Dinner: most orders in the middle hour of three.
    const acceptedAt = (random() + random() + random()) * 60 * MIN;
    const prepMs = (8 + Math.floor(random() * 23)) * MIN;
    const noiseMs = (random() - 0.5) * 4 * MIN;
    orders.push({
      id: `o${i}`,
      kitchen: k,
      restaurant: kitchen.at,
      dropoff: spot(),
      acceptedAt,
      estimatedReadyAt: acceptedAt + prepMs,
      readyAt: acceptedAt + prepMs + Math.max(-2 * MIN, kitchen.biasMs + noiseMs),
    });
  }
  const couriers: Courier[] = Array.from({ length: 90 }, (_, i) => ({
    id: `c${i}`,
    pos: spot(),
    freeAt: 0,
    open: null,
  }));
  return { orders: orders.sort((a, b) => a.acceptedAt - b.acceptedAt), couriers };
}

interface Outcome {
  waitsMs: number[];
  deliveryMs: number[];
  stacked: number;
  delivered: number;
}

const leg = (a: LatLng, b: LatLng) => travelTimeMs(haversineMeters(a, b), "bicycle");

function run(seed: number, mode: "today" | "food_ready"): Outcome {
  const { orders, couriers } = world(seed);
  const out: Outcome = { waitsMs: [], deliveryMs: [], stacked: 0, delivered: 0 };
  const history: Array<{ kitchen: number; readyAt: number; latenessMs: number }> = [];
  // Searches due, each with the time it runs and whether it may hold back an early courier.
  const queue: Array<{ order: Order; at: number; hold: boolean; predicted: number; planned: boolean }> = orders.map(
    (order) => ({
      order,
      at: order.acceptedAt,
      hold: false,
      predicted: order.estimatedReadyAt,
      planned: mode === "today",
    }),
  );
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at);
    const item = queue.shift() as (typeof queue)[number];
    const { order } = item;
    const now = item.at;
    if (mode === "food_ready" && !item.planned) {
      // The Order DO's plan at acceptance, with the kitchen's record as known by then.
      const samples = history
        .filter((h) => h.kitchen === order.kitchen && h.readyAt <= now)
        .slice(-20)
        .map((h) => h.latenessMs);
      const plan = planDispatch(
        order.estimatedReadyAt,
        { latenessSamplesMs: samples, ordersInKitchen: 0, maxActiveOrders: null },
        now,
      );
      queue.push({
        ...item,
        at: plan.searchAt,
        planned: true,
        predicted: plan.predictedReadyAt,
        hold: plan.searchAt > now,
      });
      continue;
    }
    const candidates: Array<Candidate & { courier: Courier; stack: StackFacts | null }> = [];
    for (const courier of couriers) {
      const base = { courierId: courier.id, vehicle: "bicycle" as const, recentOffers: 10, recentAccepts: 9, courier };
      if (courier.freeAt <= now) {
        const distanceM = haversineMeters(courier.pos, order.restaurant);
        if (distanceM <= 7_000) candidates.push({ ...base, distanceM, activeJobs: 0, stack: null });
      } else if (mode === "food_ready" && courier.open && courier.open.arrivesAt > now) {
        const first = courier.open.order;
        const verdict = checkStack(
          courier.pos,
          "bicycle",
          [
            {
              orderId: first.id,
              restaurant: first.restaurant,
              dropoff: first.dropoff,
              foodReadyAt: first.estimatedReadyAt,
            },
          ],
          { restaurant: order.restaurant, dropoff: order.dropoff, foodReadyAt: item.predicted },
          now,
        );
        if (verdict.ok) {
          const stack = {
            withOrderId: first.id,
            firstDelayMs: verdict.firstDelayMs,
            toPickupMs: verdict.arrivesAtPickupAt - now,
            sameRestaurant: verdict.sameRestaurant,
          };
          candidates.push({ ...base, distanceM: 0, activeJobs: 1, stack });
        }
      }
    }
    const [best] = rankCandidates(candidates, { foodReadyInMs: item.predicted - now });
    if (!best) {
      // Nobody free: search again when the next courier frees up.
      const next = Math.min(...couriers.map((c) => c.freeAt).filter((t) => t > now));
      queue.push({ ...item, at: Number.isFinite(next) ? next : now + MIN });
      continue;
    }
    const travel = best.stack ? best.stack.toPickupMs : leg(best.courier.pos, order.restaurant);
    if (item.hold) {
      const until = holdOfferUntil(item.predicted, travel, now);
      if (until !== null) {
        queue.push({ ...item, at: until });
        continue;
      }
    }
    const courier = best.courier;
    const open = courier.open;
    if (best.stack && open) {
      // Collect the first job, ride to (or stay at) this counter, then both drop-offs, first job first.
      const firstWait = Math.max(0, open.order.readyAt - open.arrivesAt);
      const leftFirst = Math.max(open.arrivesAt, open.order.readyAt) + HANDOVER_MS;
      const arrives = best.stack.sameRestaurant
        ? leftFirst - HANDOVER_MS
        : leftFirst + leg(open.order.restaurant, order.restaurant);
      const leaves = Math.max(arrives, order.readyAt) + HANDOVER_MS;
      const firstDelivered = leaves + leg(order.restaurant, open.order.dropoff) + HANDOVER_MS;
      const delivered = firstDelivered + leg(open.order.dropoff, order.dropoff) + HANDOVER_MS;
      // The first job's figures become the stacked route's.
      record(out, open.order.id, firstWait, firstDelivered - open.order.acceptedAt);
      record(out, order.id, Math.max(0, order.readyAt - arrives), delivered - order.acceptedAt);
      out.stacked += 2;
      courier.open = null;
      courier.freeAt = delivered;
      courier.pos = order.dropoff;
    } else {
      const arrives = now + ACCEPT_MS + travel;
      const leaves = Math.max(arrives, order.readyAt) + HANDOVER_MS;
      const delivered = leaves + leg(order.restaurant, order.dropoff) + HANDOVER_MS;
      record(out, order.id, Math.max(0, order.readyAt - arrives), delivered - order.acceptedAt);
      courier.open = { order, arrivesAt: arrives, leavesAt: leaves, deliveredAt: delivered };
      courier.freeAt = delivered;
      courier.pos = order.restaurant;
    }
    history.push({
      kitchen: order.kitchen,
      readyAt: order.readyAt,
      latenessMs: order.readyAt - order.estimatedReadyAt,
    });
  }
  out.delivered = byOrder.get(out)?.size ?? 0;
  return out;
}

// Per-run outcome by order, so a stack can replace its first job's solo figures.
const byOrder = new WeakMap<Outcome, Map<string, { waitMs: number; deliveryMs: number }>>();

function record(out: Outcome, orderId: string, waitMs: number, deliveryMs: number): void {
  const map = byOrder.get(out) ?? new Map();
  byOrder.set(out, map);
  map.set(orderId, { waitMs, deliveryMs });
  out.waitsMs = [...map.values()].map((v) => v.waitMs);
  out.deliveryMs = [...map.values()].map((v) => v.deliveryMs);
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
const minutes = (ms: number) => Math.round(ms / 6_000) / 10;

describe("dispatch scenario: today vs food-ready timing with stacking (3 seeds)", () => {
  it("cuts courier waiting at counters, stacks a share of deliveries, and keeps median delivery no slower", () => {
    const rows: string[] = [];
    for (const seed of [7, 19, 31]) {
      const today = run(seed, "today");
      const after = run(seed, "food_ready");
      expect(today.delivered).toBe(360);
      expect(after.delivered).toBe(360);
      const row = {
        seed,
        waitMeanMin: [minutes(mean(today.waitsMs)), minutes(mean(after.waitsMs))],
        waitP90Min: [minutes(quantile(today.waitsMs, 0.9)), minutes(quantile(after.waitsMs, 0.9))],
        acceptToDeliveredP50Min: [minutes(quantile(today.deliveryMs, 0.5)), minutes(quantile(after.deliveryMs, 0.5))],
        acceptToDeliveredP95Min: [minutes(quantile(today.deliveryMs, 0.95)), minutes(quantile(after.deliveryMs, 0.95))],
        stackedShare: [0, Math.round((after.stacked / after.delivered) * 1000) / 10],
      };
      rows.push(JSON.stringify(row));
      expect(mean(after.waitsMs)).toBeLessThan(mean(today.waitsMs) / 2);
      expect(after.stacked).toBeGreaterThan(0);
      // Median delivery is no slower; the tail pays for stacks (a first customer waits up to the 8-minute bound).
      expect(quantile(after.deliveryMs, 0.5)).toBeLessThanOrEqual(quantile(today.deliveryMs, 0.5));
      expect(quantile(after.deliveryMs, 0.95)).toBeLessThanOrEqual(quantile(today.deliveryMs, 0.95) * 1.15);
    }
    // The figures for the report: [today, food-ready + stacking].
    console.warn(`dispatch scenario\n${rows.join("\n")}`);
  });
});
