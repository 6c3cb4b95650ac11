// (9) Order placement CPU: this checkout's code beside a baseline's (main by
// default, BENCH_BASELINE=<git ref> to change it), each with the Durable
// Objects' local state on disk and on tmpfs, in the same run and taking turns
// round by round, so machine noise (7 engineers share 2 cores) hits all alike.
//
// What it answers: workerd CPU per placed order (the API, the Order DO, the
// Restaurant DO, the queue and the projection's consumer all run in the one
// workerd process), and which share of it is local emulation: the per-DO
// SQLite files workerd writes (disk minus tmpfs). Miniflare's KV and queue
// simulators also run inside that workerd and cannot be told apart from
// /proc; they are named, not subtracted.
//
// Peer in the same run: bare node:http answering the same request (the HTTP floor).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { cpuMeter } from "./lib/cpu.ts";
import { HttpClient } from "./lib/http.ts";
import { closedLoop, type LoadResult, sleep } from "./lib/load.ts";
import { type BenchResult, fmt, machineInfo, RUNS_COLUMNS, runsRow, type Table } from "./lib/results.ts";
import { summarizeRuns } from "./lib/stats.ts";
import { describePinning } from "./lib/taskset.ts";
import { type MicroResult, microPlacement } from "./placement-micro.ts";
import {
  buildBundle,
  customerToken,
  database,
  type Harness,
  ROOT,
  startWorker,
  tsxChild,
  type Worker,
  waitHealthy,
} from "./platform.ts";
import { loadWorld, type OrderTemplate, orderTemplates } from "./world.ts";

const CONCURRENCY = 16;
const TEMPLATES = 500;
/** After a run, the queue consumer is still projecting that run's orders: its CPU is counted too. */
const SETTLE_MS = 2500;
/** Goal from the issue: at most half of the baseline's CPU per order on tmpfs (aim: a third). */
const GOAL_RATIO = 0.5;
const WARMUP_MS = 6000;
const IDLE_MS = 5000;
/** More rounds than the other benchmarks: the machine is shared, and only the ratio per round is robust. */
const ROUNDS = 5;

interface System {
  id: string;
  label: string;
  code: "baseline" | "branch";
  storage: "disk" | "tmpfs";
  pid: number;
  op: (i: number) => Promise<unknown>;
  runs: LoadResult[];
  cpuMs: number[];
  /** CPU ms per second the process spends with no load at all (timers, idle objects, the host). */
  idleMsPerS: number;
}

/** The baseline's source tree in a temp directory, sharing this checkout's node_modules. */
function exportBaseline(h: Harness, ref: string): { dir: string; commit: string } {
  const commit = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", ref], { encoding: "utf8" }).trim();
  const dir = join(h.tmpDir, `baseline-${commit}`);
  mkdirSync(dir, { recursive: true });
  execFileSync("sh", ["-c", `git -C "${ROOT}" archive "${commit}" | tar -x -C "${dir}"`]);
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return { dir, commit };
}

function tmpfsRoot(): string | null {
  return existsSync("/dev/shm") ? mkdtempSync("/dev/shm/edge-delivery-bench-") : null;
}

export async function runPlacement(h: Harness): Promise<BenchResult> {
  const ref = process.env.BENCH_BASELINE ?? "main";
  const baseline = exportBaseline(h, ref);
  const head = execFileSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"], {
    encoding: "utf8",
  }).trim();
  const db = await database(h);
  const world = await loadWorld(db);
  const templates = orderTemplates(world, h.seed, TEMPLATES);
  const [branchBundle, baselineBundle] = await Promise.all([
    buildBundle(h),
    buildBundle(h, join(baseline.dir, "wrangler.toml")),
  ]);
  const shm = tmpfsRoot();
  if (shm) h.defer("tmpfs state", () => rmSync(shm, { recursive: true, force: true }));
  const peerHttp = await tsxChild<{ url: string }>(h, "peer-http-placement", "bench/server/peer-http.ts");
  h.defer("peer-http-placement", () => peerHttp.stop());

  const variants: { code: System["code"]; storage: System["storage"] }[] = [
    { code: "baseline", storage: "disk" },
    { code: "branch", storage: "disk" },
    ...(shm
      ? ([
          { code: "baseline", storage: "tmpfs" },
          { code: "branch", storage: "tmpfs" },
        ] as const)
      : []),
  ];
  const systems: System[] = [];
  const clients: HttpClient[] = [];
  let firstWorker: Worker | undefined;
  for (const v of variants) {
    // The worker's DO state lives under the harness's tmpDir: on tmpfs, hand it one there.
    const host: Harness = v.storage === "tmpfs" && shm ? { ...h, tmpDir: shm } : h;
    const worker: Worker = await startWorker(host, {
      name: `placement-${v.code}-${v.storage}`,
      bundle: v.code === "branch" ? branchBundle : baselineBundle,
    });
    await waitHealthy(worker.url);
    firstWorker ??= worker;
    const tokens = await Promise.all(db.customers.map((id) => customerToken(worker, id)));
    const api = new HttpClient(worker.url, 512, 15_000);
    clients.push(api);
    const id = `${v.code}-${v.storage}`;
    systems.push({
      id,
      label: `${v.code === "branch" ? `this branch (${head}${dirty ? "+changes" : ""})` : `baseline ${ref} (${baseline.commit})`}, DO state on ${v.storage}`,
      ...v,
      pid: worker.pid,
      runs: [],
      cpuMs: [],
      idleMsPerS: 0,
      op: async (i: number) => {
        const customer = i % db.customers.length;
        const template = templates[i % templates.length] as OrderTemplate;
        const res = await api.send(
          "POST",
          "/v1/orders",
          {
            authorization: `Bearer ${tokens[customer]}`,
            "idempotency-key": `place-${id}-${h.seed}-${i}`,
            "content-type": "application/json",
          },
          JSON.stringify(template.body),
        );
        if (res.status !== 201) throw new Error(`HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      },
    });
  }
  const bare = new HttpClient(peerHttp.ready.url, 512, 15_000);
  clients.push(bare);
  // The peer verifies nothing; it gets a real token so the request is the same size.
  const peerToken = firstWorker ? await customerToken(firstWorker, db.customers[0] as string) : "peer";
  systems.push({
    id: "node-http",
    label: "peer: bare node:http (parses the same request, answers 201, no storage)",
    code: "branch",
    storage: "disk",
    pid: peerHttp.pid,
    runs: [],
    cpuMs: [],
    idleMsPerS: 0,
    op: async (i: number) => {
      const template = templates[i % templates.length] as OrderTemplate;
      const res = await bare.send(
        "POST",
        "/v1/orders",
        { authorization: `Bearer ${peerToken}`, "idempotency-key": `bare-${i}`, "content-type": "application/json" },
        JSON.stringify(template.body),
      );
      if (res.status !== 201) throw new Error(`HTTP ${res.status}`);
    },
  });

  // Warm-up each (JIT, isolate caches, the first DOs), then rounds: every system once per round.
  let next = 0;
  for (const s of systems) {
    const warm = await closedLoop({
      concurrency: CONCURRENCY,
      // New restaurants' and customers' objects, and the JIT, warm up over the first seconds.
      durationMs: h.quick ? h.plan.warmupMs : Math.max(h.plan.warmupMs, WARMUP_MS),
      maxRequests: 1_000_000,
      op: s.op,
      startIndex: next,
    });
    next += 1_000_000;
    h.log(
      `  ${s.label}: warm-up ${warm.ok} ok, ${warm.errors} errors${warm.firstError ? ` (${warm.firstError})` : ""}`,
    );
  }
  await sleep(SETTLE_MS);
  // What each process burns with no load, measured all at once over the same window: subtracted
  // below, so a run's figure is the work its orders caused (on a shared machine it is not nothing).
  const idleStops = systems.map((s) => cpuMeter([{ name: "server", rootPids: [s.pid] }]));
  const idleStarted = performance.now();
  await sleep(h.quick ? 300 : IDLE_MS);
  const idleSeconds = (performance.now() - idleStarted) / 1000;
  systems.forEach((s, k) => {
    s.idleMsPerS = ((idleStops[k] as () => { ms: Record<string, number> })().ms.server ?? 0) / idleSeconds;
    h.log(`  ${s.label}: ${s.idleMsPerS.toFixed(1)} CPU ms per second idle`);
  });
  const rounds = h.quick ? 1 : ROUNDS;
  for (let round = 0; round < rounds; round++) {
    for (const s of systems) {
      const stop = cpuMeter([{ name: "server", rootPids: [s.pid] }]);
      const runStarted = performance.now();
      const run = await closedLoop({
        concurrency: CONCURRENCY,
        durationMs: h.plan.runMs,
        maxRequests: 1_000_000,
        op: s.op,
        startIndex: next,
      });
      next += 1_000_000;
      await sleep(h.quick ? 200 : SETTLE_MS);
      s.runs.push(run);
      const idleShare = (s.idleMsPerS * (performance.now() - runStarted)) / 1000;
      s.cpuMs.push(Math.max(0, (stop().ms.server ?? 0) - idleShare));
      h.log(
        `  ${s.label}: round ${round + 1}/${rounds} ${run.throughput.toFixed(1)}/s p99 ${run.latencyMs.p99.toFixed(1)} ms, ` +
          `${run.ok ? ((s.cpuMs.at(-1) ?? 0) / run.ok).toFixed(2) : "–"} CPU ms/order, ${run.errors} errors${run.firstError ? ` (${run.firstError})` : ""}`,
      );
    }
  }
  for (const c of clients) c.close();

  // The pieces the memos change, in this process for both codes (see placement-micro.ts). The
  // memo's window runs on Date.now: advanced here so the revalidation path is measured too.
  const realNow = Date.now;
  let offset = 0;
  Date.now = () => realNow() + offset;
  let micro: MicroResult[] = [];
  try {
    micro = await microPlacement(
      db,
      world,
      firstWorker?.jwtPrivateKeys ?? "",
      { baseline: baseline.dir, branch: ROOT },
      h.quick ? 1 : ROUNDS,
      { advance: (ms) => (offset += ms) },
    );
  } finally {
    Date.now = realNow;
  }
  const microMedian = (code: MicroResult["code"]) => {
    const values = [...(micro.find((m) => m.code === code)?.usPerPlacement ?? [])].sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)] ?? Number.NaN;
  };
  const microTable: Table = {
    title: "The pieces the memos change, in-process (Node, same V8), µs per placement",
    columns: ["code", "µs per placement median", "min–max over rounds", "ratio to baseline"],
    rows: micro.map((m) => {
      const sorted = [...m.usPerPlacement].sort((a, b) => a - b);
      return [
        m.code === "branch" ? "this branch" : `baseline ${ref}`,
        microMedian(m.code).toFixed(1),
        `${(sorted[0] ?? 0).toFixed(1)}–${(sorted.at(-1) ?? 0).toFixed(1)}`,
        `${(microMedian(m.code) / microMedian("baseline")).toFixed(2)}×`,
      ];
    }),
    notes: [
      "Per placement: the restaurant's KV entry and its menu parsed for pricing, the delivery areas, the access token's ES256 verification; KV is an in-memory stand-in that parses like the real one, so the KV read itself (a service call) is not in these figures. Every 40th placement falls past the memo's 2 s window (KV text read and compared).",
    ],
  };

  const perOrder = (s: System) => {
    const perRun = s.runs.map((r, k) => (r.ok ? (s.cpuMs[k] ?? 0) / r.ok : Number.NaN));
    const sorted = [...perRun].sort((a, b) => a - b);
    return {
      median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
      min: sorted[0] ?? 0,
      max: sorted.at(-1) ?? 0,
    };
  };
  const find = (code: System["code"], storage: System["storage"]) => systems.find((s) => s.id === `${code}-${storage}`);
  const cpu = (code: System["code"], storage: System["storage"]) => {
    const s = find(code, storage);
    return s ? perOrder(s).median : Number.NaN;
  };
  const ratio = (storage: System["storage"]) => cpu("branch", storage) / cpu("baseline", storage);
  const emulation = (code: System["code"]) => cpu(code, "disk") - cpu(code, "tmpfs");

  const headline: Table = {
    title: `Closed loop, ${CONCURRENCY} concurrent clients, systems taking turns round by round`,
    columns: [...RUNS_COLUMNS, "server CPU ms per order median (min–max)", "idle CPU ms/s (subtracted)"],
    rows: systems.map((s) => [
      ...runsRow(s.label, `closed, c=${CONCURRENCY}`, summarizeRuns(s.runs)),
      fmt.spread(perOrder(s), (v) => v.toFixed(2)),
      s.idleMsPerS.toFixed(1),
    ]),
    notes: [
      "CPU: user+system time of the server process and its children from /proc over each run plus the 2.5 s after it (the queue consumer projecting that run's orders), less what the same process burned per second with no load (measured once, all systems idle together), divided by the orders placed in the run.",
    ],
  };
  const shares: Table = {
    title: "Which share is local emulation (per-DO SQLite files on disk)",
    columns: ["code", "CPU ms/order on disk", "on tmpfs", "disk − tmpfs (file work)", "orders/s disk → tmpfs"],
    rows: (["baseline", "branch"] as const).map((code) => [
      code === "branch" ? "this branch" : `baseline ${ref}`,
      cpu(code, "disk").toFixed(2),
      cpu(code, "tmpfs").toFixed(2),
      emulation(code).toFixed(2),
      `${fmt.rate(summarizeRuns(find(code, "disk")?.runs ?? []).throughput.median)} → ${fmt.rate(summarizeRuns(find(code, "tmpfs")?.runs ?? []).throughput.median)}`,
    ]),
    notes: [
      "Each new Order DO is a new SQLite file (database, journal/WAL, directory syncs) that workerd writes locally; on Cloudflare the storage is a replicated service, not a local file. fsync time is not CPU: on disk it shows as lower throughput more than as CPU.",
      "Miniflare's KV and queue simulators run inside the same workerd process: their CPU is part of every figure here, and is local emulation too (on Cloudflare, KV reads are served by the KV service and queue sends by the Queues service).",
    ],
  };
  const tmpfsRatio = ratio("tmpfs");
  return {
    name: "placement",
    title: "(9) Order placement CPU: this branch vs baseline, DO state on disk and on tmpfs",
    date: new Date().toISOString(),
    quick: h.quick,
    seed: h.seed,
    machine: machineInfo(describePinning(h.pinning), { postgres: db.serverVersion }),
    goals: [
      {
        text: `CPU per order on tmpfs at most ${GOAL_RATIO}× the baseline's (same run)`,
        met: h.quick || !Number.isFinite(tmpfsRatio) ? null : tmpfsRatio <= GOAL_RATIO,
        detail: `${cpu("branch", "tmpfs").toFixed(2)} vs ${cpu("baseline", "tmpfs").toFixed(2)} CPU ms per order = ${tmpfsRatio.toFixed(2)}×; on disk ${cpu("branch", "disk").toFixed(2)} vs ${cpu("baseline", "disk").toFixed(2)} = ${ratio("disk").toFixed(2)}×`,
      },
    ],
    durability: [
      "Both codes: 201 after the Order DO's SQLite transaction and the queue send; tmpfs state is lost with the machine (a measurement device, never a deployment).",
    ],
    notes: [
      `Baseline: \`git archive ${ref}\` (${baseline.commit}) bundled by the same wrangler; this branch: the working tree at ${head}${dirty ? " with uncommitted changes" : ""}.`,
      `Every request a fresh Idempotency-Key; ${templates.length} carts from seed ${h.seed} over the demo city (all restaurants always open), ${db.customers.length} customers.`,
    ],
    headline,
    tables: [shares, microTable],
    data: {
      concurrency: CONCURRENCY,
      baseline: { ref, commit: baseline.commit },
      head,
      micro,
      systems: systems.map((s) => ({
        id: s.id,
        label: s.label,
        runs: s.runs,
        cpuMs: s.cpuMs,
        idleMsPerS: s.idleMsPerS,
        perOrder: perOrder(s),
      })),
    },
  };
}
