import { describe, expect, it } from "vitest";
import { localParts, localToEpoch } from "./local-time.ts";
import { isOpenAt } from "./opening-hours.ts";
import {
  availabilityAt,
  checkSpecialDays,
  checkWeeklyHours,
  currentSpecialDays,
  hoursOpenAt,
  isTakingOrdersAt,
  nextOpening,
  openIntervals,
  type Schedule,
} from "./schedule.ts";

const lisbon = "Europe/Lisbon";
const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    timeZone: lisbon,
    // Tuesday to Sunday lunch and dinner; Friday dinner runs to 02:00.
    weekly: [0, 2, 3, 4, 5, 6].flatMap((day) => [
      { day, open: "12:00", close: "15:00" },
      { day, open: "19:00", close: day === 5 ? "02:00" : "23:00" },
    ]),
    specialDays: [],
    pausedUntil: null,
    ...overrides,
  };
}

describe("local time", () => {
  it("converts wall-clock time to instants across daylight saving", () => {
    expect(localToEpoch("2026-11-23", 12 * 60, lisbon)).toBe(at("2026-11-23T12:00:00Z"));
    expect(localToEpoch("2026-06-22", 12 * 60, lisbon)).toBe(at("2026-06-22T11:00:00Z"));
    expect(localToEpoch("2026-06-22", 0, "America/New_York")).toBe(at("2026-06-22T04:00:00Z"));
    // 2026-03-29 Lisbon skips 01:00-02:00: 01:30 does not exist and lands after the gap.
    expect(localToEpoch("2026-03-29", 90, lisbon)).toBe(at("2026-03-29T01:30:00Z"));
    expect(localParts(at("2026-03-29T01:30:00Z"), lisbon)).toEqual({ date: "2026-03-29", weekday: 0, minute: 150 });
  });
});

describe("weekly hours", () => {
  it("agrees with isOpenAt minute by minute over a week, overnight slot included", () => {
    const s = schedule();
    const start = at("2026-11-22T00:00:00Z");
    for (let t = start; t < start + 7 * 1440 * MIN; t += 17 * MIN) {
      expect(hoursOpenAt(s, t), new Date(t).toISOString()).toBe(isOpenAt(s.weekly, lisbon, new Date(t)));
    }
  });

  it("has several slots a day and the gap between them closed", () => {
    const s = schedule();
    expect(hoursOpenAt(s, at("2026-11-24T13:00:00Z"))).toBe(true); // Tuesday lunch
    expect(hoursOpenAt(s, at("2026-11-24T17:00:00Z"))).toBe(false);
    expect(hoursOpenAt(s, at("2026-11-24T20:00:00Z"))).toBe(true);
    expect(hoursOpenAt(s, at("2026-11-23T13:00:00Z"))).toBe(false); // Monday
  });

  it("keeps Friday's late slot open into Saturday until 02:00", () => {
    const s = schedule();
    expect(hoursOpenAt(s, at("2026-11-28T01:59:00Z"))).toBe(true);
    expect(hoursOpenAt(s, at("2026-11-28T02:00:00Z"))).toBe(false);
  });

  it("merges a slot to midnight with one from midnight into one opening", () => {
    const s = schedule({
      weekly: [
        { day: 1, open: "18:00", close: "00:00" },
        { day: 2, open: "00:00", close: "03:00" },
      ],
    });
    const intervals = openIntervals(s, at("2026-11-23T00:00:00Z"), at("2026-11-25T00:00:00Z"));
    expect(intervals.map((i) => [new Date(i.start).toISOString(), new Date(i.end).toISOString()])).toEqual([
      ["2026-11-23T18:00:00.000Z", "2026-11-24T03:00:00.000Z"],
    ]);
    expect(availabilityAt(s, at("2026-11-23T23:00:00Z"))).toEqual({ open: true, closesAt: at("2026-11-24T03:00:00Z") });
  });

  it("refuses overlapping slots, including an overnight tail over the next day's first slot", () => {
    expect(checkWeeklyHours(schedule().weekly)).toEqual([]);
    const overlapping = checkWeeklyHours([
      { day: 1, open: "12:00", close: "15:00" },
      { day: 1, open: "14:00", close: "16:00" },
    ]);
    expect(overlapping).toMatchObject([{ path: "1", code: "overlapping_slots" }]);
    const tail = checkWeeklyHours([
      { day: 6, open: "20:00", close: "03:00" },
      { day: 0, open: "02:00", close: "05:00" },
    ]);
    expect(tail).toMatchObject([{ path: "1", code: "overlapping_slots" }]);
    // Round the clock on every day covers the week exactly once.
    const allDay = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));
    expect(checkWeeklyHours(allDay)).toEqual([]);
    const tooMany = Array.from({ length: 7 }, (_, i) => ({ day: 3, open: `0${i}:00`, close: `0${i}:30` }));
    expect(checkWeeklyHours(tooMany)).toMatchObject([{ code: "too_many_slots" }]);
  });
});

describe("special days", () => {
  it("closes a whole date, including the overnight tail that date would have had", () => {
    const s = schedule({ specialDays: [{ date: "2026-11-27", slots: [], note: "Staff party" }] });
    expect(hoursOpenAt(s, at("2026-11-27T13:00:00Z"))).toBe(false);
    expect(hoursOpenAt(s, at("2026-11-28T01:00:00Z"))).toBe(false);
    expect(hoursOpenAt(s, at("2026-11-28T13:00:00Z"))).toBe(true);
    expect(availabilityAt(s, at("2026-11-27T13:00:00Z"))).toEqual({
      open: false,
      reason: "special_day",
      opensAt: at("2026-11-28T12:00:00Z"),
    });
  });

  it("replaces a date's hours, past midnight included, and opens a day that is normally closed", () => {
    const s = schedule({
      specialDays: [
        { date: "2026-12-31", slots: [{ open: "19:00", close: "04:00" }] },
        { date: "2026-11-23", slots: [{ open: "10:00", close: "14:00" }] }, // a Monday
      ],
    });
    expect(hoursOpenAt(s, at("2026-12-31T13:00:00Z"))).toBe(false);
    expect(hoursOpenAt(s, at("2027-01-01T03:30:00Z"))).toBe(true);
    expect(hoursOpenAt(s, at("2026-11-23T11:00:00Z"))).toBe(true);
    expect(hoursOpenAt(s, at("2026-11-23T14:00:00Z"))).toBe(false);
  });

  it("refuses invalid and repeated dates and overlapping slots within a day", () => {
    expect(
      checkSpecialDays([
        { date: "2026-02-30", slots: [] },
        { date: "2026-12-24", slots: [] },
        { date: "2026-12-24", slots: [] },
        {
          date: "2026-12-25",
          slots: [
            { open: "10:00", close: "13:00" },
            { open: "12:00", close: "14:00" },
          ],
        },
      ]),
    ).toMatchObject([
      { path: "0.date", code: "invalid_date" },
      { path: "2.date", code: "duplicate_date" },
      { path: "3.slots.1", code: "overlapping_slots" },
    ]);
  });

  it("drops special days that are over, keeping yesterday's", () => {
    const days = [
      { date: "2026-11-20", slots: [] },
      { date: "2026-11-25", slots: [] },
      { date: "2026-11-23", slots: [] },
    ];
    expect(currentSpecialDays(days, lisbon, at("2026-11-24T10:00:00Z")).map((d) => d.date)).toEqual([
      "2026-11-23",
      "2026-11-25",
    ]);
  });
});

describe("isTakingOrdersAt", () => {
  it("agrees with availabilityAt with special days and a pause in play", () => {
    const start = at("2026-11-22T00:00:00Z");
    const s = schedule({
      specialDays: [
        { date: "2026-11-24", slots: [] },
        { date: "2026-11-27", slots: [{ open: "18:00", close: "03:00" }] },
      ],
      pausedUntil: at("2026-11-25T20:00:00Z"),
    });
    for (let t = start; t < start + 7 * 1440 * MIN; t += 29 * MIN) {
      expect(isTakingOrdersAt(s, t), new Date(t).toISOString()).toBe(availabilityAt(s, t).open);
    }
  });
});

describe("pause", () => {
  it("closes an open restaurant until the pause ends, and says when it reopens", () => {
    const now = at("2026-11-24T13:00:00Z");
    const s = schedule({ pausedUntil: now + 30 * MIN });
    expect(availabilityAt(s, now)).toEqual({ open: false, reason: "paused", opensAt: now + 30 * MIN });
    expect(availabilityAt(s, now + 30 * MIN)).toEqual({ open: true, closesAt: at("2026-11-24T15:00:00Z") });
  });

  it("reopens at the next slot when the pause outlasts the current one", () => {
    const now = at("2026-11-24T14:45:00Z");
    const s = schedule({ pausedUntil: now + 30 * MIN });
    expect(availabilityAt(s, now)).toEqual({ open: false, reason: "paused", opensAt: at("2026-11-24T19:00:00Z") });
    expect(nextOpening(s, now)).toBe(at("2026-11-24T19:00:00Z"));
  });

  it("tells outside hours from paused, and says nothing will open when nothing is scheduled", () => {
    expect(availabilityAt(schedule(), at("2026-11-23T13:00:00Z"))).toEqual({
      open: false,
      reason: "outside_hours",
      opensAt: at("2026-11-24T12:00:00Z"),
    });
    expect(availabilityAt(schedule({ weekly: [] }), at("2026-11-23T13:00:00Z"))).toEqual({
      open: false,
      reason: "outside_hours",
      opensAt: null,
    });
  });
});
