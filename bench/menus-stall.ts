// Where the cached menu read's p99 goes: the 304 path and the bare node:http peer, taking turns
// at the same open-loop rate, each run recorded by `perf sched record` (every context switch on
// every CPU, CLOCK_MONOTONIC). Each request's scheduled instant and latency are kept on the same
// clock, so for every slow request the script says what the server CPU ran meanwhile: workerd's
// threads, its Miniflare host (the Node process reading workerd's stdout), the peer, or other
// tenants of the machine; and how long each woken workerd thread waited for the CPU (sch delay).
//
//   flock /tmp/bench.lock npx tsx bench/menus-stall.ts [--rate=1240] [--runs=3] [--seconds=2.5]
//
// Needs root (or perf_event_paranoid ≤ -1) for the scheduler tracepoints. A diagnostic, not a
// benchmark: it writes nothing under bench/results.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendantsNamed } from "./lib/cpu.ts";
import { HttpClient } from "./lib/http.ts";
import { FULL_PLAN } from "./lib/measure.ts";
import { pinProcess, planPinning } from "./lib/taskset.ts";
import { buildBundle, database, type Harness, startWorker, tsxChild } from "./platform.ts";
import { loadWorld } from "./world.ts";

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.slice(name.length + 3)) : fallback;
};
const RATE = arg("rate", 1240);
const RUNS = arg("runs", 3);
const SECONDS = arg("seconds", 2.5);
const SLOW_MS = arg("slow", 10);

const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

interface Req {
  at: number;
  ms: number;
}

/** Open loop like bench/lib/load.ts, timed on CLOCK_MONOTONIC so it lines up with perf's clock. */
async function openLoopMono(rate: number, seconds: number, op: (i: number) => Promise<void>): Promise<Req[]> {
  const total = Math.floor(rate * seconds);
  const interval = 1000 / rate;
  const out: Req[] = [];
  const start = monoMs();
  let next = 0;
  let pending = 0;
  await new Promise<void>((resolve) => {
    const done = () => {
      if (next >= total && pending === 0) resolve();
    };
    const tick = () => {
      const now = monoMs();
      while (next < total && start + next * interval <= now) {
        const at = start + next * interval;
        pending++;
        op(next)
          .then(() => out.push({ at, ms: monoMs() - at }))
          .catch(() => out.push({ at, ms: Number.POSITIVE_INFINITY }))
          .finally(() => {
            pending--;
            done();
          });
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - monoMs()));
      else done();
    };
    tick();
  });
  return out;
}

interface Slice {
  end: number;
  cpu: number;
  comm: string;
  tid: number;
  pid: number;
  delay: number;
  run: number;
}

function timehist(file: string): Slice[] {
  const res = spawnSync("perf", ["sched", "timehist", "-i", file], { encoding: "utf8", maxBuffer: 1 << 30 });
  const out: Slice[] = [];
  for (const line of res.stdout.split("\n")) {
    const m = /^\s*([\d.]+)\s+\[(\d+)\]\s+(.+?)\[(\d+)(?:\/(\d+))?\]\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(line);
    if (!m) continue;
    out.push({
      end: Number(m[1]) * 1000,
      cpu: Number(m[2]),
      comm: (m[3] as string).trim(),
      tid: Number(m[4]),
      pid: Number(m[5] ?? m[4]),
      delay: Number(m[7]),
      run: Number(m[8]),
    });
  }
  return out;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

function classify(s: Slice, roles: Map<number, string>): string {
  return roles.get(s.pid) ?? (s.comm.startsWith("swapper") ? "idle" : `other:${s.comm.replace(/[:/].*$/, "")}`);
}

/** Milliseconds each role ran on `cpu` within [from, to] (slices clipped to the window). */
function ranWithin(slices: Slice[], roles: Map<number, string>, cpu: number, from: number, to: number) {
  const by = new Map<string, number>();
  for (const s of slices) {
    if (s.cpu !== cpu) continue;
    const start = s.end - s.run;
    const overlap = Math.min(to, s.end) - Math.max(from, start);
    if (overlap <= 0) continue;
    const role = classify(s, roles);
    by.set(role, (by.get(role) ?? 0) + overlap);
  }
  return by;
}

function analyse(name: string, reqs: Req[], slices: Slice[], roles: Map<number, string>, serverCpu: number) {
  const lat = reqs.map((r) => r.ms);
  const slow = reqs.filter((r) => r.ms >= SLOW_MS);
  console.log(
    `\n${name}: ${reqs.length} requests, p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms, max ${Math.max(...lat).toFixed(1)} ms; ${slow.length} ≥ ${SLOW_MS} ms`,
  );
  // Stalls: maximal intervals covered by slow requests' lifetimes.
  const spans: { from: number; to: number; n: number }[] = [];
  for (const r of [...slow].sort((a, b) => a.at - b.at)) {
    const last = spans.at(-1);
    if (last && r.at <= last.to) {
      last.to = Math.max(last.to, r.at + r.ms);
      last.n++;
    } else spans.push({ from: r.at, to: r.at + r.ms, n: 1 });
  }
  const window = { from: Math.min(...reqs.map((r) => r.at)), to: Math.max(...reqs.map((r) => r.at + r.ms)) };
  const total = ranWithin(slices, roles, serverCpu, window.from, window.to);
  const fmt = (m: Map<string, number>, span: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 7)
      .map(([k, v]) => `${k} ${((100 * v) / span).toFixed(0)}%`)
      .join(", ");
  console.log(`  CPU ${serverCpu} over the run: ${fmt(total, window.to - window.from)}`);
  const stallTotals = new Map<string, number>();
  let stallMs = 0;
  for (const s of spans) {
    const by = ranWithin(slices, roles, serverCpu, s.from, s.to);
    for (const [k, v] of by) stallTotals.set(k, (stallTotals.get(k) ?? 0) + v);
    stallMs += s.to - s.from;
    // The longest single wait for the CPU of a workerd thread woken within the stall.
    const waits = slices.filter(
      (x) => roles.get(x.pid) === "workerd" && x.end - x.run >= s.from && x.end - x.run <= s.to && x.delay > 0,
    );
    const maxWait = Math.max(0, ...waits.map((x) => x.delay));
    if (s.to - s.from >= 20) {
      console.log(
        `  stall ${(s.from - window.from).toFixed(0)} ms into the run, ${(s.to - s.from).toFixed(1)} ms, ${s.n} slow requests; longest workerd sch delay ${maxWait.toFixed(1)} ms; CPU ${serverCpu}: ${fmt(by, s.to - s.from)}`,
      );
    }
  }
  if (stallMs > 0)
    console.log(`  all stalls (${stallMs.toFixed(0)} ms): CPU ${serverCpu}: ${fmt(stallTotals, stallMs)}`);
  const wk = slices.filter((x) => roles.get(x.pid) === "workerd" && x.end >= window.from && x.end <= window.to);
  const delays = wk.map((x) => x.delay);
  console.log(
    `  workerd sch delay per wake-up: p50 ${pct(delays, 50).toFixed(3)} ms, p99 ${pct(delays, 99).toFixed(2)} ms, max ${Math.max(0, ...delays).toFixed(1)} ms over ${delays.length} wake-ups`,
  );
  const pd = slices.filter((x) => roles.get(x.pid) === name && x.end >= window.from && x.end <= window.to);
  if (pd.length) {
    const d = pd.map((x) => x.delay);
    console.log(
      `  ${name} sch delay per wake-up: p50 ${pct(d, 50).toFixed(3)} ms, p99 ${pct(d, 99).toFixed(2)} ms, max ${Math.max(0, ...d).toFixed(1)} ms`,
    );
  }
}

async function main() {
  const pinning = planPinning(false);
  const tmpDir = mkdtempSync(join(tmpdir(), "menus-stall-"));
  const releases: (() => unknown)[] = [];
  const h: Harness = {
    quick: false,
    seed: 20261122,
    pinning,
    plan: FULL_PLAN,
    tmpDir,
    log: (m) => console.log(`[stall] ${m}`),
    defer: (_n, release) => releases.push(release),
  };
  pinProcess(pinning, "loadgen", process.pid);
  const stop = async () => {
    for (const release of releases.splice(0).reverse()) await release();
    rmSync(tmpDir, { recursive: true, force: true });
  };
  process.once("SIGTERM", () => void stop().finally(() => process.exit(143)));
  try {
    const db = await database(h);
    // Two Workers of the same bundle: request lines summarised (the default) and one line per request.
    const bundle = await buildBundle(h);
    const worker = await startWorker(h, { bundle, state: "tmpfs" });
    const every = await startWorker(h, {
      name: "worker-every",
      bundle,
      state: "tmpfs",
      extraBindings: { REQUEST_LOG: "every" },
    });
    const world = await loadWorld(db);
    const ids = world.restaurants.map((r) => r.id);
    const api = new HttpClient(worker.url, 256, 10_000);
    const apiEvery = new HttpClient(every.url, 256, 10_000);
    const bodies: Record<string, { etag: string; body: string }> = {};
    for (const id of ids) {
      const res = await api.send("GET", `/v1/restaurants/${id}/menu`);
      bodies[id] = { etag: String(res.headers.etag), body: res.body };
      await apiEvery.send("GET", `/v1/restaurants/${id}/menu`);
    }
    const peerServer = await tsxChild<{ url: string }>(h, "peer-menu", "bench/server/peer-menu.ts");
    h.defer("peer", () => peerServer.stop());
    const peer = new HttpClient(peerServer.ready.url, 256, 10_000);
    await peer.send("PUT", "/menus", { "content-type": "application/json" }, JSON.stringify(bodies));
    const idAt = (i: number) => ids[i % ids.length] as string;
    const get = (client: HttpClient) => async (i: number) => {
      const id = idAt(i);
      const res = await client.send("GET", `/v1/restaurants/${id}/menu`, {
        "if-none-match": (bodies[id] as { etag: string }).etag,
      });
      if (res.status !== 304) throw new Error(`HTTP ${res.status}`);
    };
    const roles = new Map<number, string>();
    for (const w of [worker, every]) {
      for (const pid of descendantsNamed(w.pid, "workerd")) roles.set(pid, "workerd");
      for (const pid of descendantsNamed(w.pid, "node")) roles.set(pid, "miniflare-host");
      roles.set(w.pid, "miniflare-host");
    }
    for (const pid of descendantsNamed(peerServer.pid, "node")) roles.set(pid, "peer");
    roles.set(peerServer.pid, "peer");
    roles.set(process.pid, "loadgen");
    console.log(`[stall] roles: ${JSON.stringify([...roles])}; server CPU ${pinning.server}`);
    const serverCpu = Number(pinning.server.split("-")[0] ?? 0);
    // Warm both paths up.
    await openLoopMono(RATE, 1, get(api));
    await openLoopMono(RATE, 1, get(apiEvery));
    await openLoopMono(RATE, 1, get(peer));
    for (let r = 0; r < RUNS; r++) {
      for (const [name, client] of [
        ["workerd (requests summarised)", api],
        ["workerd (REQUEST_LOG=every)", apiEvery],
        ["peer", peer],
      ] as const) {
        const file = join(tmpDir, `run-${r}.data`);
        const perf = spawn("perf", ["sched", "record", "-k", "mono", "-o", file, "--", "sleep", String(SECONDS + 1)], {
          stdio: "ignore",
        });
        const recorded = new Promise((resolve) => perf.once("exit", resolve));
        await new Promise((resolve) => setTimeout(resolve, 300));
        const reqs = await openLoopMono(RATE, SECONDS, get(client));
        await recorded;
        analyse(name, reqs, timehist(file), roles, serverCpu);
        rmSync(file, { force: true });
      }
    }
    api.close();
    apiEvery.close();
    peer.close();
    const load = readFileSync("/proc/loadavg", "utf8").trim();
    console.log(`\n[stall] load average at the end: ${load}`);
  } finally {
    await stop();
  }
  process.exit(0);
}

await main();
