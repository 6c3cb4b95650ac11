import { describe, expect, it } from "vitest";
import {
  bearingDeg,
  destinationPoint,
  EARTH_RADIUS_M,
  haversineMeters,
  isValidLatLng,
  latDegreesToMeters,
  metersToLatDegrees,
  metersToLngDegrees,
  normalizeLng,
} from "./distance.ts";

describe("haversineMeters", () => {
  it("is zero between a point and itself", () => {
    expect(haversineMeters({ lat: 52.52, lng: 13.405 }, { lat: 52.52, lng: 13.405 })).toBe(0);
  });

  it("measures one degree of latitude as about 111.2 km", () => {
    expect(haversineMeters({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo(111_195, 0);
  });

  it("matches a known city pair (Berlin to Paris, ~878 km)", () => {
    const d = haversineMeters({ lat: 52.52, lng: 13.405 }, { lat: 48.8566, lng: 2.3522 });
    expect(d / 1000).toBeCloseTo(877.5, 0);
  });

  it("is symmetric", () => {
    const a = { lat: -33.8688, lng: 151.2093 };
    const b = { lat: -37.8136, lng: 144.9631 };
    expect(haversineMeters(a, b)).toBe(haversineMeters(b, a));
  });

  it("takes the short way across the antimeridian", () => {
    expect(haversineMeters({ lat: 0, lng: 179.999 }, { lat: 0, lng: -179.999 })).toBeCloseTo(222.4, 0);
  });

  it("returns half the circumference for antipodal points instead of NaN", () => {
    expect(haversineMeters({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(Math.PI * EARTH_RADIUS_M, 3);
  });
});

describe("bearingDeg", () => {
  it("points north, east, south and west for the cardinal directions", () => {
    const o = { lat: 10, lng: 10 };
    expect(bearingDeg(o, { lat: 11, lng: 10 })).toBeCloseTo(0, 6);
    expect(bearingDeg(o, { lat: 10, lng: 10.01 })).toBeCloseTo(90, 1);
    expect(bearingDeg(o, { lat: 9, lng: 10 })).toBeCloseTo(180, 6);
    expect(bearingDeg(o, { lat: 10, lng: 9.99 })).toBeCloseTo(270, 1);
  });
});

describe("destinationPoint", () => {
  it("lands at the requested distance and bearing", () => {
    const from = { lat: 48.1, lng: 11.5 };
    for (const bearing of [0, 45, 137, 270]) {
      const to = destinationPoint(from, bearing, 3_000);
      expect(haversineMeters(from, to)).toBeCloseTo(3_000, 3);
      expect(bearingDeg(from, to)).toBeCloseTo(bearing, 3);
    }
  });

  it("wraps longitude across the antimeridian", () => {
    const to = destinationPoint({ lat: 0, lng: 179.99 }, 90, 5_000);
    expect(to.lng).toBeLessThan(-179.9);
  });
});

describe("degree conversions", () => {
  it("round-trips metres and degrees of latitude", () => {
    expect(latDegreesToMeters(metersToLatDegrees(250))).toBeCloseTo(250, 9);
  });

  it("needs more degrees of longitude for the same metres further from the equator", () => {
    expect(metersToLngDegrees(1000, 60)).toBeCloseTo(2 * metersToLngDegrees(1000, 0), 9);
  });

  it("caps longitude span at the whole parallel near a pole", () => {
    expect(metersToLngDegrees(10_000, 89.99999)).toBe(360);
  });

  it("normalises longitudes into [-180, 180)", () => {
    expect(normalizeLng(180)).toBe(-180);
    expect(normalizeLng(190)).toBe(-170);
    expect(normalizeLng(-190)).toBe(170);
    expect(normalizeLng(-180)).toBe(-180);
  });

  it("rejects NaN and out-of-range coordinates", () => {
    expect(isValidLatLng(Number.NaN, 0)).toBe(false);
    expect(isValidLatLng(90.1, 0)).toBe(false);
    expect(isValidLatLng(0, -180.1)).toBe(false);
    expect(isValidLatLng(-90, 180)).toBe(true);
  });
});
