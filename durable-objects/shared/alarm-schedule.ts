// A Durable Object has one alarm. The Order, Zone and Restaurant DOs each keep
// their deadlines in this schedule (domain/schedule/schedule.ts) in their own
// SQLite and point the alarm at the earliest. Writes go row by row, inside the
// caller's transaction when there is one, so a deadline is never written apart
// from the state that set it. `arm` writes the alarm only when it is not already
// at the earliest time, so a write that adds no earlier deadline costs no alarm write.
import {
  type Deadline,
  deadlineOf,
  dueAt,
  nextDue,
  type Schedule,
  scheduleOf,
} from "../../domain/schedule/schedule.ts";

export class AlarmSchedule<K extends string> {
  constructor(private readonly storage: DurableObjectStorage) {
    storage.sql.exec(
      "create table if not exists alarm_schedule (kind text not null, subject text not null, at integer not null, primary key (kind, subject))",
    );
  }

  /** Adds, moves (`at` a time) or cancels (`at` null) the deadline of one kind for one subject. */
  set(kind: K, at: number | null, subject = ""): void {
    if (at === null) this.storage.sql.exec("delete from alarm_schedule where kind = ? and subject = ?", kind, subject);
    else
      this.storage.sql.exec(
        "insert or replace into alarm_schedule (kind, subject, at) values (?, ?, ?)",
        kind,
        subject,
        at,
      );
  }

  /** Cancels every deadline about this subject (an order the zone forgets). */
  cancelSubject(subject: string): void {
    this.storage.sql.exec("delete from alarm_schedule where subject = ?", subject);
  }

  /** The whole schedule, earliest first. */
  schedule(): Schedule<K> {
    return scheduleOf(
      this.storage.sql.exec<{ kind: K; subject: string; at: number }>("select kind, subject, at from alarm_schedule"),
    );
  }

  has(kind: K, subject = ""): boolean {
    return deadlineOf(this.schedule(), kind, subject) !== null;
  }

  /** Due deadlines, earliest first, left in place: their handlers move or cancel them. */
  due(now: number): Deadline<K>[] {
    return dueAt(this.schedule(), now);
  }

  /** Points the object's alarm at the earliest deadline, or clears it when there is none. */
  async arm(): Promise<void> {
    const earliest = nextDue(this.schedule());
    if (earliest === undefined) {
      await this.storage.deleteAlarm();
      return;
    }
    if ((await this.storage.getAlarm()) !== earliest) await this.storage.setAlarm(earliest);
  }
}
