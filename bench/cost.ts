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
//    per order placed (workerd on this machine, the local DO state on disk);
//  - bench/results/usage.json (`npx tsx bench/usage.ts`): one order driven
//    from placement to delivery in workerd, with every DO stub call, DO alarm,
//    DO SQLite row read and written (the cursors' own counts) and KV operation
//    counted (workers/usage/order-usage.test.ts).
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
interface Usage {
  measuredAt: string;
  orders: number;
  doRequests: Record<string, number>;
  doAlarms: Record<string, number>;
  doRowsRead: number;
  doRowsWritten: number;
  kvReads: number;
  kvWrites: number;
  apiRequests: number;
}
interface CpuRun {
  ms: Record<string, number>;
  ok: number;
}
interface Orders {
  date: string;
  data: {
    cpuRuns: CpuRun[];
    tmpfsCpuRuns?: CpuRun[];
    /** workerd's CPU with no load, ms per second, and the run length: netted out as the orders table does (since 2026-11-30). */
    idleMsPerS?: { disk: number; tmpfs: number };
    runMs?: number;
  };
}

const WORKERD = "workerd (Worker + DOs + Miniflare's services)";
/** The driver counts the connection (WebSocket, startup, auth) under this name, apart from the statements. */
const CONNECT = "(connect";

/**
 * workerd's CPU ms per order placed: the median over the runs of each run's CPU, less the idle CPU
 * over its length, per order (as bench/orders.ts's table); older results without the idle figure:
 * the sum over the runs, nothing subtracted.
 */
export function workerdMsPerOrder(runs: CpuRun[], idleMsPerS?: number, runMs?: number): number {
  const own = (r: CpuRun) => r.ms[WORKERD] ?? r.ms["Worker (workerd + Miniflare host)"] ?? 0;
  if (idleMsPerS === undefined || runMs === undefined) {
    const ok = runs.reduce((a, r) => a + r.ok, 0);
    return ok > 0 ? runs.reduce((a, r) => a + own(r), 0) / ok : Number.NaN;
  }
  const per = runs
    .filter((r) => r.ok > 0)
    .map((r) => Math.max(0, own(r) - (idleMsPerS * runMs) / 1000) / r.ok)
    .sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)] ?? Number.NaN;
}

export interface CostLine {
  what: string;
  perOrder: number;
  price: PriceName | null;
  source: string;
  /** What the price column says for an unpriced line. */
  unpriced?: string;
}

/** The consumer's acknowledgements are counted by the events benchmark (many orders per batch), not again here. */
const COUNTED_ELSEWHERE = new Set(["ORDER.projected"]);

export function usageLines(usage: Usage): CostLine[] {
  const per = (n: number) => n / Math.max(1, usage.orders);
  const calls = Object.entries(usage.doRequests).filter(([k]) => !COUNTED_ELSEWHERE.has(k));
  const byNamespace = new Map<string, number>();
  for (const [k, n] of calls) {
    const ns = k.split(".")[0] ?? k;
    byNamespace.set(ns, (byNamespace.get(ns) ?? 0) + n);
  }
  const split = [...byNamespace].map(([ns, n]) => `${ns} ${per(n)}`).join(", ");
  const alarms = Object.values(usage.doAlarms).reduce((a, n) => a + n, 0);
  const date = usage.measuredAt.slice(0, 10);
  return [
    {
      what: "Durable Object requests from the API, consumer and DOs (RPC calls on stubs, consumer acks excluded)",
      perOrder: per(calls.reduce((a, [, n]) => a + n, 0)),
      price: "doRequest",
      source: `usage (${date}): ${split}`,
    },
    {
      what: "Durable Object alarms run",
      perOrder: per(alarms),
      price: "doRequest",
      source: `usage: ${alarms === 0 ? "none came due in the run (deadlines met before they fired)" : JSON.stringify(usage.doAlarms)}`,
    },
    {
      what: "SQLite-backed DO rows written (Order, Zone, Restaurant, City-map, Sessions DOs)",
      perOrder: per(usage.doRowsWritten),
      price: "doRowsWritten",
      source: "usage: the cursors' rowsWritten, as billed",
    },
    {
      what: "SQLite-backed DO rows read",
      perOrder: per(usage.doRowsRead),
      price: "doRowsRead",
      source: "usage: the cursors' rowsRead, as billed",
    },
    {
      what: "KV reads (menu, ordering profile, zones)",
      perOrder: per(usage.kvReads),
      price: "kvRead",
      source: "usage",
    },
    { what: "KV writes", perOrder: per(usage.kvWrites), price: "kvWrite", source: "usage" },
    {
      what: "API requests in the usage run (cross-check of the simulator's count above; not priced twice)",
      perOrder: per(usage.apiRequests),
      price: null,
      unpriced: "(above)",
      source: "usage: one order, customer + kitchen + courier",
    },
  ];
}

export function costLines(lifecycle: Lifecycle, events: Events, orders: Orders | null): CostLine[] {
  const perOrderEvents = lifecycle.eventsPerDeliveredOrder.mean;
  const c = events.data.counters["ours-c1"] ?? { batches: 0, messages: 1, doRequests: 0 };
  const ours = events.data.results.find((r) => r.id === "ours" && r.concurrency === 1);
  const statements = ours
    ? Object.entries(ours.statements)
        .filter(([k]) => !k.startsWith(CONNECT))
        .reduce((a, [, t]) => a + t.count, 0) / ours.batches
    : 0;
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
    const d = orders.data;
    const disk = workerdMsPerOrder(d.cpuRuns, d.idleMsPerS?.disk, d.runMs);
    const tmpfs = d.tmpfsCpuRuns ? workerdMsPerOrder(d.tmpfsCpuRuns, d.idleMsPerS?.tmpfs, d.runMs) : Number.NaN;
    if (Number.isFinite(disk)) {
      lines.push({
        what: "Worker CPU ms for placement (API + Order DO + queue send, workerd locally)",
        perOrder: disk,
        price: "workerCpuMs",
        source: `orders (${orders.date.slice(0, 10)}): workerd's own CPU from /proc, closed loop c=16, DO state on disk${d.idleMsPerS ? ", idle subtracted, median of runs" : ""}${Number.isFinite(tmpfs) ? ` (on tmpfs ${tmpfs.toFixed(1)} ms: the rest is local SQLite file work)` : ""}`,
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
        what: "PostgreSQL statements from the consumer, one round trip each (projection incl. BEGIN/COMMIT, then notifications)",
        perOrder: perOrderEvents * (statements / events.data.batchSize),
        price: null,
        source: `events (${events.date.slice(0, 10)}): ${statements.toFixed(1)} per batch of ${events.data.batchSize}, counted in the driver`,
      },
      {
        what: "PostgreSQL connections opened by the consumer (WebSocket, startup, auth)",
        perOrder: perOrderEvents * (c.batches / c.messages),
        price: null,
        source: "events: one per consumer invocation, counted in the driver",
      },
    );
  }
  return lines;
}

const NOT_COUNTED = [
  "DO duration (GB-s): wall time while an object is active is not measurable locally; hibernated sockets bill none",
  "D1 rows read by discovery searches: per search, not per order (the usage run makes none)",
  "PostgreSQL (Neon) compute and storage: priced by Neon, not Cloudflare; the round trips and connections above are its load",
];

function main(): void {
  const lifecycle = read<Lifecycle>("lifecycle.json");
  const events = read<Events>("events.json");
  const orders = read<Orders>("orders.json");
  const usage = read<Usage>("usage.json");
  if (!lifecycle || !events) {
    console.error(
      "needs bench/results/lifecycle.json (npx tsx bench/lifecycle.ts) and events.json (npm run bench -- events)",
    );
    process.exit(2);
  }
  const lines = [
    ...costLines(lifecycle, events, orders),
    ...(usage ? usageLines(usage) : []),
    {
      what: "Analytics Engine data points (health metrics, decision 0054)",
      perOrder: 2 + lifecycle.eventsPerDeliveredOrder.mean,
      price: "analyticsDataPoint",
      source: "1 placement + 1 dispatch time + 1 projection lag per event (lifecycle's events per order)",
    } satisfies CostLine,
  ];
  const usd = (l: CostLine) => (l.price ? (l.perOrder * 1000 * PRICES[l.price].usdPerMillion) / 1e6 : null);
  const total = lines.reduce((a, l) => a + (usd(l) ?? 0), 0);
  const money = (v: number | null) => (v === null ? "–" : `$${v < 0.001 ? v.toFixed(6) : v.toFixed(4)}`);
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  const out = [
    "## Cost per 1,000 delivered orders (Cloudflare list prices)",
    "",
    `Counts measured by the benchmarks (lifecycle ${lifecycle.measuredAt.slice(0, 10)}, events ${events.date.slice(0, 10)}${orders ? `, orders ${orders.date.slice(0, 10)}` : ""}${usage ? `, usage ${usage.measuredAt.slice(0, 10)}` : ""}); prices from bench/prices.ts, read ${PRICES_READ_ON} (Workers Paid, marginal price beyond the monthly allowances). Generated by \`npx tsx bench/cost.ts\`.`,
    "",
    row(["what", "per order", "unit price", "per 1,000 orders", "counted in"]),
    row(["---", "---", "---", "---", "---"]),
    ...lines.map((l) =>
      row([
        l.what,
        l.perOrder < 10 ? l.perOrder.toFixed(2) : l.perOrder.toFixed(1),
        l.price ? `$${PRICES[l.price].usdPerMillion}/M` : (l.unpriced ?? "(Neon)"),
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
