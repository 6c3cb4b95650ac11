import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataPointOf, HEALTH_SQL, METRICS_DATASET, summariseHealth } from "../../../domain/metrics/health-metrics.ts";
import { type AnalyticsStandin, startAnalyticsStandin } from "./server.ts";
import { runAnalyticsSql, SqlError, type StoredPoint } from "./sql.ts";

const NOW = Date.parse("2026-11-30T12:00:00Z");
const point = (minutesAgo: number, metric: string, value: number, sampleInterval = 1): StoredPoint => ({
  dataset: METRICS_DATASET,
  timestamp: NOW - minutesAgo * 60_000,
  blobs: [metric, ""],
  doubles: [value],
  indexes: [metric],
  sampleInterval,
});

describe("Analytics Engine SQL subset", () => {
  const points = [
    point(1, "placement", 40),
    point(2, "placement", 60),
    point(3, "placement", 200),
    point(30, "placement", 999),
    point(5, "projection_lag", 700, 4),
    point(5, "dead_letter", 1),
    { ...point(1, "placement", 5), dataset: "other_dataset" },
  ];

  it("runs the health view's query per window, weighting by _sample_interval", () => {
    const answer = runAnalyticsSql(HEALTH_SQL["15m"], points, NOW);
    expect(answer.meta.map((m) => m.name)).toEqual(["metric", "count", "p50", "p95", "max"]);
    const placement = answer.data.find((r) => r.metric === "placement");
    expect(placement).toEqual({ metric: "placement", count: "3", p50: 60, p95: 200, max: 200 });
    expect(answer.data.find((r) => r.metric === "projection_lag")?.count).toBe("4");
    const hour = summariseHealth("1h", runAnalyticsSql(HEALTH_SQL["1h"], points, NOW));
    expect(hour.placements.count).toBe(4);
    expect(hour.placements.maxMs).toBe(999);
    expect(hour.deadLetters.count).toBe(1);
  });

  it("filters on blobs and numbers, and answers one row for an ungrouped aggregate", () => {
    const sql = `SELECT COUNT() AS n, AVG(double1) AS mean FROM ${METRICS_DATASET} WHERE blob1 = 'placement' AND double1 >= 60 AND timestamp > NOW() - INTERVAL '10' MINUTE`;
    expect(runAnalyticsSql(sql, points, NOW).data).toEqual([{ n: "2", mean: 130 }]);
    const none = runAnalyticsSql(`SELECT COUNT() AS n FROM ${METRICS_DATASET} WHERE blob1 = 'nothing'`, points, NOW);
    expect(none.data).toEqual([{ n: "0" }]);
  });

  it("lists raw rows without aggregates", () => {
    const sql = `SELECT blob1, double1 FROM ${METRICS_DATASET} WHERE blob1 = 'dead_letter' FORMAT JSON`;
    expect(runAnalyticsSql(sql, points, NOW).data).toEqual([{ blob1: "dead_letter", double1: 1 }]);
  });

  it("refuses what it does not implement", () => {
    for (const sql of [
      `DELETE FROM ${METRICS_DATASET}`,
      `SELECT evil(double1) FROM ${METRICS_DATASET}`,
      `SELECT blob1 FROM ${METRICS_DATASET} WHERE password = 'x'`,
      `SELECT blob1, SUM(double1) FROM ${METRICS_DATASET}`,
      `SELECT blob1 FROM ${METRICS_DATASET} ORDER BY blob1`,
      `SELECT blob1 FROM ${METRICS_DATASET} FORMAT CSV`,
    ]) {
      expect(() => runAnalyticsSql(sql, points, NOW), sql).toThrow(SqlError);
    }
  });
});

describe("Analytics Engine stand-in server", () => {
  let standin: AnalyticsStandin;
  beforeAll(async () => {
    standin = await startAnalyticsStandin({ apiToken: "token-1" });
  });
  afterAll(() => standin.close());

  it("stores written points and answers the SQL API shape behind a bearer token", async () => {
    const write = await fetch(`${standin.url}/write`, {
      method: "POST",
      body: JSON.stringify(dataPointOf({ metric: "placement", value: 33 })),
    });
    expect(write.status).toBe(202);
    const sqlUrl = `${standin.url}/client/v4/accounts/local/analytics_engine/sql`;
    const refused = await fetch(sqlUrl, { method: "POST", body: HEALTH_SQL["15m"] });
    expect(refused.status).toBe(401);
    const res = await fetch(sqlUrl, {
      method: "POST",
      headers: { authorization: "Bearer token-1" },
      body: HEALTH_SQL["15m"],
    });
    expect(res.status).toBe(200);
    const health = summariseHealth("15m", await res.json());
    expect(health.placements).toMatchObject({ count: 1, p50Ms: 33 });
    const bad = await fetch(sqlUrl, { method: "POST", headers: { authorization: "Bearer token-1" }, body: "DROP x" });
    expect(bad.status).toBe(422);
  });
});
