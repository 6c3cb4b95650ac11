import { describe, expect, it } from "vitest";
import { destinationPoint } from "../geo/distance.ts";
import { checkGeofence, DEFAULT_GEOFENCE_RADIUS_M, MAX_ACCURACY_ALLOWANCE_M } from "./geofence.ts";

const door = { lat: 41.3851, lng: 2.1734 };
const at = (meters: number, accuracyM: number) => ({ ...destinationPoint(door, 120, meters), accuracyM });

describe("checkGeofence", () => {
  it("accepts a courier standing at the door and reports the distance", () => {
    const result = checkGeofence({ ...door, accuracyM: 5 }, door);
    expect(result).toEqual({ ok: true, distanceM: 0 });
  });

  it("uses a 150 m radius by default", () => {
    expect(DEFAULT_GEOFENCE_RADIUS_M).toBe(150);
    expect(checkGeofence(at(149, 0), door).ok).toBe(true);
    expect(checkGeofence(at(151, 0), door).ok).toBe(false);
  });

  it("widens the radius by the fix's accuracy so honest couriers in urban canyons are not refused", () => {
    expect(checkGeofence(at(190, 50), door).ok).toBe(true);
    expect(checkGeofence(at(190, 30), door)).toMatchObject({ ok: false, code: "outside_geofence", radiusM: 180 });
  });

  it("caps the widening so a fix with terrible accuracy cannot confirm from far away", () => {
    expect(MAX_ACCURACY_ALLOWANCE_M).toBe(100);
    const result = checkGeofence(at(400, 2_000), door);
    expect(result).toMatchObject({ ok: false, code: "outside_geofence", radiusM: 250 });
    if (!result.ok) expect(result.distanceM).toBeCloseTo(400, 6);
  });

  it("grants no widening for a missing or negative accuracy", () => {
    expect(checkGeofence(at(160, Number.NaN), door)).toMatchObject({ ok: false, radiusM: 150 });
    expect(checkGeofence(at(160, -20), door)).toMatchObject({ ok: false, radiusM: 150 });
  });

  it("honours a custom radius", () => {
    expect(checkGeofence(at(60, 0), door, 50)).toMatchObject({ ok: false, radiusM: 50 });
  });

  it("refuses a position with NaN coordinates", () => {
    expect(checkGeofence({ lat: Number.NaN, lng: 0, accuracyM: 5 }, door).ok).toBe(false);
  });
});
