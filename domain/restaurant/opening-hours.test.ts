import { describe, expect, it } from "vitest";
import { isOpenAt } from "./opening-hours.ts";

const lisbon = "Europe/Lisbon";
const weekdayLunch = [{ day: 1, open: "12:00", close: "15:00" }];
const fridayLate = [{ day: 5, open: "19:00", close: "02:00" }];

describe("isOpenAt", () => {
  it("is open inside a slot in the restaurant's own time zone", () => {
    // Monday 2026-11-23 13:00 in Lisbon (UTC+0 in winter)
    expect(isOpenAt(weekdayLunch, lisbon, new Date("2026-11-23T13:00:00Z"))).toBe(true);
  });
  it("is closed at the closing minute and on other days", () => {
    expect(isOpenAt(weekdayLunch, lisbon, new Date("2026-11-23T15:00:00Z"))).toBe(false);
    expect(isOpenAt(weekdayLunch, lisbon, new Date("2026-11-24T13:00:00Z"))).toBe(false);
  });
  it("honours daylight saving time (Lisbon is UTC+1 in summer)", () => {
    expect(isOpenAt(weekdayLunch, lisbon, new Date("2026-06-22T11:30:00Z"))).toBe(true);
    expect(isOpenAt(weekdayLunch, lisbon, new Date("2026-06-22T14:30:00Z"))).toBe(false);
  });
  it("keeps an overnight slot open past midnight into the next day", () => {
    expect(isOpenAt(fridayLate, lisbon, new Date("2026-11-27T23:30:00Z"))).toBe(true);
    expect(isOpenAt(fridayLate, lisbon, new Date("2026-11-28T01:30:00Z"))).toBe(true);
    expect(isOpenAt(fridayLate, lisbon, new Date("2026-11-28T02:30:00Z"))).toBe(false);
  });
  it("treats a slot whose close equals its open as open around the clock", () => {
    const allDay = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));
    for (const hour of ["00:00", "03:59", "12:00", "23:59"]) {
      expect(isOpenAt(allDay, lisbon, new Date(`2026-11-24T${hour}:00Z`))).toBe(true);
    }
  });
});
