// `npm run simulate -- --scenario lisbon-friday`: a city-scale run that fits
// a 2-core machine. The platform's own processes cannot carry thousands of
// couriers here, so this is a discrete-event model of the city in one
// process, built on the platform's domain functions: the ETA model (fixed and
// learned, domain/eta), surge (domain/surge), kitchens that cook a few
// orders at a time, and dispatch as it was (`today`) or as the platform now
// does it (`new`: food-ready timing, stacking, scoring with ratings; see
// dispatch.ts). Couriers are found through the Zone DO's spatial index, so a
// peak of tens of orders per second over tens of thousands of couriers runs
// in well under a minute. Events go through an outbox to a projection
// delivered at least once, out of order, with duplicates, as the queue
// delivers them to Postgres; the run fails if the projection ends up
// disagreeing with an order, an event is missing, or an order is stuck.
import { HANDOVER_MS, type Vehicle } from "../../domain/dispatch/eta.ts";
import { predictRideMs } from "../../domain/eta/calibration.ts";
import { destinationPoint, haversineMeters } from "../../domain/geo/distance.ts";
import { seededRandom } from "../../domain/random/seeded-random.ts";
import { nextState, type SurgePolicy, type SurgeState, surgeOf } from "../../domain/surge/surge.ts";
import { Fleet } from "./couriers.ts";
import { Dispatcher } from "./dispatch.ts";
import { EventQueue } from "./queue.ts";
import { figures, type ScenarioReport } from "./report.ts";
import {
  buildWorld,
  demandRate,
  hourAt,
  type Kitchen,
  MIN,
  type OrderState,
  type ScenarioOptions,
  type SimOrder,
} from "./world.ts";

export type { DispatchMode, ScenarioOptions } from "./world.ts";
export { demandRate } from "./world.ts";

// Tens of orders per second at 20:30 (about 95,000 orders in the evening). Rides here take
// 15–30 minutes door to door, so that peak keeps about 25,000 deliveries in flight: the fleet
// is sized so today's dispatch is tight at the peak but clears.
export const LISBON_FRIDAY: ScenarioOptions = {
  couriers: 30_000,
  kitchens: 3000,
  peakRate: 20,
  hours: 3.5,
  seed: 42,
  dispatch: "new",
};

const ACCEPT_MIN_MS = 30_000;
const SURGE_POLICY: SurgePolicy = {
  enabled: true,
  startRatio: 1.5,
  fullRatio: 4,
  capBps: 15_000,
  halfLifeSeconds: 120,
};

export function runScenario(opts: ScenarioOptions): ScenarioReport {
  const wallStart = Date.now();
  const mode = opts.dispatch ?? "today";
  const etaModel = opts.eta ?? (mode === "new" ? "learned" : "fixed");
  const queue = new EventQueue();
  const world = buildWorld(opts);
  const { areas, kitchens, couriers, learned, demand } = world;
  const orders: SimOrder[] = [];
  const surge = new Map<string, SurgeState | null>(areas.map((a) => [a, null]));
  const surgeMs = new Map<string, number>(areas.map((a) => [a, 0]));

  // -------------------------------------------------------- the outbox and its projection
  // Every event goes out at least once, maybe twice, in any order; the projection keeps the highest seq.
  const delivery = seededRandom((opts.seed * 31 + 7) >>> 0);
  const projection = new Map<number, { seq: number; state: OrderState }>();
  const seen = new Map<number, Set<number>>();
  let emitted = 0;
  function emit(order: SimOrder, state: OrderState, now: number) {
    order.state = state;
    order.events.push(state);
    const seq = order.events.length;
    emitted++;
    const lose = opts.loseEventEvery !== undefined && emitted % opts.loseEventEvery === 0;
    const copies = lose ? 0 : delivery() < 0.05 ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      queue.at(now + 200 + delivery() * 5000, () => {
        const got = seen.get(order.id) ?? new Set<number>();
        got.add(seq);
        seen.set(order.id, got);
        const row = projection.get(order.id);
        if (!row || row.seq < seq) projection.set(order.id, { seq, state });
      });
    }
  }

  const fleet = new Fleet({
    queue,
    world,
    stacking: mode === "new" && opts.stacking !== false,
    pickedUp: (order, at) => {
      order.pickedUpAt = at;
      emit(order, "picked_up", at);
    },
    delivered: (order, at) => {
      order.deliveredAt = at;
      emit(order, "delivered", at);
    },
  });
  const dispatcher = new Dispatcher(mode, queue, world, fleet);

  // -------------------------------------------------------- kitchens
  function startCooking(kitchen: Kitchen, now: number) {
    while (kitchen.cooking < kitchen.capacity && kitchen.queue.length > 0) {
      const order = kitchen.queue.shift() as SimOrder;
      kitchen.cooking++;
      const readyAt = now + Math.max(3, kitchen.prepMinutes + kitchen.biasMinutes + order.prepNoiseMin) * MIN;
      queue.at(readyAt, () => {
        kitchen.cooking--;
        order.readyAt = readyAt;
        if (order.estimatedReadyAt !== null) {
          kitchen.latenessMs.push(readyAt - order.estimatedReadyAt);
          if (kitchen.latenessMs.length > 20) kitchen.latenessMs.shift();
        }
        emit(order, "ready", readyAt);
        fleet.tryPickup(order, readyAt);
        dispatcher.foodReady(order, readyAt);
        startCooking(kitchen, readyAt);
      });
    }
  }

  // -------------------------------------------------------- customers
  let refused = 0;
  /** A kitchen whose queue would push prep past 45 minutes refuses (the capacity policy's limit); the customer tries another. */
  const backlogMinutes = (k: Kitchen) => Math.floor(k.queue.length / k.capacity) * k.prepMinutes;
  function place(now: number) {
    // A fixed number of draws per order, whatever happens: both dispatch modes see the same demand.
    const tries = [0, 1, 2, 3].map(() => kitchens[Math.floor(demand() * kitchens.length)] as Kitchen);
    const bearing = demand() * 360;
    const reach = 300 + demand() * 2700;
    const acceptDelayMs = ACCEPT_MIN_MS + demand() * 60_000;
    const prepNoiseMin = (demand() - 0.3) * 6;
    const kitchen = tries.find((k) => backlogMinutes(k) <= 45);
    if (!kitchen) {
      refused++;
      return;
    }
    const dropoff = destinationPoint(kitchen.at, bearing, reach);
    const distanceM = haversineMeters(kitchen.at, dropoff);
    // What the kitchen's queue adds: the customer is quoted prep behind the orders already waiting.
    const prepMs = (kitchen.prepMinutes + backlogMinutes(kitchen)) * MIN;
    const q = { areaId: kitchen.area, localHour: Math.floor(hourAt(now)), distanceM, vehicle: "bicycle" as Vehicle };
    // A courier reaches the counter a couple of minutes after the food, on average: both models get that.
    const pickupLag = 2 * MIN;
    const quotedFixedAt = now + prepMs + pickupLag + predictRideMs(null, q);
    const quotedLearnedAt = now + prepMs + pickupLag + predictRideMs(learned, q);
    const order: SimOrder = {
      id: orders.length,
      area: kitchen.area,
      kitchen,
      dropoff,
      placedAt: now,
      acceptDelayMs,
      prepNoiseMin,
      acceptedAt: null,
      estimatedReadyAt: null,
      predictedReadyAt: null,
      holdEarly: false,
      stackDelayMs: 0,
      searching: false,
      quotedAt: etaModel === "learned" ? quotedLearnedAt : quotedFixedAt,
      quotedFixedAt,
      quotedLearnedAt,
      surgeBps: surgeOf(surge.get(kitchen.area) ?? null, SURGE_POLICY).multiplierBps,
      state: "placed",
      courier: null,
      declinedBy: null,
      offers: 0,
      readyAt: null,
      arrivedAt: null,
      pickedUpAt: null,
      deliveredAt: null,
      events: [],
    };
    orders.push(order);
    emit(order, "placed", now);
    const acceptAt = now + acceptDelayMs;
    queue.at(acceptAt, () => {
      order.acceptedAt = acceptAt;
      // Staff type their usual prep time; the queue and the kitchen's habits are dispatch's to predict.
      order.estimatedReadyAt = acceptAt + kitchen.prepMinutes * MIN;
      emit(order, "accepted", acceptAt);
      kitchen.queue.push(order);
      startCooking(kitchen, acceptAt);
      dispatcher.accepted(order, acceptAt);
    });
  }

  // -------------------------------------------------------- the evening
  const endMs = opts.hours * 3_600_000;
  let next = 0;
  const arrival = () => {
    const rate = demandRate(opts.peakRate, hourAt(next));
    next += (-Math.log(1 - demand()) / rate) * 1000;
    if (next < endMs) {
      const at = next;
      queue.at(at, () => {
        place(at);
        arrival();
      });
    }
  };
  arrival();
  // Surge is re-read every 30 s per area, as the API would on a busy evening.
  for (let t = 0; t < endMs + 2 * 3_600_000; t += 30_000) {
    queue.at(t, () => {
      const waitingBy = new Map<string, number>();
      for (const o of dispatcher.waiting) waitingBy.set(o.area, (waitingBy.get(o.area) ?? 0) + 1);
      const freeBy = new Map<string, number>();
      for (const c of couriers)
        if (c.jobs.length === 0 && !c.offered) freeBy.set(c.area, (freeBy.get(c.area) ?? 0) + 1);
      for (const area of areas) {
        const load = { waitingOrders: waitingBy.get(area) ?? 0, availableCouriers: freeBy.get(area) ?? 0 };
        const s = nextState(surge.get(area) ?? null, load, SURGE_POLICY, t);
        surge.set(area, s);
        if (surgeOf(s, SURGE_POLICY).multiplierBps > 10_000) surgeMs.set(area, (surgeMs.get(area) ?? 0) + 30_000);
      }
    });
  }
  // Drain: three hours after the last order, everything must be finished.
  queue.run(endMs + 3 * 3_600_000);

  // -------------------------------------------------------- invariants
  const violations: string[] = [];
  const stuck = orders.filter((o) => o.state !== "delivered" && o.state !== "cancelled");
  if (stuck.length > 0) violations.push(`${stuck.length} orders stuck (e.g. #${stuck[0]?.id} in ${stuck[0]?.state})`);
  let lost = 0;
  let disagree = 0;
  for (const o of orders) {
    const got = seen.get(o.id);
    for (let seq = 1; seq <= o.events.length; seq++) if (!got?.has(seq)) lost++;
    const row = projection.get(o.id);
    if (!row || row.seq !== o.events.length || row.state !== o.state) disagree++;
  }
  if (lost > 0) violations.push(`${lost} events never reached the projection`);
  if (disagree > 0) violations.push(`${disagree} projected rows disagree with their order`);

  return figures({
    mode,
    etaModel,
    orders,
    couriers,
    refused,
    stats: dispatcher.stats,
    surgeMs,
    violations,
    wallMs: Date.now() - wallStart,
    handoverMs: HANDOVER_MS,
  });
}
