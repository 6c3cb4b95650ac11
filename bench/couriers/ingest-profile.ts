// (1b)'s profile pass: where the serving process's CPU goes per frame and per
// fix, run after the measured runs when BENCH_INSPECTOR_PORT is set (the
// inspector then is open on the shared Worker's workerd, so take the figures of
// such a run from its profile, not from its measured runs). Three sources over
// the same closed-loop window: the V8 CPU profile of the Worker's isolate (the
// zone, the API Worker and the city map run in it), /proc CPU of workerd and of
// its Node host (Miniflare), and the fixes acknowledged. What /proc charges
// workerd beyond the isolate's sampled JS is the runtime outside JS: sockets,
// WebSocket framing, the hand-off through the API Worker's response, the
// dispatch of each hibernatable message, Miniflare's entry worker.
import { performance } from "node:perf_hooks";
import { cpuMeter, descendantsNamed } from "../lib/cpu.ts";
import { profileWorker, selfTimes, totalTimes } from "../lib/cpu-profile.ts";
import { sleep } from "../lib/load.ts";
import type { Harness, Worker } from "../platform.ts";
import { ackedFixes } from "./shared.ts";

export interface IngestProfile {
  label: string;
  seconds: number;
  frames: number;
  fixes: number;
  fixesPerFrame: number;
  /** /proc CPU over the window, ms. */
  workerdMs: number;
  hostMs: number;
  /** The same tree with no load, ms per second (measured just before). */
  idleMsPerS: { workerd: number; host: number };
  /** Sampled time of the Worker's isolate thread (idle excluded; "(program)" and GC included), ms. */
  jsMs: number;
  /** Left out of jsMs: samples after a gap over MAX_GAP_US. */
  gapMs: number;
  entries: { name: string; ms: number; usPerFrame: number }[];
  top: { name: string; ms: number; share: number; usPerFrame: number; usPerFix: number }[];
}

const PROFILE_S = 8;
/** Samples further apart than this are left out (the sampler starved; the interval is 200 µs). */
const MAX_GAP_US = 2_000;
/** Inclusive time of these entry points, by the name the profile gives them. */
const ENTRIES: [string, RegExp][] = [
  ["zone: webSocketMessage (every courier frame)", /^webSocketMessage .*:/],
  ["zone: map report (MapFeed.report)", /^report .*:/],
  ["city map: cellSummary (the report received)", /^cellSummary .*:/],
  ["zone: courier rows written (flushMoves)", /^flushMoves .*:/],
  ["zone: cumulative acks sent by the timer (flushAll)", /^flushAll .*:/],
];
const IDLE_S = 3;

/** Runs `op` closed loop at `concurrency` for PROFILE_S seconds under the profiler. */
export async function profileIngest(
  h: Harness,
  worker: Worker,
  port: number,
  label: string,
  fixesPerFrame: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<IngestProfile> {
  const workerd = descendantsNamed(worker.pid, "workerd");
  const groups = [
    { name: "workerd", rootPids: workerd },
    { name: "host", rootPids: [worker.pid], descendants: false },
  ];
  const idle = cpuMeter(groups);
  await sleep(IDLE_S * 1000);
  const idleMs = idle().ms;

  let stop = false;
  let next = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stop) {
      try {
        await op(next++);
      } catch {
        // counted by what was acknowledged, below
      }
    }
  });
  await sleep(1000); // reach steady state before the window
  const fixes0 = ackedFixes();
  const meter = cpuMeter(groups);
  const started = performance.now();
  const profile = await profileWorker(port, PROFILE_S);
  const cpu = meter().ms;
  const seconds = (performance.now() - started) / 1000;
  const fixes = ackedFixes() - fixes0;
  stop = true;
  await Promise.all(loops);

  const frames = fixes / fixesPerFrame;
  const self = selfTimes(profile, MAX_GAP_US);
  const jsMs = self.reduce((s, r) => s + r.ms, 0);
  const gapMs = selfTimes(profile).reduce((s, r) => s + r.ms, 0) - jsMs;
  const totals = totalTimes(profile, MAX_GAP_US);
  const per = (ms: number, n: number) => (n > 0 ? (ms * 1000) / n : Number.NaN);
  const result: IngestProfile = {
    label,
    seconds,
    frames,
    fixes,
    fixesPerFrame,
    workerdMs: cpu.workerd ?? 0,
    hostMs: cpu.host ?? 0,
    idleMsPerS: { workerd: (idleMs.workerd ?? 0) / IDLE_S, host: (idleMs.host ?? 0) / IDLE_S },
    jsMs,
    gapMs,
    entries: ENTRIES.map(([name, match]) => {
      const ms = totals.filter((t) => match.test(t.name)).reduce((max, t) => Math.max(max, t.ms), 0);
      return { name, ms, usPerFrame: per(ms, frames) };
    }),
    top: self.slice(0, 30).map((r) => ({
      name: r.name,
      ms: r.ms,
      share: r.share,
      usPerFrame: per(r.ms, frames),
      usPerFix: per(r.ms, fixes),
    })),
  };
  h.log(
    `ingest-batch profile, ${label}: ${fixes} fixes (${Math.round(frames)} frames) in ${seconds.toFixed(1)} s; ` +
      `workerd ${Math.round(result.workerdMs)} ms CPU = ${per(result.workerdMs, frames).toFixed(1)} µs/frame, ${per(result.workerdMs, fixes).toFixed(2)} µs/fix ` +
      `(idle ${result.idleMsPerS.workerd.toFixed(1)} ms/s); Node host ${Math.round(result.hostMs)} ms (idle ${result.idleMsPerS.host.toFixed(1)} ms/s); ` +
      `isolate thread sampled ${Math.round(jsMs)} ms = ${per(jsMs, frames).toFixed(1)} µs/frame (${((jsMs / Math.max(1, result.workerdMs)) * 100).toFixed(0)} % of workerd's CPU; ${Math.round(gapMs)} ms after sampler gaps left out)`,
  );
  for (const e of result.entries) h.log(`    ${e.usPerFrame.toFixed(2).padStart(8)} µs/frame inclusive  ${e.name}`);
  h.log("    µs/frame  µs/fix  share of JS  function");
  for (const r of result.top)
    h.log(
      `    ${r.usPerFrame.toFixed(2).padStart(8)} ${r.usPerFix.toFixed(2).padStart(7)} ${(r.share * 100).toFixed(1).padStart(8)} %  ${r.name}`,
    );
  h.log("    -- inclusive, top 40");
  for (const r of totals.slice(0, 40))
    h.log(
      `    ${per(r.ms, frames).toFixed(2).padStart(8)} µs/frame ${(r.share * 100).toFixed(1).padStart(5)} %  ${r.name}`,
    );
  return result;
}
