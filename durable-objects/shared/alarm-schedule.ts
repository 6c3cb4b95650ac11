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
import { type Deadline, type Schedule, scheduleOf } from "../../domain/schedule/schedule.ts";
import { logLine } from "../../platform/log.ts";
import { currentTraceparent, withLinkedSpan, withNewTrace } from "../../platform/trace-scope.ts";

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

export interface AlarmScheduleOptions {
  /**
   * Index the times and subjects: for an object with many subjects (a zone's
   * orders), where every read would otherwise scan them all. An object with a
   * handful of deadlines (an order) does better without: each index is one more
   * row written per deadline set, and Cloudflare bills rows written.
   */
  manySubjects?: boolean;
}

export class AlarmSchedule<K extends string> {
  constructor(
    private readonly storage: DurableObjectStorage,
    options: AlarmScheduleOptions = {},
  ) {
    storage.sql.exec(
      "create table if not exists alarm_schedule (kind text not null, subject text not null, at integer not null, traceparent text, primary key (kind, subject))",
    );
    if (options.manySubjects) {
      storage.sql.exec("create index if not exists alarm_schedule_at on alarm_schedule (at)");
      storage.sql.exec("create index if not exists alarm_schedule_subject on alarm_schedule (subject)");
    }
    // Objects from before the trace was kept have the table without the column.
    const columns = storage.sql.exec<{ name: string }>("select name from pragma_table_info('alarm_schedule')");
    if (!columns.toArray().some((c) => c.name === "traceparent")) {
      storage.sql.exec("alter table alarm_schedule add column traceparent text");
    }
  }

  /**
   * Adds, moves (`at` a time) or cancels (`at` null) the deadline of one kind
   * for one subject. The trace the caller runs under is kept with it; moving a
   * deadline keeps the trace that moved it.
   */
  set(kind: K, at: number | null, subject = ""): void {
    if (at === null) this.storage.sql.exec("delete from alarm_schedule where kind = ? and subject = ?", kind, subject);
    else
      this.storage.sql.exec(
        "insert or replace into alarm_schedule (kind, subject, at, traceparent) values (?, ?, ?, ?)",
        kind,
        subject,
        at,
        currentTraceparent() ?? null,
      );
  }

  /** Cancels every deadline about this subject (an order the zone forgets). */
  cancelSubject(subject: string): void {
    this.storage.sql.exec("delete from alarm_schedule where subject = ?", subject);
  }

  /** The whole schedule, earliest first (for tests and inspection: the reads below ask SQLite for only what they need). */
  schedule(): Schedule<K> {
    const rows = this.storage.sql.exec<Row<K>>("select kind, subject, at, traceparent from alarm_schedule");
    return scheduleOf(rows.toArray().map(deadlineOfRow));
  }

  has(kind: K, subject = ""): boolean {
    return this.deadline(kind, subject) !== null;
  }

  /** The deadline of one kind for one subject, with the trace that set it; null when none is set. */
  deadline(kind: K, subject = ""): Deadline<K> | null {
    const rows = this.storage.sql
      .exec<Row<K>>(
        "select kind, subject, at, traceparent from alarm_schedule where kind = ? and subject = ?",
        kind,
        subject,
      )
      .toArray();
    return rows[0] ? deadlineOfRow(rows[0]) : null;
  }

  /**
   * Due deadlines, earliest first, left in place: their handlers move or cancel
   * them. Same order as the domain's schedule (time, then kind, then subject).
   */
  due(now: number): Deadline<K>[] {
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
    const earliest = this.storage.sql.exec<{ at: number | null }>("select min(at) as at from alarm_schedule").one().at;
    if (earliest === null) {
      await this.storage.deleteAlarm();
      return;
    }
    if ((await this.storage.getAlarm()) !== earliest) await this.storage.setAlarm(earliest);
  }
}
