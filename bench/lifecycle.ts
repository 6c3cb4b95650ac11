// `npx tsx bench/lifecycle.ts [--duration 20] [--rate 0.5] [--couriers 10]`: what one
// placed-and-delivered order costs in events and Postgres work, measured on the
// whole platform as `npm start` boots it (wrangler dev, its queue, the Stripe
// stand-in) on a fresh database of the machine's PostgreSQL, driven from
// placement to delivery by the simulator's real clients (scripts/simulate.ts).
//
// Counted, not estimated:
//  - order events (= queue messages: the Order DO sends one message per event)
//    per delivered order and by type, from order_events in Postgres;
//  - Postgres transactions and rows written, from pg_stat_database and
//    pg_stat_user_tables of that database, before and after the run;
//  - queue batches the consumer projected, from the projection's commits.
// Writes bench/results/lifecycle.json, which bench/events.ts (the events
// pipeline benchmark) and bench/cost.ts read.
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { openDb } from "../db/node.ts";
import { bootSystem, simulate } from "../test/system/system-kit.ts";
import { ROOT } from "./platform.ts";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "20" },
    rate: { type: "string", default: "0.5" },
    couriers: { type: "string", default: "10" },
  },
});

interface Stats {
  commits: number;
  rollbacks: number;
  inserted: number;
  updated: number;
}

async function stats(config: { DATABASE_URL: string; NEON_WS_PROXY: string }): Promise<Stats> {
  const { db, close } = openDb(config, 1);
  try {
    // pg_stat_* are refreshed at the end of each backend's transaction; force a fresh snapshot.
    await db.execute(sql`select pg_stat_clear_snapshot()`);
    const d = await db.execute<{ commits: string; rollbacks: string }>(
      sql`select xact_commit::text as commits, xact_rollback::text as rollbacks from pg_stat_database where datname = current_database()`,
    );
    const t = await db.execute<{ inserted: string; updated: string }>(
      sql`select coalesce(sum(n_tup_ins), 0)::text as inserted, coalesce(sum(n_tup_upd), 0)::text as updated from pg_stat_user_tables`,
    );
    return {
      commits: Number(d.rows[0]?.commits),
      rollbacks: Number(d.rows[0]?.rollbacks),
      inserted: Number(t.rows[0]?.inserted),
      updated: Number(t.rows[0]?.updated),
    };
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  process.env.SYSTEM_DATABASE = "server";
  const system = await bootSystem("lifecycle", "server");
  try {
    const config = { DATABASE_URL: system.platform.databaseUrl, NEON_WS_PROXY: system.platform.wsProxy };
    await new Promise((r) => setTimeout(r, 3000));
    const before = await stats(config);
    // The simulator (a child) counts its own HTTP requests and WebSocket frames (bench/lib/count-requests.mjs).
    const requestsFile = join(tmpdir(), `lifecycle-requests-${process.pid}.json`);
    process.env.COUNT_REQUESTS_FILE = requestsFile;
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --import=${join(ROOT, "bench", "lib", "count-requests.mjs")}`;
    const report = await simulate(system.platform.apiBase, {
      couriers: args.couriers ?? "10",
      rate: args.rate ?? "0.5",
      duration: args.duration ?? "20",
      cook: "2",
      drain: "150",
    });
    delete process.env.NODE_OPTIONS;
    const requests = JSON.parse(await readFile(requestsFile, "utf8").catch(() => "{}")) as {
      http?: Record<string, number>;
      sockets?: Record<string, number>;
      framesSent?: number;
    };
    await rm(requestsFile, { force: true });
    // Let the queue drain into Postgres.
    await new Promise((r) => setTimeout(r, 5000));
    const after = await stats(config);
    const delivered = report.orders.filter((o) => o.events.includes("order.delivered")).map((o) => o.id);
    const { db, close } = openDb(config, 1);
    try {
      const all = await db.execute<{ n: string; orders: string }>(
        sql`select count(*)::text as n, count(distinct order_id)::text as orders from order_events`,
      );
      const perType = await db.execute<{ type: string; n: string }>(
        sql`select type, count(*)::text as n from order_events where order_id in ${delivered} group by type order by 2 desc`,
      );
      const perOrder = await db.execute<{ n: string }>(
        sql`select count(*)::text as n from order_events where order_id in ${delivered} group by order_id order by 1`,
      );
      const counts = perOrder.rows.map((r) => Number(r.n)).sort((a, b) => a - b);
      const total = counts.reduce((a, b) => a + b, 0);
      const totalEvents = Number(all.rows[0]?.n);
      const totalOrders = Number(all.rows[0]?.orders);
      const result = {
        measuredAt: new Date().toISOString(),
        how: "bench/lifecycle.ts: the platform as `npm start` boots it, driven by scripts/simulate.ts",
        simulator: { ...args, cook: "2" },
        ordersPlaced: report.orders.length,
        ordersDelivered: delivered.length,
        eventsPerDeliveredOrder: {
          mean: counts.length ? total / counts.length : 0,
          min: counts[0] ?? 0,
          median: counts[Math.floor(counts.length / 2)] ?? 0,
          max: counts[counts.length - 1] ?? 0,
        },
        eventTypesPerDeliveredOrder: Object.fromEntries(
          perType.rows.map((r) => [r.type, Number(r.n) / Math.max(1, delivered.length)]),
        ),
        allOrders: { orders: totalOrders, events: totalEvents },
        clientRequests: {
          note: "every HTTP request and WebSocket the simulator's clients made during the run (sign-ins, menus, couriers' GPS fixes included), and per order placed",
          ...requests,
          httpPerOrder:
            Object.values(requests.http ?? {}).reduce((a, b) => a + b, 0) / Math.max(1, report.orders.length),
          socketsPerOrder:
            Object.values(requests.sockets ?? {}).reduce((a, b) => a + b, 0) / Math.max(1, report.orders.length),
          framesPerOrder: (requests.framesSent ?? 0) / Math.max(1, report.orders.length),
        },
        postgres: {
          note: "whole database during the run: the projection, the API's reads/writes (sign-ins, checkout, courier rows) and the reconciler",
          commits: after.commits - before.commits,
          rollbacks: after.rollbacks - before.rollbacks,
          rowsInserted: after.inserted - before.inserted,
          rowsUpdated: after.updated - before.updated,
          commitsPerOrder: (after.commits - before.commits) / Math.max(1, totalOrders),
          rowsWrittenPerOrder:
            (after.inserted - before.inserted + after.updated - before.updated) / Math.max(1, totalOrders),
        },
      };
      const file = join(ROOT, "bench", "results", "lifecycle.json");
      await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
      console.log(JSON.stringify(result, null, 2));
    } finally {
      await close();
    }
  } finally {
    await system.dispose();
  }
}

await main();
