// Statistics for the benchmark harness: percentiles of one run's latencies,
// and the median (with spread) of a metric over several measured runs.
// Pure functions, no I/O; covered by stats.test.ts.

/** Nearest-rank percentile of an ascending array (p in [0, 100]); NaN for no samples. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  if (p === 0) return sorted[0] as number;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1] as number;
}

/** Sorts a copy (numerically) and takes the nearest-rank percentile. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileOfSorted(sortedCopy(values), p);
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = Float64Array.from(values as ArrayLike<number>);
  copy.sort();
  return copy;
}

/** The middle value (mean of the two middle values for an even count); NaN for none. */
export function median(values: ArrayLike<number>): number {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = sortedCopy(values);
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] as number;
  return {
    count: n,
    min: n ? (sorted[0] as number) : Number.NaN,
    mean: n ? sum / n : Number.NaN,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    max: n ? (sorted[n - 1] as number) : Number.NaN,
  };
}

/** A metric over the measured runs: the median is the headline, min and max show the spread. */
export interface AcrossRuns {
  median: number;
  min: number;
  max: number;
  runs: number[];
}

export function acrossRuns(values: readonly number[]): AcrossRuns {
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    median: median(finite),
    min: finite.length ? Math.min(...finite) : Number.NaN,
    max: finite.length ? Math.max(...finite) : Number.NaN,
    runs: [...values],
  };
}

/** One measured run of a load generator, reduced to numbers. */
export interface RunStats {
  /** Requests that completed successfully. */
  ok: number;
  errors: number;
  /** Open loop only: requests not sent because too many were outstanding. */
  dropped: number;
  elapsedMs: number;
  /** Successful completions per second over the run. */
  throughput: number;
  latencyMs: LatencySummary;
}

export interface RunsSummary {
  runs: number;
  throughput: AcrossRuns;
  p50: AcrossRuns;
  p95: AcrossRuns;
  p99: AcrossRuns;
  errors: number;
  dropped: number;
  ok: number;
}

/** Median of each run's throughput and percentiles: runs are never pooled, so one bad run cannot hide. */
export function summarizeRuns(runs: readonly RunStats[]): RunsSummary {
  return {
    runs: runs.length,
    throughput: acrossRuns(runs.map((r) => r.throughput)),
    p50: acrossRuns(runs.map((r) => r.latencyMs.p50)),
    p95: acrossRuns(runs.map((r) => r.latencyMs.p95)),
    p99: acrossRuns(runs.map((r) => r.latencyMs.p99)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    dropped: runs.reduce((a, r) => a + r.dropped, 0),
    ok: runs.reduce((a, r) => a + r.ok, 0),
  };
}

/** A growable buffer of samples that avoids boxing millions of numbers in an array. */
export class Samples {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
