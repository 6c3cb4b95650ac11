// The packed fix frame: what the app encodes is what the zone decodes, absent
// optional fields stay absent, and every frame of the wrong shape is refused
// with a reason (nothing decoded) rather than read as something else.
import { describe, expect, it } from "vitest";
import type { Fix } from "./fix.ts";
import { decodePackedFixes, encodePackedFixes, FIX_STRIDE, PACKED_FIXES_KIND, packedFrameBytes } from "./fix-frame.ts";

const fix: Fix = { lat: 38.7223456, lng: -9.1393366, accuracyM: 8, at: 1_795_000_000_123, seq: 41 };

function frameOf(numbers: number[]): ArrayBuffer {
  const buffer = new ArrayBuffer(numbers.length * 8);
  const view = new DataView(buffer);
  for (const [i, n] of numbers.entries()) view.setFloat64(i * 8, n, true);
  return buffer;
}

describe("packed fix frames", () => {
  it("decode to the fixes encoded, bit for bit, with heading and speed only where they were given", () => {
    const fixes: Fix[] = [
      fix,
      { ...fix, seq: 42, at: fix.at + 1000, headingDeg: 359.5, speedMps: 0 },
      { ...fix, seq: 43, lat: -0, lng: 1e-300, speedMps: 12.25 },
      { ...fix, seq: Number.MAX_SAFE_INTEGER, headingDeg: 0 },
    ];
    const frame = encodePackedFixes(fixes);
    expect(frame.byteLength).toBe(packedFrameBytes(fixes.length));
    const decoded = decodePackedFixes(frame, 600);
    expect(decoded).toEqual({ ok: true, fixes });
    if (!decoded.ok) return;
    expect(Object.is(decoded.fixes[2]?.lat, -0)).toBe(true);
    expect("headingDeg" in (decoded.fixes[0] as Fix)).toBe(false);
    expect("speedMps" in (decoded.fixes[3] as Fix)).toBe(false);
  });

  it("are little-endian doubles: a header, then lat, lng, accuracyM, at, seq, heading, speed per fix", () => {
    const frame = frameOf([PACKED_FIXES_KIND, 1, 2, 3, 4, 5, Number.NaN, 6]);
    expect(decodePackedFixes(frame, 600)).toEqual({
      ok: true,
      fixes: [{ lat: 1, lng: 2, accuracyM: 3, at: 4, seq: 5, speedMps: 6 }],
    });
    expect(new Uint8Array(encodePackedFixes([fix])).slice(0, 8)).toEqual(
      new Uint8Array([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]),
    );
  });

  it("pass odd numbers through for the fix checks to refuse (they are not malformed)", () => {
    const frame = frameOf([PACKED_FIXES_KIND, Number.NaN, Number.POSITIVE_INFINITY, -1, 4, 0.5, 1e9, -3]);
    const decoded = decodePackedFixes(frame, 600);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(decoded.fixes[0]?.lat).toBeNaN();
      expect(decoded.fixes[0]).toMatchObject({ lng: Number.POSITIVE_INFINITY, seq: 0.5, headingDeg: 1e9 });
    }
  });

  const oneFix = [PACKED_FIXES_KIND, 1, 2, 3, 4, 5, 6, 7];
  const refused: Array<[string, ArrayBuffer, RegExp]> = [
    ["empty", new ArrayBuffer(0), /at least one fix/],
    ["a header alone", frameOf([PACKED_FIXES_KIND]), /at least one fix/],
    ["not whole doubles", new ArrayBuffer(8 * oneFix.length + 3), /whole number of 8-byte numbers/],
    ["a fix cut short", frameOf(oneFix.slice(0, -1)), /7 numbers per fix/],
    ["a fix and a half", frameOf([...oneFix, 1, 2, 3]), /7 numbers per fix/],
    ["another header", frameOf([2, ...oneFix.slice(1)]), /header 2/],
    ["a NaN header", frameOf([Number.NaN, ...oneFix.slice(1)]), /header NaN/],
    [
      "one fix more than allowed",
      frameOf([PACKED_FIXES_KIND, ...Array.from({ length: 4 * FIX_STRIDE }, () => 1)]),
      /at most 3 fixes/,
    ],
  ];
  it.each(refused)("refuse %s", (_, frame, reason) => {
    const decoded = decodePackedFixes(frame, 3);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.message).toMatch(reason);
  });

  it("take the protocol's full batch", () => {
    const fixes = Array.from({ length: 600 }, (_, i) => ({ ...fix, seq: i }));
    const decoded = decodePackedFixes(encodePackedFixes(fixes), 600);
    expect(decoded.ok && decoded.fixes.length).toBe(600);
  });
});
