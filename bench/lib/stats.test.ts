import { describe, expect, it } from "vitest";
import { acrossRuns, median, percentile, percentileOfSorted, Samples, summarize, summarizeRuns } from "./stats.ts";

describe("percentile (nearest rank)", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it("takes the value at rank ceil(p/100 * n)", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
  });

  it("sorts numerically, not as strings", () => {
    expect(percentile([10, 9, 100, 2], 50)).toBe(9);
    expect(percentile([10, 9, 100, 2], 100)).toBe(100);
  });

  it("never invents a value between samples", () => {
    expect(percentile([1, 1000], 99)).toBe(1000);
    expect(percentile([1, 1000], 50)).toBe(1);
  });

  it("is NaN for no samples and rejects p outside [0, 100]", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentileOfSorted([1], 101)).toThrow(RangeError);
    expect(() => percentileOfSorted([1], -1)).toThrow(RangeError);
  });

  it("with few samples, p99 is the maximum", () => {
    expect(percentile([3, 1, 2], 99)).toBe(3);
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the two middle values", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("summarize", () => {
  it("reports count, min, mean, p50, p95, p99 and max", () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const s = summarize(values);
    expect(s).toEqual({ count: 1000, min: 1, mean: 500.5, p50: 500, p95: 950, p99: 990, max: 1000 });
  });
});

describe("across runs", () => {
  it("takes the median of per-run figures, never pooled samples", () => {
    const run = (throughput: number, p99: number) => ({
      ok: 10,
      errors: 1,
      dropped: 0,
      elapsedMs: 1000,
      throughput,
      latencyMs: { count: 10, min: 1, mean: 2, p50: 2, p95: 3, p99, max: p99 },
    });
    const s = summarizeRuns([run(100, 9), run(300, 50), run(200, 10)]);
    expect(s.runs).toBe(3);
    expect(s.throughput.median).toBe(200);
    expect(s.throughput.min).toBe(100);
    expect(s.throughput.max).toBe(300);
    expect(s.p99.median).toBe(10);
    expect(s.errors).toBe(3);
    expect(s.ok).toBe(30);
  });

  it("ignores runs that produced no figure", () => {
    expect(acrossRuns([Number.NaN, 4, 2]).median).toBe(3);
  });
});

describe("Samples", () => {
  it("grows past its initial capacity and keeps order", () => {
    const samples = new Samples();
    for (let i = 0; i < 5000; i++) samples.push(i);
    expect(samples.length).toBe(5000);
    expect(samples.values()[4999]).toBe(4999);
    expect(summarize(samples.values()).p50).toBe(2499);
  });
});
