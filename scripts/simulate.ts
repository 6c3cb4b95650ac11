// `npm run simulate`: drives the local platform (`npm start`) with real
// clients over HTTP and WebSockets. Couriers drive along paths streaming GPS
// fixes to their zone, customers place and pay orders at a set rate,
// restaurants accept and cook, couriers take offers and deliver. Prints
// progress while it runs and a summary at the end. Bounded in time.
//
//   npm run simulate -- [--couriers 20] [--rate 0.2] [--duration 60] [--drain 180] [--base http://127.0.0.1:8787]
//                       [--report summary.json]
//   (`--scenario lisbon-friday`, the city-scale model, is handled by scripts/simulate/main.ts)
//
// Time is compressed: couriers drive at 25 m/s whatever their vehicle (below
// the fix validator's plausibility bound), and kitchens mark food ready
// `--cook` seconds after accepting.
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { WebSocket } from "ws";
import { destinationPoint, type LatLng } from "../domain/geo/distance.ts";
import { pick as pickFrom, seededRandom } from "../domain/random/seeded-random.ts";
import { apiClient, type OrderTrack, type SimCounters } from "./simulate-client.ts";
import { type CourierWorld, FIX_INTERVAL_MS, SimCourier } from "./simulate-courier.ts";

const { values: args } = parseArgs({
  options: {
    base: { type: "string", default: "http://127.0.0.1:8787" },
    couriers: { type: "string", default: "20" },
    rate: { type: "string", default: "0.2" },
    duration: { type: "string", default: "60" },
    drain: { type: "string", default: "180" },
    cook: { type: "string", default: "15" },
    seed: { type: "string", default: "42" },
    /** Writes the orders it placed, with the events it saw, as JSON (the system tests read it). */
    report: { type: "string" },
  },
  strict: true,
});

const BASE = args.base ?? "http://127.0.0.1:8787";
const WS_BASE = BASE.replace(/^http/, "ws");
const COURIERS = Math.min(50, Number(args.couriers));
const RATE = Number(args.rate);
const DURATION_MS = Number(args.duration) * 1000;
const DRAIN_MS = Number(args.drain) * 1000;
const COOK_MS = Number(args.cook) * 1000;
const CITY: LatLng = { lat: 38.7169, lng: -9.1399 };

// Deterministic choices for a given --seed.
const random = seededRandom(Number(args.seed));
const pick = <T>(list: readonly T[]): T => pickFrom(random, list);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const { call, signIn } = apiClient(BASE);

// ---------------------------------------------------------------- metrics

const orders = new Map<string, OrderTrack>();
/** Placements the API refused, by "status code". */
const refusals = new Map<string, number>();
const counters: SimCounters = {
  placeFailed: 0,
  fixesSent: 0,
  fixesDropped: 0,
  offersDeclined: 0,
  stepRetries: 0,
  handovers: 0,
};

function phase(track: OrderTrack, from: string, to: string): number | null {
  const a = track.events.get(from);
  const b = track.events.get(to);
  return a !== undefined && b !== undefined ? b - a : null;
}

function stats(values: number[]) {
  if (values.length === 0) return { n: 0, mean: Number.NaN, p95: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] as number;
  return { n: values.length, mean: values.reduce((s, v) => s + v, 0) / values.length, p95 };
}

// ---------------------------------------------------------------- restaurants

interface Restaurant {
  id: string;
  slug: string;
  lat: number;
  lng: number;
  deliveryRadiusM: number;
  openNow: boolean;
  fulfilment?: "on_demand" | "slots";
}

interface MenuItem {
  id: string;
  available: boolean;
  groups: Array<{ minChoices: number; options: Array<{ id: string; available: boolean }> }>;
}

const staffTokens = new Map<string, string>();
async function staffToken(slug: string): Promise<string> {
  let token = staffTokens.get(slug);
  if (!token) {
    token = await signIn(`staff+${slug}@demo.test`, "demo-staff-pass");
    staffTokens.set(slug, token);
  }
  return token;
}

/** The kitchen: accept once paid, start cooking, mark ready after --cook seconds. */
async function runKitchen(track: OrderTrack): Promise<void> {
  const token = await staffToken(track.restaurantSlug);
  const deadline = Date.now() + DURATION_MS + DRAIN_MS;
  while (!track.events.has("order.paid")) {
    if (track.done || Date.now() > deadline) return;
    await sleep(250);
  }
  await call("POST", `/v1/orders/${track.id}/accept`, token, {
    prepTimeMinutes: Math.max(1, Math.ceil(COOK_MS / 60000)),
  });
  await call("POST", `/v1/orders/${track.id}/preparing`, token, {});
  await sleep(COOK_MS);
  await call("POST", `/v1/orders/${track.id}/ready`, token, {});
}

// ---------------------------------------------------------------- customers

function followOrder(track: OrderTrack): void {
  const ws = new WebSocket(`${WS_BASE}/v1/orders/${track.id}/live?since=0&access_token=${track.customerToken}`);
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { type: string; event?: { type: string; at: number } };
    if (msg.type !== "event" || !msg.event) return;
    if (!track.events.has(msg.event.type)) track.events.set(msg.event.type, msg.event.at);
    if (msg.event.type === "order.courier_offered") track.offers += 1;
    if (
      ["order.delivered", "order.cancelled", "order.rejected", "order.failed", "order.payment_expired"].includes(
        msg.event.type,
      )
    ) {
      track.done = true;
      ws.close();
    }
  });
  ws.on("error", () => {});
  ws.on("close", (code) => {
    if (!track.done && process.env.SIM_DEBUG) console.log(`order socket ${track.id} closed ${code}`);
  });
}

async function placeOrder(customerToken: string, restaurants: Restaurant[]): Promise<void> {
  const restaurant = pick(restaurants);
  const menu = await call<{ categories: Array<{ items: MenuItem[] }> }>("GET", `/v1/restaurants/${restaurant.id}/menu`);
  const items = menu.body.categories.flatMap((c) => c.items).filter((i) => i.available);
  const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
    const item = pick(items);
    const optionIds = item.groups.flatMap((g) =>
      g.options
        .filter((o) => o.available)
        .slice(0, g.minChoices)
        .map((o) => o.id),
    );
    return { itemId: item.id, quantity: 1 + Math.floor(random() * 2), optionIds };
  });
  const dropoff = destinationPoint(
    restaurant,
    random() * 360,
    300 + random() * Math.min(1200, restaurant.deliveryRadiusM - 400),
  );
  const placed = await call<{ id: string }>(
    "POST",
    "/v1/orders",
    customerToken,
    {
      restaurantId: restaurant.id,
      items: lines,
      deliveryAddress: {
        line1: "Simulated street 1",
        city: "Lisboa",
        postcode: "1100-000",
        lat: dropoff.lat,
        lng: dropoff.lng,
      },
      tipMinor: pick([0, 100, 200]),
    },
    { "idempotency-key": `sim-${crypto.randomUUID()}` },
  );
  if (placed.status !== 201) {
    counters.placeFailed += 1;
    const code = (placed.body as { error?: { code?: string } } | null)?.error?.code ?? "no_code";
    const key = `${placed.status} ${code}`;
    refusals.set(key, (refusals.get(key) ?? 0) + 1);
    return;
  }
  const track: OrderTrack = {
    id: placed.body.id,
    customerToken,
    restaurantSlug: restaurant.slug,
    events: new Map(),
    offers: 0,
    done: false,
  };
  orders.set(track.id, track);
  followOrder(track);
  // The Stripe stand-in started by `npm start` confirms the PaymentIntent, as the customer's device would.
  await call("POST", `/v1/orders/${track.id}/checkout`, customerToken);
  void runKitchen(track).catch(() => {});
}

// ---------------------------------------------------------------- main

function summarise(started: number): void {
  const tracks = [...orders.values()];
  const delivered = tracks.filter((t) => t.events.has("order.delivered"));
  const phases: Array<[string, string, string]> = [
    ["placed → paid", "order.placed", "order.paid"],
    ["paid → accepted", "order.paid", "order.accepted"],
    ["accepted → courier assigned", "order.accepted", "order.courier_assigned"],
    ["assigned → picked up", "order.courier_assigned", "order.picked_up"],
    ["picked up → delivered", "order.picked_up", "order.delivered"],
    ["placed → delivered", "order.placed", "order.delivered"],
  ];
  console.log(
    `\nSimulation summary (${Math.round((Date.now() - started) / 1000)} s, ${COURIERS} couriers, ${RATE} orders/s)`,
  );
  console.log(`  orders placed        ${tracks.length} (${counters.placeFailed} refused at placement)`);
  for (const [why, n] of refusals) console.log(`    refused ${n}× ${why}`);
  console.log(`  orders delivered     ${delivered.length}`);
  console.log(`  escalated            ${tracks.filter((t) => t.events.has("order.courier_escalated")).length}`);
  console.log("  phase                          n     mean s    p95 s");
  for (const [label, from, to] of phases) {
    const s = stats(tracks.map((t) => phase(t, from, to)).filter((v): v is number => v !== null));
    console.log(
      `  ${label.padEnd(30)} ${String(s.n).padStart(3)} ${(s.mean / 1000).toFixed(1).padStart(9)} ${(s.p95 / 1000).toFixed(1).padStart(8)}`,
    );
  }
  const assigned = tracks.filter((t) => t.events.has("order.courier_assigned"));
  const offersPer = assigned.length ? assigned.reduce((s, t) => s + t.offers, 0) / assigned.length : Number.NaN;
  console.log(`  offers per assignment ${offersPer.toFixed(2)} (${counters.offersDeclined} declined)`);
  console.log(
    `  fixes sent ${counters.fixesSent}, dropped ${counters.fixesDropped}, cell hand-overs ${counters.handovers}`,
  );
}

async function main(): Promise<void> {
  const health = await fetch(`${BASE}/v1/health`).catch(() => null);
  if (!health?.ok) {
    console.error(`No platform at ${BASE}: run \`npm start\` first.`);
    process.exit(2);
  }
  const near = await call<{ restaurants: Restaurant[] }>(
    "GET",
    `/v1/restaurants?lat=${CITY.lat}&lng=${CITY.lng}&openNow=true&limit=100`,
  );
  // Slot-based merchants (the grocery) take orders only for a slot hours ahead; the simulator orders for now.
  const open = near.body.restaurants.filter((r) => r.fulfilment !== "slots");
  if (open.length === 0) {
    console.error("No restaurant delivering to the city centre is open right now.");
    process.exit(2);
  }
  const customers = [
    await signIn("customer@demo.test", "demo-customer-pass"),
    await signIn("customer2@demo.test", "demo-customer-pass"),
  ];
  const courierWorld: CourierWorld = { wsBase: WS_BASE, city: CITY, random, call, orders, counters };
  const couriers: SimCourier[] = [];
  for (let i = 1; i <= COURIERS; i++) {
    const email = `courier${String(i).padStart(2, "0")}@demo.test`;
    const near = pick(open);
    couriers.push(
      new SimCourier(
        courierWorld,
        email,
        await signIn(email, "demo-courier-pass"),
        destinationPoint(near, random() * 360, random() * 1500),
      ),
    );
  }
  for (const c of couriers) c.connect();
  console.log(
    `Simulating ${COURIERS} couriers and ${RATE} orders/s over ${open.length} open restaurants for ${DURATION_MS / 1000} s (+${DRAIN_MS / 1000} s to finish)`,
  );

  const started = Date.now();
  const movement = setInterval(() => {
    for (const c of couriers) void c.tick().catch(() => {});
  }, FIX_INTERVAL_MS);
  const progress = setInterval(() => {
    const tracks = [...orders.values()];
    const count = (type: string) => tracks.filter((t) => t.events.has(type)).length;
    console.log(
      `[${String(Math.round((Date.now() - started) / 1000)).padStart(3)} s] placed ${tracks.length} paid ${count("order.paid")} accepted ${count("order.accepted")} assigned ${count("order.courier_assigned")} picked up ${count("order.picked_up")} delivered ${count("order.delivered")} | fixes ${counters.fixesSent} dropped ${counters.fixesDropped}`,
    );
  }, 5000);

  const placements: Promise<void>[] = [];
  while (Date.now() - started < DURATION_MS) {
    placements.push(
      placeOrder(pick(customers), open).catch(() => {
        counters.placeFailed += 1;
      }),
    );
    await sleep((-Math.log(1 - random()) / RATE) * 1000);
  }
  await Promise.all(placements);
  const drainUntil = Date.now() + DRAIN_MS;
  while (Date.now() < drainUntil && [...orders.values()].some((t) => !t.done)) await sleep(1000);

  clearInterval(movement);
  clearInterval(progress);
  for (const c of couriers) c.close();
  summarise(started);
  if (args.report) {
    const report = {
      placeFailed: counters.placeFailed,
      refusals: Object.fromEntries(refusals),
      orders: [...orders.values()].map((t) => ({ id: t.id, events: [...t.events.keys()], done: t.done })),
    };
    await writeFile(args.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  process.exit(0);
}

await main();
