// A schedule of named deadlines, the part of a Durable Object's one alarm that
// needs no storage: each deadline is a kind (what to do) for a subject (whom
// it is about; "" when the object has only one of that kind), at a time.
// There is at most one deadline per kind and subject (setting one again moves
// it); the alarm points at the earliest and, when it fires, serves what is due
// in time order. durable-objects/shared/alarm-schedule.ts keeps it in the
// object's SQLite, one row per deadline, and arms the alarm.

export interface Deadline<K extends string = string> {
  kind: K;
  /** Whom the deadline is about (an order in a zone); "" for the object itself. */
  subject: string;
  /** Epoch milliseconds. */
  at: number;
  /**
   * The W3C traceparent of the work that set the deadline, when it ran under
   * one: the alarm that serves it links its span to this trace (decision 0049).
   */
  traceparent?: string;
}

/** Deadlines ordered by time, one per kind and subject. */
export type Schedule<K extends string = string> = readonly Deadline<K>[];

/** Time order; ties by kind then subject, so equal times are served the same way every time. */
function earlier(a: Deadline, b: Deadline): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  return a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0;
}

function same(a: Deadline, kind: string, subject: string): boolean {
  return a.kind === kind && a.subject === subject;
}

/** A schedule from deadlines in any order; a later duplicate of a kind and subject wins. */
export function scheduleOf<K extends string>(deadlines: Iterable<Deadline<K>>): Schedule<K> {
  const byKey = new Map<string, Deadline<K>>();
  for (const d of deadlines) byKey.set(JSON.stringify([d.kind, d.subject]), d);
  return [...byKey.values()].sort(earlier);
}

/** The time of one kind's deadline for one subject; null when none is set. */
export function deadlineOf<K extends string>(schedule: Schedule<K>, kind: K, subject = ""): number | null {
  return schedule.find((d) => same(d, kind, subject))?.at ?? null;
}

/** When the alarm should fire: the earliest deadline, undefined when there is none. */
export function nextDue(schedule: Schedule): number | undefined {
  return schedule[0]?.at;
}

/** The deadlines due at `now`, earliest first, left in the schedule (their handlers decide what follows). */
export function dueAt<K extends string>(schedule: Schedule<K>, now: number): Deadline<K>[] {
  return schedule.filter((d) => d.at <= now);
}
