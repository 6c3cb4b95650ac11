// `npm run bench [-- NAME...] [-- --quick]`: runs the benchmark suite (or the
// named benchmarks), writes bench/results/<name>.{json,md,svg} and
// bench/results/README-section.md. See bench/README.md.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFanout, runIngest, runIngestBatch, runKnn } from "./couriers.ts";
import { runEvents } from "./events.ts";
import { FULL_PLAN, QUICK_PLAN } from "./lib/measure.ts";
import { type BenchResult, renderMarkdown, writeReadmeSection, writeResult } from "./lib/results.ts";
import { describePinning, pinProcess, planPinning, unpinProcess } from "./lib/taskset.ts";
import { runMenus } from "./menus.ts";
import { runOrders } from "./orders.ts";
import { runPlacement } from "./placement.ts";
import type { Harness } from "./platform.ts";
import { runSessions } from "./sessions.ts";
import { runSize } from "./size.ts";

interface Benchmark {
  name: string;
  title: string;
  run(h: Harness): Promise<BenchResult>;
}

const BENCHMARKS: Benchmark[] = [
  { name: "ingest", title: "(1) courier location ingest over WebSockets", run: runIngest },
  {
    name: "ingest-batch",
    title: "(1b) courier ingest, batched frames, per core vs pipelined Redis",
    run: runIngestBatch,
  },
  { name: "knn", title: "(2) k-nearest couriers", run: runKnn },
  { name: "orders", title: "(3) order placement end to end", run: runOrders },
  { name: "fanout", title: "(4) live tracking fan-out", run: runFanout },
  { name: "menus", title: "(5) menu reads, cached vs uncached", run: runMenus },
  { name: "size", title: "(6) bundle size and start-up", run: runSize },
  { name: "sessions", title: "(7) session revocation check per request", run: runSessions },
  { name: "events", title: "(8) events pipeline: queue consumer into PostgreSQL", run: runEvents },
  { name: "placement", title: "(9) order placement CPU: this branch vs baseline, disk vs tmpfs", run: runPlacement },
];

const USAGE = `Usage: npm run bench -- [NAME...] [--quick] [--seed=N] [--no-pin] [--pin-services]
  NAME            one or more of: ${BENCHMARKS.map((b) => b.name).join(", ")} (default: all)
  --quick         a second or two per benchmark: proves the harness works, does not judge the numbers
  --seed=N        seed for the generated data (default 20261122)
  --no-pin        do not pin the server side and the load generator to different CPUs
  --pin-services  also pin the machine's PostgreSQL and Redis to the server CPUs for the run
                  (restored afterwards; off by default because they are shared machine services)`;

/** No run may exceed this, whatever happens; quick mode is far below it. */
// BENCH_HARD_LIMIT_MINUTES: the fan-out at 10,000 watchers spends most of 20 minutes setting up on a busy machine.
const HARD_LIMIT_MS = Number(process.env.BENCH_HARD_LIMIT_MINUTES ?? 20) * 60_000;

function parseArgs(argv: string[]) {
  const names: string[] = [];
  let quick = false;
  let seed = 20261122;
  let pin = true;
  let pinServices = false;
  for (const arg of argv) {
    if (arg === "--quick") quick = true;
    else if (arg === "--no-pin") pin = false;
    else if (arg === "--pin-services") pinServices = true;
    else if (arg.startsWith("--seed=")) seed = Number(arg.slice(7));
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith("-")) {
      console.error(`Unknown option ${arg}\n${USAGE}`);
      process.exit(2);
    } else if (BENCHMARKS.some((b) => b.name === arg)) names.push(arg);
    else {
      console.error(`Unknown benchmark ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(seed)) {
    console.error("--seed takes an integer");
    process.exit(2);
  }
  return { names, quick, seed, pin, pinServices };
}

function servicePids(comm: string): number[] {
  const pids: number[] = [];
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === comm) pids.push(Number(entry));
      } catch {
        // gone
      }
    }
  } catch {
    // not Linux
  }
  return pids;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const selected = args.names.length ? BENCHMARKS.filter((b) => args.names.includes(b.name)) : BENCHMARKS;
  const pinning = planPinning(!args.pin);
  const tmpDir = mkdtempSync(join(tmpdir(), "edge-delivery-bench-"));
  const releases: { name: string; release: () => Promise<unknown> | unknown }[] = [];
  const started = performance.now();
  const log = (message: string) =>
    console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${message}`);
  const h: Harness = {
    quick: args.quick,
    seed: args.seed,
    pinning,
    plan: args.quick ? QUICK_PLAN : FULL_PLAN,
    tmpDir,
    log,
    defer: (name, release) => releases.push({ name, release }),
  };

  let cleaning: Promise<void> | undefined;
  const cleanup = () => {
    cleaning ??= (async () => {
      for (const { name, release } of releases.reverse()) {
        try {
          await release();
        } catch (error) {
          console.error(`[bench] stopping ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      rmSync(tmpDir, { recursive: true, force: true });
    })();
    return cleaning;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`[bench] ${signal}: stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  // A stray rejection (a load generator's socket reset, say) must not kill the run and leave its
  // servers (workerd, proxy, peers: detached process groups) running: stop them, then fail.
  process.on("unhandledRejection", (reason) => {
    console.error(
      `[bench] unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}; stopping`,
    );
    void cleanup().finally(() => process.exit(1));
  });
  const hardStop = setTimeout(() => {
    console.error(`[bench] exceeded ${HARD_LIMIT_MS / 60_000} minutes: stopping`);
    void cleanup().finally(() => process.exit(1));
  }, HARD_LIMIT_MS);
  hardStop.unref();

  // The load generator is this process: pin all its threads to its own cores.
  pinProcess(pinning, "loadgen", process.pid);
  log(`${describePinning(pinning)}${args.quick ? "; QUICK mode: proves the harness, does not judge the numbers" : ""}`);
  log(
    "Worker host: Miniflare's API (workerd) serving the `wrangler deploy --dry-run` bundle; not `wrangler dev`, whose proxy Worker and file watcher would sit in the request path and on the server core",
  );
  if (args.pinServices && pinning.enabled) {
    for (const comm of ["postgres", "redis-server"]) {
      for (const pid of servicePids(comm)) {
        try {
          const old = pinProcess(pinning, "server", pid);
          releases.unshift({ name: `unpin ${comm} ${pid}`, release: () => unpinProcess(pid, old) });
        } catch (error) {
          log(`could not pin ${comm} ${pid}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    log(`pinned the machine's PostgreSQL and Redis to CPU ${pinning.server} for this run`);
  } else {
    log(
      "PostgreSQL and Redis are machine services: left unpinned (pass --pin-services to pin them to the server CPUs)",
    );
  }

  let failed = 0;
  try {
    for (const bench of selected) {
      log(`── ${bench.title} ──`);
      try {
        const result = await bench.run(h);
        const files = await writeResult(result);
        console.log(`\n${renderMarkdown(result)}`);
        log(`wrote ${files.map((f) => f.replace(`${process.cwd()}/`, "")).join(", ")}`);
      } catch (error) {
        failed++;
        console.error(
          `[bench] ${bench.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
        );
      }
    }
    const section = await writeReadmeSection(args.quick);
    log(`wrote ${section.replace(`${process.cwd()}/`, "")}`);
  } finally {
    await cleanup();
    clearTimeout(hardStop);
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s${failed ? `, ${failed} failed` : ""}`);
  process.exit(failed ? 1 : 0);
}

await main();
