import { describe, expect, it } from "vitest";
import { intlLocalParts, localParts, localToEpoch } from "./local-time.ts";

const ZONES = [
  "Europe/Lisbon",
  "America/New_York",
  "Australia/Lord_Howe", // a 30-minute daylight-saving shift
  "Asia/Kathmandu", // +05:45
  "America/St_Johns", // -03:30 with daylight saving
  "Pacific/Chatham", // +12:45 / +13:45
  "UTC",
];

describe("local time with the per-quarter-hour offset memo", () => {
  it("agrees with Intl across 2026 and 2027, transitions included, in zones with odd offsets", {
    timeout: 30_000,
  }, () => {
    for (const zone of ZONES) {
      // A step that is no divisor of a quarter hour lands at every offset within one, and near every transition.
      const start = Date.UTC(2026, 0, 1);
      const end = Date.UTC(2028, 0, 1);
      for (let t = start; t < end; t += 397 * 60_000 + 13_000) {
        expect(localParts(t, zone), `${zone} at ${new Date(t).toISOString()}`).toEqual(intlLocalParts(t, zone));
      }
    }
  });

  it("agrees with Intl on the very seconds around a transition (Lisbon, 29 March 2026, 01:00 UTC)", () => {
    const change = Date.UTC(2026, 2, 29, 1, 0, 0);
    for (let t = change - 120_000; t <= change + 120_000; t += 999) {
      expect(localParts(t, "Europe/Lisbon")).toEqual(intlLocalParts(t, "Europe/Lisbon"));
    }
    expect(localParts(change - 1, "Europe/Lisbon").minute).toBe(59);
    expect(localParts(change, "Europe/Lisbon").minute).toBe(120);
  });

  it("localToEpoch round-trips through localParts on every quarter hour of a changeover day", () => {
    for (const [zone, date] of [
      ["Europe/Lisbon", "2026-03-29"],
      ["Europe/Lisbon", "2026-10-25"],
      ["Australia/Lord_Howe", "2026-04-05"],
      ["Asia/Kathmandu", "2026-07-01"],
    ] as const) {
      for (let minute = 0; minute < 1440; minute += 15) {
        const shown = localParts(localToEpoch(date, minute, zone), zone);
        // A wall time skipped by spring-forward maps to just after the gap; every other one shows itself.
        if (shown.date === date && shown.minute === minute) continue;
        expect(shown.minute, `${zone} ${date} ${minute}`).toBeGreaterThan(minute);
        expect(shown.minute - minute, `${zone} ${date} ${minute}`).toBeLessThanOrEqual(60);
      }
    }
    expect(localToEpoch("2026-07-01", 12 * 60, "Asia/Kathmandu")).toBe(Date.UTC(2026, 6, 1, 6, 15));
  });

  it("falls back to Intl for an instant before 1900 (an odd-second historical offset)", () => {
    const t = Date.UTC(1890, 5, 1, 12, 0, 0);
    expect(localParts(t, "Europe/Lisbon")).toEqual(intlLocalParts(t, "Europe/Lisbon"));
  });
});
