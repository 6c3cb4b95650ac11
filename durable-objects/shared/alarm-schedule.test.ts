// The schedule every Durable Object's one alarm serves, in a real object's
// SQLite: one deadline per kind and subject, cancelled by kind or by subject,
// and the alarm pointed at the earliest. Deadlines an older version kept in its
// own `deadlines` table are adopted once. Each deadline keeps the trace that
// set it; an alarm run is a new trace, each deadline a span linked to its own
// (decision 0049, addendum).
import { runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dueAt, nextDue, scheduleOf } from "../../domain/schedule/schedule.ts";
import { parseTraceparent } from "../../domain/trace/traceparent.ts";
import { currentTraceIds, currentTraceparent, withTrace } from "../../platform/trace-scope.ts";
import { testEnv } from "../../test/world.ts";
import { OrderStorage } from "../order/order-storage.ts";
import { ZoneStorage } from "../zone/zone-storage.ts";
import { AlarmSchedule } from "./alarm-schedule.ts";

// A board nobody feeds: its own alarm handler finds nothing to do.
function scratch() {
  return testEnv.RESTAURANT.get(testEnv.RESTAURANT.idFromName(`alarm-schedule-${crypto.randomUUID()}`));
}

describe("AlarmSchedule", () => {
  it.each([false, true])(
    "adds, moves and cancels deadlines, and points the alarm at the earliest (remember: %s)",
    async (remember) => {
      await runInDurableObject(scratch(), async (_instance, state) => {
        const schedule = new AlarmSchedule<"offer" | "retry">(state.storage, { remember });
        // What storage holds, read by a schedule that keeps nothing in memory.
        const stored = () => new AlarmSchedule<"offer" | "retry">(state.storage, { tableExists: true }).schedule();
        const t = Date.now() + 60_000;
        schedule.set("offer", t + 300, "o1");
        schedule.set("retry", t + 200, "o1");
        schedule.set("offer", t + 100, "o2");
        await schedule.arm();
        expect(await state.storage.getAlarm()).toBe(t + 100);

        schedule.set("offer", t + 50, "o1");
        expect(schedule.schedule().map((d) => `${d.kind}:${d.subject}@${d.at - t}`)).toEqual([
          "offer:o1@50",
          "offer:o2@100",
          "retry:o1@200",
        ]);
        expect(stored()).toEqual(schedule.schedule());
        // Setting a deadline to the time it has, or cancelling one that is not there, changes nothing.
        schedule.set("offer", t + 50, "o1");
        schedule.set("retry", null, "o2");
        expect(stored()).toEqual(schedule.schedule());
        expect(schedule.has("retry", "o1")).toBe(true);
        expect(schedule.has("retry", "o2")).toBe(false);
        expect(schedule.due(t + 100).map((d) => d.subject)).toEqual(["o1", "o2"]);
        // Looking does not take: the handlers cancel their own.
        expect(schedule.schedule()).toHaveLength(3);

        schedule.cancelSubject("o1");
        expect(stored()).toEqual(schedule.schedule());
        schedule.set("offer", null, "o2");
        await schedule.arm();
        expect(schedule.schedule()).toEqual([]);
        expect(stored()).toEqual([]);
        expect(await state.storage.getAlarm()).toBeNull();
      });
    },
  );

  // The reads ask SQLite for only what they need (a zone holds thousands of
  // orders' deadlines); they must agree with the domain's schedule, ties included.
  for (const [remember, manySubjects] of [
    [false, false],
    [false, true],
    [true, false],
  ] as const) {
    it(`serves due deadlines and arms in the domain's order (remember: ${remember}, indexed: ${manySubjects})`, async () => {
      await runInDurableObject(scratch(), async (_instance, state) => {
        const schedule = new AlarmSchedule<"offer" | "retry" | "later">(state.storage, { remember, manySubjects });
        const kinds = ["offer", "retry", "later"] as const;
        const t = Date.now() + 60_000;
        let seed = 7;
        const next = (n: number) => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed % n;
        };
        for (let i = 0; i < 300; i++) {
          const kind = kinds[next(3)] ?? "offer";
          const subject = `o${next(60)}`;
          schedule.set(kind, next(10) === 0 ? null : t + next(40) * 10, subject);
        }
        // What storage holds, read by a schedule that remembers nothing.
        const all = scheduleOf(new AlarmSchedule<"offer" | "retry" | "later">(state.storage).schedule());
        expect(schedule.schedule()).toEqual(all);
        for (const now of [t - 1, t, t + 55, t + 200, t + 1000]) {
          expect(schedule.due(now)).toEqual(dueAt(all, now));
        }
        for (const d of all.slice(0, 20)) expect(schedule.deadline(d.kind, d.subject)).toEqual(d);
        await schedule.arm();
        expect(await state.storage.getAlarm()).toBe(nextDue(all) ?? null);
      });
    });
  }

  it.each([false, true])(
    "keeps the alarm on the earliest deadline as later ones come and go (remember: %s)",
    async (remember) => {
      await runInDurableObject(scratch(), async (_instance, state) => {
        const schedule = new AlarmSchedule<"reconcile" | "later">(state.storage, { remember });
        const t = Date.now() + 60_000;
        schedule.set("reconcile", t);
        await schedule.arm();
        schedule.set("later", t + 500);
        await schedule.arm();
        expect(await state.storage.getAlarm()).toBe(t);
        schedule.set("reconcile", t - 10);
        await schedule.arm();
        expect(await state.storage.getAlarm()).toBe(t - 10);
        schedule.set("reconcile", null);
        schedule.set("later", null);
        await schedule.arm();
        expect(await state.storage.getAlarm()).toBeNull();
      });
    },
  );

  it("adopts an Order DO's deadlines from before the shared schedule", async () => {
    await runInDurableObject(scratch(), async (_instance, state) => {
      state.storage.sql.exec("create table deadlines (kind text primary key, at integer not null)");
      state.storage.sql.exec("insert into deadlines (kind, at) values ('payment_timeout', 1234), ('refund_retry', 99)");
      const store = new OrderStorage(state.storage);
      expect(store.schedule.schedule()).toEqual([
        { kind: "refund_retry", subject: "", at: 99 },
        { kind: "payment_timeout", subject: "", at: 1234 },
      ]);
      const tables = state.storage.sql
        .exec<{ name: string }>("select name from sqlite_master where type = 'table' and name = 'deadlines'")
        .toArray();
      expect(tables).toEqual([]);
      store.setDeadline("refund_retry", null);
      store.setDeadline("payment_timeout", null);
    });
  });

  it("adopts a Zone DO's per-order deadlines from before the shared schedule", async () => {
    await runInDurableObject(scratch(), async (_instance, state) => {
      state.storage.sql.exec(
        "create table deadlines (order_id text not null, kind text not null, at integer not null, primary key (order_id, kind))",
      );
      state.storage.sql.exec(
        "insert into deadlines (order_id, kind, at) values ('o1', 'offer', 10), ('o2', 'retry', 5)",
      );
      const store = new ZoneStorage(state.storage);
      expect(store.schedule.schedule()).toEqual([
        { kind: "retry", subject: "o2", at: 5 },
        { kind: "offer", subject: "o1", at: 10 },
      ]);
      store.deleteDispatch("o1");
      store.deleteDispatch("o2");
      expect(store.schedule.schedule()).toEqual([]);
    });
  });

  it("keeps the trace that set each deadline, also in a schedule from before traces were kept", async () => {
    await runInDurableObject(scratch(), async (_instance, state) => {
      state.storage.sql.exec("drop table alarm_schedule");
      state.storage.sql.exec(
        "create table alarm_schedule (kind text not null, subject text not null, at integer not null, primary key (kind, subject))",
      );
      state.storage.sql.exec("insert into alarm_schedule (kind, subject, at) values ('offer', 'o1', 10)");
      const schedule = new AlarmSchedule<"offer" | "retry">(state.storage);
      expect(schedule.schedule()).toEqual([{ kind: "offer", subject: "o1", at: 10 }]);

      const setter = trace();
      withTrace(setter.header, () => schedule.set("retry", 20, "o1"));
      schedule.set("offer", 30, "o2");
      expect(schedule.deadline("retry", "o1")).toEqual({
        kind: "retry",
        subject: "o1",
        at: 20,
        traceparent: setter.header,
      });
      expect(schedule.deadline("offer", "o2")).toEqual({ kind: "offer", subject: "o2", at: 30 });
      // Moved under another trace: the mover's is kept.
      const mover = trace();
      withTrace(mover.header, () => schedule.set("retry", 25, "o1"));
      expect(schedule.deadline("retry", "o1")?.traceparent).toBe(mover.header);
      schedule.cancelSubject("o1");
      schedule.cancelSubject("o2");
      await schedule.arm();
    });
  });

  it("serves an alarm under a new trace, each due deadline in its own span linked to the trace that set it", async () => {
    const lines: Array<{ event: string; traceId?: string; linkedTraceId?: string; kind?: string }> = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      try {
        lines.push(JSON.parse(String(line)));
      } catch {
        // Not a structured line: not under test.
      }
    });
    await runInDurableObject(scratch(), async (_instance, state) => {
      const schedule = new AlarmSchedule<"offer" | "retry" | "later">(state.storage);
      const now = Date.now();
      const [a, b] = [trace(), trace()];
      withTrace(a.header, () => schedule.set("offer", now - 20, "o1"));
      withTrace(b.header, () => schedule.set("retry", now - 10, "o1"));
      schedule.set("later", now + 60_000);
      const seen: Array<{ traceparent: string | undefined; linkedTraceId: string | undefined }> = [];
      const serveOnce = () =>
        schedule.serve(now, async (deadline) => {
          seen.push({ traceparent: currentTraceparent(), linkedTraceId: currentTraceIds().linkedTraceId });
          schedule.set(deadline.kind, null, deadline.subject);
        });
      await serveOnce();

      const [offer, retry] = seen.map((s) => ({ ...s, context: parseTraceparent(s.traceparent) }));
      expect(offer?.linkedTraceId).toBe(a.traceId);
      expect(retry?.linkedTraceId).toBe(b.traceId);
      // One new trace for the run (neither setter's), a span of its own per deadline.
      const runTrace = offer?.context?.traceId;
      expect(runTrace).toMatch(/^[0-9a-f]{32}$/);
      expect([a.traceId, b.traceId]).not.toContain(runTrace);
      expect(retry?.context?.traceId).toBe(runTrace);
      expect(retry?.context?.parentId).not.toBe(offer?.context?.parentId);
      expect(lines.filter((l) => l.event === "alarm.deadline_due")).toEqual([
        expect.objectContaining({ kind: "offer", traceId: runTrace, linkedTraceId: a.traceId }),
        expect.objectContaining({ kind: "retry", traceId: runTrace, linkedTraceId: b.traceId }),
      ]);
      // Served, the alarm points at what is left; a later run is another trace.
      expect(await state.storage.getAlarm()).toBe(now + 60_000);
      withTrace(a.header, () => schedule.set("offer", now - 5, "o2"));
      await serveOnce();
      expect(parseTraceparent(seen[2]?.traceparent)?.traceId).not.toBe(runTrace);
      schedule.set("later", null);
      await schedule.arm();
    });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function trace(): { traceId: string; header: string } {
  const hex = (n: number) =>
    Array.from(crypto.getRandomValues(new Uint8Array(n)), (x) => x.toString(16).padStart(2, "0")).join("");
  const traceId = hex(16);
  return { traceId, header: `00-${traceId}-${hex(8)}-01` };
}
