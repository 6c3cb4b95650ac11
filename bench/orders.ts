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
import { type CpuGroup, cpuMeter, descendantsNamed } from "./lib/cpu.ts";
import { HttpClient } from "./lib/http.ts";
import type { LoadResult } from "./lib/load.ts";
import { IndexSource, type Measured, measureClosed, measureOpen, ratesFor } from "./lib/measure.ts";
import { type BenchResult, fmt, machineInfo, RUNS_COLUMNS, runsRow, type Table } from "./lib/results.ts";
import { seededRandom, seededUuid } from "./lib/rng.ts";
import { summarizeRuns } from "./lib/stats.ts";
import type { Curve } from "./lib/svg.ts";
import { describePinning } from "./lib/taskset.ts";
import { customerToken, database, type Harness, startWorker, tsxChild, type Worker, waitHealthy } from "./platform.ts";
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
  // Two Workers of the same bundle: DO state on disk (as `wrangler dev`) and on tmpfs. The difference in
  // workerd's CPU per order is the file work of local emulation (a SQLite file set per new Order DO).
  const worker = await startWorker(h, { name: "orders-disk", state: "disk" });
  const tmpfsWorker = await startWorker(h, { name: "orders-tmpfs", state: "tmpfs" });
  await Promise.all([waitHealthy(worker.url), waitHealthy(tmpfsWorker.url)]);
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
  const tmpfsApi = new HttpClient(tmpfsWorker.url, 512, 15_000);
  const tally: Tally = { created: new Map(), lines: new Map(), replays: 0, replaysOk: 0, failedKeys: new Set() };
  const oursTmpfs = async (i: number) => {
    const s = spec(i, "tmpfs");
    const res = await tmpfsApi.send(
      "POST",
      "/v1/orders",
      { authorization: `Bearer ${s.token}`, "idempotency-key": s.key, "content-type": "application/json" },
      s.body,
    );
    if (res.status !== 201 && res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  };
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
    {
      id: "ours-tmpfs",
      label: "ours, DO state on tmpfs (same bundle)",
      op: oursTmpfs,
      indices: new IndexSource(),
    },
    { id: "raw-pg", label: "peer: raw PostgreSQL insert (same rows)", op: rawPg, indices: new IndexSource() },
    { id: "node-http", label: "peer: bare node:http", op: nodeHttp, indices: new IndexSource() },
  ] as const;

  // CPU per order, on our side, by component: workerd itself (utime + stime from /proc) apart from the
  // Node process hosting Miniflare (it relays workerd's log lines; nothing in production).
  const groupsOf = (w: Worker): CpuGroup[] => [
    { name: WORKERD, rootPids: descendantsNamed(w.pid, "workerd"), descendants: false },
    { name: HOST_TREE, rootPids: [w.pid] },
    { name: "WebSocket proxy", rootPids: [db.proxyPid] },
    { name: "PostgreSQL (all backends on the machine)", comm: "postgres" },
    { name: "load generator", rootPids: [process.pid], descendants: false },
  ];
  const cpuRuns: { ms: Record<string, number>; ok: number }[] = [];
  const tmpfsCpuRuns: { ms: Record<string, number>; ok: number }[] = [];
  const idle = { disk: 0, tmpfs: 0 };

  const closed: Record<string, Measured> = {};
  // The two of ours take turns run by run (the machine is shared): disk, tmpfs, disk, tmpfs …
  for (const system of systems) {
    if (system.id === "ours-tmpfs") continue;
    const pair = system.id === "ours" ? systems[1] : undefined;
    let stopCpu: (() => { ms: Record<string, number> }) | undefined;
    const meterFor = (id: string) =>
      id === "ours" ? groupsOf(worker) : id === "ours-tmpfs" ? groupsOf(tmpfsWorker) : null;
    const runOne = (s: (typeof systems)[number], runs: typeof cpuRuns) =>
      measureClosed(s.label, h.plan, CONCURRENCY, s.op, s.indices, h.log, {
        before: () => {
          const g = meterFor(s.id);
          stopCpu = g ? cpuMeter(g) : undefined;
        },
        after: (run: LoadResult) => {
          if (stopCpu) runs.push({ ms: stopCpu().ms, ok: run.ok });
          stopCpu = undefined;
        },
      });
    if (!pair) {
      closed[system.id] = await runOne(system, cpuRuns);
      continue;
    }
    // Idle CPU of each Worker (timers, alarms, the queue's drain of earlier orders) over a quiet second, subtracted below.
    for (const [key, w] of [
      ["disk", worker],
      ["tmpfs", tmpfsWorker],
    ] as const) {
      const stop = cpuMeter(groupsOf(w));
      await new Promise((r) => setTimeout(r, 1000));
      idle[key] = stop().ms[WORKERD] ?? 0;
    }
    const rounds = h.quick ? 1 : 3;
    const plan1 = { ...h.plan, runs: 1 };
    const diskRuns: Measured[] = [];
    const tmpfsRuns: Measured[] = [];
    for (let r = 0; r < rounds; r++) {
      diskRuns.push(
        await measureClosed(
          system.label,
          plan1,
          CONCURRENCY,
          system.op,
          system.indices,
          h.log,
          hooks(groupsOf(worker), cpuRuns),
        ),
      );
      tmpfsRuns.push(
        await measureClosed(
          pair.label,
          plan1,
          CONCURRENCY,
          pair.op,
          pair.indices,
          h.log,
          hooks(groupsOf(tmpfsWorker), tmpfsCpuRuns),
        ),
      );
    }
    closed[system.id] = merged(diskRuns);
    closed[pair.id] = merged(tmpfsRuns);
  }
  tmpfsApi.close();

  // Open loop: the same absolute rates for every system, from our measured maximum, plus the goal.
  const oursMax = closed.ours?.summary.throughput.median ?? 1;
  const rates = ratesFor(oursMax, h.quick, h.quick ? [] : [GOAL_RATE]);
  // Peers first, ours last, so the queue's drain is timed from the end of our own load.
  const open: Record<string, Record<number, Measured>> = {};
  const openSystems = systems.filter((s) => s.id !== "ours-tmpfs");
  for (const system of [...openSystems.slice(1), systems[0]]) {
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
    rows: openSystems.flatMap((s) =>
      rates.map((rate) => runsRow(s.label, `open, ${rate}/s`, measuredAt(open, s.id, rate).summary)),
    ),
    notes: [
      `\`not sent\`: requests the generator skipped because ${MAX_IN_FLIGHT} were already outstanding: the system could not keep up with the offered rate.`,
    ],
  };
  const cpuTable = cpuBreakdown(cpuRuns, tmpfsCpuRuns, h.plan.runMs, idle);
  const verifyTable: Table = {
    title: "After the queue drained: PostgreSQL holds every order and event exactly once?",
    columns: ["check", "value"],
    rows: Object.entries(verification.rows).map(([k, v]) => [k, v]),
  };
  const goalOpen = open.ours?.[GOAL_RATE]?.summary;
  const curves: Curve[] = systems
    .filter((s) => s.id !== "ours-tmpfs")
    .map((s) => ({
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
      `Worker: platform bundle from \`wrangler deploy --dry-run\`, run by Miniflare's API (workerd), Durable Objects persisted to disk (and, for the CPU comparison, a second Worker of the same bundle on tmpfs, closed loop only, taking turns with the first). Data: the demo city (all restaurants set to always open) and ${db.customers.length} customers, ${TEMPLATES} carts from seed ${h.seed}.`,
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
      tmpfsCpuRuns,
      // What bench/cost.ts needs to net the CPU runs as the table above does.
      idleMsPerS: idle,
      runMs: h.plan.runMs,
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

const WORKERD = "workerd (Worker + DOs + Miniflare's services)";
/** The Worker host's whole process tree (tsx, its Node process, workerd): the host alone is this minus workerd. */
const HOST_TREE = "Worker host tree";
const HOST = "Worker host (Node, Miniflare; tree minus workerd)";

type CpuRun = { ms: Record<string, number>; ok: number };

function hooks(groups: CpuGroup[], into: CpuRun[]) {
  let stop: (() => { ms: Record<string, number> }) | undefined;
  return {
    before: () => {
      stop = cpuMeter(groups);
    },
    after: (run: LoadResult) => {
      if (stop) into.push({ ms: stop().ms, ok: run.ok });
      stop = undefined;
    },
  };
}

/** One Measured from single-run measurements taken in turns. */
function merged(parts: Measured[]): Measured {
  const runs = parts.flatMap((m) => m.runs);
  return { ...(parts[0] as Measured), runs, summary: summarizeRuns(runs) };
}

/** CPU ms per order per component, median over runs, after subtracting the Worker's idle CPU (ms/s × run length). */
export function perOrder(runs: CpuRun[], runMs: number, idleMsPerS: number): Record<string, number> {
  const out: Record<string, number[]> = {};
  for (const run of runs) {
    if (run.ok <= 0) continue;
    for (const [k, v] of Object.entries(run.ms)) {
      const net = k === WORKERD ? Math.max(0, v - (idleMsPerS * runMs) / 1000) : v;
      const list = out[k] ?? [];
      list.push(net / run.ok);
      out[k] = list;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return Object.fromEntries(Object.entries(out).map(([k, xs]) => [k, median(xs)]));
}

function cpuBreakdown(disk: CpuRun[], tmpfs: CpuRun[], runMs: number, idle: { disk: number; tmpfs: number }): Table {
  const hostOnly = (m: Record<string, number>): Record<string, number> => {
    const { [HOST_TREE]: tree, ...rest } = m;
    return { ...rest, [HOST]: Math.max(0, (tree ?? 0) - (m[WORKERD] ?? 0)) };
  };
  const d = hostOnly(perOrder(disk, runMs, idle.disk));
  const t = hostOnly(perOrder(tmpfs, runMs, idle.tmpfs));
  const w = { disk: d[WORKERD] ?? Number.NaN, tmpfs: t[WORKERD] ?? Number.NaN };
  const host = { disk: d[HOST] ?? 0, tmpfs: t[HOST] ?? 0 };
  return {
    title:
      "Where the time goes: CPU ms per order on our side, DO state on disk and on tmpfs (closed loop, taking turns, from /proc)",
    columns: ["component", "disk: CPU ms per order", "tmpfs: CPU ms per order"],
    rows: Object.keys({ ...d, ...t }).map((k) => [k, (d[k] ?? Number.NaN).toFixed(2), (t[k] ?? Number.NaN).toFixed(2)]),
    notes: [
      `workerd CPU per order: ${w.disk.toFixed(2)} ms on disk, ${w.tmpfs.toFixed(2)} ms on tmpfs (idle CPU subtracted: ${idle.disk.toFixed(0)} and ${idle.tmpfs.toFixed(0)} ms/s). Local emulation: the file work of per-DO SQLite on disk, ${(w.disk - w.tmpfs).toFixed(2)} ms (${(((w.disk - w.tmpfs) / w.disk) * 100).toFixed(0)} % of workerd's on disk), plus the Node host relaying workerd's log lines, ${host.disk.toFixed(2)} ms (${host.tmpfs.toFixed(2)} on tmpfs); neither exists on Cloudflare. The tmpfs figure still includes Miniflare's KV and queue emulation in workerd.`,
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
