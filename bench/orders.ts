// (3) Order placement end to end: POST /v1/orders through the API Worker
// (HTTP, validation, auth, pricing, idempotency key), the Order DO's write
// and outbox, the queue, and the projection into PostgreSQL; then a check
// that every order and event landed in PostgreSQL exactly once.
//
// Peers, given the same carts from the same seed:
//  - raw PostgreSQL: one transaction inserting the same rows the projection
//    writes (orders, order_items, order_events), through the same Neon
//    driver and WebSocket proxy as the Worker, over a pool of persistent
//    connections; acked after COMMIT.
//  - bare node:http: parses the same request and answers 201; no storage.
import { neonConfig, Pool } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { WebSocket } from "ws";
import { openDb } from "../db/node.ts";
import { orderIdFor } from "../domain/order/order-id.ts";
import { type CpuGroup, cpuMeter } from "./lib/cpu.ts";
import { HttpClient } from "./lib/http.ts";
import type { LoadResult } from "./lib/load.ts";
import { IndexSource, type Measured, measureClosed, measureOpen, ratesFor } from "./lib/measure.ts";
import { type BenchResult, fmt, machineInfo, RUNS_COLUMNS, runsRow, type Table } from "./lib/results.ts";
import { seededRandom, seededUuid } from "./lib/rng.ts";
import type { Curve } from "./lib/svg.ts";
import { describePinning } from "./lib/taskset.ts";
import { customerToken, database, type Harness, sharedWorker, tsxChild } from "./platform.ts";
import { loadWorld, type OrderTemplate, orderTemplates } from "./world.ts";

neonConfig.webSocketConstructor = WebSocket;

const CONCURRENCY = 16;
const TEMPLATES = 500;
const GOAL_RATE = 1000;
const GOAL_P95_MS = 100;
/** Every 20th request retries an earlier request's Idempotency-Key: it must get the same order back. */
const REPLAY_EVERY = 20;
const REPLAY_GAP = 10;
const RUN_SPAN = 1_000_000;
/**
 * Open loop: requests beyond this many outstanding are not sent (counted), so an overloaded
 * system shows as "not sent" rather than as an unbounded pile of sockets. (Placement no longer
 * connects to PostgreSQL; the raw-PostgreSQL peer's pool holds at most CONCURRENCY connections.)
 */
const MAX_IN_FLIGHT = 48;

interface Tally {
  /** Idempotency keys that got a 201 or 200, with how many 201s each got. */
  created: Map<string, number>;
  lines: Map<string, number>;
  replays: number;
  replaysOk: number;
  failedKeys: Set<string>;
}

export async function runOrders(h: Harness): Promise<BenchResult> {
  const db = await database(h);
  const worker = await sharedWorker(h);
  const world = await loadWorld(db);
  const templates = orderTemplates(world, h.seed, TEMPLATES);
  const tokens = await Promise.all(db.customers.map((id) => customerToken(worker, id)));
  const peerHttp = await tsxChild<{ url: string }>(h, "peer-http", "bench/server/peer-http.ts");
  h.defer("peer-http", () => peerHttp.stop());
  h.log(
    `orders: ${templates.length} carts over ${world.restaurants.length} restaurants, ${db.customers.length} customers, concurrency ${CONCURRENCY}`,
  );

  const spec = (i: number, prefix: string) => {
    const customer = i % db.customers.length;
    const template = templates[i % templates.length] as OrderTemplate;
    return {
      customerId: db.customers[customer] as string,
      token: tokens[customer] as string,
      template,
      key: `${prefix}-${h.seed}-${i}`,
      body: JSON.stringify(template.body),
    };
  };

  // ---- ours
  const api = new HttpClient(worker.url, 512, 15_000);
  const tally: Tally = { created: new Map(), lines: new Map(), replays: 0, replaysOk: 0, failedKeys: new Set() };
  const ours = async (i: number) => {
    const replay = i % REPLAY_EVERY === REPLAY_EVERY - 1 && i % RUN_SPAN >= REPLAY_GAP;
    const s = spec(replay ? i - REPLAY_GAP : i, "ours");
    const res = await api.send(
      "POST",
      "/v1/orders",
      { authorization: `Bearer ${s.token}`, "idempotency-key": s.key, "content-type": "application/json" },
      s.body,
    );
    if (res.status !== 201 && res.status !== 200) {
      tally.failedKeys.add(s.key);
      throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    }
    if (replay) {
      tally.replays++;
      if (res.status === 200 && res.headers["idempotent-replayed"] === "true") tally.replaysOk++;
    }
    tally.created.set(s.key, (tally.created.get(s.key) ?? 0) + (res.status === 201 ? 1 : 0));
    tally.lines.set(s.key, s.template.body.items.length);
  };

  // ---- peer: raw PostgreSQL
  const pool = new Pool({ connectionString: db.url, max: CONCURRENCY });
  pool.on("error", () => {});
  h.defer("raw-pg pool", () => pool.end());
  const eventRandom = seededRandom(h.seed ^ 0xe7e);
  const rawPg = async (i: number) => {
    const s = spec(i, "peer");
    const { template } = s;
    const priced = template.priced;
    const id = await orderIdFor(s.customerId, s.key);
    const now = new Date();
    const client = await pool.connect();
    try {
      await client.query("begin");
      await client.query(
        `insert into orders (id, customer_id, restaurant_id, courier_id, status, delivery_status, idempotency_key,
           menu_version, currency, subtotal_minor, delivery_fee_minor, service_fee_minor, tax_minor, tip_minor,
           total_minor, delivery_address, prep_time_minutes, last_event_seq, placed_at, updated_at)
         values ($1,$2,$3,null,'placed',null,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,null,1,$14,$14)`,
        [
          id,
          s.customerId,
          template.restaurant.id,
          s.key,
          template.restaurant.menu.version,
          priced.currency,
          priced.subtotalMinor,
          priced.deliveryFeeMinor,
          priced.serviceFeeMinor,
          priced.taxMinor,
          priced.tipMinor,
          priced.totalMinor,
          JSON.stringify(template.body.deliveryAddress),
          now,
        ],
      );
      const values: unknown[] = [];
      const rows = priced.lines.map((line, n) => {
        values.push(
          id,
          line.lineNo,
          line.itemId,
          line.name,
          line.quantity,
          line.unitPriceMinor,
          JSON.stringify(line.options),
          line.lineTotalMinor,
        );
        const b = n * 8;
        return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8})`;
      });
      await client.query(
        `insert into order_items (order_id, line_no, menu_item_id, name, quantity, unit_price_minor, options, line_total_minor)
         values ${rows.join(",")}`,
        values,
      );
      await client.query(
        `insert into order_events (id, order_id, seq, type, actor_id, actor_role, payload, occurred_at)
         values ($1,$2,1,'order.placed',$3,'customer',$4,$5)`,
        [
          seededUuid(eventRandom),
          id,
          s.customerId,
          JSON.stringify({ totalMinor: priced.totalMinor, currency: priced.currency }),
          now,
        ],
      );
      await client.query("commit");
    } catch (error) {
      await client.query("rollback").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };

  // ---- peer: bare node:http
  const bare = new HttpClient(peerHttp.ready.url, 512, 15_000);
  const nodeHttp = async (i: number) => {
    const s = spec(i, "bare");
    const res = await bare.send(
      "POST",
      "/v1/orders",
      { authorization: `Bearer ${s.token}`, "idempotency-key": s.key, "content-type": "application/json" },
      s.body,
    );
    if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
  };

  const systems = [
    { id: "ours", label: "ours: API Worker → Order DO → queue → projection", op: ours, indices: new IndexSource() },
    { id: "raw-pg", label: "peer: raw PostgreSQL insert (same rows)", op: rawPg, indices: new IndexSource() },
    { id: "node-http", label: "peer: bare node:http", op: nodeHttp, indices: new IndexSource() },
  ] as const;

  // CPU per order, on our side, by component.
  const groups: CpuGroup[] = [
    { name: "Worker (workerd + Miniflare host)", rootPids: [worker.pid] },
    { name: "WebSocket proxy", rootPids: [db.proxyPid] },
    { name: "PostgreSQL (all backends on the machine)", comm: "postgres" },
    { name: "load generator", rootPids: [process.pid], descendants: false },
  ];
  const cpuRuns: { ms: Record<string, number>; ok: number }[] = [];

  const closed: Record<string, Measured> = {};
  for (const system of systems) {
    let stopCpu: (() => { ms: Record<string, number> }) | undefined;
    closed[system.id] = await measureClosed(system.label, h.plan, CONCURRENCY, system.op, system.indices, h.log, {
      before: () => {
        stopCpu = system.id === "ours" ? cpuMeter(groups) : undefined;
      },
      after: (run: LoadResult) => {
        if (stopCpu) cpuRuns.push({ ms: stopCpu().ms, ok: run.ok });
        stopCpu = undefined;
      },
    });
  }

  // Open loop: the same absolute rates for every system, from our measured maximum, plus the goal.
  const oursMax = closed.ours?.summary.throughput.median ?? 1;
  const rates = ratesFor(oursMax, h.quick, h.quick ? [] : [GOAL_RATE]);
  // Peers first, ours last, so the queue's drain is timed from the end of our own load.
  const open: Record<string, Record<number, Measured>> = {};
  for (const system of [...systems.slice(1), systems[0]]) {
    const byRate: Record<number, Measured> = {};
    open[system.id] = byRate;
    for (const rate of rates) {
      byRate[rate] = await measureOpen(system.label, h.plan, rate, system.op, MAX_IN_FLIGHT, system.indices, h.log);
    }
  }
  const loadEndedAt = performance.now();
  api.close();
  bare.close();

  // ---- drain and verify
  const verification = await drainAndVerify(h, db, tally, loadEndedAt);

  // ---- report
  const headline: Table = {
    title: `Closed loop, ${CONCURRENCY} concurrent clients (maximum throughput)`,
    columns: RUNS_COLUMNS,
    rows: systems.map((s) => runsRow(s.label, `closed, c=${CONCURRENCY}`, (closed[s.id] as Measured).summary)),
  };
  const openTable: Table = {
    title: "Open loop at fixed rates (latency from the scheduled send time, so queueing shows)",
    columns: RUNS_COLUMNS,
    rows: systems.flatMap((s) =>
      rates.map((rate) => runsRow(s.label, `open, ${rate}/s`, measuredAt(open, s.id, rate).summary)),
    ),
    notes: [
      `\`not sent\`: requests the generator skipped because ${MAX_IN_FLIGHT} were already outstanding: the system could not keep up with the offered rate.`,
    ],
  };
  const cpuTable = cpuBreakdown(cpuRuns);
  const verifyTable: Table = {
    title: "After the queue drained: PostgreSQL holds every order and event exactly once?",
    columns: ["check", "value"],
    rows: Object.entries(verification.rows).map(([k, v]) => [k, v]),
  };
  const goalOpen = open.ours?.[GOAL_RATE]?.summary;
  const curves: Curve[] = systems.map((s) => ({
    name: s.id,
    points: rates.map((rate) => {
      const m = measuredAt(open, s.id, rate).summary;
      return { x: rate, p50: m.p50.median, p99: m.p99.median };
    }),
  }));
  const sustained =
    goalOpen !== undefined &&
    goalOpen.throughput.median >= GOAL_RATE * 0.98 &&
    goalOpen.p95.median <= GOAL_P95_MS &&
    goalOpen.errors === 0 &&
    goalOpen.dropped === 0;
  return {
    name: "orders",
    title: "(3) Order placement end to end",
    date: new Date().toISOString(),
    quick: h.quick,
    seed: h.seed,
    machine: machineInfo(describePinning(h.pinning), { postgres: db.serverVersion }),
    goals: [
      {
        text: `${GOAL_RATE} orders/s sustained with p95 ≤ ${GOAL_P95_MS} ms`,
        met: h.quick ? null : sustained,
        detail: goalOpen
          ? `open loop at ${GOAL_RATE}/s: achieved ${fmt.rate(goalOpen.throughput.median)}/s, p95 ${fmt.ms(goalOpen.p95.median)} ms, ${goalOpen.errors} errors, ${goalOpen.dropped} not sent; closed-loop maximum ${fmt.rate(oursMax)}/s`
          : `quick mode; closed-loop maximum ${fmt.rate(oursMax)}/s`,
      },
      {
        text: "after the queue drains, every order and event in PostgreSQL exactly once",
        met: verification.exactlyOnce,
        detail: verification.summary,
      },
    ],
    durability: [
      `ours: 201 after the Order DO's SQLite transaction (event log + outbox) and the queue send. Locally that SQLite is a file under a temp directory written by workerd (not Cloudflare's replicated storage) and Miniflare's queue is in memory, so locally an acked order survives a Worker crash only via the DO outbox. The PostgreSQL projection is asynchronous (server synchronous_commit=${db.synchronousCommit}, fsync=${db.fsync}); its lag is the drain time below.`,
      `raw PostgreSQL peer: ack after COMMIT with synchronous_commit=${db.synchronousCommit}, fsync=${db.fsync}: durable on this machine's disk before the ack. Stronger locally than ours; it does not include HTTP, auth, validation or pricing.`,
      "bare node:http peer: no storage at all; the HTTP floor.",
    ],
    notes: [
      `Every request carries a fresh Idempotency-Key; every ${REPLAY_EVERY}th retries the key of the request ${REPLAY_GAP} before it: ${tally.replaysOk}/${tally.replays} got the existing order back (200 + Idempotent-Replayed); the other ${tally.replays - tally.replaysOk} reached the Order DO before the original (still in flight), got the 201, and the original got the 200. No key created two orders (see the check below).`,
      "ours: placement touches no PostgreSQL on the request path: the restaurant's ordering profile, menu and zones come from KV (the request creates a pool object, which connects lazily and so never connects). PostgreSQL is written only by the queue consumer, which projects each batch (up to 50 messages) in one transaction. The raw-PostgreSQL peer keeps a pool of persistent connections and commits one transaction per order.",
      `Worker: platform bundle from \`wrangler deploy --dry-run\`, run by Miniflare's API (workerd), Durable Objects persisted to disk. Data: the demo city (all restaurants set to always open) and ${db.customers.length} customers, ${TEMPLATES} carts from seed ${h.seed}.`,
    ],
    headline,
    tables: [openTable, cpuTable, verifyTable],
    curves: { title: "Order placement: latency vs offered load", goalMs: GOAL_P95_MS, curves },
    data: {
      concurrency: CONCURRENCY,
      closed,
      open,
      rates,
      cpuRuns,
      verification,
      replays: { sent: tally.replays, ok: tally.replaysOk },
    },
  };
}

function measuredAt(open: Record<string, Record<number, Measured>>, id: string, rate: number): Measured {
  const m = open[id]?.[rate];
  if (!m) throw new Error(`no open-loop run for ${id} at ${rate}/s`);
  return m;
}

function cpuBreakdown(runs: { ms: Record<string, number>; ok: number }[]): Table {
  const totals: Record<string, number> = {};
  let orders = 0;
  for (const run of runs) {
    orders += run.ok;
    for (const [k, v] of Object.entries(run.ms)) totals[k] = (totals[k] ?? 0) + v;
  }
  const sum = Object.values(totals).reduce((a, b) => a + b, 0);
  return {
    title: "Where the time goes: CPU per order on our side (closed-loop measured runs, from /proc)",
    columns: ["component", "CPU ms per order", "share"],
    rows: Object.entries(totals).map(([k, v]) => [
      k,
      orders ? (v / orders).toFixed(2) : "–",
      sum ? `${((v / sum) * 100).toFixed(0)}%` : "–",
    ]),
    notes: [
      "The server side shares its CPU: with 2 cores, workerd, the proxy and PostgreSQL share the server core while the projection (queue consumer) runs in the same workerd as the API.",
    ],
  };
}

interface Verification {
  exactlyOnce: boolean | null;
  summary: string;
  drainMs: number | null;
  rows: Record<string, string | number>;
}

async function drainAndVerify(
  h: Harness,
  db: Awaited<ReturnType<typeof database>>,
  tally: Tally,
  loadEndedAt: number,
): Promise<Verification> {
  const { db: pg, close } = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 1);
  const expected = tally.created.size;
  const timeoutMs = h.quick ? 60_000 : 240_000;
  try {
    const count = async () => {
      const result = await pg.execute<{ n: string }>(
        sql.raw("select count(*)::text as n from orders where idempotency_key like 'ours-%'"),
      );
      return Number(result.rows[0]?.n ?? 0);
    };
    const started = performance.now();
    let seen = await count();
    let lastProgress = performance.now();
    while (seen < expected && performance.now() - started < timeoutMs) {
      await new Promise((r) => setTimeout(r, 500));
      const now = await count();
      if (now > seen) lastProgress = performance.now();
      seen = now;
      if (performance.now() - lastProgress > 60_000) break;
    }
    const drainMs = seen >= expected ? performance.now() - loadEndedAt : null;
    h.log(
      `orders: ${seen}/${expected} orders projected${drainMs !== null ? `, drained ${(drainMs / 1000).toFixed(1)} s after the load ended` : " (gave up waiting)"}`,
    );
    // Let late duplicates (redeliveries) land before counting them.
    await new Promise((r) => setTimeout(r, h.quick ? 1000 : 3000));
    const rows = await pg.execute<{ key: string; events: string; placed: string; items: string }>(
      sql.raw(`select o.idempotency_key as key,
              (select count(*) from order_events e where e.order_id = o.id)::text as events,
              (select count(*) from order_events e where e.order_id = o.id and e.type = 'order.placed')::text as placed,
              (select count(*) from order_items i where i.order_id = o.id)::text as items
         from orders o where o.idempotency_key like 'ours-%'`),
    );
    const inPg = new Map(rows.rows.map((r) => [r.key, r]));
    let missing = 0;
    let wrongEvents = 0;
    let wrongItems = 0;
    let doubleCreated = 0;
    for (const [key, created] of tally.created) {
      const row = inPg.get(key);
      if (created > 1) doubleCreated++;
      if (!row) {
        missing++;
        continue;
      }
      if (Number(row.events) !== 1 || Number(row.placed) !== 1) wrongEvents++;
      if (Number(row.items) !== tally.lines.get(key)) wrongItems++;
    }
    const unexpected = [...inPg.keys()].filter((k) => !tally.created.has(k));
    const unexpectedFromFailures = unexpected.filter((k) => tally.failedKeys.has(k)).length;
    const orderRows = await pg.execute<{ n: string; d: string }>(
      sql.raw(
        "select count(*)::text as n, count(distinct (customer_id, idempotency_key))::text as d from orders where idempotency_key like 'ours-%'",
      ),
    );
    const eventRows = await pg.execute<{ n: string; d: string }>(
      sql.raw(
        "select count(*)::text as n, count(distinct e.id)::text as d from order_events e join orders o on o.id = e.order_id where o.idempotency_key like 'ours-%'",
      ),
    );
    const ok = missing === 0 && wrongEvents === 0 && wrongItems === 0 && doubleCreated === 0;
    const summary = ok
      ? `${expected} acknowledged orders: each has exactly one orders row, one order.placed event and all its lines; no duplicates${drainMs !== null ? `; queue drained ${(drainMs / 1000).toFixed(1)} s after the load ended` : ""}`
      : `${missing} missing, ${wrongEvents} with wrong event counts, ${wrongItems} with wrong line counts, ${doubleCreated} keys created twice (of ${expected})`;
    return {
      exactlyOnce: ok,
      summary,
      drainMs,
      rows: {
        "orders acknowledged (201 or 200)": expected,
        "orders rows in PostgreSQL (distinct customer+key)": `${orderRows.rows[0]?.n} (${orderRows.rows[0]?.d})`,
        "order_events rows (distinct ids)": `${eventRows.rows[0]?.n} (${eventRows.rows[0]?.d})`,
        "acknowledged but missing": missing,
        "with ≠ 1 order.placed event": wrongEvents,
        "with wrong order_items count": wrongItems,
        "Idempotency-Keys that created twice (two 201s)": doubleCreated,
        "in PostgreSQL though the client saw an error (timeout): placed once, not lost": unexpectedFromFailures,
        "queue drain after the load ended":
          drainMs === null ? "not drained in time" : `${(drainMs / 1000).toFixed(1)} s`,
      },
    };
  } finally {
    await close();
  }
}
