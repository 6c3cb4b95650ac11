import { Pool } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { openDb } from "../db/node.ts";
import { consumeBatch } from "../workers/events/consumer.ts";
import { projectOrderEvents } from "../workers/events/projection.ts";
import { type ConsumerCounters, consumerHost, messageBatch, rawBatch } from "./events-consumer.ts";
import { BatchStream, eventSequence, ORDERS_IN_FLIGHT, type Pipeline, readLifecycle } from "./events-stream.ts";
import { type CpuGroup, cpuMeter } from "./lib/cpu.ts";
import { closedLoop, type LoadResult, type Operation, sleep } from "./lib/load.ts";
import { IndexSource, type Measured } from "./lib/measure.ts";
import { CONNECT, installStatementCounter, type StatementTally, takeStatementTallies } from "./lib/pg-counter.ts";
import { type BenchResult, fmt, machineInfo, RUNS_COLUMNS, runsRow, type Table } from "./lib/results.ts";
import { summarizeRuns } from "./lib/stats.ts";
import { describePinning } from "./lib/taskset.ts";
import { database, type Harness } from "./platform.ts";
import { loadWorld, orderTemplates } from "./world.ts";

/** wrangler.toml `[[queues.consumers]] max_batch_size` for the events queue. */
export const BATCH_SIZE = 50;
const CONCURRENCIES = [1, 4];
const SYSTEMS = ["ours", "warm", "peer"] as const;
const LABELS: Record<(typeof SYSTEMS)[number], string> = {
  ours: "ours: queue consumer (handleQueue, new connection per batch, notifications included)",
  warm: "ours: the batch projection alone on persistent connections (projectOrderEvents)",
  peer: "peer: raw multi-row INSERT (same rows, persistent connections)",
};
const YEAR5_ORDERS_PER_S = 3700;
const YEAR1_ORDERS_PER_S = 1000;
const GOAL_RATIO = 0.5;

export async function runEvents(h: Harness): Promise<BenchResult> {
  const db = await database(h);
  const world = await loadWorld(db);
  const lifecycle = readLifecycle();
  const sequence = eventSequence(lifecycle);
  const { db: q, close } = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 1);
  let courierId: string | null = null;
  try {
    const rows = await q.execute<{ id: string }>(sql`select user_id as id from couriers limit 1`);
    courierId = rows.rows[0]?.id ?? null;
  } finally {
    await close();
  }
  const pipeline: Pipeline = {
    sequence,
    customers: db.customers,
    courierId,
    templates: orderTemplates(world, h.seed, 200),
    seed: h.seed,
  };
  const eventsPerOrder = sequence.length;
  h.log(
    `events: ${eventsPerOrder} events per delivered order (${lifecycle ? `measured by bench/lifecycle.ts on ${lifecycle.measuredAt.slice(0, 10)}` : "happy path: bench/results/lifecycle.json absent"}), batches of ${BATCH_SIZE}, ${ORDERS_IN_FLIGHT} orders in flight`,
  );

  const pool = new Pool({ connectionString: db.url, max: Math.max(...CONCURRENCIES) });
  pool.on("error", () => {});
  h.defer("events raw-pg pool", () => pool.end());
  const warm = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, Math.max(...CONCURRENCIES));
  h.defer("events warm pool", () => warm.close());

  const cpuGroups: CpuGroup[] = [
    { name: "bench process (consumer code or peer driver)", rootPids: [process.pid], descendants: false },
    { name: "WebSocket proxy", rootPids: [db.proxyPid] },
    { name: "PostgreSQL (all backends on the machine)", comm: "postgres" },
  ];

  installStatementCounter();
  takeStatementTallies();
  const results: {
    label: string;
    id: string;
    concurrency: number;
    m: Measured;
    cpuMsPerEvent: number;
    statements: Record<string, StatementTally>;
    batches: number;
  }[] = [];
  const totals: Record<string, ConsumerCounters> = {};
  // The systems take turns, round by round (rotating who goes first), so the load other
  // processes put on this shared machine falls on all of them alike; the ratio to the peer
  // is taken within each round and its median reported.
  const rounds = h.quick ? 1 : h.plan.runs + 2;
  const roundRatios: Record<string, { ours: number[]; warm: number[] }> = {};
  for (const concurrency of CONCURRENCIES) {
    const state = SYSTEMS.map((system) => {
      const stream = new BatchStream(pipeline, `${system}${concurrency}`);
      const counters: ConsumerCounters = {
        batches: 0,
        messages: 0,
        acked: 0,
        retried: 0,
        doRequests: 0,
        deadLettered: 0,
      };
      const host = consumerHost(db.url, db.wsProxy, counters);
      const op: Operation =
        system === "ours"
          ? async () => {
              const acked = counters.acked;
              const retried = counters.retried;
              const batch = messageBatch(stream.take(BATCH_SIZE), counters);
              await consumeBatch(batch, host);
              // Other invocations run concurrently: a retry anywhere is a failure of the run.
              if (counters.retried > retried) throw new Error(`${counters.retried - retried} messages retried`);
              if (counters.acked - acked < batch.messages.length) throw new Error("messages not acked");
            }
          : system === "warm"
            ? async () => {
                counters.batches++;
                counters.messages += BATCH_SIZE;
                await projectOrderEvents(warm.db, stream.take(BATCH_SIZE));
              }
            : async () => {
                counters.batches++;
                counters.messages += BATCH_SIZE;
                await rawBatch(pool, stream.take(BATCH_SIZE));
              };
      return {
        system,
        op,
        counters,
        runs: [] as LoadResult[],
        cpuMs: 0,
        events: 0,
        statements: {} as Record<string, StatementTally>,
        indices: new IndexSource(),
      };
    });
    const addStatements = (into: Record<string, StatementTally>) => {
      for (const [kind, t] of Object.entries(takeStatementTallies())) {
        const had = into[kind] ?? { count: 0, ms: 0 };
        into[kind] = { count: had.count + t.count, ms: had.ms + t.ms };
      }
    };
    takeStatementTallies();
    for (const st of state) {
      const warmRun = await closedLoop({
        concurrency,
        durationMs: h.plan.warmupMs,
        maxRequests: 1_000_000,
        op: st.op,
        startIndex: st.indices.take(1_000_000),
      });
      addStatements(st.statements);
      h.log(`  ${LABELS[st.system]} c=${concurrency}: warm-up ${warmRun.ok} ok, ${warmRun.errors} errors`);
    }
    const ratios = { ours: [] as number[], warm: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const order = state.map((_, i) => state[(i + round) % state.length] as (typeof state)[number]);
      const throughput: Record<string, number> = {};
      for (const st of order) {
        await sleep(h.plan.pauseMs);
        const stop = cpuMeter(cpuGroups);
        const run = await closedLoop({
          concurrency,
          durationMs: h.plan.runMs,
          maxRequests: 1_000_000,
          op: st.op,
          startIndex: st.indices.take(1_000_000),
        });
        st.cpuMs += Object.values(stop().ms).reduce((a, v) => a + v, 0);
        st.events += run.ok * BATCH_SIZE;
        st.runs.push(run);
        addStatements(st.statements);
        throughput[st.system] = run.throughput;
        h.log(
          `  ${LABELS[st.system]} c=${concurrency}: round ${round + 1}/${rounds} ${(run.throughput * BATCH_SIZE).toFixed(0)} events/s, batch p50 ${run.latencyMs.p50.toFixed(1)} ms, ${run.errors} errors${run.firstError ? ` (${run.firstError.slice(0, 160)})` : ""}`,
        );
      }
      const peer = throughput.peer ?? Number.NaN;
      ratios.ours.push((throughput.ours ?? Number.NaN) / peer);
      ratios.warm.push((throughput.warm ?? Number.NaN) / peer);
    }
    roundRatios[`c${concurrency}`] = ratios;
    for (const st of state) {
      totals[`${st.system}-c${concurrency}`] = st.counters;
      results.push({
        label: LABELS[st.system],
        id: st.system,
        concurrency,
        m: { summary: summarizeRuns(st.runs), runs: st.runs },
        cpuMsPerEvent: st.events ? st.cpuMs / st.events : Number.NaN,
        statements: st.statements,
        batches: st.counters.batches,
      });
    }
  }

  // What the rows cost on disk, for the Postgres sizing: every system wrote the same shapes.
  const storage: { table: string; rows: number; bytes: number }[] = [];
  {
    const { db: sizes, close: closeSizes } = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 1);
    try {
      for (const table of ["order_events", "orders", "order_items", "payments", "order_exceptions"]) {
        const r = await sizes.execute<{ rows: string; bytes: string }>(
          sql`select (select count(*) from ${sql.identifier(table)})::text as rows, pg_total_relation_size(${table}::regclass)::text as bytes`,
        );
        storage.push({ table, rows: Number(r.rows[0]?.rows), bytes: Number(r.rows[0]?.bytes) });
      }
    } finally {
      await closeSizes();
    }
  }
  const storageTable: Table = {
    title: "PostgreSQL storage after the runs (tables with their indexes)",
    columns: ["table", "rows", "MB", "bytes per row"],
    rows: storage.map((t) => [
      t.table,
      t.rows,
      (t.bytes / 2 ** 20).toFixed(1),
      t.rows ? Math.round(t.bytes / t.rows) : "–",
    ]),
    notes: [
      "Includes the orders bench's rows if it ran before in the same `npm run bench`; the per-row figure is what the sizing uses.",
    ],
  };
  const eventsPerS = (m: Measured) => m.summary.throughput.median * BATCH_SIZE;
  const rows: Table["rows"] = results.map((r) => [
    r.label,
    `c=${r.concurrency} batches of ${BATCH_SIZE}`,
    fmt.rate(eventsPerS(r.m)),
    fmt.spread(r.m.summary.p50, fmt.ms),
    fmt.spread(r.m.summary.p95, fmt.ms),
    fmt.ms(r.cpuMsPerEvent),
    r.m.summary.errors,
  ]);
  const batchRows = results.map((r) => runsRow(`${r.label}`, `closed, c=${r.concurrency} (batches/s)`, r.m.summary));
  const best = (id: string) => Math.max(...results.filter((r) => r.id === id).map((r) => eventsPerS(r.m)));
  const median = (xs: number[]) => {
    const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return v.length ? (v[Math.floor((v.length - 1) / 2)] as number) : Number.NaN;
  };
  const ratios = CONCURRENCIES.map((c) => ({
    c,
    ratio: median(roundRatios[`c${c}`]?.ours ?? []),
    warmRatio: median(roundRatios[`c${c}`]?.warm ?? []),
    rounds: roundRatios[`c${c}`],
  }));
  const ratioBest = ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const ours = best("ours");
  const needed = (rate: number) => rate * eventsPerOrder;
  const counters = totals[`ours-c${CONCURRENCIES[0]}`] as ConsumerCounters;

  const c1 = results.filter((r) => r.concurrency === CONCURRENCIES[0]);
  const kinds = [...new Set(c1.flatMap((r) => Object.keys(r.statements)))].filter((k) => k !== CONNECT).sort();
  const perBatch = (r: (typeof results)[number], kind: string) => {
    const t = r.statements[kind];
    return t ? `${(t.count / r.batches).toFixed(2)} × ${fmt.ms(t.ms / t.count)} ms` : "–";
  };
  const total = (r: (typeof results)[number]) => {
    const all = Object.entries(r.statements)
      .filter(([kind]) => kind !== CONNECT)
      .map(([, t]) => t);
    const n = all.reduce((a, t) => a + t.count, 0);
    const ms = all.reduce((a, t) => a + t.ms, 0);
    return `${(n / r.batches).toFixed(1)} round trips, ${fmt.ms(ms / r.batches)} ms`;
  };
  const statementsTable: Table = {
    title: `PostgreSQL statements per batch of ${BATCH_SIZE} (c=${CONCURRENCIES[0]}, counted in the driver): count × mean time`,
    columns: ["statement", ...c1.map((r) => r.label)],
    rows: [
      ...kinds.map((kind) => [kind, ...c1.map((r) => perBatch(r, kind))]),
      ["all (round trips per batch, time in them)", ...c1.map(total)],
      [
        "connections opened per batch (WebSocket to the proxy, its TCP to PostgreSQL, startup, auth)",
        ...c1.map((r) => perBatch(r, CONNECT)),
      ],
    ],
    notes: [
      "Each statement is one round trip through the WebSocket proxy (the driver sends Parse/Bind/Execute/Sync together). The time is wall time in the driver, so at c>1 it includes waiting for locks and the CPU.",
      "`with …` is one statement whose data-modifying parts write several tables: `with orders` the batch's orders, order lines, events, payments and audit rows; `with ledger_accounts` (or `with order_exceptions` when nothing is booked) the ledger's bookings and the recomputed exceptions. The `select`s after the COMMIT are the notification fan-out's (staff, contacts, webhook endpoints), on the same connection.",
      "Connections: the consumer opens one per invocation (a Worker cannot keep a socket across invocations); the persistent pools open one now and then (the first use, or after the proxy drops an idle one).",
    ],
  };

  const capacity: Table = {
    title: "What Year 1 and Year 5 need, from these figures",
    columns: [
      "peak",
      "events/s",
      "batches/s (of 50)",
      "consumer invocations in flight at the measured batch time",
      "× this machine's measured best",
    ],
    rows: [YEAR1_ORDERS_PER_S, YEAR5_ORDERS_PER_S].map((rate) => {
      const ev = needed(rate);
      const batchMs = (results.find((r) => r.id === "ours" && r.concurrency === 1)?.m.summary.p50.median ??
        0) as number;
      return [
        `${rate} orders/s`,
        fmt.rate(ev),
        fmt.rate(ev / BATCH_SIZE),
        fmt.rate(((ev / BATCH_SIZE) * batchMs) / 1000),
        `${(ev / ours).toFixed(1)}×`,
      ];
    }),
    notes: [
      `${eventsPerOrder} events (queue messages) per delivered order.`,
      "Consumer invocations in flight = batches/s × the median batch time at c=1 (Little's law); Cloudflare Queues runs up to 250 concurrent consumer invocations per queue.",
      "See docs/sizing.md for queue shards and Postgres write capacity.",
    ],
  };

  return {
    name: "events",
    title: "(8) Events pipeline: queue consumer → PostgreSQL",
    date: new Date().toISOString(),
    quick: h.quick,
    seed: h.seed,
    machine: machineInfo(describePinning(h.pinning), { postgres: db.serverVersion }),
    goals: [
      {
        text: `projection at least ${GOAL_RATIO}× the raw multi-row INSERT peer (events/s, same rows, same run)`,
        met: h.quick ? null : ratioBest.ratio >= GOAL_RATIO,
        detail: `median of the per-round ratios; consumer: ${ratios.map((r) => `c=${r.c} ${r.ratio.toFixed(2)}×`).join(", ")}; projection on persistent connections: ${ratios.map((r) => `c=${r.c} ${r.warmRatio.toFixed(2)}×`).join(", ")}`,
      },
      {
        text: `Year-5 peak on paper: ${YEAR5_ORDERS_PER_S} orders/s × ${eventsPerOrder} events = ${fmt.rate(needed(YEAR5_ORDERS_PER_S))} events/s`,
        met: null,
        detail: `this 2-core machine's best: ${fmt.rate(ours)} events/s (${(needed(YEAR5_ORDERS_PER_S) / ours).toFixed(1)}× short: sized in docs/sizing.md)`,
      },
    ],
    durability: [
      `Both commit each batch in one transaction with synchronous_commit=${db.synchronousCommit}, fsync=${db.fsync}; the consumer acks a batch's messages only after COMMIT.`,
    ],
    notes: [
      `Events per order: ${eventsPerOrder} (${sequence.join(", ")})${lifecycle ? `, from bench/lifecycle.ts (${lifecycle.ordersDelivered} delivered orders, mean ${lifecycle.eventsPerDeliveredOrder.mean.toFixed(1)})` : ""}.`,
      "ours: workers/events/consumer.ts handleQueue (its body, consumeBatch, with the bench's host) in the bench process (Node, same V8 as workerd), a new pool per invocation as in the Worker; per batch: BEGIN, one statement writing the batch's orders, order lines, events, payments and audit rows, one read of the touched orders' events for the ledger and the exceptions queue, one statement writing the ledger's bookings and the exceptions, COMMIT; then the notification fan-out (staff, contacts, webhook endpoints, notification rows: one statement each for the whole batch) on the same connection, then one acknowledgement request per order to its Order DO (counted, answered in-process).",
      "peer: the same orders, lines and events rows as raw multi-row INSERTs in one transaction per batch over persistent connections; no fold, no forward-only guard, no payments or operator views, no acknowledgements.",
      `Counted during the c=${CONCURRENCIES[0]} run of ours: ${counters.batches} batches, ${counters.messages} messages, ${counters.acked} acked, ${counters.retried} retried, ${counters.deadLettered} dead-lettered, ${counters.doRequests} Order DO acknowledgement requests (${(counters.doRequests / Math.max(1, counters.batches)).toFixed(1)} per batch, ${(counters.doRequests / Math.max(1, counters.messages)).toFixed(2)} per message).`,
    ],
    headline: {
      title: "Events per second into PostgreSQL (median of runs)",
      columns: [
        "system",
        "load",
        "events/s",
        "batch p50 ms",
        "batch p95 ms",
        "CPU ms per event (all processes)",
        "errors",
      ],
      rows,
    },
    tables: [
      { title: "Batches, closed loop", columns: RUNS_COLUMNS, rows: batchRows },
      statementsTable,
      storageTable,
      capacity,
    ],
    data: {
      eventsPerOrder,
      sequence,
      batchSize: BATCH_SIZE,
      ordersInFlight: ORDERS_IN_FLIGHT,
      ratios,
      results: results.map((r) => ({
        id: r.id,
        concurrency: r.concurrency,
        eventsPerS: eventsPerS(r.m),
        cpuMsPerEvent: r.cpuMsPerEvent,
        summary: r.m.summary,
        batches: r.batches,
        statements: r.statements,
      })),
      counters: totals,
      storage,
    },
  };
}
