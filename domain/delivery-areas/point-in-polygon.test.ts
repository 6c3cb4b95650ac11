import { describe, expect, it } from "vitest";
import { type Polygon, pointInPolygon } from "./point-in-polygon.ts";

const square: Polygon = {
  type: "Polygon",
  coordinates: [
    [
      [-9.2, 38.7],
      [-9.1, 38.7],
      [-9.1, 38.8],
      [-9.2, 38.8],
      [-9.2, 38.7],
    ],
    [
      [-9.16, 38.74],
      [-9.14, 38.74],
      [-9.14, 38.76],
      [-9.16, 38.76],
      [-9.16, 38.74],
    ],
  ],
};

describe("pointInPolygon", () => {
  it("finds a point inside the outline", () => expect(pointInPolygon(38.72, -9.18, square)).toBe(true));
  it("rejects a point outside the outline", () => expect(pointInPolygon(38.9, -9.18, square)).toBe(false));
  it("rejects a point inside a hole", () => expect(pointInPolygon(38.75, -9.15, square)).toBe(false));
});
