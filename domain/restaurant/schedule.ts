// When a restaurant takes orders: weekly hours (several slots a day, slots
// past midnight), special days that replace a date's hours (closed, or other
// hours), and a temporary pause ("closed for the next 30 minutes").
//
// Everything is turned into concrete intervals of epoch milliseconds first, so
// daylight-saving changes, overnight slots and special days meet in one place.
// A slot belongs to the local date it opens on: the after-midnight part of
// Friday's 19:00-02:00 is Friday's, and a special day on Friday removes it too.
import { addDays, isValidDate, localParts, localToEpoch, minutesOf, weekdayOf } from "./local-time.ts";
import { isOpenAt, type OpeningSlot } from "./opening-hours.ts";

export interface DaySlot {
  open: string;
  close: string;
}

export interface SpecialDay {
  /** Local date "YYYY-MM-DD" in the restaurant's time zone. */
  date: string;
  /** Replaces the weekly hours of that date; empty means closed all day. */
  slots: DaySlot[];
  /** Shown to staff and customers, e.g. "Christmas". */
  note?: string | undefined;
}

export interface Schedule {
  timeZone: string;
  weekly: readonly OpeningSlot[];
  specialDays: readonly SpecialDay[];
  /** Epoch ms; closed before this instant whatever the hours say. */
  pausedUntil: number | null;
}

export type Availability =
  | { open: true; closesAt: number }
  | { open: false; reason: "paused" | "special_day" | "outside_hours"; opensAt: number | null };

const DAY_MS = 24 * 60 * 60_000;
/** How far ahead "when do you open next" looks; a restaurant closed longer is simply closed. */
export const NEXT_OPENING_HORIZON_DAYS = 14;

/** [start, end) in epoch ms, with the local date whose hours produced it. */
export interface OpenInterval {
  start: number;
  end: number;
  date: string;
  special: boolean;
}

function slotLength(open: number, close: number): number {
  // close == open means round the clock; close < open runs past midnight.
  return close > open ? close - open : 1440 - open + close;
}

function intervalsOfDate(schedule: Schedule, date: string, specials: ReadonlyMap<string, SpecialDay>): OpenInterval[] {
  const special = specials.get(date);
  const slots: readonly DaySlot[] = special ? special.slots : schedule.weekly.filter((s) => s.day === weekdayOf(date));
  return slots.map((slot) => {
    const open = minutesOf(slot.open);
    const end = open + slotLength(open, minutesOf(slot.close));
    return {
      start: localToEpoch(date, open, schedule.timeZone),
      // Past midnight: the closing minute is on the next date (and may sit across a DST change).
      end:
        end >= 1440
          ? localToEpoch(addDays(date, 1), end - 1440, schedule.timeZone)
          : localToEpoch(date, end, schedule.timeZone),
      date,
      special: special !== undefined,
    };
  });
}

/** Open intervals (pause not applied) overlapping [from, to), sorted and merged where they touch. */
export function openIntervals(schedule: Schedule, from: number, to: number): OpenInterval[] {
  const specials = new Map(schedule.specialDays.map((d) => [d.date, d]));
  // A slot opening yesterday can still be running; one more day at the end covers DST slack.
  let date = addDays(localParts(from, schedule.timeZone).date, -1);
  const last = addDays(localParts(to, schedule.timeZone).date, 1);
  const all: OpenInterval[] = [];
  for (let guard = 0; date <= last && guard < 400; guard++, date = addDays(date, 1)) {
    for (const interval of intervalsOfDate(schedule, date, specials)) {
      if (interval.end > from && interval.start < to) all.push(interval);
    }
  }
  all.sort((a, b) => a.start - b.start);
  const merged: OpenInterval[] = [];
  for (const interval of all) {
    const prev = merged.at(-1);
    if (prev && interval.start <= prev.end) prev.end = Math.max(prev.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

/** Whether the hours (weekly and special days) have the restaurant open at `instant`, pause ignored. */
export function hoursOpenAt(schedule: Schedule, instant: number): boolean {
  return openIntervals(schedule, instant, instant + 1).some((i) => i.start <= instant && instant < i.end);
}

/** The earliest instant at or after `from` when the restaurant takes orders (pause applied), within the horizon. */
export function nextOpening(schedule: Schedule, from: number, horizonDays = NEXT_OPENING_HORIZON_DAYS): number | null {
  const earliest = Math.max(from, schedule.pausedUntil ?? from);
  for (const interval of openIntervals(schedule, from, from + horizonDays * DAY_MS)) {
    const candidate = Math.max(interval.start, earliest);
    if (candidate < interval.end) return candidate;
  }
  return null;
}

/** Is the restaurant taking orders at `instant`, and if not, why and until when. */
export function availabilityAt(schedule: Schedule, instant: number): Availability {
  const current = openIntervals(schedule, instant, instant + 1).find((i) => i.start <= instant && instant < i.end);
  if (schedule.pausedUntil !== null && instant < schedule.pausedUntil) {
    return { open: false, reason: "paused", opensAt: nextOpening(schedule, instant) };
  }
  if (current) {
    // Follow touching intervals (a slot to midnight, then one from midnight) to the real closing time.
    const ahead = openIntervals(schedule, instant, instant + NEXT_OPENING_HORIZON_DAYS * DAY_MS);
    return { open: true, closesAt: ahead[0]?.end ?? current.end };
  }
  const localDate = localParts(instant, schedule.timeZone).date;
  const special = schedule.specialDays.some((d) => d.date === localDate);
  return { open: false, reason: special ? "special_day" : "outside_hours", opensAt: nextOpening(schedule, instant) };
}

/**
 * The cheap yes/no that discovery asks for every candidate: weekly hours
 * through isOpenAt unless a special day touches today or yesterday.
 */
export function isTakingOrdersAt(schedule: Schedule, instant: number): boolean {
  if (schedule.pausedUntil !== null && instant < schedule.pausedUntil) return false;
  const today = localParts(instant, schedule.timeZone).date;
  const yesterday = addDays(today, -1);
  if (!schedule.specialDays.some((d) => d.date === today || d.date === yesterday)) {
    return isOpenAt(schedule.weekly, schedule.timeZone, new Date(instant));
  }
  return hoursOpenAt(schedule, instant);
}

export interface ScheduleIssue {
  path: string;
  code: "overlapping_slots" | "invalid_date" | "duplicate_date" | "too_many_slots";
  message: string;
}

const WEEK_MINUTES = 7 * 1440;
export const MAX_SLOTS_PER_DAY = 6;

/** Two week-minute ranges [a, a+la) and [b, b+lb) on a circular week overlap. */
function overlapsOnWeek(a: number, la: number, b: number, lb: number): boolean {
  const d1 = (((b - a) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  const d2 = (((a - b) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;
  return d1 < la || d2 < lb;
}

/**
 * Weekly hours a person meant: no two slots overlap (a slot past midnight
 * included), and no day has more than MAX_SLOTS_PER_DAY. Times are assumed
 * already well-formed (HH:MM, day 0-6).
 */
export function checkWeeklyHours(slots: readonly OpeningSlot[]): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const ranges = slots.map((s) => {
    const open = minutesOf(s.open);
    return { start: s.day * 1440 + open, length: slotLength(open, minutesOf(s.close)) };
  });
  for (let i = 0; i < ranges.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = ranges[i];
      const b = ranges[j];
      if (a && b && overlapsOnWeek(a.start, a.length, b.start, b.length)) {
        issues.push({
          path: `${i}`,
          code: "overlapping_slots",
          message: `This slot overlaps slot ${j + 1} (${DAY_NAMES[slots[j]?.day ?? 0]} ${slots[j]?.open}-${slots[j]?.close}).`,
        });
        break;
      }
    }
  }
  for (let day = 0; day < 7; day++) {
    const count = slots.filter((s) => s.day === day).length;
    if (count > MAX_SLOTS_PER_DAY) {
      issues.push({
        path: "",
        code: "too_many_slots",
        message: `${DAY_NAMES[day]} has ${count} slots; at most ${MAX_SLOTS_PER_DAY}.`,
      });
    }
  }
  return issues;
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Special days: real dates, each once, and slots that do not overlap within the day. */
export function checkSpecialDays(days: readonly SpecialDay[]): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const seen = new Set<string>();
  days.forEach((day, i) => {
    if (!isValidDate(day.date)) {
      issues.push({ path: `${i}.date`, code: "invalid_date", message: `${day.date} is not a calendar date.` });
      return;
    }
    if (seen.has(day.date)) {
      issues.push({ path: `${i}.date`, code: "duplicate_date", message: `${day.date} is listed twice.` });
    }
    seen.add(day.date);
    const asWeekly = day.slots.map((s) => ({ day: 0, open: s.open, close: s.close }));
    for (const issue of checkWeeklyHours(asWeekly)) {
      issues.push({ ...issue, path: issue.path ? `${i}.slots.${issue.path}` : `${i}.slots` });
    }
  });
  return issues;
}

/** Special days still worth keeping: from yesterday on (yesterday's overnight slot may still be running). */
export function currentSpecialDays(days: readonly SpecialDay[], timeZone: string, now: number): SpecialDay[] {
  const yesterday = addDays(localParts(now, timeZone).date, -1);
  return days.filter((d) => d.date >= yesterday).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
