// (8) The events pipeline at Year-5 rates: order events from the queue into
// PostgreSQL through the real consumer (workers/events/consumer.ts
// `handleQueue`: the batch projection in one transaction, the operator views,
// the acknowledgements to the Order DOs), fed batches of 50 messages as the
// `events` queue delivers them (wrangler.toml max_batch_size), each batch
// interleaving the events of many orders in flight, every order's own events
// in sequence. Each event is the envelope the Order DO sends
// (domain/order/order-event.ts); the events per delivered order and their
// types are the ones measured on the whole platform by bench/lifecycle.ts
// (bench/results/lifecycle.json), or the happy path if that file is absent.
//
// Peer, given the same rows: raw multi-row INSERTs from Node (orders upsert,
// order_items, order_events, one statement per table and one transaction per
// batch) through the same Neon driver and WebSocket proxy, on a pool of
// persistent connections. It does not fold the batch, keep the order row
// moving forward only, derive exceptions or acknowledge to the Order DOs.
//
// The consumer runs in this (Node) process, not in workerd: same V8, same
// code, and no Miniflare queue in the way, so what is measured is the
// projection and PostgreSQL. Each invocation opens its own pool, as the
// Worker does per batch.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { openDb } from "../db/node.ts";
import type { OrderEventMessage } from "../domain/order/order-event.ts";
import type { Env } from "../workers/env.ts";
import { handleQueue } from "../workers/events/consumer.ts";
import { projectOrderEvents } from "../workers/events/projection.ts";
import { type CpuGroup, cpuMeter } from "./lib/cpu.ts";
import { closedLoop, type LoadResult, type Operation, sleep } from "./lib/load.ts";
import { IndexSource, type Measured } from "./lib/measure.ts";
import { installStatementCounter, type StatementTally, takeStatementTallies } from "./lib/pg-counter.ts";
import { type BenchResult, fmt, machineInfo, RUNS_COLUMNS, runsRow, type Table } from "./lib/results.ts";
import { seededRandom, seededUuid } from "./lib/rng.ts";
import { summarizeRuns } from "./lib/stats.ts";
import { describePinning } from "./lib/taskset.ts";
import { database, type Harness, ROOT } from "./platform.ts";
import { loadWorld, type OrderTemplate, orderTemplates } from "./world.ts";

/** wrangler.toml `[[queues.consumers]] max_batch_size` for the events queue. */
export const BATCH_SIZE = 50;
/** Orders whose events share the batches at any time (many orders in flight, as at peak). */
const ORDERS_IN_FLIGHT = 40;
const CONCURRENCIES = [1, 4];
const SYSTEMS = ["ours", "warm", "peer"] as const;
const LABELS: Record<(typeof SYSTEMS)[number], string> = {
  ours: "ours: queue consumer (handleQueue, new connection per batch)",
  warm: "ours: the batch projection alone on persistent connections (projectOrderEvents)",
  peer: "peer: raw multi-row INSERT (same rows, persistent connections)",
};
const YEAR5_ORDERS_PER_S = 3700;
const YEAR1_ORDERS_PER_S = 1000;
const GOAL_RATIO = 0.5;

/** The happy path, in the order the Order DO emits it. */
const HAPPY_PATH = [
  "order.placed",
  "order.payment_started",
  "order.paid",
  "order.accepted",
  "order.preparing",
  "order.dispatch_started",
  "order.courier_offered",
  "order.courier_assigned",
  "order.ready",
  "order.courier_at_pickup",
  "order.picked_up",
  "order.courier_at_dropoff",
  "order.delivered",
];

interface Lifecycle {
  measuredAt: string;
  ordersDelivered: number;
  eventsPerDeliveredOrder: { mean: number; median: number; min: number; max: number };
  eventTypesPerDeliveredOrder: Record<string, number>;
}

export function readLifecycle(): Lifecycle | null {
  try {
    return JSON.parse(readFileSync(join(ROOT, "bench", "results", "lifecycle.json"), "utf8")) as Lifecycle;
  } catch {
    return null;
  }
}

/** The event types of one delivered order: the measured mix, rounded to whole events, in lifecycle order. */
export function eventSequence(lifecycle: Lifecycle | null): string[] {
  if (!lifecycle) return HAPPY_PATH;
  const counts = lifecycle.eventTypesPerDeliveredOrder;
  const rank = (t: string) => {
    const i = HAPPY_PATH.indexOf(t);
    return i >= 0 ? i : HAPPY_PATH.indexOf("order.picked_up") - 0.5;
  };
  const types = Object.keys(counts).sort((a, b) => rank(a) - rank(b));
  return types.flatMap((t) => Array.from({ length: Math.max(0, Math.round(counts[t] ?? 0)) }, () => t));
}

interface Pipeline {
  sequence: string[];
  customers: string[];
  courierId: string | null;
  templates: OrderTemplate[];
  seed: number;
}

const STATE_AFTER: Record<string, { state: string; delivery: string | null }> = {
  "order.placed": { state: "placed", delivery: null },
  "order.payment_started": { state: "placed", delivery: null },
  "order.paid": { state: "paid", delivery: null },
  "order.accepted": { state: "accepted", delivery: null },
  "order.preparing": { state: "preparing", delivery: null },
  "order.dispatch_started": { state: "preparing", delivery: "searching" },
  "order.courier_offered": { state: "preparing", delivery: "offered" },
  "order.courier_assigned": { state: "preparing", delivery: "assigned" },
  "order.ready": { state: "ready", delivery: "assigned" },
  "order.courier_at_pickup": { state: "ready", delivery: "at_pickup" },
  "order.picked_up": { state: "picked_up", delivery: "picked_up" },
  "order.courier_at_dropoff": { state: "picked_up", delivery: "at_dropoff" },
  "order.delivered": { state: "delivered", delivery: "delivered" },
};

/**
 * Order `n`'s messages, one per event, each carrying the order as the Order DO
 * sends it. Ids are fresh per (prefix, n) so runs never collide.
 */
function orderMessages(p: Pipeline, prefix: string, n: number): OrderEventMessage[] {
  let h = p.seed | 0;
  for (const ch of `${prefix}:${n}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  const random = seededRandom(h >>> 0);
  const template = p.templates[n % p.templates.length] as OrderTemplate;
  const customerId = p.customers[n % p.customers.length] as string;
  const orderId = seededUuid(random);
  const placedAt = Date.now();
  const priced = template.priced;
  let previous = { state: "placed", delivery: null as string | null };
  let courierId: string | null = null;
  return p.sequence.map((type, i) => {
    const after = STATE_AFTER[type] ?? previous;
    if (type === "order.courier_assigned") courierId = p.courierId;
    const at = placedAt + i * 60_000;
    const actor =
      type === "order.placed" || type === "order.payment_started"
        ? { role: "customer", id: customerId }
        : type.startsWith("order.courier_") || type === "order.picked_up" || type === "order.delivered"
          ? { role: p.courierId ? "courier" : "system", id: p.courierId ?? "system" }
          : type === "order.accepted" || type === "order.preparing" || type === "order.ready"
            ? { role: "restaurant_staff", id: customerId }
            : { role: "system", id: "system" };
    const extra: Record<string, unknown> =
      type === "order.placed"
        ? { totalMinor: priced.totalMinor, currency: priced.currency }
        : type === "order.payment_started" || type === "order.paid"
          ? { paymentIntentId: `pi_bench_${prefix}_${n}`, amountMinor: priced.totalMinor }
          : type.startsWith("order.courier_")
            ? { courierId: p.courierId }
            : {};
    const message: OrderEventMessage = {
      kind: "order_event",
      event: {
        id: seededUuid(random),
        orderId,
        seq: i + 1,
        type,
        actorId: actor.id,
        actorRole: actor.role,
        at,
        state: after.state as OrderEventMessage["event"]["state"],
        delivery: after.delivery as OrderEventMessage["event"]["delivery"],
        payload: {
          orderId,
          state: after.state,
          delivery: after.delivery,
          previousState: previous.state,
          previousDelivery: previous.delivery,
          by: actor,
          at,
          ...extra,
        },
        // Synthetic events: the shapes the projection reads, not every field a real one has.
      } as OrderEventMessage["event"],
      order: {
        id: orderId,
        customerId,
        restaurantId: template.restaurant.id,
        idempotencyKey: `bench-events-${prefix}-${n}`,
        fingerprint: "0".repeat(64),
        menuVersion: template.restaurant.menu.version,
        currency: priced.currency,
        lines: priced.lines,
        subtotalMinor: priced.subtotalMinor,
        deliveryFeeMinor: priced.deliveryFeeMinor,
        serviceFeeMinor: priced.serviceFeeMinor,
        taxMinor: priced.taxMinor,
        tipMinor: priced.tipMinor,
        totalMinor: priced.totalMinor,
        deliveryAddress: template.body.deliveryAddress,
        restaurantLocation: { lat: template.restaurant.lat, lng: template.restaurant.lng },
        placedAt,
        courierId,
        prepTimeMinutes: 15,
      },
    };
    previous = after;
    return message;
  });
}

/**
 * Deals batch `b` of a stream where ORDERS_IN_FLIGHT orders emit events in
 * turn: every order's events stay in sequence across batches, and a batch
 * holds events of many orders at different stages, as at peak.
 */
class BatchStream {
  private active: { n: number; messages: OrderEventMessage[]; next: number }[] = [];
  private nextOrder = 0;
  private turn = 0;
  constructor(
    private readonly p: Pipeline,
    private readonly prefix: string,
  ) {}
  take(size: number): OrderEventMessage[] {
    const out: OrderEventMessage[] = [];
    while (out.length < size) {
      while (this.active.length < ORDERS_IN_FLIGHT) {
        const n = this.nextOrder++;
        // The first orders start at staggered stages (as if their earlier events were projected
        // before the run), so batches mix stages as at a steady peak instead of moving in lockstep.
        const next = n < ORDERS_IN_FLIGHT ? n % this.p.sequence.length : 0;
        this.active.push({ n, messages: orderMessages(this.p, this.prefix, n), next });
      }
      this.turn = this.turn % this.active.length;
      const order = this.active[this.turn] as (typeof this.active)[number];
      out.push(order.messages[order.next++] as OrderEventMessage);
      if (order.next >= order.messages.length) this.active.splice(this.turn, 1);
      else this.turn++;
    }
    return out;
  }
}

/** Binding calls the consumer makes, counted (the acknowledgement to each Order DO is a DO request). */
export interface ConsumerCounters {
  batches: number;
  messages: number;
  acked: number;
  retried: number;
  doRequests: number;
  deadLettered: number;
}

function consumerEnv(url: string, wsProxy: string, counters: ConsumerCounters): Env {
  const order = {
    idFromName: (name: string) => name,
    get: () => ({
      projected: async () => {
        counters.doRequests++;
      },
    }),
  };
  const dlq = {
    send: async () => {
      counters.deadLettered++;
    },
  };
  return { DATABASE_URL: url, NEON_WS_PROXY: wsProxy, ORDER: order, EVENTS_DLQ: dlq } as unknown as Env;
}

function messageBatch(messages: OrderEventMessage[], counters: ConsumerCounters): MessageBatch<unknown> {
  counters.batches++;
  counters.messages += messages.length;
  return {
    queue: "events",
    messages: messages.map((body, i) => ({
      id: `${body.event.id}-${i}`,
      timestamp: new Date(),
      body,
      attempts: 1,
      ack: () => {
        counters.acked++;
      },
      retry: () => {
        counters.retried++;
      },
    })),
    ackAll: () => {},
    retryAll: () => {},
  } as unknown as MessageBatch<unknown>;
}

/** The peer: the same rows as raw multi-row statements, one transaction per batch, persistent connections. */
async function rawBatch(pool: Pool, messages: OrderEventMessage[]): Promise<void> {
  // Newest message per order (the peer still has to write each order row once per statement).
  const orders = new Map<string, OrderEventMessage>();
  for (const m of messages) {
    const seen = orders.get(m.order.id);
    if (!seen || seen.event.seq < m.event.seq) orders.set(m.order.id, m);
  }
  const placements = messages.filter((m) => m.event.seq === 1);
  const client = await pool.connect();
  try {
    await client.query("begin");
    const ov: unknown[] = [];
    // Sorted by id, as the projection does, so concurrent batches lock rows in the same order.
    const sortedOrders = [...orders.values()].sort((a, b) => (a.order.id < b.order.id ? -1 : 1));
    const orows = sortedOrders.map((m, k) => {
      const o = m.order;
      ov.push(
        o.id,
        o.customerId,
        o.restaurantId,
        o.courierId,
        m.event.state,
        m.event.delivery,
        o.idempotencyKey,
        o.menuVersion,
        o.currency,
        o.subtotalMinor,
        o.deliveryFeeMinor,
        o.serviceFeeMinor,
        o.taxMinor,
        o.tipMinor,
        o.totalMinor,
        JSON.stringify(o.deliveryAddress),
        o.prepTimeMinutes,
        m.event.seq,
        new Date(o.placedAt),
        new Date(m.event.at),
      );
      const b = k * 20;
      return `(${Array.from({ length: 20 }, (_, c) => `$${b + c + 1}`).join(",")})`;
    });
    await client.query(
      `insert into orders (id, customer_id, restaurant_id, courier_id, status, delivery_status, idempotency_key,
         menu_version, currency, subtotal_minor, delivery_fee_minor, service_fee_minor, tax_minor, tip_minor,
         total_minor, delivery_address, prep_time_minutes, last_event_seq, placed_at, updated_at)
       values ${orows.join(",")}
       on conflict (id) do update set status = excluded.status, delivery_status = excluded.delivery_status,
         courier_id = excluded.courier_id, last_event_seq = excluded.last_event_seq, updated_at = excluded.updated_at`,
      ov,
    );
    const lines = placements.flatMap((m) => m.order.lines.map((line) => ({ id: m.order.id, line })));
    if (lines.length > 0) {
      const iv: unknown[] = [];
      const irows = lines.map(({ id, line }, k) => {
        iv.push(
          id,
          line.lineNo,
          line.itemId,
          line.name,
          line.quantity,
          line.unitPriceMinor,
          JSON.stringify(line.options),
          line.lineTotalMinor,
        );
        const b = k * 8;
        return `(${Array.from({ length: 8 }, (_, c) => `$${b + c + 1}`).join(",")})`;
      });
      await client.query(
        `insert into order_items (order_id, line_no, menu_item_id, name, quantity, unit_price_minor, options, line_total_minor)
         values ${irows.join(",")}`,
        iv,
      );
    }
    const ev: unknown[] = [];
    const erows = messages.map((m, k) => {
      const e = m.event;
      ev.push(e.id, e.orderId, e.seq, e.type, e.actorId, e.actorRole, JSON.stringify(e.payload), new Date(e.at));
      const b = k * 8;
      return `(${Array.from({ length: 8 }, (_, c) => `$${b + c + 1}`).join(",")})`;
    });
    await client.query(
      `insert into order_events (id, order_id, seq, type, actor_id, actor_role, payload, occurred_at)
       values ${erows.join(",")}`,
      ev,
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

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
      const env = consumerEnv(db.url, db.wsProxy, counters);
      const op: Operation =
        system === "ours"
          ? async () => {
              const acked = counters.acked;
              const retried = counters.retried;
              const batch = messageBatch(stream.take(BATCH_SIZE), counters);
              await handleQueue(batch, env);
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
  const kinds = [...new Set(c1.flatMap((r) => Object.keys(r.statements)))].sort();
  const perBatch = (r: (typeof results)[number], kind: string) => {
    const t = r.statements[kind];
    return t ? `${(t.count / r.batches).toFixed(2)} × ${fmt.ms(t.ms / t.count)} ms` : "–";
  };
  const total = (r: (typeof results)[number]) => {
    const all = Object.values(r.statements);
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
        "connections opened per batch",
        ...c1.map((r) => (r.id === "ours" ? "1 (a pool per invocation, as in the Worker)" : "0 (persistent)")),
      ],
    ],
    notes: [
      "Each statement is one round trip through the WebSocket proxy (the driver sends Parse/Bind/Execute/Sync together). The time is wall time in the driver, so at c>1 it includes waiting for locks and the CPU.",
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
      "ours: workers/events/consumer.ts handleQueue in the bench process (Node, same V8 as workerd), a new pool per batch as in the Worker; per batch: BEGIN, one multi-row upsert for orders, order_items, order_events and payments, the operator views (audit rows, exceptions), COMMIT; then one acknowledgement request per order to its Order DO (counted, answered in-process).",
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
