// A Durable Object has one alarm. The Order, Zone and Restaurant DOs each keep
// their deadlines in this schedule (domain/schedule/schedule.ts) in their own
// SQLite and point the alarm at the earliest. Writes go row by row, inside the
// caller's transaction when there is one, so a deadline is never written apart
// from the state that set it. `arm` writes the alarm only when it is not already
// at the earliest time, so a write that adds no earlier deadline costs no alarm write.
// Each row keeps the traceparent of the work that set it; `serve` runs an alarm
// under a new trace and each due deadline in a span linked to that trace
// (decision 0049, addendum), so an alarm's log lines lead back to the request
// that caused them.
//
// With `remember`, the object keeps a copy of its rows in memory (it is their
// only writer): setting a deadline to the time it already has, or cancelling
// one that is not there, then costs no statement at all, and reading the
// schedule costs no query. An object whose transaction may throw after a `set`
// calls `forget` when it does, so the copy is re-read from storage. Without it,
// each read asks SQLite for only the rows it needs (decision 0050, addendum).
import { type Deadline, dueAt, nextDue, type Schedule, scheduleOf } from "../../domain/schedule/schedule.ts";
import { logLine } from "../../platform/log.ts";
import { currentTraceparent, withLinkedSpan, withNewTrace } from "../../platform/trace-scope.ts";

/** The table, for an object that makes its tables itself (`tableExists`). */
export const ALARM_SCHEDULE_TABLE =
  "create table alarm_schedule (kind text not null, subject text not null, at integer not null, traceparent text, primary key (kind, subject))";

type Row<K extends string> = {
  kind: K;
  subject: string;
  at: number;
  traceparent: string | null;
};

/** A deadline row as SQLite returns it; `traceparent` is dropped when null. */
function deadlineOfRow<K extends string>({ traceparent, ...d }: Row<K>): Deadline<K> {
  return traceparent === null ? d : { ...d, traceparent };
}

function keyOf(kind: string, subject: string): string {
  return `${kind}\u0000${subject}`;
}

export interface AlarmScheduleOptions {
  /** Keep the rows in memory too (see above). */
  remember?: boolean;
  /** The caller already made the table as `ALARM_SCHEDULE_TABLE`: skip the `create table if not exists`. */
  tableExists?: boolean;
  /**
   * Index the times and subjects: for an object with many subjects (a zone's
   * orders), where every read would otherwise scan them all. An object with a
   * handful of deadlines (an order) does better without: each index is one more
   * row written per deadline set, and Cloudflare bills rows written.
   */
  manySubjects?: boolean;
}

export class AlarmSchedule<K extends string> {
  private readonly remember: boolean;
  /** The rows by kind and subject, when remembered and loaded. */
  private rows: Map<string, Deadline<K>> | null = null;
  /** The alarm as this object last set it; undefined when unknown (asked of storage). */
  private armed: number | null | undefined = undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    options: AlarmScheduleOptions = {},
  ) {
    this.remember = options.remember ?? false;
    if (!options.tableExists) {
      storage.sql.exec(ALARM_SCHEDULE_TABLE.replace("create table", "create table if not exists"));
      // Objects from before the trace was kept have the table without the column.
      const columns = storage.sql.exec<{ name: string }>("select name from pragma_table_info('alarm_schedule')");
      if (!columns.toArray().some((c) => c.name === "traceparent")) {
        storage.sql.exec("alter table alarm_schedule add column traceparent text");
      }
    }
    if (options.manySubjects) {
      storage.sql.exec("create index if not exists alarm_schedule_at on alarm_schedule (at)");
      storage.sql.exec("create index if not exists alarm_schedule_subject on alarm_schedule (subject)");
    }
  }

  /**
   * Adds, moves (`at` a time) or cancels (`at` null) the deadline of one kind
   * for one subject. The trace the caller runs under is kept with it; moving a
   * deadline keeps the trace that moved it.
   */
  set(kind: K, at: number | null, subject = ""): void {
    const traceparent = currentTraceparent() ?? null;
    const rows = this.loaded();
    if (rows) {
      const key = keyOf(kind, subject);
      if ((rows.get(key)?.at ?? null) === at) return;
      if (at === null) rows.delete(key);
      else rows.set(key, deadlineOfRow({ kind, subject, at, traceparent }));
    }
    if (at === null) this.storage.sql.exec("delete from alarm_schedule where kind = ? and subject = ?", kind, subject);
    // An update in place rewrites the row but not the primary key's index (one row written, not two).
    else
      this.storage.sql.exec(
        `insert into alarm_schedule (kind, subject, at, traceparent) values (?, ?, ?, ?)
         on conflict (kind, subject) do update set at = excluded.at, traceparent = excluded.traceparent
         where at <> excluded.at`,
        kind,
        subject,
        at,
        traceparent,
      );
  }

  /** Cancels every deadline about this subject (an order the zone forgets). */
  cancelSubject(subject: string): void {
    const rows = this.loaded();
    if (rows) for (const [key, d] of rows) if (d.subject === subject) rows.delete(key);
    this.storage.sql.exec("delete from alarm_schedule where subject = ?", subject);
  }

  /** The whole schedule, earliest first (for tests and inspection: the reads below ask for only what they need). */
  schedule(): Schedule<K> {
    const rows = this.loaded();
    if (rows) return scheduleOf(rows.values());
    return scheduleOf(
      this.storage.sql
        .exec<Row<K>>("select kind, subject, at, traceparent from alarm_schedule")
        .toArray()
        .map(deadlineOfRow),
    );
  }

  has(kind: K, subject = ""): boolean {
    return this.deadline(kind, subject) !== null;
  }

  /** The deadline of one kind for one subject, with the trace that set it; null when none is set. */
  deadline(kind: K, subject = ""): Deadline<K> | null {
    const rows = this.loaded();
    if (rows) return rows.get(keyOf(kind, subject)) ?? null;
    const found = this.storage.sql
      .exec<Row<K>>(
        "select kind, subject, at, traceparent from alarm_schedule where kind = ? and subject = ?",
        kind,
        subject,
      )
      .toArray();
    return found[0] ? deadlineOfRow(found[0]) : null;
  }

  /**
   * Due deadlines, earliest first, left in place: their handlers move or cancel
   * them. Same order as the domain's schedule (time, then kind, then subject).
   */
  due(now: number): Deadline<K>[] {
    if (this.loaded()) return dueAt(this.schedule(), now);
    return this.storage.sql
      .exec<Row<K>>(
        "select kind, subject, at, traceparent from alarm_schedule where at <= ? order by at, kind, subject",
        now,
      )
      .toArray()
      .map(deadlineOfRow);
  }

  /**
   * One alarm run: under a new trace, each deadline due at `now` is handed to
   * `handle` (earliest first, left in place for the handler to move or cancel)
   * in its own span linked to the trace that set it; then the alarm is re-armed.
   */
  async serve(now: number, handle: (deadline: Deadline<K>) => Promise<void>): Promise<void> {
    await withNewTrace(async () => {
      for (const deadline of this.due(now)) {
        await withLinkedSpan(deadline.traceparent, async () => {
          logLine("info", "alarm.deadline_due", {
            kind: deadline.kind,
            subject: deadline.subject,
            lateMs: now - deadline.at,
          });
          await handle(deadline);
        });
      }
      await this.arm();
    });
  }

  /** Points the object's alarm at the earliest deadline, or clears it when there is none. */
  async arm(): Promise<void> {
    const earliest = this.loaded()
      ? (nextDue(this.schedule()) ?? null)
      : this.storage.sql.exec<{ at: number | null }>("select min(at) as at from alarm_schedule").one().at;
    if (this.remember && this.armed !== undefined && this.armed === earliest) return;
    if (earliest === null) {
      await this.storage.deleteAlarm();
    } else if ((await this.storage.getAlarm()) !== earliest) {
      await this.storage.setAlarm(earliest);
    }
    this.armed = earliest;
  }

  /** A transaction rolled back: re-read what storage holds. */
  forget(): void {
    this.rows = null;
    this.armed = undefined;
  }

  /**
   * The alarm is running: the runtime clears it afterwards unless it is set again, so the alarm is
   * asked of storage next time; and the deadlines it serves are read from storage, the record,
   * once per alarm (cheap: alarms are rare next to the writes the memory saves statements on).
   */
  alarmFired(): void {
    this.forget();
  }

  private loaded(): Map<string, Deadline<K>> | null {
    if (!this.remember) return null;
    if (!this.rows) {
      this.rows = new Map();
      for (const row of this.storage.sql
        .exec<Row<K>>("select kind, subject, at, traceparent from alarm_schedule")
        .toArray()) {
        this.rows.set(keyOf(row.kind, row.subject), deadlineOfRow(row));
      }
    }
    return this.rows;
  }
}
