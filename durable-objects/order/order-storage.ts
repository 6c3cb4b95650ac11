// The Order DO's own SQLite: the order as placed, its current snapshot, the
// append-only event log, the outbox of events Postgres has not yet
// acknowledged, and the schedule of deadlines the single alarm serves.

import { type OrderEventDraft, refundOf } from "../../domain/order/events.ts";
import type { OrderEvent, PlacedOrder } from "../../domain/order/order-event.ts";
import type { Actor, OrderDeadlineKind, OrderSnapshot } from "../../domain/order/state-machine.ts";
import type { OutboxEntry } from "../../domain/projection/resend.ts";
import { ALARM_SCHEDULE_TABLE, AlarmSchedule } from "../shared/alarm-schedule.ts";
import { COURIER_TRAIL_TABLE } from "./courier-trail.ts";

/** Everything the Order DO's one alarm serves: the state machine's deadlines and the adapter's own. */
export type AlarmKind =
  | OrderDeadlineKind
  | "projection_resend"
  | "refund_retry"
  | "dispatch_due"
  // Dispatch's own: a courier who went dark, and the end of the trail's retention.
  | "courier_dark"
  | "trail_purge";

/** The tables every Order DO has; `pending_refunds` is made when the first refund is promised. */
const TABLES = {
  meta: "create table meta (key text primary key, value text not null)",
  // No unique index on `id` (a random UUID): one index row less per event; objects from before keep theirs.
  events: `create table events (
    seq integer primary key, id text not null, type text not null,
    actor_id text not null, actor_role text not null, at integer not null, body text not null)`,
  outbox: "create table outbox (seq integer primary key, attempts integer not null default 0, sent_at integer)",
  alarm_schedule: ALARM_SCHEDULE_TABLE,
  // Dispatch's (dispatch.ts, courier-trail.ts): made here, in the same transaction, instead of one by one on every wake-up.
  dispatch_meta: "create table dispatch_meta (key text primary key, value text not null)",
  courier_trail: COURIER_TRAIL_TABLE,
} as const;

export class OrderStorage {
  /** The deadlines the object's one alarm serves (durable-objects/shared/alarm-schedule.ts). */
  readonly schedule: AlarmSchedule<AlarmKind>;
  /** The log's last sequence number, kept in memory (this object is the log's only writer); null until read. */
  private seq: number | null = null;
  private hasRefundTable: boolean;
  private readonly tables: ReadonlySet<string>;
  /** The object had no `meta` table when it woke: nothing of it was stored before. */
  readonly isNew: boolean;

  constructor(private readonly storage: DurableObjectStorage) {
    // One look at the schema instead of a `create table if not exists` per table on every wake-up.
    const tables = new Map(
      storage.sql
        .exec<{ name: string; sql: string }>("select name, sql from sqlite_master where type = 'table'")
        .toArray()
        .map((t) => [t.name, t.sql]),
    );
    const missing = Object.entries(TABLES).filter(([name]) => !tables.has(name));
    if (missing.length > 0) {
      storage.transactionSync(() => {
        for (const [, create] of missing) storage.sql.exec(create);
      });
    }
    // Objects created before the projection acknowledged events have an outbox without `sent_at`.
    const outbox = tables.get("outbox");
    if (outbox !== undefined && !outbox.includes("sent_at"))
      storage.sql.exec("alter table outbox add column sent_at integer");
    // Objects from before the schedule kept the trace that set each deadline.
    const schedule = tables.get("alarm_schedule");
    if (schedule !== undefined && !schedule.includes("traceparent"))
      storage.sql.exec("alter table alarm_schedule add column traceparent text");
    if (!tables.has("events")) this.seq = 0;
    this.isNew = !tables.has("meta");
    this.hasRefundTable = tables.has("pending_refunds");
    this.tables = new Set(tables.keys());
    this.schedule = new AlarmSchedule<AlarmKind>(storage, { remember: true, tableExists: true });
    if (tables.has("deadlines")) this.adoptOldDeadlines();
  }

  /** Whether the object had this table when it woke (tables made lazily by their owners). */
  hasTable(name: string): boolean {
    return this.tables.has(name);
  }

  /**
   * The object's writes that belong together, in one SQLite transaction. What this class keeps in
   * memory (the last sequence, the schedule) is dropped if the transaction throws, so it is re-read.
   */
  transaction<T>(write: () => T): T {
    try {
      return this.storage.transactionSync(write);
    } catch (err) {
      this.seq = null;
      this.schedule.forget();
      this.hasRefundTable =
        this.storage.sql
          .exec<{ n: number }>("select count(*) as n from sqlite_master where name = 'pending_refunds'")
          .one().n > 0;
      throw err;
    }
  }

  /** Objects from before the shared schedule kept their deadlines in `deadlines`: moved over once. */
  private adoptOldDeadlines(): void {
    const sql = this.storage.sql;
    for (const row of sql.exec<{ kind: AlarmKind; at: number }>("select kind, at from deadlines").toArray()) {
      this.schedule.set(row.kind, row.at);
    }
    sql.exec("drop table deadlines");
  }

  private getMeta<T>(key: string): T | null {
    const row = this.storage.sql.exec<{ value: string }>("select value from meta where key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : null;
  }

  private putMeta(key: string, value: unknown): void {
    // An update in place rewrites the row, not the key's index: one row written per transition, not two.
    this.storage.sql.exec(
      "insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
      key,
      JSON.stringify(value),
    );
  }

  loadOrder(): PlacedOrder | null {
    // A new object (its tables made just now) has nothing to read.
    return this.isNew ? null : this.getMeta<PlacedOrder>("order");
  }

  loadSnapshot(): OrderSnapshot | null {
    return this.isNew ? null : this.getMeta<OrderSnapshot>("snapshot");
  }

  saveOrder(order: PlacedOrder): void {
    this.putMeta("order", order);
  }

  saveSnapshot(snapshot: OrderSnapshot): void {
    this.putMeta("snapshot", snapshot);
  }

  lastSeq(): number {
    if (this.seq === null) {
      const row = this.storage.sql.exec<{ seq: number | null }>("select max(seq) as seq from events").toArray()[0];
      this.seq = row?.seq ?? 0;
    }
    return this.seq;
  }

  /**
   * Turns drafts into the log's next events, stamped with the snapshot's state,
   * and keeps each refund they promise for payments.ts to send. Inside a transaction.
   */
  appendDrafts(snapshot: OrderSnapshot, drafts: readonly OrderEventDraft[], actor: Actor, now: number): OrderEvent[] {
    let seq = this.lastSeq();
    const events: OrderEvent[] = [];
    for (const draft of drafts) {
      const event: OrderEvent = {
        id: crypto.randomUUID(),
        orderId: snapshot.id,
        seq: ++seq,
        actorId: actor.id,
        actorRole: actor.role,
        at: now,
        state: snapshot.state,
        delivery: snapshot.delivery,
        ...draft,
      };
      this.appendEvent(event);
      const refund = refundOf(draft);
      if (refund && refund.amountMinor > 0) this.addPendingRefund(event.id, refund.amountMinor, refund.reason);
      events.push(event);
    }
    return events;
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
    this.seq = event.seq;
  }

  eventsAfter(seq: number, limit = 1000): OrderEvent[] {
    return this.storage.sql
      .exec<{ body: string }>("select body from events where seq > ? order by seq limit ?", seq, limit)
      .toArray()
      .map((r) => JSON.parse(r.body) as OrderEvent);
  }

  /** What the outbox holds: events Postgres has not acknowledged, with how often and when they went. */
  outboxEntries(): OutboxEntry[] {
    return this.storage.sql
      .exec<{ seq: number; attempts: number; sent_at: number | null }>(
        "select seq, attempts, sent_at from outbox order by seq",
      )
      .toArray()
      .map((r) => ({ seq: r.seq, attempts: r.attempts, sentAt: r.sent_at }));
  }

  eventsBySeq(seqs: readonly number[]): OrderEvent[] {
    return seqs.flatMap((seq) =>
      this.storage.sql
        .exec<{ body: string }>("select body from events where seq = ?", seq)
        .toArray()
        .map((r) => JSON.parse(r.body) as OrderEvent),
    );
  }

  /** Sent, not forgotten: the row stays until the projection acknowledges the event. */
  markSent(seqs: number[], at: number): void {
    for (const seq of seqs) {
      this.storage.sql.exec("update outbox set sent_at = ?, attempts = attempts + 1 where seq = ?", at, seq);
    }
  }

  /** The projection has these events in Postgres: nothing more to send for them. */
  acknowledge(seqs: readonly number[]): void {
    for (const seq of seqs) this.storage.sql.exec("delete from outbox where seq = ?", seq);
  }

  /**
   * Marks every event after `seq` to be sent now (the reconciler found
   * Postgres at `seq`); idempotent. Returns how many events that is.
   */
  requeueAfter(seq: number): number {
    this.storage.sql.exec(
      `insert into outbox (seq, attempts, sent_at) select seq, 0, null from events where seq > ?
       on conflict (seq) do update set sent_at = null`,
      seq,
    );
    return (
      this.storage.sql.exec<{ n: number }>("select count(*) as n from events where seq > ?", seq).toArray()[0]?.n ?? 0
    );
  }

  /** When the oldest unacknowledged event happened; null when Postgres has them all. */
  oldestUnacknowledgedAt(): number | null {
    return (
      this.storage.sql
        .exec<{ at: number | null }>("select min(e.at) as at from outbox o join events e on e.seq = o.seq")
        .toArray()[0]?.at ?? null
    );
  }

  outboxSize(): number {
    return this.storage.sql.exec<{ n: number }>("select count(*) as n from outbox").toArray()[0]?.n ?? 0;
  }

  setDeadline(kind: AlarmKind, at: number | null): void {
    this.schedule.set(kind, at);
  }

  addPendingRefund(eventId: string, amountMinor: number, reason: string): void {
    if (!this.hasRefundTable) {
      this.storage.sql.exec(
        "create table if not exists pending_refunds (event_id text primary key, amount_minor integer not null, reason text not null, attempts integer not null default 0)",
      );
      this.hasRefundTable = true;
    }
    this.storage.sql.exec(
      "insert or ignore into pending_refunds (event_id, amount_minor, reason) values (?, ?, ?)",
      eventId,
      amountMinor,
      reason,
    );
  }

  pendingRefunds(): Array<{ event_id: string; amount_minor: number; reason: string; attempts: number }> {
    if (!this.hasRefundTable) return [];
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
