import { describe, expect, it } from "vitest";
import { destinationPoint } from "../geo/distance.ts";
import { acceptFix, applyFixBatch, type Fix, normalizeFix, normalizeFixes } from "./fix.ts";

const NOW = 1_750_000_000_000;

function fix(overrides: Partial<Fix> = {}): Fix {
  return { lat: 52.52, lng: 13.405, accuracyM: 10, at: NOW - 1_000, seq: 10, ...overrides };
}

/** A fix `meters` north of `from`, `ms` later, with the next seq. */
function moved(from: Fix, meters: number, ms: number, overrides: Partial<Fix> = {}): Fix {
  const p = destinationPoint(from, 0, meters);
  return { ...from, lat: p.lat, lng: p.lng, at: from.at + ms, seq: from.seq + 1, ...overrides };
}

describe("acceptFix", () => {
  it("accepts a first fix with no previous one", () => {
    expect(acceptFix(undefined, fix(), NOW)).toEqual({ ok: true });
  });

  it("accepts a courier cycling at a normal pace", () => {
    const prev = fix({ at: NOW - 5_000 });
    expect(acceptFix(prev, moved(prev, 25, 5_000), NOW)).toEqual({ ok: true });
  });

  it("rejects NaN, infinite or out-of-range coordinates as out_of_range", () => {
    for (const bad of [
      { lat: Number.NaN },
      { lng: Number.POSITIVE_INFINITY },
      { lat: 90.0001 },
      { lng: -181 },
      { accuracyM: Number.NaN },
      { accuracyM: -1 },
      { at: Number.NaN },
      { seq: 1.5 },
    ]) {
      expect(acceptFix(undefined, fix(bad), NOW)).toEqual({ ok: false, reason: "out_of_range" });
    }
  });

  it("rejects a fix with the same seq as the previous one as a duplicate", () => {
    const prev = fix();
    expect(acceptFix(prev, { ...prev }, NOW)).toEqual({ ok: false, reason: "duplicate" });
  });

  it("rejects a fix with a lower seq than the previous one as out_of_order", () => {
    const prev = fix({ seq: 10 });
    expect(acceptFix(prev, fix({ seq: 9 }), NOW)).toEqual({ ok: false, reason: "out_of_order" });
  });

  it("reports a resent fix as a duplicate even if it has since become too old", () => {
    const prev = fix({ at: NOW - 11 * 60_000 });
    expect(acceptFix(prev, { ...prev }, NOW)).toEqual({ ok: false, reason: "duplicate" });
  });

  it("rejects accuracy worse than 100 m but accepts exactly 100 m", () => {
    expect(acceptFix(undefined, fix({ accuracyM: 101 }), NOW)).toEqual({ ok: false, reason: "poor_accuracy" });
    expect(acceptFix(undefined, fix({ accuracyM: 100 }), NOW)).toEqual({ ok: true });
  });

  it("rejects timestamps more than 30 s ahead of the server clock as from_future", () => {
    expect(acceptFix(undefined, fix({ at: NOW + 30_001 }), NOW)).toEqual({ ok: false, reason: "from_future" });
    expect(acceptFix(undefined, fix({ at: NOW + 30_000 }), NOW)).toEqual({ ok: true });
  });

  it("rejects fixes older than 10 minutes as too_old", () => {
    expect(acceptFix(undefined, fix({ at: NOW - 600_001 }), NOW)).toEqual({ ok: false, reason: "too_old" });
    expect(acceptFix(undefined, fix({ at: NOW - 600_000 }), NOW)).toEqual({ ok: true });
  });

  it("rejects a jump implying more than 70 m/s as implausible_speed", () => {
    const prev = fix({ at: NOW - 10_000, accuracyM: 5 });
    expect(acceptFix(prev, moved(prev, 1_000, 10_000), NOW)).toEqual({ ok: false, reason: "implausible_speed" });
    expect(acceptFix(prev, moved(prev, 600, 10_000), NOW)).toEqual({ ok: true });
  });

  it("does not mistake GPS jitter within the stated accuracy for speed", () => {
    const prev = fix({ accuracyM: 40, at: NOW - 2_000 });
    expect(acceptFix(prev, moved(prev, 75, 1, { accuracyM: 40 }), NOW)).toEqual({ ok: true });
  });

  it("treats fixes sharing a timestamp as one second apart, as phones report whole seconds", () => {
    const prev = fix({ accuracyM: 5 });
    expect(acceptFix(prev, moved(prev, 50, 0, { accuracyM: 5 }), NOW)).toEqual({ ok: true });
    expect(acceptFix(prev, moved(prev, 100, 0, { accuracyM: 5 }), NOW)).toEqual({
      ok: false,
      reason: "implausible_speed",
    });
  });

  it("lets a courier recover from a bad accepted fix once enough time has passed", () => {
    const outlier = fix({ at: NOW - 200_000, accuracyM: 5 });
    const real = moved(outlier, 10_000, 100_000, { accuracyM: 5 });
    expect(acceptFix(outlier, real, NOW).ok).toBe(false);
    expect(acceptFix(outlier, { ...real, at: outlier.at + 150_000 }, NOW).ok).toBe(true);
  });

  it("honours overridden bounds", () => {
    expect(acceptFix(undefined, fix({ accuracyM: 150 }), NOW, { maxAccuracyM: 200 })).toEqual({ ok: true });
  });
});

describe("normalizeFix", () => {
  it("drops the -1 heading and speed iOS sends when they are unknown", () => {
    const n = normalizeFix(fix({ headingDeg: -1, speedMps: -1 }));
    expect(n.headingDeg).toBeUndefined();
    expect(n.speedMps).toBeUndefined();
  });

  it("keeps valid heading and speed, folding 360° onto 0°", () => {
    expect(normalizeFix(fix({ headingDeg: 360, speedMps: 4.2 }))).toMatchObject({ headingDeg: 0, speedMps: 4.2 });
  });
});

describe("normalizeFixes", () => {
  it("returns the frame's own array when no fix needs anything dropped", () => {
    const fixes = [fix({ seq: 1 }), fix({ seq: 2, headingDeg: 90, speedMps: 3 })];
    expect(normalizeFixes(fixes)).toBe(fixes);
  });

  it("normalizes every fix when one needs it", () => {
    const clean = fix({ seq: 1 });
    const out = normalizeFixes([clean, fix({ seq: 2, headingDeg: -1 })]);
    expect(out[0]).toBe(clean);
    expect(out[1]?.headingDeg).toBeUndefined();
  });
});

describe("applyFixBatch", () => {
  it("sorts a buffered batch by seq and keeps the newest accepted fix", () => {
    const prev = fix({ seq: 1, at: NOW - 60_000 });
    const f2 = moved(prev, 50, 10_000);
    const f3 = moved(f2, 50, 10_000);
    const f4 = moved(f3, 50, 10_000);
    const result = applyFixBatch(prev, [f4, f2, f3], NOW);
    expect(result.latest).toBe(f4);
    expect(result.accepted).toEqual([f2, f3, f4]);
    expect(Object.values(result.dropped).every((n) => n === 0)).toBe(true);
  });

  it("counts each dropped fix under its reason and skips it when checking the next", () => {
    const prev = fix({ seq: 5, at: NOW - 60_000, accuracyM: 5 });
    const good = moved(prev, 30, 10_000);
    const teleport = moved(good, 50_000, 10_000);
    const afterTeleport = moved(good, 60, 20_000, { seq: good.seq + 2 });
    const batch = [
      afterTeleport,
      teleport,
      good,
      { ...good }, // resent
      fix({ seq: 3 }),
      fix({ seq: 20, accuracyM: 500 }),
      fix({ seq: 21, at: NOW + 120_000 }),
      fix({ seq: 22, lat: Number.NaN }),
    ];
    const result = applyFixBatch(prev, batch, NOW);
    expect(result.accepted).toEqual([good, afterTeleport]);
    expect(result.latest).toBe(afterTeleport);
    expect(result.dropped).toEqual({
      duplicate: 1,
      out_of_order: 1,
      implausible_speed: 1,
      poor_accuracy: 1,
      out_of_range: 1,
      from_future: 1,
      too_old: 0,
    });
  });

  it("keeps the previous fix as latest when nothing in the batch is accepted", () => {
    const prev = fix({ seq: 9 });
    const result = applyFixBatch(prev, [fix({ seq: 8 })], NOW);
    expect(result.latest).toBe(prev);
    expect(result.accepted).toEqual([]);
    expect(result.dropped.out_of_order).toBe(1);
  });

  it("does not reorder the caller's array", () => {
    const fixes = [fix({ seq: 3 }), fix({ seq: 1 })];
    applyFixBatch(undefined, fixes, NOW);
    expect(fixes.map((f) => f.seq)).toEqual([3, 1]);
  });
});
