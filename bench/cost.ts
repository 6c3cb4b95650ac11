// `npx tsx bench/cost.ts`: the cost per 1,000 placed-and-delivered orders,
// from counts measured by the benchmarks and Cloudflare's list prices
// (bench/prices.ts). Writes bench/results/cost.md; the README shows its table.
//
// Every count comes from a measurement file, never from reading the code:
//  - bench/results/lifecycle.json (bench/lifecycle.ts): events (= queue
//    messages) per delivered order, and the HTTP requests, WebSockets and
//    frames the simulator's clients made per order placed;
//  - bench/results/events.json (`npm run bench -- events`): per queue message,
//    consumer invocations, acknowledgement requests to Order DOs, and
//    PostgreSQL round trips and connections, counted in the driver;
//  - bench/results/orders.json (`npm run bench -- orders`): the Worker's CPU
//    per order placed (workerd on this machine, the local DO state on disk).
// What is not counted yet is listed as such, with no price.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./platform.ts";
import { PRICES, PRICES_READ_ON, type PriceName } from "./prices.ts";

const RESULTS = join(ROOT, "bench", "results");
const read = <T>(name: string): T | null => {
  try {
    return JSON.parse(readFileSync(join(RESULTS, name), "utf8")) as T;
  } catch {
    return null;
  }
};

interface Lifecycle {
  measuredAt: string;
  ordersPlaced: number;
  ordersDelivered: number;
  eventsPerDeliveredOrder: { mean: number };
  clientRequests?: { httpPerOrder: number; socketsPerOrder: number; framesPerOrder: number };
}
interface Events {
  date: string;
  data: {
    batchSize: number;
    counters: Record<string, { batches: number; messages: number; doRequests: number }>;
    results: {
      id: string;
      concurrency: number;
      cpuMsPerEvent: number;
      batches: number;
      statements: Record<string, { count: number; ms: number }>;
    }[];
  };
}
interface Orders {
  date: string;
  data: { cpuRuns: { ms: Record<string, number>; ok: number }[] };
}

export interface CostLine {
  what: string;
  perOrder: number;
  price: PriceName | null;
  source: string;
}

export function costLines(lifecycle: Lifecycle, events: Events, orders: Orders | null): CostLine[] {
  const perOrderEvents = lifecycle.eventsPerDeliveredOrder.mean;
  const c = events.data.counters["ours-c1"] ?? { batches: 0, messages: 1, doRequests: 0 };
  const ours = events.data.results.find((r) => r.id === "ours" && r.concurrency === 1);
  const roundTrips = ours ? Object.values(ours.statements).reduce((a, t) => a + t.count, 0) / ours.batches : 0;
  const lines: CostLine[] = [
    {
      what: "queue messages (1 per order event) × 3 operations (write, read, delete)",
      perOrder: perOrderEvents * 3,
      price: "queueOperation",
      source: `lifecycle: ${perOrderEvents.toFixed(1)} events per delivered order`,
    },
    {
      what: "queue consumer invocations (batches of up to 50)",
      perOrder: perOrderEvents * (c.batches / c.messages),
      price: "workerRequest",
      source: `events: ${c.batches} batches for ${c.messages} messages`,
    },
    {
      what: "Order DO acknowledgements from the consumer (1 RPC per order per batch)",
      perOrder: perOrderEvents * (c.doRequests / c.messages),
      price: "doRequest",
      source: `events: ${c.doRequests} for ${c.messages} messages, 40 orders in flight`,
    },
  ];
  if (lifecycle.clientRequests) {
    const r = lifecycle.clientRequests;
    lines.push(
      {
        what: "API requests by the clients (customer, kitchen, courier, sign-ins)",
        perOrder: r.httpPerOrder,
        price: "workerRequest",
        source: `lifecycle: simulator clients, ${lifecycle.ordersPlaced} orders`,
      },
      {
        what: "WebSocket connections opened (each a Worker request and a DO request)",
        perOrder: r.socketsPerOrder * 2,
        price: "doRequest",
        source: "lifecycle: simulator clients (priced as 2 DO-request units: upgrade + object)",
      },
      {
        what: "WebSocket frames sent by clients (GPS fixes, offers; DO requests billed 20:1)",
        perOrder: r.framesPerOrder / 20,
        price: "doRequest",
        source: "lifecycle: simulator clients, 1 fix/s per courier (compressed time)",
      },
    );
  }
  if (orders) {
    const runs = orders.data.cpuRuns;
    const ok = runs.reduce((a, r) => a + r.ok, 0);
    const workerMs = runs.reduce((a, r) => a + (r.ms["Worker (workerd + Miniflare host)"] ?? 0), 0);
    if (ok > 0) {
      lines.push({
        what: "Worker CPU ms for placement (API + Order DO + queue send, workerd locally)",
        perOrder: workerMs / ok,
        price: "workerCpuMs",
        source: `orders (${orders.date.slice(0, 10)}): CPU from /proc over the closed-loop runs`,
      });
    }
  }
  if (ours) {
    lines.push({
      what: "consumer CPU ms (upper bound: consumer, proxy and PostgreSQL together)",
      perOrder: perOrderEvents * ours.cpuMsPerEvent,
      price: "workerCpuMs",
      source: "events: CPU from /proc over the c=1 runs",
    });
    lines.push(
      {
        what: "PostgreSQL round trips from the projection (statements incl. BEGIN/COMMIT)",
        perOrder: perOrderEvents * (roundTrips / events.data.batchSize),
        price: null,
        source: `events: ${roundTrips.toFixed(1)} per batch, counted in the driver`,
      },
      {
        what: "PostgreSQL connections opened by the consumer",
        perOrder: perOrderEvents * (c.batches / c.messages),
        price: null,
        source: "events: one pool per consumer invocation",
      },
    );
  }
  return lines;
}

const NOT_COUNTED = [
  "Durable Object requests on the API path (API → Order DO, Order DO → Restaurant/Zone/City-map DOs) and alarms: no counter in the harness yet",
  "KV reads and writes (menu, ordering profile, zones): no counter in the harness yet",
  "SQLite-backed DO rows read and written, and DO duration (GB-s): not measurable locally",
  "PostgreSQL (Neon) compute and storage: priced by Neon, not Cloudflare; the round trips and connections above are its load",
];

function main(): void {
  const lifecycle = read<Lifecycle>("lifecycle.json");
  const events = read<Events>("events.json");
  const orders = read<Orders>("orders.json");
  if (!lifecycle || !events) {
    console.error(
      "needs bench/results/lifecycle.json (npx tsx bench/lifecycle.ts) and events.json (npm run bench -- events)",
    );
    process.exit(2);
  }
  const lines = costLines(lifecycle, events, orders);
  const usd = (l: CostLine) => (l.price ? (l.perOrder * 1000 * PRICES[l.price].usdPerMillion) / 1e6 : null);
  const total = lines.reduce((a, l) => a + (usd(l) ?? 0), 0);
  const money = (v: number | null) => (v === null ? "–" : `$${v < 0.001 ? v.toFixed(6) : v.toFixed(4)}`);
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const out = [
    "## Cost per 1,000 delivered orders (Cloudflare list prices)",
    "",
    `Counts measured by the benchmarks (lifecycle ${lifecycle.measuredAt.slice(0, 10)}, events ${events.date.slice(0, 10)}${orders ? `, orders ${orders.date.slice(0, 10)}` : ""}); prices from bench/prices.ts, read ${PRICES_READ_ON} (Workers Paid, marginal price beyond the monthly allowances). Generated by \`npx tsx bench/cost.ts\`.`,
    "",
    row(["what", "per order", "unit price", "per 1,000 orders", "counted in"]),
    row(["---", "---", "---", "---", "---"]),
    ...lines.map((l) =>
      row([
        l.what,
        l.perOrder < 10 ? l.perOrder.toFixed(2) : l.perOrder.toFixed(1),
        l.price ? `$${PRICES[l.price].usdPerMillion}/M` : "(Neon)",
        money(usd(l)),
        l.source,
      ]),
    ),
    row(["**Cloudflare, counted so far**", "", "", `**${money(total)}**`, ""]),
    "",
    "Not counted yet (no figure, no price):",
    "",
    ...NOT_COUNTED.map((n) => `- ${n}`),
    "",
  ];
  const file = join(RESULTS, "cost.md");
  writeFileSync(file, `${out.join("\n")}`);
  console.log(out.join("\n"));
}

main();
