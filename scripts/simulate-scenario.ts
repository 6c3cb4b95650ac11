// `npm run simulate -- --scenario lisbon-friday`: a city-scale run that fits
// a 2-core machine. The platform's own processes cannot carry thousands of
// couriers here, so this is a discrete-event model of the city in one
// process, built on the platform's domain functions: the ETA model (fixed and
// learned, domain/eta), surge (domain/surge), kitchens that cook a few
// orders at a time, today's dispatch (nearest free courier, one order each,
// searched as soon as the kitchen accepts). Events go through an outbox to a
// projection delivered at least once, out of order, with duplicates, as the
// queue delivers them to Postgres; the run fails if the projection ends up
// disagreeing with an order, an event is missing, or an order is stuck.
//
// Numbers are simulated minutes; a 3.5-hour evening runs in well under a minute.
import { HANDOVER_MS, type Vehicle } from "../domain/dispatch/eta.ts";
import { calibrate, type EtaCalibration, predictRideMs, quantile } from "../domain/eta/calibration.ts";
import { LISBON_AREAS, syntheticRides, trueRideMs } from "../domain/eta/synthetic-rides.ts";
import { destinationPoint, haversineMeters, type LatLng } from "../domain/geo/distance.ts";
import { seededRandom } from "../domain/random/seeded-random.ts";
import { nextState, type SurgePolicy, type SurgeState, surgeOf } from "../domain/surge/surge.ts";
import { EventQueue } from "./simulate-scenario-queue.ts";

export interface ScenarioOptions {
  couriers: number;
  kitchens: number;
  /** Orders per second at the peak of the demand curve. */
  peakRate: number;
  /** Simulated hours of demand, from 18:30 local. */
  hours: number;
  seed: number;
  /** Which model quotes the customer's window: the fixed one or the learned one. */
  eta: "fixed" | "learned";
  /** Fault injection for the monitor's own test: the projection drops every n-th event. */
  loseEventEvery?: number;
}

// Sized so the evening is tight at the peak but clears (about 2.5 k deliveries in flight at 20:30):
// tens of orders per second would need tens of thousands of couriers at these ride times.
export const LISBON_FRIDAY: ScenarioOptions = {
  couriers: 2500,
  kitchens: 400,
  peakRate: 1.6,
  hours: 3.5,
  seed: 42,
  eta: "learned",
};

const MIN = 60_000;
const START_HOUR = 18.5;
const CENTRES: Record<string, LatLng> = {
  "old-town": { lat: 38.7139, lng: -9.1294 },
  avenues: { lat: 38.7369, lng: -9.1456 },
  riverside: { lat: 38.6979, lng: -9.2061 },
};
const OFFER_TIMEOUT_MS = 30_000;
const ACCEPT_PROBABILITY = 0.85;
const SEARCH_RADIUS_M = 4000;
const SURGE_POLICY: SurgePolicy = {
  enabled: true,
  startRatio: 1.5,
  fullRatio: 4,
  capBps: 15_000,
  halfLifeSeconds: 120,
};

type OrderState = "placed" | "accepted" | "ready" | "picked_up" | "delivered" | "cancelled";

interface SimOrder {
  id: number;
  area: string;
  kitchen: Kitchen;
  dropoff: LatLng;
  placedAt: number;
  quotedAt: number;
  quotedFixedAt: number;
  quotedLearnedAt: number;
  surgeBps: number;
  state: OrderState;
  courier: SimCourier | null;
  offers: number;
  readyAt: number | null;
  arrivedAt: number | null;
  pickedUpAt: number | null;
  deliveredAt: number | null;
  /** The Order DO's event log: seq 1.. */
  events: OrderState[];
}

interface Kitchen {
  id: number;
  area: string;
  at: LatLng;
  capacity: number;
  cooking: number;
  queue: SimOrder[];
  prepMinutes: number;
}

interface SimCourier {
  id: number;
  vehicle: Vehicle;
  at: LatLng;
  /** Orders being carried or fetched right now (more than one only once stacking dispatch exists). */
  jobs: SimOrder[];
  offered: boolean;
  busyMs: number;
  busySince: number | null;
}

export interface ScenarioReport {
  placed: number;
  refusedByKitchens: number;
  delivered: number;
  placedToDeliveredP50Min: number;
  placedToDeliveredP95Min: number;
  courierUtilisation: number;
  offersPerAssignment: number;
  stackedShare: number;
  courierWaitAtPickupMeanMin: number;
  etaError: { model: string; meanAbsMin: number; p90AbsMin: number };
  etaErrorFixed: { meanAbsMin: number; p90AbsMin: number };
  etaErrorLearned: { meanAbsMin: number; p90AbsMin: number };
  surgeMinutesByArea: Record<string, number>;
  surgedOrderShare: number;
  violations: string[];
  wallMs: number;
}

/** Demand through the evening: a ramp to a peak at 20:30 and a tail, as a smooth bump. */
export function demandRate(peak: number, hourOfDay: number): number {
  const x = (hourOfDay - 20.5) / 0.9;
  return peak * Math.max(0.08, Math.exp(-x * x));
}

export function runScenario(opts: ScenarioOptions): ScenarioReport {
  const wallStart = Date.now();
  const random = seededRandom(opts.seed);
  const queue = new EventQueue();
  const areas = LISBON_AREAS.map((a) => a.areaId);
  const truth = new Map(LISBON_AREAS.map((a) => [a.areaId, a]));
  const firstArea = (() => {
    const area = LISBON_AREAS[0];
    if (!area) throw new Error("the scenario needs at least one area");
    return area;
  })();
  const pickArea = () => areas[Math.floor(random() * areas.length)] as string;
  const near = (area: string, maxM: number) =>
    destinationPoint(CENTRES[area] as LatLng, random() * 360, Math.sqrt(random()) * maxM);
  // The learned model is fitted on last Friday: rides of the same city, another seed.
  const learned: EtaCalibration = calibrate(syntheticRides(8000, opts.seed + 1), 0);
  const hourAt = (t: number) => START_HOUR + t / 3_600_000;
  /** The delivery area a point is in: the nearest centre (the three areas tile the city). */
  const areaOf = (p: LatLng) => {
    let best = areas[0] as string;
    let bestD = Number.POSITIVE_INFINITY;
    for (const a of areas) {
      const d = haversineMeters(p, CENTRES[a] as LatLng);
      if (d < bestD) {
        bestD = d;
        best = a;
      }
    }
    return best;
  };

  const kitchens: Kitchen[] = Array.from({ length: opts.kitchens }, (_, id) => {
    const area = pickArea();
    return {
      id,
      area,
      at: near(area, 1800),
      capacity: 2 + Math.floor(random() * 6),
      cooking: 0,
      queue: [],
      prepMinutes: 8 + Math.floor(random() * 12),
    };
  });
  const vehicles: Vehicle[] = ["bicycle", "bicycle", "scooter", "scooter", "car", "foot"];
  const couriers: SimCourier[] = Array.from({ length: opts.couriers }, (_, id) => {
    const area = pickArea();
    return {
      id,
      vehicle: vehicles[Math.floor(random() * vehicles.length)] as Vehicle,
      at: near(area, 2000),
      jobs: [],
      offered: false,
      busyMs: 0,
      busySince: null,
    };
  });
  const orders: SimOrder[] = [];
  const surge = new Map<string, SurgeState | null>(areas.map((a) => [a, null]));
  const surgeMs = new Map<string, number>(areas.map((a) => [a, 0]));
  const waiting = new Set<SimOrder>();
  let offers = 0;
  let assignments = 0;

  // -------------------------------------------------------- the outbox and its projection
  // Every event goes out at least once, maybe twice, in any order; the projection keeps the highest seq.
  const projection = new Map<number, { seq: number; state: OrderState }>();
  const seen = new Map<number, Set<number>>();
  let emitted = 0;
  function emit(order: SimOrder, state: OrderState, now: number) {
    order.state = state;
    order.events.push(state);
    const seq = order.events.length;
    emitted++;
    const lose = opts.loseEventEvery !== undefined && emitted % opts.loseEventEvery === 0;
    const copies = lose ? 0 : random() < 0.05 ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      queue.at(now + 200 + random() * 5000, () => {
        const got = seen.get(order.id) ?? new Set<number>();
        got.add(seq);
        seen.set(order.id, got);
        const row = projection.get(order.id);
        if (!row || row.seq < seq) projection.set(order.id, { seq, state });
      });
    }
  }

  // -------------------------------------------------------- the ride model the world obeys
  function rideMs(from: LatLng, to: LatLng, vehicle: Vehicle, area: string, t: number): number {
    const noise = Math.exp((random() + random() + random() + random() - 2) * 0.26);
    return trueRideMs(truth.get(area) ?? firstArea, hourAt(t), haversineMeters(from, to), vehicle) * noise;
  }

  function setBusy(c: SimCourier, now: number) {
    if (c.jobs.length > 0 && c.busySince === null) c.busySince = now;
    if (c.jobs.length === 0 && c.busySince !== null) {
      c.busyMs += now - c.busySince;
      c.busySince = null;
    }
  }

  // -------------------------------------------------------- dispatch as it is today
  function search(order: SimOrder, now: number) {
    let best: SimCourier | null = null;
    let bestD = SEARCH_RADIUS_M;
    for (const c of couriers) {
      if (c.jobs.length > 0 || c.offered) continue;
      const d = haversineMeters(c.at, order.kitchen.at);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    if (!best) {
      queue.at(now + 15_000, () => search(order, now + 15_000));
      return;
    }
    const courier = best;
    courier.offered = true;
    offers++;
    order.offers++;
    const accepts = random() < ACCEPT_PROBABILITY;
    const answerAt = now + (accepts ? 3_000 + random() * 10_000 : OFFER_TIMEOUT_MS);
    queue.at(answerAt, () => {
      courier.offered = false;
      if (!accepts || courier.jobs.length > 0) return search(order, answerAt);
      assign(order, courier, answerAt);
    });
  }

  function assign(order: SimOrder, courier: SimCourier, now: number) {
    assignments++;
    waiting.delete(order);
    order.courier = courier;
    courier.jobs.push(order);
    setBusy(courier, now);
    const arrive = now + rideMs(courier.at, order.kitchen.at, courier.vehicle, order.area, now) - HANDOVER_MS;
    queue.at(arrive, () => {
      order.arrivedAt = arrive;
      courier.at = order.kitchen.at;
      tryPickup(order, arrive);
    });
  }

  function tryPickup(order: SimOrder, now: number) {
    if (order.state !== "ready" || order.arrivedAt === null || order.pickedUpAt !== null) return;
    const courier = order.courier as SimCourier;
    order.pickedUpAt = now + HANDOVER_MS / 2;
    emit(order, "picked_up", order.pickedUpAt);
    const done = order.pickedUpAt + rideMs(order.kitchen.at, order.dropoff, courier.vehicle, order.area, now);
    queue.at(done, () => {
      order.deliveredAt = done;
      courier.at = order.dropoff;
      courier.jobs = courier.jobs.filter((o) => o !== order);
      setBusy(courier, done);
      emit(order, "delivered", done);
    });
  }

  // -------------------------------------------------------- kitchens
  function startCooking(kitchen: Kitchen, now: number) {
    while (kitchen.cooking < kitchen.capacity && kitchen.queue.length > 0) {
      const order = kitchen.queue.shift() as SimOrder;
      kitchen.cooking++;
      const readyAt = now + (kitchen.prepMinutes + (random() - 0.3) * 6) * MIN;
      queue.at(readyAt, () => {
        kitchen.cooking--;
        order.readyAt = readyAt;
        emit(order, "ready", readyAt);
        tryPickup(order, readyAt);
        startCooking(kitchen, readyAt);
      });
    }
  }

  // -------------------------------------------------------- customers
  let refused = 0;
  /** A kitchen whose queue would push prep past 45 minutes refuses (the capacity policy's limit); the customer tries another. */
  const backlogMinutes = (k: Kitchen) => Math.floor(k.queue.length / k.capacity) * k.prepMinutes;
  function place(now: number) {
    let kitchen = kitchens[Math.floor(random() * kitchens.length)] as Kitchen;
    for (let tries = 0; backlogMinutes(kitchen) > 45 && tries < 3; tries++) {
      kitchen = kitchens[Math.floor(random() * kitchens.length)] as Kitchen;
    }
    if (backlogMinutes(kitchen) > 45) {
      refused++;
      return;
    }
    const dropoff = destinationPoint(kitchen.at, random() * 360, 300 + random() * 2700);
    const distanceM = haversineMeters(kitchen.at, dropoff);
    // What the kitchen's queue adds: the customer is quoted prep behind the orders already waiting.
    const queued = backlogMinutes(kitchen);
    const prepMs = (kitchen.prepMinutes + queued) * MIN;
    const q = { areaId: kitchen.area, localHour: Math.floor(hourAt(now)), distanceM, vehicle: "bicycle" as Vehicle };
    // Dispatch today finds a courier a couple of minutes after acceptance, on average: both models get that.
    const pickupLag = 2 * MIN;
    const quotedFixedAt = now + prepMs + pickupLag + predictRideMs(null, q);
    const quotedLearnedAt = now + prepMs + pickupLag + predictRideMs(learned, q);
    const state = surge.get(kitchen.area) ?? null;
    const order: SimOrder = {
      id: orders.length,
      area: kitchen.area,
      kitchen,
      dropoff,
      placedAt: now,
      quotedAt: opts.eta === "learned" ? quotedLearnedAt : quotedFixedAt,
      quotedFixedAt,
      quotedLearnedAt,
      surgeBps: surgeOf(state, SURGE_POLICY).multiplierBps,
      state: "placed",
      courier: null,
      offers: 0,
      readyAt: null,
      arrivedAt: null,
      pickedUpAt: null,
      deliveredAt: null,
      events: [],
    };
    orders.push(order);
    emit(order, "placed", now);
    queue.at(now + 30_000 + random() * 60_000, () => {
      const t = queue.now;
      emit(order, "accepted", t);
      kitchen.queue.push(order);
      startCooking(kitchen, t);
      // Today: the search starts as soon as the kitchen accepts.
      waiting.add(order);
      search(order, t);
    });
  }

  // -------------------------------------------------------- the evening
  const endMs = opts.hours * 3_600_000;
  let next = 0;
  const arrival = () => {
    const rate = demandRate(opts.peakRate, hourAt(next));
    next += (-Math.log(1 - random()) / rate) * 1000;
    if (next < endMs) {
      queue.at(next, () => {
        place(next);
        arrival();
      });
    }
  };
  arrival();
  // Surge is re-read every 30 s per area, as the API would on a busy evening.
  for (let t = 0; t < endMs + 2 * 3_600_000; t += 30_000) {
    queue.at(t, () => {
      for (const area of areas) {
        let waitingOrders = 0;
        for (const o of waiting) if (o.area === area) waitingOrders++;
        let availableCouriers = 0;
        for (const c of couriers) if (c.jobs.length === 0 && !c.offered && areaOf(c.at) === area) availableCouriers++;
        const s = nextState(surge.get(area) ?? null, { waitingOrders, availableCouriers }, SURGE_POLICY, t);
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

  // -------------------------------------------------------- figures
  const delivered = orders.filter((o) => o.deliveredAt !== null);
  const p2d = delivered.map((o) => ((o.deliveredAt as number) - o.placedAt) / MIN).sort((a, b) => a - b);
  const err = (key: "quotedAt" | "quotedFixedAt" | "quotedLearnedAt") => {
    const e = delivered.map((o) => Math.abs((o.deliveredAt as number) - o[key]) / MIN).sort((a, b) => a - b);
    return { meanAbsMin: e.reduce((s, x) => s + x, 0) / Math.max(1, e.length), p90AbsMin: quantile(e, 0.9) };
  };
  // Utilisation over the evening: from the first order to the last delivery.
  const span = Math.max(1, ...delivered.map((o) => o.deliveredAt as number));
  const busy = couriers.reduce((s, c) => s + c.busyMs + (c.busySince === null ? 0 : span - c.busySince), 0);
  // Stacked: a delivery whose courier carried another order at the same time (read from the data).
  const byCourier = new Map<number, SimOrder[]>();
  for (const o of delivered) {
    const id = (o.courier as SimCourier).id;
    byCourier.set(id, [...(byCourier.get(id) ?? []), o]);
  }
  let stacked = 0;
  for (const list of byCourier.values()) {
    for (const o of list) {
      const from = o.pickedUpAt as number;
      const to = o.deliveredAt as number;
      if (list.some((p) => p !== o && (p.pickedUpAt as number) < to && (p.deliveredAt as number) > from)) stacked++;
    }
  }
  const waits = delivered
    .filter((o) => o.arrivedAt !== null && o.pickedUpAt !== null)
    .map((o) => Math.max(0, (o.pickedUpAt as number) - HANDOVER_MS / 2 - (o.arrivedAt as number)) / MIN);
  return {
    placed: orders.length,
    refusedByKitchens: refused,
    delivered: delivered.length,
    placedToDeliveredP50Min: quantile(p2d, 0.5),
    placedToDeliveredP95Min: quantile(p2d, 0.95),
    courierUtilisation: busy / (couriers.length * span),
    offersPerAssignment: offers / Math.max(1, assignments),
    stackedShare: stacked / Math.max(1, delivered.length),
    courierWaitAtPickupMeanMin: waits.reduce((s, w) => s + w, 0) / Math.max(1, waits.length),
    etaError: { model: opts.eta, ...err("quotedAt") },
    etaErrorFixed: err("quotedFixedAt"),
    etaErrorLearned: err("quotedLearnedAt"),
    surgeMinutesByArea: Object.fromEntries([...surgeMs].map(([a, ms]) => [a, ms / MIN])),
    surgedOrderShare: orders.filter((o) => o.surgeBps > 10_000).length / Math.max(1, orders.length),
    violations,
    wallMs: Date.now() - wallStart,
  };
}

export function printReport(opts: ScenarioOptions, r: ScenarioReport): void {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
  console.log(
    `\nScenario "Lisbon Friday dinner": ${opts.couriers} couriers, ${opts.kitchens} kitchens, peak ${opts.peakRate} orders/s, ${opts.hours} h from 18:30, seed ${opts.seed} (${f(r.wallMs / 1000)} s wall)`,
  );
  console.log(
    `  orders placed / delivered     ${r.placed} / ${r.delivered} (${r.refusedByKitchens} refused: kitchens full)`,
  );
  console.log(`  placed → delivered p50 / p95  ${f(r.placedToDeliveredP50Min)} / ${f(r.placedToDeliveredP95Min)} min`);
  console.log(`  courier utilisation           ${f(r.courierUtilisation * 100)} %`);
  console.log(`  courier wait at pickup (mean) ${f(r.courierWaitAtPickupMeanMin)} min`);
  console.log(`  offers per assignment         ${f(r.offersPerAssignment, 2)}`);
  console.log(`  stacked deliveries            ${f(r.stackedShare * 100)} %`);
  console.log(
    `  ETA error, quoted (${r.etaError.model}) vs actual: mean abs ${f(r.etaError.meanAbsMin)} min, p90 ${f(r.etaError.p90AbsMin)} min`,
  );
  console.log(
    `    fixed model:   mean abs ${f(r.etaErrorFixed.meanAbsMin)} min, p90 ${f(r.etaErrorFixed.p90AbsMin)} min;  learned: mean abs ${f(r.etaErrorLearned.meanAbsMin)} min, p90 ${f(r.etaErrorLearned.p90AbsMin)} min`,
  );
  const surge = Object.entries(r.surgeMinutesByArea)
    .map(([a, m]) => `${a} ${f(m, 0)} min`)
    .join(", ");
  console.log(`  surge time                    ${surge}; ${f(r.surgedOrderShare * 100)} % of orders quoted with surge`);
  if (r.violations.length === 0)
    console.log("  invariants                    ok (no stuck order, no lost event, projection agrees)");
  for (const v of r.violations) console.log(`  INVARIANT BROKEN: ${v}`);
}
