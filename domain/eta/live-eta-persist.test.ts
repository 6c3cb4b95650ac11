import { describe, expect, it } from "vitest";
import {
  ETA_PERSIST_EVERY_MS,
  ETA_PERSIST_SHIFT_MS,
  etaShouldPersist,
  type PersistedEta,
  sightingShouldPersist,
} from "./live-eta-persist.ts";

const t0 = 1_700_000_000_000;
const written: PersistedEta = { pickupAt: t0 + 600_000, dropoffAt: t0 + 1_500_000, model: "fixed", at: t0 };

describe("etaShouldPersist", () => {
  it("writes the first estimate", () => {
    expect(etaShouldPersist(null, written)).toBe(true);
  });

  it("holds back a position's estimate that says nothing new within the window", () => {
    const next = { ...written, dropoffAt: written.dropoffAt + 20_000, at: t0 + ETA_PERSIST_EVERY_MS - 1 };
    expect(etaShouldPersist(written, next)).toBe(false);
  });

  it("writes once the window has passed, so storage lags the broadcast by at most the window", () => {
    expect(etaShouldPersist(written, { ...written, at: t0 + ETA_PERSIST_EVERY_MS })).toBe(true);
  });

  it("writes at once when the food goes on board (the pickup time goes)", () => {
    expect(etaShouldPersist(written, { ...written, pickupAt: null, at: t0 + 1000 })).toBe(true);
    const onBoard = { ...written, pickupAt: null };
    expect(etaShouldPersist(onBoard, { ...written, at: t0 + 1000 })).toBe(true);
  });

  it("writes at once when the model changes or an estimate moves by a minute or more", () => {
    expect(etaShouldPersist(written, { ...written, model: "learned", at: t0 + 1000 })).toBe(true);
    expect(
      etaShouldPersist(written, { ...written, dropoffAt: written.dropoffAt - ETA_PERSIST_SHIFT_MS, at: t0 + 1 }),
    ).toBe(true);
    expect(
      etaShouldPersist(written, { ...written, pickupAt: (written.pickupAt ?? 0) + ETA_PERSIST_SHIFT_MS, at: t0 + 1 }),
    ).toBe(true);
    expect(
      etaShouldPersist(written, {
        ...written,
        pickupAt: (written.pickupAt ?? 0) + ETA_PERSIST_SHIFT_MS - 1,
        at: t0 + 1,
      }),
    ).toBe(false);
  });

  it("writes when the clock went backwards rather than holding back forever", () => {
    expect(etaShouldPersist(written, { ...written, at: t0 - 1 })).toBe(true);
  });
});

describe("sightingShouldPersist", () => {
  const seen = { lat: 38.72, lng: -9.15, vehicle: "bicycle", at: t0 };

  it("writes the first position and a change of vehicle at once", () => {
    expect(sightingShouldPersist(null, seen)).toBe(true);
    expect(sightingShouldPersist(seen, { ...seen, vehicle: "car", at: t0 + 1000 })).toBe(true);
  });

  it("writes a moving courier's position at most once per window", () => {
    expect(sightingShouldPersist(seen, { ...seen, lat: 38.73, at: t0 + ETA_PERSIST_EVERY_MS - 1 })).toBe(false);
    expect(sightingShouldPersist(seen, { ...seen, lat: 38.73, at: t0 + ETA_PERSIST_EVERY_MS })).toBe(true);
  });
});
