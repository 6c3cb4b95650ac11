// The Worker's cron sweep runs under a trace of its own (decision 0049,
// addendum): every line one run writes carries the same trace id, and the next
// run another. Postgres is pointed at a database that does not exist, so each
// step of the every-minute sweep fails at once and writes its line, and the
// test changes nothing another test file reads.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { testEnv } from "../test/world.ts";
import worker from "./index.ts";

interface LogRecord {
  event: string;
  traceId?: string;
}

let logs: LogRecord[];

beforeEach(() => {
  logs = [];
  const capture = (line: unknown) => {
    try {
      logs.push(JSON.parse(String(line)) as LogRecord);
    } catch {
      // A library's plain text: not under test.
    }
  };
  for (const level of ["log", "warn", "error"] as const) vi.spyOn(console, level).mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function sweep(): Promise<LogRecord[]> {
  logs = [];
  const url = new URL(testEnv.DATABASE_URL);
  url.pathname = "/no_such_database_for_the_sweep_test";
  const env = { ...testEnv, DATABASE_URL: url.toString() };
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "* * * * *", scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
  return logs;
}

describe("the scheduled sweep", () => {
  it("writes every line of a run under one new trace, and each run under its own", async () => {
    const first = await sweep();
    expect(first.map((l) => l.event)).toEqual(
      expect.arrayContaining(["reconciler.failed", "notifications.sweep_failed"]),
    );
    const firstTrace = first[0]?.traceId;
    expect(firstTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(first.filter((l) => l.traceId !== firstTrace)).toEqual([]);

    const second = await sweep();
    expect(second.length).toBeGreaterThan(0);
    const secondTrace = second[0]?.traceId;
    expect(secondTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(secondTrace).not.toBe(firstTrace);
    expect(second.filter((l) => l.traceId !== secondTrace)).toEqual([]);
  });
});
