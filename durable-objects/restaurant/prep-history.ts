// How late this kitchen's food has been against its own estimates, for
// dispatch's food-ready timing (domain/dispatch/food-ready.ts, decision 37).
// Each Order DO reports one sample when its food is marked ready; the order
// id is the key, so a repeated report changes nothing. Only the newest
// samples are kept: a kitchen that hired a second cook last week should not
// be judged by last month.
import type { KitchenOutlook } from "../../domain/dispatch/food-ready.ts";

/** Samples kept per kitchen, and how many the outlook hands out. */
const KEEP = 50;
const RECENT = 20;
/** Older samples say little about tonight's kitchen. */
const MAX_AGE_MS = 14 * 24 * 60 * 60_000;
/** A sample beyond this is a forgotten "ready" button, not a kitchen's pace. */
const MAX_ABS_LATENESS_MS = 2 * 60 * 60_000;

export class PrepHistory {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(
      "create table if not exists prep_history (order_id text primary key, ready_at integer not null, lateness_ms integer not null)",
    );
  }

  record(orderId: string, readyAt: number, latenessMs: number): { recorded: boolean } {
    if (!Number.isFinite(readyAt) || !Number.isFinite(latenessMs) || Math.abs(latenessMs) > MAX_ABS_LATENESS_MS) {
      return { recorded: false };
    }
    const cursor = this.sql.exec(
      "insert or ignore into prep_history (order_id, ready_at, lateness_ms) values (?, ?, ?)",
      orderId,
      Math.round(readyAt),
      Math.round(latenessMs),
    );
    this.sql.exec(
      "delete from prep_history where order_id not in (select order_id from prep_history order by ready_at desc limit ?)",
      KEEP,
    );
    return { recorded: cursor.rowsWritten > 0 };
  }

  outlook(now: number, ordersInKitchen: number, maxActiveOrders: number | null): KitchenOutlook {
    const samples = this.sql
      .exec<{ lateness_ms: number }>(
        "select lateness_ms from prep_history where ready_at > ? order by ready_at desc limit ?",
        now - MAX_AGE_MS,
        RECENT,
      )
      .toArray()
      .map((r) => r.lateness_ms)
      .reverse();
    return { latenessSamplesMs: samples, ordersInKitchen: Math.max(0, ordersInKitchen), maxActiveOrders };
  }
}
