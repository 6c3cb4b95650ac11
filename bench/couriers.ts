// (1) Courier location ingest, (2) k-nearest queries and (4) live tracking
// fan-out. Our side is the Zone DO (durable-objects/zone/zone-do.ts), which
// a colleague is writing now: until it exists these benchmarks measure the
// peers only and print our side as "not measured yet". No number is ever
// made up for it.
//
// Peers, with the same couriers and positions from the same seed:
//  (1) Redis GEOADD, one command outstanding per courier connection, and a
//      bare `ws` server that parses each position and Map.sets it (acked);
//  (2) Redis GEOSEARCH FROMLONLAT … BYRADIUS … ASC COUNT k on the same points;
//  (4) a bare `ws` server broadcasting each message to every watcher.
import { performance } from "node:perf_hooks";
import Redis from "ioredis";
import { WebSocket } from "ws";
import { CITY } from "../db/seed/demo-city.ts";
import { IndexSource, type Measured, measureClosed, measureOpen } from "./lib/measure.ts";
import { type BenchResult, fmt, machineInfo, pendingRow, RUNS_COLUMNS, runsRow, type Table } from "./lib/results.ts";
import { pointNear, seededRandom } from "./lib/rng.ts";
import { Samples, summarize } from "./lib/stats.ts";
import type { Curve } from "./lib/svg.ts";
import { describePinning } from "./lib/taskset.ts";
import { type Harness, tsxChild } from "./platform.ts";

const PENDING =
  "Zone DO (durable-objects/zone/zone-do.ts) is being written; our side is not measured yet. Add it in bench/couriers.ts (ZONE_DO_READY).";
/** Flip to true (and fill in the ours* operations) once the Zone DO's protocol exists. */
const ZONE_DO_READY = false;

const REDIS = { host: "127.0.0.1", port: 6379 };
const COURIERS = 1000;
const CONCURRENCY = 32;
const K = 10;
const RADIUS_M = 3000;
const WATCHERS = 500;
/** Centre of the demo city's zone. */
const CENTRE = { lat: 38.725, lng: -9.15 };

interface Fix {
  c: string;
  lat: number;
  lng: number;
}

/** The same couriers and position stream for every system: courier i % COURIERS moves on each fix. */
function positions(seed: number, count: number): Fix[] {
  const random = seededRandom(seed ^ 0x6e0);
  const home = Array.from({ length: COURIERS }, () => pointNear(random, CENTRE.lat, CENTRE.lng, 4000));
  return Array.from({ length: count }, (_, i) => {
    const courier = i % COURIERS;
    const p = pointNear(random, (home[courier] as { lat: number }).lat, (home[courier] as { lng: number }).lng, 300);
    return { c: `courier-${courier}`, lat: p.lat, lng: p.lng };
  });
}

async function redisInfo(): Promise<{ version: string; persistence: string }> {
  const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const info = await redis.info("server");
    const persistence = await redis.info("persistence");
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "?";
    const aof = /aof_enabled:(\d)/.exec(persistence)?.[1] === "1";
    const rdb = ((await redis.config("GET", "save")) as string[])[1] ?? "";
    return { version, persistence: `AOF ${aof ? "on" : "off"}, RDB snapshots ${rdb ? `"${rdb}"` : "off"}` };
  } finally {
    redis.disconnect();
  }
}

function base(h: Harness, name: string, title: string, redis: { version: string; persistence: string } | undefined) {
  return {
    name,
    title,
    date: new Date().toISOString(),
    quick: h.quick,
    seed: h.seed,
    machine: machineInfo(describePinning(h.pinning), redis ? { redis: redis.version } : {}),
  };
}

function pendingGoal(text: string) {
  return { text, met: null, detail: "our side not measured yet (Zone DO pending)" };
}

// ---------------------------------------------------------------- (1) ingest

export async function runIngest(h: Harness): Promise<BenchResult> {
  const redisMeta = await redisInfo();
  const fixes = positions(h.seed, 20_000);
  const fixAt = (i: number) => fixes[i % fixes.length] as Fix;
  const key = `bench:${process.pid}:ingest`;

  // Redis: one connection per concurrent courier stream, one GEOADD outstanding on each.
  const clients = Array.from({ length: CONCURRENCY }, () => new Redis({ ...REDIS, maxRetriesPerRequest: 1 }));
  let next = 0;
  const redisOp = async (i: number) => {
    const f = fixAt(i);
    const client = clients[next++ % CONCURRENCY] as Redis;
    await client.geoadd(key, f.lng, f.lat, f.c);
  };

  // Bare ws: CONCURRENCY sockets, each with one fix in flight, acked by sequence number.
  const peer = await tsxChild<{ url: string }>(h, "peer-ws-ingest", "bench/server/peer-ws.ts");
  h.defer("peer-ws-ingest", () => peer.stop());
  const sockets = await Promise.all(Array.from({ length: CONCURRENCY }, () => openSocket(`${peer.ready.url}/ingest`)));
  const waiting = new Map<number, () => void>();
  for (const ws of sockets) {
    ws.on("message", (data) => {
      const seq = (JSON.parse(data.toString()) as { seq: number }).seq;
      waiting.get(seq)?.();
      waiting.delete(seq);
    });
  }
  let socketTurn = 0;
  const wsOp = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const f = fixAt(i);
      const timer = setTimeout(() => {
        waiting.delete(i);
        reject(new Error("no ack within 5 s"));
      }, 5000);
      waiting.set(i, () => {
        clearTimeout(timer);
        resolve();
      });
      (sockets[socketTurn++ % CONCURRENCY] as WebSocket).send(JSON.stringify({ ...f, seq: i }));
    });

  const redisRun = await measureClosed("peer: Redis GEOADD", h.plan, CONCURRENCY, redisOp, new IndexSource(), h.log);
  const wsRun = await measureClosed(
    "peer: bare ws parse + Map.set",
    h.plan,
    CONCURRENCY,
    wsOp,
    new IndexSource(),
    h.log,
  );
  const rates = h.quick ? [2000] : [5000, 10_000, 20_000];
  const open: Record<string, Record<number, Measured>> = { redis: {}, ws: {} };
  for (const rate of rates) {
    (open.redis as Record<number, Measured>)[rate] = await measureOpen(
      "peer: Redis GEOADD",
      h.plan,
      rate,
      redisOp,
      1024,
      new IndexSource(),
      h.log,
    );
    (open.ws as Record<number, Measured>)[rate] = await measureOpen(
      "peer: bare ws",
      h.plan,
      rate,
      wsOp,
      1024,
      new IndexSource(),
      h.log,
    );
  }
  for (const ws of sockets) ws.close();
  await clients[0]?.del(key);
  for (const c of clients) c.disconnect();

  const curves: Curve[] = Object.entries(open).map(([name, byRate]) => ({
    name: name === "redis" ? "Redis GEOADD" : "bare ws",
    points: rates.map((x) => ({
      x,
      p50: (byRate[x] as Measured).summary.p50.median,
      p99: (byRate[x] as Measured).summary.p99.median,
    })),
  }));
  return {
    ...base(h, "ingest", "(1) Courier location ingest into one zone over WebSockets", redisMeta),
    goals: [pendingGoal("Zone DO ingest figures next to the peers")],
    durability: [
      `Redis: ${redisMeta.persistence} on this machine: positions live in memory only.`,
      "bare ws peer: a Map in memory, nothing persisted.",
      "ours (when measured): the Zone DO keeps positions in memory and persists enough to survive eviction; state the difference here.",
    ],
    notes: [
      `${COURIERS} couriers, ${fixes.length} seeded fixes cycled, ${CONCURRENCY} concurrent streams with one fix in flight each (closed loop), acked.`,
      ZONE_DO_READY ? "" : PENDING,
    ].filter(Boolean),
    headline: {
      title: `Closed loop, ${CONCURRENCY} courier streams`,
      columns: RUNS_COLUMNS,
      rows: [
        pendingRow("ours: Zone DO over WebSockets", PENDING),
        runsRow("peer: Redis GEOADD", `closed, c=${CONCURRENCY}`, redisRun.summary),
        runsRow("peer: bare ws parse + Map.set", `closed, c=${CONCURRENCY}`, wsRun.summary),
      ],
    },
    tables: [openTable(open, rates, { redis: "peer: Redis GEOADD", ws: "peer: bare ws" })],
    curves: { title: "Location ingest (peers): latency vs offered load", curves },
    data: { couriers: COURIERS, concurrency: CONCURRENCY, redis: redisRun, ws: wsRun, open, ours: "not measured yet" },
  };
}

function openTable(
  open: Record<string, Record<number, Measured>>,
  rates: number[],
  labels: Record<string, string>,
): Table {
  return {
    title: "Open loop at fixed rates",
    columns: RUNS_COLUMNS,
    rows: Object.entries(open).flatMap(([id, byRate]) =>
      rates.map((rate) => runsRow(labels[id] ?? id, `open, ${rate}/s`, (byRate[rate] as Measured).summary)),
    ),
  };
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

// ---------------------------------------------------------------- (2) k-nearest

export async function runKnn(h: Harness): Promise<BenchResult> {
  const redisMeta = await redisInfo();
  const key = `bench:${process.pid}:knn`;
  const fixes = positions(h.seed, COURIERS);
  const loader = new Redis({ ...REDIS, maxRetriesPerRequest: 1 });
  await loader.del(key);
  await loader.geoadd(key, ...fixes.flatMap((f) => [f.lng, f.lat, f.c]));
  const random = seededRandom(h.seed ^ 0x4a4);
  const queries = Array.from({ length: 5000 }, () => pointNear(random, CENTRE.lat, CENTRE.lng, 4000));
  const clients = Array.from({ length: CONCURRENCY }, () => new Redis({ ...REDIS, maxRetriesPerRequest: 1 }));
  let turn = 0;
  let found = 0;
  const op = async (i: number) => {
    const q = queries[i % queries.length] as { lat: number; lng: number };
    const client = clients[turn++ % CONCURRENCY] as Redis;
    const result = (await client.call(
      "GEOSEARCH",
      key,
      "FROMLONLAT",
      String(q.lng),
      String(q.lat),
      "BYRADIUS",
      String(RADIUS_M),
      "m",
      "ASC",
      "COUNT",
      String(K),
    )) as string[];
    found += result.length;
  };
  const run = await measureClosed(`peer: Redis GEOSEARCH k=${K}`, h.plan, CONCURRENCY, op, new IndexSource(), h.log);
  const meanFound = found / Math.max(1, run.summary.ok);
  await loader.del(key);
  loader.disconnect();
  for (const c of clients) c.disconnect();
  return {
    ...base(h, "knn", "(2) k-nearest couriers", redisMeta),
    goals: [pendingGoal(`Zone DO k=${K} nearest within ${RADIUS_M} m next to the peer`)],
    durability: ["Read-only benchmark: no durability difference."],
    notes: [
      `${COURIERS} couriers in a ${CITY.name} zone (seeded), ${queries.length} seeded query points cycled; GEOSEARCH FROMLONLAT BYRADIUS ${RADIUS_M} m ASC COUNT ${K}; mean ${meanFound.toFixed(1)} results per query (warm-up included).`,
      PENDING,
    ],
    headline: {
      title: `Closed loop, ${CONCURRENCY} concurrent queries`,
      columns: RUNS_COLUMNS,
      rows: [
        pendingRow(`ours: Zone DO k-nearest (k=${K})`, PENDING),
        runsRow(`peer: Redis GEOSEARCH (k=${K}, r=${RADIUS_M} m)`, `closed, c=${CONCURRENCY}`, run.summary),
      ],
    },
    tables: [],
    data: { couriers: COURIERS, k: K, radiusM: RADIUS_M, redis: run, ours: "not measured yet" },
  };
}

// ---------------------------------------------------------------- (4) fan-out

export async function runFanout(h: Harness): Promise<BenchResult> {
  const peer = await tsxChild<{ url: string }>(h, "peer-ws-fanout", "bench/server/peer-ws.ts");
  h.defer("peer-ws-fanout", () => peer.stop());
  const watchers = h.quick ? 100 : WATCHERS;
  const sockets = await Promise.all(Array.from({ length: watchers }, () => openSocket(`${peer.ready.url}/watch`)));
  const publisher = await openSocket(`${peer.ready.url}/publish`);
  // Sent and received in this process: one clock for both ends.
  const pending = new Map<number, { sentAt: number; left: number; done: () => void }>();
  const deliveries = new Samples();
  for (const ws of sockets) {
    ws.on("message", (data) => {
      const now = performance.now();
      const text = data.toString();
      const seq = Number(text.slice(7, text.indexOf(",")));
      const entry = pending.get(seq);
      if (!entry) return;
      deliveries.push(now - entry.sentAt);
      if (--entry.left === 0) {
        pending.delete(seq);
        entry.done();
      }
    });
  }
  const fixes = positions(h.seed, 5000);
  const op = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const f = fixes[i % fixes.length] as Fix;
      const timer = setTimeout(() => {
        pending.delete(i);
        reject(new Error("not every watcher got it within 5 s"));
      }, 5000);
      pending.set(i, {
        sentAt: performance.now(),
        left: watchers,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      publisher.send(`{"seq":${i},"type":"courier_position","lat":${f.lat},"lng":${f.lng}}`);
    });
  const closed = await measureClosed("peer: bare ws broadcast", h.plan, 1, op, new IndexSource(), h.log);
  const closedDeliveries = summarize(deliveries.values());
  const rates = h.quick ? [20] : [25, 50, 100, 200];
  const open: Record<number, Measured> = {};
  for (const rate of rates) {
    open[rate] = await measureOpen("peer: bare ws broadcast", h.plan, rate, op, 256, new IndexSource(), h.log);
  }
  for (const ws of [...sockets, publisher]) ws.close();
  return {
    ...base(h, "fanout", "(4) Live tracking fan-out", undefined),
    goals: [pendingGoal(`Zone/Order DO fan-out to ${watchers} watchers next to the peer`)],
    durability: ["Fan-out is not persisted on either side (positions are ephemeral)."],
    notes: [
      `${watchers} watcher sockets, one publisher; latency = from publishing a position until the last watcher received it (fan-out completion). Per-delivery latency (closed loop, all runs incl. warm-up): p50 ${fmt.ms(closedDeliveries.p50)} ms, p99 ${fmt.ms(closedDeliveries.p99)} ms. Throughput is broadcasts/s; deliveries/s = broadcasts/s × ${watchers}.`,
      PENDING,
    ],
    headline: {
      title: `Closed loop, one broadcast in flight, ${watchers} watchers`,
      columns: RUNS_COLUMNS,
      rows: [
        pendingRow("ours: DO hibernated WebSockets broadcast", PENDING),
        runsRow("peer: bare ws broadcast", "closed, c=1", closed.summary),
      ],
    },
    tables: [openTable({ ws: open }, rates, { ws: "peer: bare ws broadcast" })],
    curves: {
      title: `Fan-out to ${watchers} watchers (peer): completion latency vs broadcasts/s`,
      curves: [
        {
          name: "bare ws",
          points: rates.map((x) => ({
            x,
            p50: (open[x] as Measured).summary.p50.median,
            p99: (open[x] as Measured).summary.p99.median,
          })),
        },
      ],
    },
    data: { watchers, closed, open, deliveries: closedDeliveries, ours: "not measured yet" },
  };
}
