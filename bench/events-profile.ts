// A development aid for (8): where the events consumer's own CPU goes. Runs the batch projection
// on a persistent pool (`warm`) and the queue consumer (`ours`, a new pool per batch, notifications
// included) against the real PostgreSQL, closed loop at c=1 with the events bench's batches, under
// an in-process V8 CPU profile; prints this process's CPU ms per event (process.cpuUsage) and the
// self / inclusive time by function. Not a benchmark (no peer, one run); for finding the CPU.
//
//   npx tsx bench/events-profile.ts [SECONDS=10] [warm,ours,peer=warm,ours,peer]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { openDb } from "../db/node.ts";
import { consumeBatch } from "../workers/events/consumer.ts";
import { projectOrderEvents } from "../workers/events/projection.ts";
import { type ConsumerCounters, consumerHost, messageBatch, rawBatch } from "./events-consumer.ts";
import type { Pipeline } from "./events-stream.ts";
import { type CpuGroup, cpuMeter } from "./lib/cpu.ts";
import { selfTimes, totalTimes } from "./lib/cpu-profile.ts";
import { closedLoop } from "./lib/load.ts";
import { FULL_PLAN } from "./lib/measure.ts";
import { planPinning } from "./lib/taskset.ts";
import type { Harness } from "./platform.ts";

// Its own database: the benchmarks' `delivery_bench` may be in use by a run of `npm run bench`. Set
// before anything imports platform.ts (events-stream.ts and world.ts do), so imported afterwards.
process.env.BENCH_DATABASE_NAME ??= "delivery_bench_events_profile";
const { database } = await import("./platform.ts");
const { BatchStream, eventSequence, readLifecycle } = await import("./events-stream.ts");
const { loadWorld, orderTemplates } = await import("./world.ts");
const BATCH = 50;
const seconds = Number(process.argv[2] ?? 10);
const systems = (process.argv[3] ?? "warm,ours,peer").split(",");
const releases: (() => unknown)[] = [];
const tmpDir = mkdtempSync(join(tmpdir(), "events-profile-"));
const h: Harness = {
  quick: false,
  seed: 20261122,
  pinning: planPinning(true),
  plan: FULL_PLAN,
  tmpDir,
  log: (m) => console.log(m),
  defer: (_name, release) => releases.push(release),
};
try {
  const db = await database(h);
  const world = await loadWorld(db);
  const { db: q, close } = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 1);
  const courier = await q.execute<{ id: string }>(sql`select user_id as id from couriers limit 1`);
  await close();
  const pipeline: Pipeline = {
    sequence: eventSequence(readLifecycle()),
    customers: db.customers,
    courierId: courier.rows[0]?.id ?? null,
    templates: orderTemplates(world, h.seed, 200),
    seed: h.seed,
  };
  const warm = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 1);
  releases.push(() => warm.close());
  const pool = new Pool({ connectionString: db.url, max: 1 });
  pool.on("error", () => {});
  releases.push(() => pool.end());
  const groups: CpuGroup[] = [
    { name: "this process", rootPids: [process.pid], descendants: false },
    { name: "WebSocket proxy", rootPids: [db.proxyPid] },
    { name: "PostgreSQL (all backends on the machine)", comm: "postgres" },
  ];
  const counters: ConsumerCounters = { batches: 0, messages: 0, acked: 0, retried: 0, doRequests: 0, deadLettered: 0 };
  const host = consumerHost(db.url, db.wsProxy, counters);
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  for (const system of systems) {
    const stream = new BatchStream(pipeline, `profile-${system}-${Date.now()}`);
    const op =
      system === "warm"
        ? () => projectOrderEvents(warm.db, stream.take(BATCH))
        : system === "peer"
          ? () => rawBatch(pool, stream.take(BATCH))
          : () => consumeBatch(messageBatch(stream.take(BATCH), counters), host);
    // Warm-up: the first batches meet cold catalog caches and unoptimised code.
    await closedLoop({ concurrency: 1, durationMs: 3000, maxRequests: 1_000_000, op, startIndex: 0 });
    await session.post("Profiler.start");
    const meter = cpuMeter(groups);
    const cpu = process.cpuUsage();
    const run = await closedLoop({
      concurrency: 1,
      durationMs: seconds * 1000,
      maxRequests: 1_000_000,
      op,
      startIndex: 1_000_000,
    });
    const used = process.cpuUsage(cpu);
    const byGroup = meter().ms;
    const { profile } = await session.post("Profiler.stop");
    const events = run.ok * BATCH;
    const perEvent = (ms: number) => (ms / events).toFixed(3).padStart(7);
    console.log(
      `\n== ${system}: ${run.ok} batches (${(run.throughput * BATCH).toFixed(0)} events/s, p50 ${run.latencyMs.p50.toFixed(0)} ms), ${run.errors} errors ${run.firstError ?? ""}`,
    );
    console.log(
      `this process: ${perEvent((used.user + used.system) / 1000)} CPU ms/event (user ${perEvent(used.user / 1000)}, system ${perEvent(used.system / 1000)}); ${((used.user + used.system) / 1000 / run.ok).toFixed(1)} ms per batch`,
    );
    console.log(
      `CPU ms/event by process (/proc): ${Object.entries(byGroup)
        .map(([name, ms]) => `${name} ${perEvent(ms).trim()}`)
        .join(", ")}`,
    );
    const p = profile as unknown as Parameters<typeof selfTimes>[0];
    const self = selfTimes(p);
    console.log(`sampled (non-idle) ${perEvent(self.reduce((s, r) => s + r.ms, 0))} ms/event\n-- self`);
    for (const r of self.slice(0, 30))
      console.log(`${perEvent(r.ms)} ms ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
    console.log("-- inclusive");
    for (const r of totalTimes(p).slice(0, 60))
      console.log(`${perEvent(r.ms)} ms ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`);
    if (process.env.PROFILE_OUT)
      writeFileSync(`${process.env.PROFILE_OUT}.${system}.cpuprofile`, JSON.stringify(profile));
  }
  session.disconnect();
} finally {
  for (const release of releases.reverse()) await release();
  rmSync(tmpDir, { recursive: true, force: true });
}
process.exit(0);
