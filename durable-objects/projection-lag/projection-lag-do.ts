// One object for the platform that knows which orders' events Postgres has
// not acknowledged past the window (domain/projection/resend.ts). Order DOs
// report themselves only while they lag, so it is idle in steady state;
// /v1/health and the operators' console read it, and the reconciler asks the
// lagging orders to re-send at once.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../platform/env.ts";

/** An entry not refreshed for this long is dropped: a lagging order re-reports at every re-send (at most 5 min apart). */
const FORGET_AFTER_MS = 15 * 60_000;

export interface ProjectionLag {
  laggingOrders: number;
  /** Age of the oldest event Postgres has not acknowledged, among lagging orders; 0 when none lag. */
  oldestUnacknowledgedAgeMs: number;
  pendingEvents: number;
  /** The longest-lagging orders first. */
  orders: Array<{ orderId: string; oldestAt: string; pendingEvents: number }>;
}

export class ProjectionLagDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`create table if not exists lagging (
      order_id text primary key, oldest_at integer not null, pending integer not null, reported_at integer not null)`);
  }

  report(orderId: string, oldestAt: number, pending: number): void {
    this.ctx.storage.sql.exec(
      "insert or replace into lagging (order_id, oldest_at, pending, reported_at) values (?, ?, ?, ?)",
      orderId,
      oldestAt,
      pending,
      Date.now(),
    );
  }

  clear(orderId: string): void {
    this.ctx.storage.sql.exec("delete from lagging where order_id = ?", orderId);
  }

  lag(limit = 50): ProjectionLag {
    const now = Date.now();
    this.ctx.storage.sql.exec("delete from lagging where reported_at < ?", now - FORGET_AFTER_MS);
    const totals = this.ctx.storage.sql
      .exec<{ n: number; oldest: number | null; pending: number | null }>(
        "select count(*) as n, min(oldest_at) as oldest, sum(pending) as pending from lagging",
      )
      .toArray()[0];
    const orders = this.ctx.storage.sql
      .exec<{ order_id: string; oldest_at: number; pending: number }>(
        "select order_id, oldest_at, pending from lagging order by oldest_at limit ?",
        Math.max(1, Math.min(limit, 500)),
      )
      .toArray();
    return {
      laggingOrders: totals?.n ?? 0,
      oldestUnacknowledgedAgeMs: totals?.oldest ? Math.max(0, now - totals.oldest) : 0,
      pendingEvents: totals?.pending ?? 0,
      orders: orders.map((o) => ({
        orderId: o.order_id,
        oldestAt: new Date(o.oldest_at).toISOString(),
        pendingEvents: o.pending,
      })),
    };
  }
}
