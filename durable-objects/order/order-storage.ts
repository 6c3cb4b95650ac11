// The Order DO's own SQLite: the order as placed, its current snapshot, the
// append-only event log, the outbox of events not yet sent to the queue, and
// the schedule of deadlines the single alarm serves.
import type { OrderEvent, PlacedOrder } from "../../domain/order/order-event.ts";
import type { OrderSnapshot } from "../../domain/order/state-machine.ts";

export type DeadlineKind =
  | "payment_timeout"
  | "acceptance_timeout"
  | "courier_timeout"
  | "outbox_retry"
  | "refund_retry"
  // Dispatch's own: a courier who went dark, and the end of the trail's retention.
  | "courier_dark"
  | "trail_purge";

export class OrderStorage {
  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(`
      create table if not exists meta (key text primary key, value text not null);
      create table if not exists events (
        seq integer primary key, id text not null unique, type text not null,
        actor_id text not null, actor_role text not null, at integer not null, body text not null);
      create table if not exists outbox (seq integer primary key, attempts integer not null default 0);
      create table if not exists deadlines (kind text primary key, at integer not null);
      create table if not exists pending_refunds (
        event_id text primary key, amount_minor integer not null, reason text not null, attempts integer not null default 0);
    `);
  }

  private getMeta<T>(key: string): T | null {
    const row = this.storage.sql.exec<{ value: string }>("select value from meta where key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : null;
  }

  private putMeta(key: string, value: unknown): void {
    this.storage.sql.exec("insert or replace into meta (key, value) values (?, ?)", key, JSON.stringify(value));
  }

  loadOrder(): PlacedOrder | null {
    return this.getMeta<PlacedOrder>("order");
  }

  loadSnapshot(): OrderSnapshot | null {
    return this.getMeta<OrderSnapshot>("snapshot");
  }

  saveOrder(order: PlacedOrder): void {
    this.putMeta("order", order);
  }

  saveSnapshot(snapshot: OrderSnapshot): void {
    this.putMeta("snapshot", snapshot);
  }

  lastSeq(): number {
    const row = this.storage.sql.exec<{ seq: number | null }>("select max(seq) as seq from events").toArray()[0];
    return row?.seq ?? 0;
  }

  /** Appends to the log and the outbox in the same write: an event is never logged without being queued. */
  appendEvent(event: OrderEvent): void {
    this.storage.sql.exec(
      "insert into events (seq, id, type, actor_id, actor_role, at, body) values (?, ?, ?, ?, ?, ?, ?)",
      event.seq,
      event.id,
      event.type,
      event.actorId,
      event.actorRole,
      event.at,
      JSON.stringify(event),
    );
    this.storage.sql.exec("insert into outbox (seq) values (?)", event.seq);
  }

  eventsAfter(seq: number, limit = 1000): OrderEvent[] {
    return this.storage.sql
      .exec<{ body: string }>("select body from events where seq > ? order by seq limit ?", seq, limit)
      .toArray()
      .map((r) => JSON.parse(r.body) as OrderEvent);
  }

  outbox(limit = 100): OrderEvent[] {
    return this.storage.sql
      .exec<{ body: string }>(
        "select e.body from outbox o join events e on e.seq = o.seq order by o.seq limit ?",
        limit,
      )
      .toArray()
      .map((r) => JSON.parse(r.body) as OrderEvent);
  }

  markSent(seqs: number[]): void {
    for (const seq of seqs) this.storage.sql.exec("delete from outbox where seq = ?", seq);
  }

  outboxSize(): number {
    return this.storage.sql.exec<{ n: number }>("select count(*) as n from outbox").toArray()[0]?.n ?? 0;
  }

  setDeadline(kind: DeadlineKind, at: number | null): void {
    if (at === null) this.storage.sql.exec("delete from deadlines where kind = ?", kind);
    else this.storage.sql.exec("insert or replace into deadlines (kind, at) values (?, ?)", kind, at);
  }

  deadlines(): Array<{ kind: DeadlineKind; at: number }> {
    return this.storage.sql
      .exec<{ kind: DeadlineKind; at: number }>("select kind, at from deadlines order by at")
      .toArray();
  }

  addPendingRefund(eventId: string, amountMinor: number, reason: string): void {
    this.storage.sql.exec(
      "insert or ignore into pending_refunds (event_id, amount_minor, reason) values (?, ?, ?)",
      eventId,
      amountMinor,
      reason,
    );
  }

  pendingRefunds(): Array<{ event_id: string; amount_minor: number; reason: string; attempts: number }> {
    return this.storage.sql
      .exec<{ event_id: string; amount_minor: number; reason: string; attempts: number }>(
        "select * from pending_refunds",
      )
      .toArray();
  }

  resolveRefund(eventId: string): void {
    this.storage.sql.exec("delete from pending_refunds where event_id = ?", eventId);
  }

  bumpRefundAttempt(eventId: string): void {
    this.storage.sql.exec("update pending_refunds set attempts = attempts + 1 where event_id = ?", eventId);
  }
}
