// The city the Lisbon Friday scenario runs in: kitchens, couriers, the
// demand curve, the ride model the world obeys, and what an order carries.
// Demand and kitchens draw from their own random stream, rides and offers
// from another, so both dispatch modes on one seed see the same customers
// ordering the same food from the same kitchens at the same instants.
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import type { CourierRating } from "../../domain/dispatch/scoring.ts";
import { calibrate, type EtaCalibration } from "../../domain/eta/calibration.ts";
import { type AreaTruth, LISBON_AREAS, syntheticRides, trueRideMs } from "../../domain/eta/synthetic-rides.ts";
import { destinationPoint, haversineMeters, type LatLng } from "../../domain/geo/distance.ts";
import { seededRandom } from "../../domain/random/seeded-random.ts";

export type DispatchMode = "today" | "new";

export interface ScenarioOptions {
  couriers: number;
  kitchens: number;
  /** Orders per second at the peak of the demand curve. */
  peakRate: number;
  /** Simulated hours of demand, from 18:30 local. */
  hours: number;
  seed: number;
  /**
   * Which model quotes the customer's window. Unset: the one the dispatch
   * mode comes with (today: fixed, new: learned). Both are always measured.
   */
  eta?: "fixed" | "learned";
  /**
   * today: search at acceptance, nearest free courier, one order each.
   * new: food-ready timing, stacking, rating and acceptance in scoring (decisions 37, 38).
   */
  dispatch?: DispatchMode;
  /** New dispatch without stacking, to tell what food-ready timing and stacking each cost or save. */
  stacking?: boolean;
  /** Fault injection for the monitor's own test: the projection drops every n-th event. */
  loseEventEvery?: number;
}

export const MIN = 60_000;
export const START_HOUR = 18.5;
export const CENTRES: Record<string, LatLng> = {
  "old-town": { lat: 38.7139, lng: -9.1294 },
  avenues: { lat: 38.7369, lng: -9.1456 },
  riverside: { lat: 38.6979, lng: -9.2061 },
};

export type OrderState = "placed" | "accepted" | "ready" | "picked_up" | "delivered" | "cancelled";

export interface Kitchen {
  id: number;
  area: string;
  at: LatLng;
  capacity: number;
  cooking: number;
  queue: SimOrder[];
  /** What staff type in at acceptance. */
  prepMinutes: number;
  /** How late this kitchen habitually is against its own estimate (some are, most are not). */
  biasMinutes: number;
  /** actual − estimated ready, ms, newest last: the kitchen's record (decision 37). */
  latenessMs: number[];
}

export interface SimOrder {
  id: number;
  area: string;
  kitchen: Kitchen;
  dropoff: LatLng;
  placedAt: number;
  acceptDelayMs: number;
  prepNoiseMin: number;
  acceptedAt: number | null;
  /** The kitchen's own estimate: acceptance + its usual prep time. */
  estimatedReadyAt: number | null;
  /** What dispatch expects (new mode: planDispatch's prediction). */
  predictedReadyAt: number | null;
  holdEarly: boolean;
  /** How much later stacks made this order, as checkStack estimated them: the bound is per order, not per stack. */
  stackDelayMs: number;
  searching: boolean;
  quotedAt: number;
  quotedFixedAt: number;
  quotedLearnedAt: number;
  surgeBps: number;
  state: OrderState;
  courier: SimCourier | null;
  declinedBy: Set<number> | null;
  offers: number;
  readyAt: number | null;
  arrivedAt: number | null;
  pickedUpAt: number | null;
  deliveredAt: number | null;
  /** The Order DO's event log: seq 1.. */
  events: OrderState[];
}

export interface Stop {
  kind: "pickup" | "dropoff";
  order: SimOrder;
}

export interface SimCourier {
  id: number;
  vehicle: Vehicle;
  /** The current (or last) leg: straight from → to over [legStart, legEnd]. */
  legFrom: LatLng;
  legTo: LatLng;
  legStart: number;
  legEnd: number;
  legToken: number;
  /** What the courier is doing on it. */
  leg: "idle" | "pickup" | "dropoff" | "handover";
  /** Standing at a counter for this order's food. */
  waitingFor: SimOrder | null;
  stops: Stop[];
  jobs: SimOrder[];
  offered: boolean;
  area: string;
  acceptProbability: number;
  recentOffers: number;
  recentAccepts: number;
  rating: CourierRating | null;
  busyMs: number;
  busySince: number | null;
}

/** Demand through the evening: a ramp to a peak at 20:30 and a tail, as a smooth bump. */
export function demandRate(peak: number, hourOfDay: number): number {
  const x = (hourOfDay - 20.5) / 0.9;
  return peak * Math.max(0.08, Math.exp(-x * x));
}

export const hourAt = (t: number) => START_HOUR + t / 3_600_000;

const AREAS = LISBON_AREAS.map((a) => a.areaId);
const TRUTH = new Map(LISBON_AREAS.map((a) => [a.areaId, a]));

/** The delivery area a point is in: the nearest centre (the three areas tile the city). */
export function areaOf(p: LatLng): string {
  let best = AREAS[0] as string;
  let bestD = Number.POSITIVE_INFINITY;
  for (const a of AREAS) {
    const d = haversineMeters(p, CENTRES[a] as LatLng);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

export interface World {
  areas: string[];
  kitchens: Kitchen[];
  couriers: SimCourier[];
  learned: EtaCalibration;
  /** Demand and kitchens: identical across dispatch modes for a seed. */
  demand: () => number;
  /** Rides, offers and the queue's duplicates: what dispatch changes. */
  chance: () => number;
  /** The time the world really takes from a to b (door overheads included), noise drawn from `chance`. */
  rideMs: (from: LatLng, to: LatLng, vehicle: Vehicle, area: string, t: number) => number;
}

export function buildWorld(opts: ScenarioOptions): World {
  const demand = seededRandom(opts.seed);
  const chance = seededRandom((opts.seed ^ 0x5bd1e995) >>> 0);
  const pickArea = () => AREAS[Math.floor(demand() * AREAS.length)] as string;
  const near = (area: string, maxM: number) =>
    destinationPoint(CENTRES[area] as LatLng, demand() * 360, Math.sqrt(demand()) * maxM);
  // The learned model is fitted on last Friday: rides of the same city, another seed.
  const learned = calibrate(syntheticRides(8000, opts.seed + 1), 0);
  const kitchens: Kitchen[] = Array.from({ length: opts.kitchens }, (_, id) => {
    const area = pickArea();
    return {
      id,
      area,
      at: near(area, 1800),
      capacity: 2 + Math.floor(demand() * 6),
      cooking: 0,
      queue: [],
      prepMinutes: 8 + Math.floor(demand() * 12),
      // A third of kitchens run 3–8 minutes behind what they tell the platform.
      biasMinutes: demand() < 0.33 ? 3 + demand() * 5 : demand() * 1.5 - 0.5,
      latenessMs: [],
    };
  });
  // No walkers: a 3 km walk through the old town can outlast the drain (they are rare at dinner anyway).
  const vehicles: Vehicle[] = ["bicycle", "bicycle", "scooter", "scooter", "car"];
  const couriers: SimCourier[] = Array.from({ length: opts.couriers }, (_, id) => {
    const area = pickArea();
    const at = near(area, 2000);
    const count = Math.floor(demand() * 40);
    return {
      id,
      vehicle: vehicles[Math.floor(demand() * vehicles.length)] as Vehicle,
      legFrom: at,
      legTo: at,
      legStart: 0,
      legEnd: 0,
      legToken: 0,
      leg: "idle",
      waitingFor: null,
      stops: [],
      jobs: [],
      offered: false,
      area: areaOf(at),
      acceptProbability: 0.7 + demand() * 0.28,
      recentOffers: 0,
      recentAccepts: 0,
      rating: count === 0 ? null : { stars: 3.2 + demand() * 1.8, count },
      busyMs: 0,
      busySince: null,
    };
  });
  const rideMs = (from: LatLng, to: LatLng, vehicle: Vehicle, area: string, t: number) => {
    const noise = Math.exp((chance() + chance() + chance() + chance() - 2) * 0.26);
    const truth = TRUTH.get(area) ?? (LISBON_AREAS[0] as AreaTruth);
    return trueRideMs(truth, hourAt(t), haversineMeters(from, to), vehicle) * noise;
  };
  return { areas: AREAS, kitchens, couriers, learned, demand, chance, rideMs };
}

/** Where a courier is now, along their current straight leg. */
export function positionAt(c: SimCourier, now: number): LatLng {
  if (now >= c.legEnd || c.legEnd <= c.legStart) return c.legTo;
  const f = Math.max(0, (now - c.legStart) / (c.legEnd - c.legStart));
  return {
    lat: c.legFrom.lat + (c.legTo.lat - c.legFrom.lat) * f,
    lng: c.legFrom.lng + (c.legTo.lng - c.legFrom.lng) * f,
  };
}
