// Load generators. Both are bounded by a count and a duration, and every
// operation carries its own timeout (the caller's), so a stuck server ends a
// run instead of hanging it.
//
// Closed loop: `concurrency` workers, each issuing the next request when the
// previous one completes: maximum throughput at that concurrency.
// Open loop: requests are scheduled at a fixed rate whatever the server does,
// and latency is measured from the *scheduled* send time, so queueing delay
// (in the server or in a generator that fell behind) shows in the figures
// instead of being hidden by coordinated omission.
import { performance } from "node:perf_hooks";
import { type RunStats, Samples, summarize } from "./stats.ts";

/** Resolves when done; throws (or resolves `false`) on failure. `i` is the request's index in the run. */
export type Operation = (i: number) => Promise<unknown>;

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  /** Hard cap on requests issued in the run. */
  maxRequests: number;
  op: Operation;
  /** First index passed to `op`; lets successive runs use fresh data. */
  startIndex?: number;
}

export interface LoadResult extends RunStats {
  /** Requests issued (ok + errors). */
  issued: number;
  /** First error message seen, to make failures readable. */
  firstError?: string;
  /** Open loop only: the requested rate. */
  offeredRate?: number;
}

/** The error's message, with its cause first when it has one (drizzle's "Failed query: <the SQL>" hides it). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${cause} (${error.message})` : error.message;
}

export async function closedLoop(options: ClosedLoopOptions): Promise<LoadResult> {
  const latencies = new Samples();
  let issued = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const base = options.startIndex ?? 0;

  async function worker(): Promise<void> {
    while (performance.now() < deadline && issued < options.maxRequests) {
      const i = base + issued++;
      const t0 = performance.now();
      try {
        const result = await options.op(i);
        if (result === false) throw new Error("operation reported failure");
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= describe(error);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  const elapsedMs = performance.now() - start;
  return {
    issued,
    ok: latencies.length,
    errors,
    dropped: 0,
    elapsedMs,
    throughput: (latencies.length * 1000) / elapsedMs,
    latencyMs: summarize(latencies.values()),
    ...(firstError ? { firstError } : {}),
  };
}

export interface OpenLoopOptions {
  /** Requests per second. */
  rate: number;
  durationMs: number;
  /** Requests outstanding beyond this are not sent and counted as dropped (the server is saturated). */
  maxInFlight: number;
  /** After the schedule ends, how long to wait for stragglers before counting them as errors. */
  drainMs: number;
  op: Operation;
  startIndex?: number;
}

export async function openLoop(options: OpenLoopOptions): Promise<LoadResult> {
  const latencies = new Samples();
  const total = Math.max(1, Math.floor((options.rate * options.durationMs) / 1000));
  const intervalMs = 1000 / options.rate;
  const base = options.startIndex ?? 0;
  let issued = 0;
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  let firstError: string | undefined;
  let settle: (() => void) | undefined;
  const start = performance.now();

  const fire = (n: number, scheduledAt: number) => {
    if (inFlight >= options.maxInFlight) {
      dropped++;
      return;
    }
    inFlight++;
    issued++;
    options
      .op(base + n)
      .then((result) => {
        if (result === false) throw new Error("operation reported failure");
        latencies.push(performance.now() - scheduledAt);
      })
      .catch((error: unknown) => {
        errors++;
        firstError ??= describe(error);
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) settle?.();
      });
  };

  // Sends everything whose time has come, then sleeps until the next slot.
  // setTimeout granularity is ~1 ms, so at high rates several go out per tick,
  // each still timed from its own scheduled instant.
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) {
        fire(next, start + next * intervalMs);
        next++;
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  const scheduleEnd = performance.now();
  if (inFlight > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.drainMs);
      settle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  const stragglers = inFlight;
  errors += stragglers;
  if (stragglers > 0) firstError ??= `${stragglers} requests still outstanding after ${options.drainMs} ms`;
  // The run lasts its scheduled duration, or longer if the last responses came later.
  const elapsedMs = Math.max(performance.now() - start, scheduleEnd - start, options.durationMs);
  return {
    issued,
    ok: latencies.length,
    errors,
    dropped,
    elapsedMs,
    throughput: (latencies.length * 1000) / elapsedMs,
    latencyMs: summarize(latencies.values()),
    offeredRate: options.rate,
    ...(firstError ? { firstError } : {}),
  };
}

export interface Plan {
  warmupMs: number;
  runMs: number;
  runs: number;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
