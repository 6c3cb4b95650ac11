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

/**
 * A zone's offset changes only at its transitions, which fall on a quarter hour (UTC) in every zone
 * in use today; placement asks for the same zones' offsets thousands of times a minute. So the
 * offset is kept per zone and quarter hour, and only when it is the same at both ends of the
 * quarter (a historical transition at an odd second is never cached). Intl's formatToParts was
 * about 5 % of workerd's CPU per placed order (issue 18).
 */
const QUARTER_MS = 15 * 60_000;
const offsets = new Map<string, number>();
const MAX_OFFSETS = 4096;

function intlOffsetMs(instant: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0");
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"), get("second"));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** Offset of the zone from UTC at an instant, in milliseconds (Lisbon in summer: +3 600 000). */
function offsetMs(instant: number, timeZone: string): number {
  const quarter = Math.floor(instant / QUARTER_MS);
  const key = `${timeZone}|${quarter}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  const start = quarter * QUARTER_MS;
  const atStart = intlOffsetMs(start, timeZone);
  if (intlOffsetMs(start + QUARTER_MS - 1000, timeZone) !== atStart) return intlOffsetMs(instant, timeZone);
  if (offsets.size >= MAX_OFFSETS) offsets.clear();
  offsets.set(key, atStart);
  return atStart;
}

function fieldsOf(
  instant: number,
  timeZone: string,
): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  // The wall clock is the instant shifted by the zone's offset, read in UTC (whole seconds, as Intl shows).
  const t = new Date(Math.floor(instant / 1000) * 1000 + offsetMs(instant, timeZone));
  return {
    y: t.getUTCFullYear(),
    m: t.getUTCMonth() + 1,
    d: t.getUTCDate(),
    hh: t.getUTCHours(),
    mm: t.getUTCMinutes(),
    ss: t.getUTCSeconds(),
  };
}

export function localParts(instant: number, timeZone: string): LocalParts {
  const { y, m, d, hh, mm } = fieldsOf(instant, timeZone);
  return { date: isoDate(y, m, d), weekday: new Date(Date.UTC(y, m - 1, d)).getUTCDay(), minute: hh * 60 + mm };
}

/** What Intl itself says, without the memo: for tests that compare the two. */
export function intlLocalParts(instant: number, timeZone: string): LocalParts {
  const parts = formatterFor(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0");
  const [y, m, d] = [get("year"), get("month"), get("day")];
  return {
    date: isoDate(y, m, d),
    weekday: new Date(Date.UTC(y, m - 1, d)).getUTCDay(),
    minute: (get("hour") % 24) * 60 + get("minute"),
  };
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
