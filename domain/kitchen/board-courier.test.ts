import { describe, expect, it } from "vitest";
import {
  arrivalAt,
  BOARD_COURIER_EVERY_MS,
  type BoardCourier,
  boardShouldHear,
  boardSummaryIsNewer,
  shortName,
} from "./board-courier.ts";

const base: BoardCourier = { courierId: "c1", name: "Ana S.", vehicle: "bicycle", arrivesAt: 600_000, at: 0 };

describe("shortName", () => {
  it("keeps the first name and the last name's initial", () => {
    expect(shortName("Ana Maria Silva")).toBe("Ana S.");
    expect(shortName("  joão   órfão ")).toBe("joão Ó.");
    expect(shortName("Cher")).toBe("Cher");
    expect(shortName("")).toBe("");
  });
});

describe("arrivalAt", () => {
  const restaurant = { lat: 38.7169, lng: -9.1399 };
  it("is later for a farther courier and for a slower vehicle", () => {
    const near = arrivalAt({ lat: 38.718, lng: -9.1399 }, restaurant, "bicycle", true, 0);
    const far = arrivalAt({ lat: 38.73, lng: -9.1399 }, restaurant, "bicycle", true, 0);
    const walking = arrivalAt({ lat: 38.73, lng: -9.1399 }, restaurant, "foot", true, 0);
    expect(near).not.toBeNull();
    expect(far as number).toBeGreaterThan(near as number);
    expect(walking as number).toBeGreaterThan(far as number);
    // 1.46 km at 4.5 m/s with the road factor: a little over 7 minutes.
    expect((far as number) / 60_000).toBeGreaterThan(6);
    expect((far as number) / 60_000).toBeLessThan(8);
  });
  it("is null once the courier is at pickup or past it", () => {
    expect(arrivalAt({ lat: 38.73, lng: -9.1399 }, restaurant, "car", false, 0)).toBeNull();
  });
});

describe("boardShouldHear", () => {
  it("tells the board the first estimate, a new name and a new courier at once", () => {
    expect(boardShouldHear(null, base)).toBe(true);
    expect(boardShouldHear({ ...base, name: null }, { ...base, at: 1 })).toBe(true);
    expect(boardShouldHear(base, { ...base, courierId: "c2", at: 1 })).toBe(true);
  });
  it("stays quiet for small moves within the interval, speaks after it or for a minute's shift", () => {
    expect(boardShouldHear(base, { ...base, at: 1_000, arrivesAt: 610_000 })).toBe(false);
    expect(boardShouldHear(base, { ...base, at: BOARD_COURIER_EVERY_MS, arrivesAt: 610_000 })).toBe(true);
    expect(boardShouldHear(base, { ...base, at: 1_000, arrivesAt: 660_000 })).toBe(true);
    expect(boardShouldHear(base, { ...base, at: 1_000, arrivesAt: null })).toBe(true);
  });
});

describe("boardSummaryIsNewer", () => {
  const at = (ms: number) => ({ at: new Date(ms).toISOString() });
  it("orders by event first, then by the courier estimate's time", () => {
    expect(boardSummaryIsNewer({ lastSeq: 4 }, { lastSeq: 5 })).toBe(true);
    expect(boardSummaryIsNewer({ lastSeq: 5, courier: at(9_000) }, { lastSeq: 4, courier: at(10_000) })).toBe(false);
    expect(boardSummaryIsNewer({ lastSeq: 5, courier: at(9_000) }, { lastSeq: 5, courier: at(10_000) })).toBe(true);
    expect(boardSummaryIsNewer({ lastSeq: 5, courier: at(10_000) }, { lastSeq: 5, courier: at(9_000) })).toBe(false);
    expect(boardSummaryIsNewer({ lastSeq: 5 }, { lastSeq: 5 })).toBe(false);
    expect(boardSummaryIsNewer({ lastSeq: 5 }, { lastSeq: 5, courier: null })).toBe(false);
  });
});
