// Wall-clock time in a named time zone, both ways, with nothing but Intl.
// A restaurant's hours are local ("12:00 on Fridays"); placement, alarms and
// discovery work in epoch milliseconds, so every comparison goes through here.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  /** "YYYY-MM-DD" */
  date: string;
  /** 0 = Sunday */
  weekday: number;
  /** Minutes since local midnight. */
  minute: number;
}

function fieldsOf(
  instant: number,
  timeZone: string,
): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0");
  return { y: get("year"), m: get("month"), d: get("day"), hh: get("hour") % 24, mm: get("minute"), ss: get("second") };
}

export function localParts(instant: number, timeZone: string): LocalParts {
  const { y, m, d, hh, mm } = fieldsOf(instant, timeZone);
  return { date: isoDate(y, m, d), weekday: new Date(Date.UTC(y, m - 1, d)).getUTCDay(), minute: hh * 60 + mm };
}

/** Offset of the zone from UTC at an instant, in milliseconds (Lisbon in summer: +3 600 000). */
function offsetMs(instant: number, timeZone: string): number {
  const { y, m, d, hh, mm, ss } = fieldsOf(instant, timeZone);
  const asUtc = Date.UTC(y, m - 1, d, hh, mm, ss);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `timeZone` shows `date` + `minute`.
 * A time skipped by a spring-forward change maps to the moment after the gap;
 * a time that occurs twice (autumn) maps to one of its occurrences.
 */
export function localToEpoch(date: string, minute: number, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const naive = Date.UTC(y, m - 1, d, 0, minute);
  const first = naive - offsetMs(naive, timeZone);
  const second = naive - offsetMs(first, timeZone);
  if (first === second) return first;
  // The two guesses disagree near a change: keep the one that really shows the wanted wall time, earliest first.
  const shows = (t: number) => t + offsetMs(t, timeZone) === naive;
  const candidates = [Math.min(first, second), Math.max(first, second)].filter(shows);
  return candidates[0] ?? Math.max(first, second);
}

export function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Calendar arithmetic on "YYYY-MM-DD", independent of any zone. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return isoDate(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function weekdayOf(date: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** A real calendar date written "YYYY-MM-DD". */
export function isValidDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}
