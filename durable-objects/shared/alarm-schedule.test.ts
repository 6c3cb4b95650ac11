// The schedule every Durable Object's one alarm serves, in a real object's
// SQLite: one deadline per kind and subject, cancelled by kind or by subject,
// and the alarm pointed at the earliest. Deadlines an older version kept in its
// own `deadlines` table are adopted once.
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
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
});
