import { describe, expect, it } from "vitest";
import {
  admitOrder,
  type CapacityPolicy,
  checkCapacityPolicy,
  DEFAULT_CAPACITY,
  type KitchenLoad,
  kitchenStatus,
  WINDOW_MS,
} from "./capacity.ts";

const NOW = Date.parse("2026-11-24T19:00:00Z");
const MIN = 60_000;

function policy(overrides: Partial<CapacityPolicy> = {}): CapacityPolicy {
  return { ...DEFAULT_CAPACITY, ...overrides };
}
function load(activeOrders: number, recentAdmissions: number[] = []): KitchenLoad {
  return { activeOrders, recentAdmissions };
}

describe("admitOrder", () => {
  it("admits anything at the base prep time when no limit is set", () => {
    expect(admitOrder(policy(), load(500), 15, NOW, null)).toEqual({ ok: true, quotedPrepMinutes: 15, busy: null });
  });

  it("quotes whole extra rounds once the kitchen has as many orders as it can cook at once", () => {
    const p = policy({ maxActiveOrders: 4 });
    expect(admitOrder(p, load(3), 15, NOW, null)).toEqual({ ok: true, quotedPrepMinutes: 15, busy: null });
    expect(admitOrder(p, load(4), 15, NOW, null)).toEqual({ ok: true, quotedPrepMinutes: 30, busy: "at_capacity" });
    expect(admitOrder(p, load(7), 15, NOW, null)).toMatchObject({ quotedPrepMinutes: 30 });
    expect(admitOrder(p, load(8), 15, NOW, null)).toMatchObject({ quotedPrepMinutes: 45 });
  });

  it("refuses past capacity when the restaurant chose to refuse, with a clear code and message", () => {
    const p = policy({ maxActiveOrders: 2, whenFull: "refuse" });
    expect(admitOrder(p, load(1), 15, NOW, null).ok).toBe(true);
    const refused = admitOrder(p, load(2), 15, NOW, null);
    expect(refused).toMatchObject({ ok: false, code: "kitchen_busy", reason: "at_capacity" });
    expect(refused.ok ? "" : refused.message).toMatch(/at capacity/);
  });

  it("refuses a quote longer than the restaurant's maximum even when it quotes longer", () => {
    const p = policy({ maxActiveOrders: 2, maxQuotedPrepMinutes: 60 });
    expect(admitOrder(p, load(5), 20, NOW, null)).toMatchObject({ ok: true, quotedPrepMinutes: 60 });
    expect(admitOrder(p, load(6), 20, NOW, null)).toMatchObject({
      ok: false,
      code: "kitchen_busy",
      quotedPrepMinutes: 80,
    });
  });

  it("counts orders started in the last 15 minutes only, and pushes the overflow a window later", () => {
    const p = policy({ maxOrdersPer15Min: 3 });
    const old = [NOW - WINDOW_MS - 1, NOW - WINDOW_MS];
    const recent = [NOW - 14 * MIN, NOW - 5 * MIN, NOW - MIN];
    expect(admitOrder(p, load(0, old), 10, NOW, null)).toMatchObject({ quotedPrepMinutes: 10, busy: null });
    expect(admitOrder(p, load(0, [...old, ...recent]), 10, NOW, null)).toMatchObject({
      quotedPrepMinutes: 25,
      busy: "at_capacity",
    });
    // One minute later the oldest of the three has left the window.
    expect(admitOrder(p, load(0, recent), 10, NOW + MIN + 1, null)).toMatchObject({ busy: null });
  });

  it("takes the longer of the two limits' quotes", () => {
    const p = policy({ maxActiveOrders: 10, maxOrdersPer15Min: 2 });
    expect(admitOrder(p, load(10, [NOW - MIN, NOW - 2 * MIN]), 20, NOW, null)).toMatchObject({
      quotedPrepMinutes: 40,
    });
  });

  it("treats busy mode by hand as being at capacity until it ends", () => {
    const quote = policy({ busyExtraPrepMinutes: 20 });
    const busy = { until: NOW + 30 * MIN };
    expect(admitOrder(quote, load(0), 15, NOW, busy)).toEqual({ ok: true, quotedPrepMinutes: 35, busy: "manual" });
    expect(admitOrder(quote, load(0), 15, NOW + 30 * MIN, busy)).toEqual({
      ok: true,
      quotedPrepMinutes: 15,
      busy: null,
    });
    const refuse = policy({ whenFull: "refuse" });
    expect(admitOrder(refuse, load(0), 15, NOW, { until: null })).toMatchObject({
      ok: false,
      reason: "manual",
    });
  });
});

describe("kitchenStatus", () => {
  it("shows staff and customers what the next order would meet", () => {
    const p = policy({ maxActiveOrders: 1, whenFull: "refuse" });
    expect(kitchenStatus(p, load(0, [NOW - MIN]), 15, NOW, null)).toEqual({
      busy: false,
      reason: null,
      quotedPrepMinutes: 15,
      acceptingOrders: true,
      activeOrders: 0,
      startedLast15Min: 1,
      manualUntil: null,
    });
    expect(kitchenStatus(p, load(1), 15, NOW, { until: NOW + MIN })).toMatchObject({
      busy: true,
      reason: "manual",
      quotedPrepMinutes: null,
      acceptingOrders: false,
      manualUntil: NOW + MIN,
    });
  });
});

describe("checkCapacityPolicy", () => {
  it("accepts sensible limits and names each field that is not", () => {
    expect(checkCapacityPolicy(policy({ maxActiveOrders: 6, maxOrdersPer15Min: 10 }))).toEqual([]);
    expect(
      checkCapacityPolicy(
        policy({ maxActiveOrders: 0, maxOrdersPer15Min: 1.5, busyExtraPrepMinutes: -1, maxQuotedPrepMinutes: 1 }),
      ).map((i) => i.path),
    ).toEqual(["maxActiveOrders", "maxOrdersPer15Min", "busyExtraPrepMinutes", "maxQuotedPrepMinutes"]);
  });
});
