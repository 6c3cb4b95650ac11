// The periodic reconciler (cron trigger, every minute; `npm start` calls it
// locally). The Order DOs' own re-sends repair lost queue messages; this
// covers what they cannot see: an order whose alarm was lost, or a Postgres
// restored to an earlier point, where Postgres is behind although the DO's
// outbox is empty. It compares open orders' `last_event_seq` with their DO,
// least recently checked first, and asks every order the lag monitor lists
// to send its unacknowledged events now rather than at its next re-send.
import { and, asc, inArray, isNull, lt, notInArray, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { orders } from "../../db/schema.ts";
import { TERMINAL_STATES } from "../../domain/order/state-machine.ts";
import { projectionLagStub } from "../../durable-objects/projection-lag/stub.ts";
import { currentTraceparent } from "../../platform/trace-scope.ts";
import { logLine } from "../api/http/log.ts";
import type { Env } from "../env.ts";

/** Open orders compared per run; at one run a minute that is 12,000 an hour. */
export const RECONCILE_BATCH = 200;
/** Orders younger than this are left to the normal path (queue, acknowledgement, re-send). */
export const RECONCILE_AFTER_MS = 60_000;

export interface ReconcileReport {
  checked: number;
  behind: number;
  requeuedEvents: number;
  lagging: number;
  failures: number;
}

export async function reconcile(env: Env, db: Database, now = Date.now()): Promise<ReconcileReport> {
  const report: ReconcileReport = { checked: 0, behind: 0, requeuedEvents: 0, lagging: 0, failures: 0 };
  const compare = async (orderId: string, projectedSeq: number) => {
    try {
      const result = await env.ORDER.get(env.ORDER.idFromName(orderId)).reconcile(projectedSeq, currentTraceparent());
      if (result.requeued > 0) {
        report.behind++;
        report.requeuedEvents += result.requeued;
      }
    } catch (err) {
      report.failures++;
      logLine("warn", "reconciler.order_failed", { orderId, error: String(err) });
    }
  };

  // 1. Orders that told the monitor they lag: send now, from what Postgres has.
  const lag = await projectionLagStub(env).lag(RECONCILE_BATCH);
  report.lagging = lag.laggingOrders;
  const lagIds = lag.orders.map((o) => o.orderId);
  const known = lagIds.length
    ? await db.select({ id: orders.id, seq: orders.lastEventSeq }).from(orders).where(inArray(orders.id, lagIds))
    : [];
  const seqOf = new Map(known.map((k) => [k.id, k.seq]));
  await Promise.all(lagIds.map((id) => compare(id, seqOf.get(id) ?? 0)));

  // 2. Open orders, least recently compared first (orders_open_reconciled_idx).
  const open = await db
    .select({ id: orders.id, seq: orders.lastEventSeq })
    .from(orders)
    .where(
      and(
        notInArray(orders.status, [...TERMINAL_STATES]),
        lt(orders.updatedAt, new Date(now - RECONCILE_AFTER_MS)),
        or(isNull(orders.reconciledAt), lt(orders.reconciledAt, new Date(now - RECONCILE_AFTER_MS))),
      ),
    )
    .orderBy(sql`${orders.reconciledAt} asc nulls first`, asc(orders.updatedAt))
    .limit(RECONCILE_BATCH);
  await Promise.all(open.map((o) => compare(o.id, o.seq)));
  report.checked = open.length + lagIds.length;
  if (open.length > 0) {
    await db
      .update(orders)
      .set({ reconciledAt: new Date(now) })
      .where(
        inArray(
          orders.id,
          open.map((o) => o.id),
        ),
      );
  }
  if (report.behind > 0 || report.failures > 0) logLine("warn", "reconciler.repaired", { ...report });
  return report;
}
