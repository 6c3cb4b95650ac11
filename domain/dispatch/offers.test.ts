import { describe, expect, it } from "vitest";
import { seededRandom } from "../random/seeded-random.ts";
import {
  DEFAULT_OFFER_POLICY,
  nextOffer,
  type OfferCandidate,
  type OfferDecision,
  type OfferState,
  onAccept,
  onDecline,
  onExpire,
  pinOffer,
  reopenOffers,
  startOffers,
} from "./offers.ts";

const NOW = 1_750_000_000_000;

const cand = (courierId: string, distanceM: number): OfferCandidate => ({ courierId, distanceM });

function expectAction<A extends OfferDecision["action"]>(
  decision: OfferDecision,
  action: A,
): Extract<OfferDecision, { action: A }> {
  expect(decision.action).toBe(action);
  return decision as Extract<OfferDecision, { action: A }>;
}

describe("nextOffer", () => {
  it("starts at the smallest radius with nobody tried", () => {
    expect(startOffers("o1")).toEqual({
      orderId: "o1",
      candidatesTried: [],
      round: 0,
      radiusM: 2_000,
      current: null,
      assignedCourierId: null,
      escalated: false,
    });
  });

  it("offers the best-ranked courier within the radius, expiring after 30 s", () => {
    const d = expectAction(
      nextOffer(startOffers("o1"), [cand("far", 3_000), cand("a", 900), cand("b", 500)], NOW),
      "offer",
    );
    expect(d.courierId).toBe("a");
    expect(d.expiresAt).toBe(NOW + 30_000);
    expect(d.state.current).toEqual({ courierId: "a", expiresAt: NOW + 30_000 });
    expect(d.state.candidatesTried).toEqual(["a"]);
  });

  it("waits while an offer is live instead of offering a second courier", () => {
    const s = expectAction(nextOffer(startOffers("o1"), [cand("a", 100), cand("b", 200)], NOW), "offer").state;
    const d = expectAction(nextOffer(s, [cand("a", 100), cand("b", 200)], NOW + 29_999), "wait");
    expect(d.until).toBe(NOW + 30_000);
    expect(d.state).toBe(s);
  });

  it("moves on to the next courier once the live offer has lapsed, even if the expiry alarm was missed", () => {
    const s = expectAction(nextOffer(startOffers("o1"), [cand("a", 100), cand("b", 200)], NOW), "offer").state;
    const d = expectAction(nextOffer(s, [cand("a", 100), cand("b", 200)], NOW + 30_000), "offer");
    expect(d.courierId).toBe("b");
    expect(d.state.candidatesTried).toEqual(["a", "b"]);
  });

  it("widens the radius step by step when nobody untried is in range, then escalates", () => {
    let s = startOffers("o1");
    const radii: number[] = [];
    for (;;) {
      const d = nextOffer(s, [cand("x", 9_000)], NOW);
      s = d.state;
      if (d.action !== "widen") break;
      radii.push(d.radiusM);
    }
    expect(radii).toEqual([4_000, 7_000]);
    expect(s.escalated).toBe(true);
    expect(s.round).toBe(2);
    expect(nextOffer(s, [cand("x", 9_000)], NOW)).toMatchObject({ action: "settled", outcome: "escalated" });
  });

  it("never offers the same order to a courier twice, not even after widening the radius", () => {
    let s = startOffers("o1");
    s = expectAction(nextOffer(s, [cand("a", 1_000)], NOW), "offer").state;
    s = onDecline(s, "a");
    s = expectAction(nextOffer(s, [cand("a", 1_000)], NOW), "widen").state;
    const d = expectAction(nextOffer(s, [cand("a", 1_000), cand("b", 3_500)], NOW), "offer");
    expect(d.courierId).toBe("b");
  });

  it("skips a courier listed twice by overlapping zone searches", () => {
    let s = startOffers("o1");
    s = onDecline(expectAction(nextOffer(s, [cand("a", 100)], NOW), "offer").state, "a");
    expect(expectAction(nextOffer(s, [cand("a", 100), cand("a", 100), cand("c", 300)], NOW), "offer").courierId).toBe(
      "c",
    );
  });

  it("honours a custom policy", () => {
    const policy = { offerTtlMs: 10_000, radiusStepsM: [500] };
    const s = startOffers("o1", policy);
    expect(expectAction(nextOffer(s, [cand("a", 400)], NOW, policy), "offer").expiresAt).toBe(NOW + 10_000);
    expect(nextOffer(s, [cand("a", 600)], NOW, policy).action).toBe("escalate");
  });

  it("rejects a policy whose radius steps are empty or not increasing", () => {
    expect(() => startOffers("o1", { offerTtlMs: 1, radiusStepsM: [] })).toThrow(RangeError);
    expect(() => startOffers("o1", { offerTtlMs: 1, radiusStepsM: [2_000, 1_000] })).toThrow(RangeError);
    expect(() => startOffers("o1", { offerTtlMs: 0, radiusStepsM: [1_000] })).toThrow(RangeError);
  });

  it("uses 30 s offers and 2, 4, 7 km radius steps by default", () => {
    expect(DEFAULT_OFFER_POLICY).toEqual({ offerTtlMs: 30_000, radiusStepsM: [2_000, 4_000, 7_000] });
  });
});

describe("onDecline / onExpire", () => {
  const offered = (): OfferState => expectAction(nextOffer(startOffers("o1"), [cand("a", 100)], NOW), "offer").state;

  it("clears the live offer when its holder declines", () => {
    expect(onDecline(offered(), "a").current).toBeNull();
  });

  it("ignores a decline from someone who does not hold the live offer", () => {
    const s = offered();
    expect(onDecline(s, "b")).toBe(s);
  });

  it("ignores an expiry alarm that fires before the offer's expiry", () => {
    const s = offered();
    expect(onExpire(s, NOW + 29_999)).toBe(s);
    expect(onExpire(s, NOW + 30_000).current).toBeNull();
  });
});

describe("onAccept", () => {
  const offered = (): OfferState =>
    expectAction(nextOffer(startOffers("o1"), [cand("a", 100), cand("b", 200)], NOW), "offer").state;

  it("assigns the order to the holder of a live offer", () => {
    const r = onAccept(offered(), "a", NOW + 1_000);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.state.assignedCourierId).toBe("a");
      expect(r.state.current).toBeNull();
      expect(nextOffer(r.state, [cand("b", 200)], NOW + 2_000)).toMatchObject({
        action: "settled",
        outcome: "assigned",
      });
    }
  });

  it("refuses a courier who was never offered the order", () => {
    expect(onAccept(offered(), "b", NOW)).toEqual({ ok: false, refused: "offer_not_yours" });
  });

  it("refuses an accept that arrives at or after the expiry", () => {
    expect(onAccept(offered(), "a", NOW + 30_000)).toEqual({ ok: false, refused: "offer_expired" });
  });

  it("refuses as expired a courier whose offer already lapsed and passed to someone else", () => {
    const s = expectAction(
      nextOffer(onExpire(offered(), NOW + 30_000), [cand("a", 100), cand("b", 200)], NOW + 30_000),
      "offer",
    ).state;
    expect(onAccept(s, "a", NOW + 31_000)).toEqual({ ok: false, refused: "offer_expired" });
  });

  it("refuses a second courier once the order is assigned, but repeats success for the assignee", () => {
    const r = onAccept(offered(), "a", NOW);
    if (!r.ok) throw new Error("expected accept");
    expect(onAccept(r.state, "b", NOW)).toEqual({ ok: false, refused: "already_assigned" });
    expect(onAccept(r.state, "a", NOW + 60_000)).toEqual({ ok: true, state: r.state });
  });
});

describe("offer invariants under random event sequences", () => {
  it("never offers an order to the same courier twice and never assigns two couriers", () => {
    const outcomes = { assigned: 0, escalated: 0 };
    for (let seed = 1; seed <= 300; seed++) {
      const rand = seededRandom(seed);
      const couriers = Array.from({ length: 1 + Math.floor(rand() * 8) }, (_, i) => `c${i}`);
      let s = startOffers(`o${seed}`);
      let now = NOW;
      const offersMade: string[] = [];
      const assigned = new Set<string>();
      for (let step = 0; step < 60; step++) {
        now += Math.floor(rand() * 20_000);
        const ranked = couriers.filter(() => rand() < 0.8).map((id) => cand(id, rand() * 9_000));
        const event = rand();
        if (event < 0.4) {
          const d = nextOffer(s, ranked, now);
          if (d.action === "offer") offersMade.push(d.courierId);
          s = d.state;
        } else if (event < 0.6) {
          s = onDecline(s, couriers[Math.floor(rand() * couriers.length)] as string);
        } else if (event < 0.75) {
          s = onExpire(s, now);
        } else {
          const r = onAccept(s, couriers[Math.floor(rand() * couriers.length)] as string, now);
          if (r.ok) {
            s = r.state;
            assigned.add(r.state.assignedCourierId as string);
          }
        }
        expect(new Set(offersMade).size).toBe(offersMade.length);
        expect(assigned.size).toBeLessThanOrEqual(1);
        expect(s.assignedCourierId !== null && s.current !== null).toBe(false);
        expect(s.assignedCourierId !== null && s.escalated).toBe(false);
        if (s.assignedCourierId !== null) expect(offersMade).toContain(s.assignedCourierId);
      }
      if (s.assignedCourierId !== null) outcomes.assigned++;
      if (s.escalated) outcomes.escalated++;
    }
    // The random walks must reach both endings for the invariants to have been tested against them.
    expect(outcomes.assigned).toBeGreaterThan(30);
    expect(outcomes.escalated).toBeGreaterThan(30);
  });
});

describe("an operator's offer", () => {
  const now = 1_000_000;
  const ttl = DEFAULT_OFFER_POLICY.offerTtlMs;

  it("goes to the chosen courier even after they declined, and the search gives up again if it lapses", () => {
    let state = startOffers("o");
    const first = nextOffer(state, [{ courierId: "a", distanceM: 100 }], now);
    if (first.action !== "offer") throw new Error(first.action);
    state = onDecline(first.state, "a");
    // Nobody else: widen to the end, then escalate.
    for (;;) {
      const d = nextOffer(state, [], now);
      if (d.action === "escalate") {
        state = d.state;
        break;
      }
      if (d.action !== "widen") throw new Error(d.action);
      state = d.state;
    }
    const pinned = pinOffer(state, "a", now + ttl);
    if (!pinned.ok) throw new Error("refused");
    expect(pinned.state.current).toEqual({ courierId: "a", expiresAt: now + ttl });
    expect(nextOffer(pinned.state, [], now)).toMatchObject({ action: "wait" });
    // They accept: assigned like any offer.
    expect(onAccept(pinned.state, "a", now + 1)).toMatchObject({ ok: true, state: { assignedCourierId: "a" } });
    // They let it lapse instead: settled as escalated, nobody else is offered it automatically.
    const lapsed = onExpire(pinned.state, now + ttl);
    expect(nextOffer(lapsed, [{ courierId: "b", distanceM: 10 }], now + ttl)).toMatchObject({
      action: "settled",
      outcome: "escalated",
      state: { escalated: true },
    });
  });

  it("takes over a running search, which carries on if the chosen courier declines", () => {
    const first = nextOffer(startOffers("o"), [{ courierId: "a", distanceM: 100 }], now);
    if (first.action !== "offer") throw new Error(first.action);
    const pinned = pinOffer(first.state, "z", now + ttl);
    if (!pinned.ok) throw new Error("refused");
    expect(pinned.state.current?.courierId).toBe("z");
    expect(onAccept(pinned.state, "a", now + 1)).toMatchObject({ ok: false, refused: "offer_expired" });
    const declined = onDecline(pinned.state, "z");
    expect(nextOffer(declined, [{ courierId: "b", distanceM: 100 }], now + 2)).toMatchObject({
      action: "offer",
      courierId: "b",
    });
  });

  it("is refused once a courier has the order", () => {
    const state = { ...startOffers("o"), assignedCourierId: "a" };
    expect(pinOffer(state, "b", now + ttl)).toEqual({ ok: false, refused: "already_assigned" });
  });
});

describe("reopenOffers", () => {
  it("starts again from the first radius and never offers the order back to anyone already tried", () => {
    const assigned = {
      ...startOffers("o1"),
      candidatesTried: ["a", "b"],
      round: 2,
      radiusM: 7000,
      assignedCourierId: "b",
    };
    const reopened = reopenOffers(assigned);
    expect(reopened).toMatchObject({
      round: 0,
      radiusM: 2000,
      current: null,
      assignedCourierId: null,
      escalated: false,
    });
    const decision = nextOffer(
      reopened,
      [
        { courierId: "b", distanceM: 10 },
        { courierId: "c", distanceM: 500 },
      ],
      1000,
    );
    expect(decision).toMatchObject({ action: "offer", courierId: "c" });
  });
});
