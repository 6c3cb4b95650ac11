// The hand-checked single-fix frame must accept exactly what the schema accepts
// for that frame, never more: anything it declines still goes through the schema.
// The hand-built ack must be the JSON the app would get from JSON.stringify.
import { describe, expect, it } from "vitest";
import { ackFrame, CourierMessage, fixBatch, singleFix, type ZoneMessage } from "./protocol.ts";

const fix = { lat: 38.72, lng: -9.14, accuracyM: 8, at: 1_795_000_000_000, seq: 7 };

const frames: unknown[] = [
  { type: "fix", fix },
  { type: "fix", fix: { ...fix, headingDeg: 90, speedMps: 4.2 } },
  { type: "fix", fix: { ...fix, lat: 1e308, lng: -0 } },
  { type: "fix", fix, extra: 1 },
  { type: "fix", fix: { ...fix, extra: 1 } },
  { type: "fix", fix: { ...fix, lat: "38.7" } },
  { type: "fix", fix: { ...fix, headingDeg: null } },
  { type: "fix", fix: { lat: 1, lng: 2, accuracyM: 3, at: 4 } },
  { type: "fix", fix: [1, 2, 3] },
  { type: "fix", fix: null },
  { type: "fix" },
  { type: "fixes", fixes: [fix] },
  { type: "status", status: "online" },
  { fix },
  null,
  [],
  "fix",
  42,
];

describe("singleFix", () => {
  it.each(frames.map((frame) => [JSON.stringify(frame), frame]))("agrees with the schema on %s", (_, frame) => {
    const fast = singleFix(frame);
    const schema = CourierMessage.safeParse(frame);
    if (fast) {
      // Accepted by hand only if the schema accepts it as the same fix.
      expect(schema.success && schema.data.type === "fix" ? schema.data.fix : null).toEqual(fast);
    } else if (schema.success) {
      // Declined by hand: fine only for frames that are not a single fix.
      expect(schema.data.type).not.toBe("fix");
    }
  });

  it("takes the frame the courier app sends", () => {
    expect(singleFix(JSON.parse(JSON.stringify({ type: "fix", fix })))).toEqual(fix);
  });
});

const batches: unknown[] = [
  { type: "fixes", fixes: [fix] },
  { type: "fixes", fixes: Array.from({ length: 10 }, (_, i) => ({ ...fix, seq: i, at: fix.at + i })) },
  { type: "fixes", fixes: [fix, { ...fix, headingDeg: 90, speedMps: 4.2 }] },
  { type: "fixes", fixes: [] },
  { type: "fixes", fixes: Array.from({ length: 601 }, (_, i) => ({ ...fix, seq: i })) },
  { type: "fixes", fixes: [fix, { ...fix, lat: "38.7" }] },
  { type: "fixes", fixes: [fix, null] },
  { type: "fixes", fixes: [{ ...fix, extra: 1 }] },
  { type: "fixes", fixes: [fix], extra: 1 },
  { type: "fixes", fixes: fix },
  { type: "fixes" },
  { type: "fix", fix },
  { type: "fix", fixes: [fix] },
  null,
];

describe("fixBatch", () => {
  it.each(batches.map((frame) => [JSON.stringify(frame).slice(0, 80), frame]))(
    "agrees with the schema on %s",
    (_, frame) => {
      const fast = fixBatch(frame);
      const schema = CourierMessage.safeParse(frame);
      if (fast) {
        expect(schema.success && schema.data.type === "fixes" ? schema.data.fixes : null).toEqual(fast);
      } else if (schema.success) {
        expect(schema.data.type).not.toBe("fixes");
      }
    },
  );

  it("takes the frame the courier app sends after buffering", () => {
    const fixes = [fix, { ...fix, seq: 8, at: fix.at + 1000 }];
    expect(fixBatch(JSON.parse(JSON.stringify({ type: "fixes", fixes })))).toEqual(fixes);
  });
});

describe("ackFrame", () => {
  it.each([
    [-1, 0, 0],
    [0, 1, 0],
    [1_795_000_000_123, 10, 0],
    [Number.MAX_SAFE_INTEGER, 0, 600],
    [1e21, 3, 7],
    [-0, 0, 1],
  ])("seq %d, accepted %d, dropped %d is what JSON.stringify makes", (seq, accepted, dropped) => {
    const message: ZoneMessage = { type: "ack", seq, accepted, dropped };
    expect(ackFrame(seq, accepted, dropped)).toBe(JSON.stringify(message));
    expect(JSON.parse(ackFrame(seq, accepted, dropped))).toEqual({ ...message, seq: seq === 0 ? 0 : seq });
  });
});
