// The learned ETA model's store: the history query runs against the real
// schema, the model lands in KV, and reads fall back to none when it is absent.
import { describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { testEnv } from "../../test/world.ts";
import { localHour, readCalibration, refreshCalibration } from "./calibration-store.ts";

describe("ETA calibration store", () => {
  it("reads local hours in the restaurant's zone, and UTC for a zone it does not know", () => {
    const at = Date.UTC(2026, 6, 3, 19, 30); // summer: Lisbon is UTC+1
    expect(localHour(at, "Europe/Lisbon")).toBe(20);
    expect(localHour(at, "Asia/Tokyo")).toBe(4);
    expect(localHour(at, "Not/AZone")).toBe(19);
    // Asked again (the formatters are kept per zone): the same answers, and the hour moves with the time.
    expect(localHour(at, "Europe/Lisbon")).toBe(20);
    expect(localHour(at + 5 * 3_600_000, "Europe/Lisbon")).toBe(1);
    expect(localHour(Date.UTC(2026, 0, 3, 19, 30), "Europe/Lisbon")).toBe(19);
    expect(localHour(at, "Not/AZone")).toBe(19);
  });

  it("fits from Postgres history, caches in KV, and refits only when stale or forced", async () => {
    await testEnv.MENU_CACHE.delete("eta:calibration:v1");
    expect(await readCalibration(testEnv.MENU_CACHE)).toBeNull();
    const { db, close } = openDb(testEnv);
    try {
      const now = Date.now();
      const first = await refreshCalibration(testEnv.MENU_CACHE, db, [], now);
      expect(first.refreshed).toBe(true);
      expect(first.calibration.global.roadFactor).toBeGreaterThan(0);
      expect(await readCalibration(testEnv.MENU_CACHE)).toEqual(first.calibration);
      expect((await refreshCalibration(testEnv.MENU_CACHE, db, [], now + 60_000)).refreshed).toBe(false);
      expect((await refreshCalibration(testEnv.MENU_CACHE, db, [], now + 60_000, true)).refreshed).toBe(true);
    } finally {
      await close();
    }
  });
});
