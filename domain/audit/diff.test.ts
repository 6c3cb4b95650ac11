import { describe, expect, it } from "vitest";
import { auditable, changedFields, isEmptyChange, sameValue } from "./diff.ts";

describe("changedFields", () => {
  it("keeps only what changed, with both values", () => {
    const before = { name: "Forno", commissionBps: 1500, cuisines: ["pizza"], active: true };
    const after = { name: "Forno", commissionBps: 1200, cuisines: ["pizza", "pasta"] };
    expect(changedFields(before, after)).toEqual({
      before: { commissionBps: 1500, cuisines: ["pizza"] },
      after: { commissionBps: 1200, cuisines: ["pizza", "pasta"] },
    });
  });

  it("reports a field that was missing before as null", () => {
    expect(changedFields({}, { deliveryAreaId: "a" })).toEqual({
      before: { deliveryAreaId: null },
      after: { deliveryAreaId: "a" },
    });
  });

  it("sees no change in an equal polygon or opening hours", () => {
    const polygon = {
      type: "Polygon",
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 0],
        ],
      ],
    };
    const changes = changedFields({ polygon }, { polygon: structuredClone(polygon) });
    expect(isEmptyChange(changes)).toBe(true);
  });

  it("ignores undefined fields of a partial update", () => {
    expect(isEmptyChange(changedFields({ a: 1 }, { a: undefined }))).toBe(true);
  });
});

describe("sameValue", () => {
  it("compares dates by instant and objects by content", () => {
    expect(sameValue(new Date(5), new Date(5))).toBe(true);
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
  });
});

describe("auditable", () => {
  it("drops secrets and writes dates as ISO strings", () => {
    expect(auditable({ email: "a@b.c", passwordHash: "x", at: new Date(0) })).toEqual({
      email: "a@b.c",
      at: "1970-01-01T00:00:00.000Z",
    });
  });
});
