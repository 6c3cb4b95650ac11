// Warm-up, then N measured runs, for one system under closed- or open-loop
// load; prints a line per run so a long benchmark shows progress.
import { closedLoop, type LoadResult, type Operation, openLoop, sleep } from "./load.ts";
import { type RunsSummary, summarizeRuns } from "./stats.ts";

export interface Plan {
  warmupMs: number;
  runMs: number;
  runs: number;
  openRunMs: number;
  openRuns: number;
  /** Pause between runs, so one run's backlog does not land in the next. */
  pauseMs: number;
}

export const FULL_PLAN: Plan = { warmupMs: 2000, runMs: 5000, runs: 3, openRunMs: 2500, openRuns: 3, pauseMs: 500 };
export const QUICK_PLAN: Plan = { warmupMs: 300, runMs: 500, runs: 3, openRunMs: 400, openRuns: 1, pauseMs: 50 };

export interface Measured {
  summary: RunsSummary;
  runs: LoadResult[];
}

/** Hands out request indices that never repeat across warm-ups and runs, so every request carries fresh data. */
export class IndexSource {
  constructor(private next = 0) {}
  take(n: number): number {
    const start = this.next;
    this.next += n;
    return start;
  }
}

const RUN_CAP = 1_000_000;

export async function measureClosed(
  label: string,
  plan: Plan,
  concurrency: number,
  op: Operation,
  indices = new IndexSource(),
  log: (m: string) => void = console.log,
  hooks: { before?: (index: number) => void; after?: (run: LoadResult, index: number) => void } = {},
): Promise<Measured> {
  const warm = await closedLoop({
    concurrency,
    durationMs: plan.warmupMs,
    maxRequests: RUN_CAP,
    op,
    startIndex: indices.take(RUN_CAP),
  });
  log(`  ${label}: warm-up ${warm.ok} ok, ${warm.errors} errors${warm.firstError ? ` (${warm.firstError})` : ""}`);
  const runs: LoadResult[] = [];
  for (let r = 0; r < plan.runs; r++) {
    await sleep(plan.pauseMs);
    hooks.before?.(r);
    const run = await closedLoop({
      concurrency,
      durationMs: plan.runMs,
      maxRequests: RUN_CAP,
      op,
      startIndex: indices.take(RUN_CAP),
    });
    runs.push(run);
    hooks.after?.(run, r);
    log(
      `  ${label}: run ${r + 1}/${plan.runs} ${run.throughput.toFixed(1)}/s p50 ${run.latencyMs.p50.toFixed(2)} ms p99 ${run.latencyMs.p99.toFixed(2)} ms, ${run.errors} errors${run.firstError ? ` (${run.firstError})` : ""}`,
    );
  }
  return { summary: summarizeRuns(runs), runs };
}

export async function measureOpen(
  label: string,
  plan: Plan,
  rate: number,
  op: Operation,
  maxInFlight: number,
  indices = new IndexSource(),
  log: (m: string) => void = console.log,
): Promise<Measured> {
  const runs: LoadResult[] = [];
  for (let r = 0; r < plan.openRuns; r++) {
    await sleep(plan.pauseMs);
    const run = await openLoop({
      rate,
      durationMs: plan.openRunMs,
      maxInFlight,
      drainMs: 10_000,
      op,
      startIndex: indices.take(RUN_CAP),
    });
    runs.push(run);
    log(
      `  ${label} @ ${rate}/s: run ${r + 1}/${plan.openRuns} achieved ${run.throughput.toFixed(1)}/s p50 ${run.latencyMs.p50.toFixed(2)} ms p99 ${run.latencyMs.p99.toFixed(2)} ms, ${run.errors} errors, ${run.dropped} not sent${run.firstError ? ` (${run.firstError})` : ""}`,
    );
  }
  return { summary: summarizeRuns(runs), runs };
}

/** Offered rates for a latency-versus-load curve: fractions of the measured maximum, plus extra points (goals). */
export function ratesFor(maxThroughput: number, quick: boolean, extra: number[] = []): number[] {
  const fractions = quick ? [0.5] : [0.25, 0.5, 0.75, 1.0];
  const rates = fractions.map((f) => Math.max(1, Math.round(maxThroughput * f)));
  for (const e of extra) if (!rates.includes(e)) rates.push(e);
  return [...new Set(rates)].sort((a, b) => a - b);
}
