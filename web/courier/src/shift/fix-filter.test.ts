import { describe, expect, it } from "vitest";
import { destinationPoint } from "../../../../domain/geo/distance.ts";
import { DEFAULT_FIX_FILTER, shouldRecord } from "./fix-filter.ts";

const T = 1_800_000_000_000;
const here = { lat: 38.72, lng: -9.14, accuracyM: 8, at: T };

describe("shouldRecord", () => {
  it("records the first reading, and a move of 10 m or more after a second", () => {
    expect(shouldRecord(null, here)).toBe(true);
    const moved = { ...destinationPoint(here, 90, 12), accuracyM: 8, at: T + 1500 };
    expect(shouldRecord(here, moved)).toBe(true);
  });

  it("skips small moves and bursts, but records a still courier every 15 s", () => {
    const jitter = { ...destinationPoint(here, 90, 4), accuracyM: 8, at: T + 5000 };
    expect(shouldRecord(here, jitter)).toBe(false);
    const burst = { ...destinationPoint(here, 90, 50), accuracyM: 8, at: T + 400 };
    expect(shouldRecord(here, burst)).toBe(false);
    expect(shouldRecord(here, { ...here, at: T + DEFAULT_FIX_FILTER.maxIntervalMs })).toBe(true);
  });

  it("never records a reading the zone would refuse for accuracy, or a broken one", () => {
    expect(shouldRecord(null, { ...here, accuracyM: 150 })).toBe(false);
    expect(shouldRecord(null, { ...here, lat: Number.NaN })).toBe(false);
  });
});
