import { describe, expect, it } from "vitest";
import {
  dataPointOf,
  dispatchTimeMs,
  HEALTH_SQL,
  METRICS_DATASET,
  quantileWeighted,
  summariseHealth,
} from "./health-metrics.ts";

describe("health metrics", () => {
  it("lays a point out as blob1 = metric, double1 = value, index1 = metric", () => {
    expect(dataPointOf({ metric: "placement", value: 42.5, detail: "r1" })).toEqual({
      blobs: ["placement", "r1"],
      doubles: [42.5],
      indexes: ["placement"],
    });
    expect(dataPointOf({ metric: "projection_lag", value: -3 }).doubles).toEqual([0]);
    expect(dataPointOf({ metric: "dispatch", value: Number.NaN }).doubles).toEqual([0]);
  });

  it("computes ClickHouse's exact weighted quantile", () => {
    const s = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((value) => ({ value, weight: 1 }));
    expect(quantileWeighted(0.5, s)).toBe(50);
    expect(quantileWeighted(0.95, s)).toBe(100);
    expect(quantileWeighted(0, s)).toBe(10);
    // A sampled point stands for its weight.
    expect(
      quantileWeighted(0.5, [
        { value: 1, weight: 1 },
        { value: 9, weight: 3 },
      ]),
    ).toBe(9);
    expect(quantileWeighted(0.5, [])).toBeNull();
  });

  it("reads the SQL API's answer, counts as strings included, into the view's numbers", () => {
    const health = summariseHealth("15m", {
      meta: [],
      data: [
        { metric: "placement", count: "30", p50: 41.2, p95: 120.7, max: 300 },
        { metric: "projection_lag", count: "400", p50: 800, p95: 2100, max: 5000 },
        { metric: "dispatch", count: 12, p50: 45_000, p95: 180_000, max: 200_000 },
        { metric: "dead_letter", count: "2", p50: 1, p95: 1, max: 1 },
        { metric: "something_new", count: "5" },
        { nonsense: true },
        null,
      ],
    });
    expect(health).toEqual({
      window: "15m",
      placements: { count: 30, perMinute: 2, p50Ms: 41, p95Ms: 121, maxMs: 300 },
      projectionLag: { count: 400, p50Ms: 800, p95Ms: 2100, maxMs: 5000 },
      dispatch: { count: 12, p50Ms: 45_000, p95Ms: 180_000, maxMs: 200_000 },
      deadLetters: { count: 2 },
    });
  });

  it("answers zeros and nulls when nothing was written", () => {
    const health = summariseHealth("1h", { data: [] });
    expect(health.placements).toEqual({ count: 0, perMinute: 0, p50Ms: null, p95Ms: null, maxMs: null });
    expect(health.deadLetters.count).toBe(0);
    expect(summariseHealth("1h", "garbage").dispatch.count).toBe(0);
  });

  it("measures dispatch from the latest (re)dispatch start, else payment", () => {
    const events = [
      { type: "order.paid", at: 1000 },
      { type: "order.dispatch_started", at: 5000 },
      { type: "order.redispatched", at: 9000 },
    ];
    expect(dispatchTimeMs(events, 12_000)).toBe(3000);
    expect(dispatchTimeMs(events.slice(0, 2), 12_000)).toBe(7000);
    expect(dispatchTimeMs(events.slice(0, 1), 12_000)).toBe(11_000);
    expect(dispatchTimeMs([], 12_000)).toBeNull();
    // Events after the assignment do not count.
    expect(dispatchTimeMs(events, 6000)).toBe(1000);
  });

  it("queries the named dataset with no caller input", () => {
    for (const sql of Object.values(HEALTH_SQL)) expect(sql).toContain(`FROM ${METRICS_DATASET} `);
  });
});
