import { describe, expect, it } from "vitest";
import { MAX_COUNTED, ownLine, ReadSummary, SLOW_READ_MS, SUMMARY_INTERVAL_MS } from "./request-log.ts";

describe("ownLine", () => {
  it("keeps a line for every failure, write and slow read", () => {
    expect(ownLine({ method: "GET", status: 500, ms: 3 }, undefined)).toBe(true);
    expect(ownLine({ method: "GET", status: 404, ms: 3 }, undefined)).toBe(true);
    expect(ownLine({ method: "POST", status: 201, ms: 3 }, undefined)).toBe(true);
    expect(ownLine({ method: "DELETE", status: 204, ms: 3 }, undefined)).toBe(true);
    expect(ownLine({ method: "GET", status: 101, ms: 3 }, undefined)).toBe(true);
    expect(ownLine({ method: "GET", status: 200, ms: SLOW_READ_MS }, undefined)).toBe(true);
  });

  it("summarises quick successful reads unless every line is asked for", () => {
    expect(ownLine({ method: "GET", status: 304, ms: 1 }, undefined)).toBe(false);
    expect(ownLine({ method: "HEAD", status: 200, ms: 1 }, "")).toBe(false);
    expect(ownLine({ method: "GET", status: 304, ms: 1 }, "every")).toBe(true);
  });
});

describe("ReadSummary", () => {
  const route = "/v1/restaurants/:id/menu";

  it("counts per route and status and flushes after the interval", () => {
    const s = new ReadSummary();
    expect(s.count("GET", route, { method: "GET", status: 304, ms: 1 }, 1000)).toBeNull();
    expect(s.count("GET", route, { method: "GET", status: 304, ms: 7 }, 1200)).toBeNull();
    expect(s.count("GET", route, { method: "GET", status: 200, ms: 2 }, 1500)).toBeNull();
    const out = s.count("GET", "/v1/restaurants", { method: "GET", status: 200, ms: 4 }, 1000 + SUMMARY_INTERVAL_MS);
    expect(out).toEqual({
      windowMs: SUMMARY_INTERVAL_MS,
      requests: 4,
      routes: [
        { method: "GET", route, status: 304, count: 2, maxMs: 7 },
        { method: "GET", route, status: 200, count: 1, maxMs: 2 },
        { method: "GET", route: "/v1/restaurants", status: 200, count: 1, maxMs: 4 },
      ],
    });
    // A new window starts with the next read.
    expect(s.count("GET", route, { method: "GET", status: 304, ms: 1 }, 5000)).toBeNull();
  });

  it("flushes after MAX_COUNTED reads within the interval", () => {
    const s = new ReadSummary();
    let flushed: ReturnType<ReadSummary["count"]> = null;
    let at = 0;
    for (let i = 1; i <= MAX_COUNTED; i++) {
      flushed = s.count("GET", route, { method: "GET", status: 304, ms: 1 }, 10);
      if (flushed) at = i;
    }
    expect(at).toBe(MAX_COUNTED);
    expect(flushed?.requests).toBe(MAX_COUNTED);
    expect(flushed?.routes).toEqual([{ method: "GET", route, status: 304, count: MAX_COUNTED, maxMs: 1 }]);
  });
});
