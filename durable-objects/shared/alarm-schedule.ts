// A Durable Object has one alarm. The Order, Zone and Restaurant DOs each keep
// their deadlines in this schedule (domain/schedule/schedule.ts) in their own
// SQLite and point the alarm at the earliest. Writes go row by row, inside the
// caller's transaction when there is one, so a deadline is never written apart
// from the state that set it. `arm` writes the alarm only when it is not already
// at the earliest time, so a write that adds no earlier deadline costs no alarm write.
//
// With `remember`, the object keeps a copy of its rows in memory (it is their
// only writer): setting a deadline to the time it already has, or cancelling
// one that is not there, then costs no statement at all, and reading the
// schedule costs no query. An object whose transaction may throw after a `set`
// calls `forget` when it does, so the copy is re-read from storage.
import {
  type Deadline,
  deadlineOf,
  dueAt,
  nextDue,
  type Schedule,
  scheduleOf,
} from "../../domain/schedule/schedule.ts";

export interface AlarmScheduleOptions {
  /** Keep the rows in memory too (see above). */
  remember?: boolean;
  /** The caller already knows the table exists: skip the `create table if not exists`. */
  tableExists?: boolean;
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
      storage.sql.exec(
        "create table if not exists alarm_schedule (kind text not null, subject text not null, at integer not null, primary key (kind, subject))",
      );
    }
  }

  /** Adds, moves (`at` a time) or cancels (`at` null) the deadline of one kind for one subject. */
  set(kind: K, at: number | null, subject = ""): void {
    const rows = this.loaded();
    if (rows) {
      const key = `${kind}\u0000${subject}`;
      if ((rows.get(key)?.at ?? null) === at) return;
      if (at === null) rows.delete(key);
      else rows.set(key, { kind, subject, at });
    }
    if (at === null) this.storage.sql.exec("delete from alarm_schedule where kind = ? and subject = ?", kind, subject);
    // An update of `at` alone rewrites the row but not the primary key's index (one row written, not two).
    else
      this.storage.sql.exec(
        `insert into alarm_schedule (kind, subject, at) values (?, ?, ?)
         on conflict (kind, subject) do update set at = excluded.at where at <> excluded.at`,
        kind,
        subject,
        at,
      );
  }

  /** Cancels every deadline about this subject (an order the zone forgets). */
  cancelSubject(subject: string): void {
    const rows = this.loaded();
    if (rows) for (const [key, d] of rows) if (d.subject === subject) rows.delete(key);
    this.storage.sql.exec("delete from alarm_schedule where subject = ?", subject);
  }

  /** The whole schedule, earliest first. */
  schedule(): Schedule<K> {
    const rows = this.loaded();
    if (rows) return scheduleOf(rows.values());
    return scheduleOf(
      this.storage.sql.exec<{ kind: K; subject: string; at: number }>("select kind, subject, at from alarm_schedule"),
    );
  }

  has(kind: K, subject = ""): boolean {
    const rows = this.loaded();
    if (rows) return rows.has(`${kind}\u0000${subject}`);
    return deadlineOf(this.schedule(), kind, subject) !== null;
  }

  /** Due deadlines, earliest first, left in place: their handlers move or cancel them. */
  due(now: number): Deadline<K>[] {
    return dueAt(this.schedule(), now);
  }

  /** Points the object's alarm at the earliest deadline, or clears it when there is none. */
  async arm(): Promise<void> {
    const earliest = nextDue(this.schedule()) ?? null;
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
      for (const d of this.storage.sql.exec<{ kind: K; subject: string; at: number }>(
        "select kind, subject, at from alarm_schedule",
      )) {
        this.rows.set(`${d.kind}\u0000${d.subject}`, { kind: d.kind, subject: d.subject, at: d.at });
      }
    }
    return this.rows;
  }
}
