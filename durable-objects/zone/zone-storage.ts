// The Zone DO's SQLite: enough to come back after eviction. Courier rows are
// written on every status, offer or assignment change and, for plain moves,
// at most every few seconds per courier (the in-memory index is the live
// truth; a position up to a few seconds old is fine to resume from).
import type { FixRejectReason } from "../../domain/dispatch/fix.ts";
import { AlarmSchedule } from "../shared/alarm-schedule.ts";
import type { CourierState, DispatchRecord } from "./protocol.ts";

export type ZoneDeadlineKind = "offer" | "retry";

export class ZoneStorage {
  /** Per order: when its live offer expires and when a failed step is retried; the subject is the order id. */
  readonly schedule: AlarmSchedule<ZoneDeadlineKind>;

  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(`
      create table if not exists meta (key text primary key, value text not null);
      create table if not exists couriers (courier_id text primary key, body text not null);
      create table if not exists dispatches (order_id text primary key, body text not null, settled integer not null default 0);
      create table if not exists dropped_fixes (reason text primary key, n integer not null);
    `);
    this.schedule = new AlarmSchedule<ZoneDeadlineKind>(storage, { manySubjects: true });
    this.adoptOldDeadlines();
  }

  /** Zones from before the shared schedule kept their deadlines in `deadlines`: moved over once. */
  private adoptOldDeadlines(): void {
    const sql = this.storage.sql;
    const old = sql.exec<{ n: number }>(
      "select count(*) as n from sqlite_master where type = 'table' and name = 'deadlines'",
    );
    if (old.one().n === 0) return;
    const rows = sql.exec<{ order_id: string; kind: ZoneDeadlineKind; at: number }>(
      "select order_id, kind, at from deadlines",
    );
    for (const row of rows.toArray()) this.schedule.set(row.kind, row.at, row.order_id);
    sql.exec("drop table deadlines");
  }

  cell(): string | null {
    const row = this.storage.sql.exec<{ value: string }>("select value from meta where key = 'cell'").toArray()[0];
    return row?.value ?? null;
  }

  setCell(cell: string): void {
    this.storage.sql.exec("insert or replace into meta (key, value) values ('cell', ?)", cell);
  }

  loadCouriers(): CourierState[] {
    return this.storage.sql
      .exec<{ body: string }>("select body from couriers")
      .toArray()
      .map((r) => JSON.parse(r.body) as CourierState);
  }

  saveCourier(state: CourierState): void {
    this.storage.sql.exec(
      "insert or replace into couriers (courier_id, body) values (?, ?)",
      state.courierId,
      JSON.stringify(state),
    );
  }

  deleteCourier(courierId: string): void {
    this.storage.sql.exec("delete from couriers where courier_id = ?", courierId);
  }

  loadDispatch(orderId: string): DispatchRecord | null {
    const row = this.storage.sql
      .exec<{ body: string }>("select body from dispatches where order_id = ?", orderId)
      .toArray()[0];
    return row ? (JSON.parse(row.body) as DispatchRecord) : null;
  }

  saveDispatch(record: DispatchRecord): void {
    const settled = record.offers.assignedCourierId !== null || record.offers.escalated ? 1 : 0;
    this.storage.sql.exec(
      "insert or replace into dispatches (order_id, body, settled) values (?, ?, ?)",
      record.request.orderId,
      JSON.stringify(record),
      settled,
    );
  }

  deleteDispatch(orderId: string): void {
    this.storage.sql.exec("delete from dispatches where order_id = ?", orderId);
    this.schedule.cancelSubject(orderId);
  }

  openDispatches(): number {
    return (
      this.storage.sql.exec<{ n: number }>("select count(*) as n from dispatches where settled = 0").toArray()[0]?.n ??
      0
    );
  }

  setDeadline(orderId: string, kind: ZoneDeadlineKind, at: number | null): void {
    this.schedule.set(kind, at, orderId);
  }

  addDropped(dropped: Partial<Record<FixRejectReason, number>>): void {
    for (const [reason, n] of Object.entries(dropped)) {
      if (!n) continue;
      this.storage.sql.exec(
        "insert into dropped_fixes (reason, n) values (?, ?) on conflict (reason) do update set n = n + excluded.n",
        reason,
        n,
      );
    }
  }

  dropped(): Partial<Record<FixRejectReason, number>> {
    const out: Partial<Record<FixRejectReason, number>> = {};
    for (const row of this.storage.sql
      .exec<{ reason: FixRejectReason; n: number }>("select reason, n from dropped_fixes")
      .toArray()) {
      out[row.reason] = row.n;
    }
    return out;
  }
}
