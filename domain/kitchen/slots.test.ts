import { describe, expect, it } from "vitest";
import { checkSlot, checkSlotTemplates, deliverySlots, type SlotPolicy } from "./slots.ts";

const lisbon = "Europe/Lisbon";
const at = (iso: string) => Date.parse(iso);
// Monday 2026-11-23, 09:00 in Lisbon (UTC+0 in winter).
const NOW = at("2026-11-23T09:00:00Z");

const policy: SlotPolicy = {
  templates: [1, 2].flatMap((day) => [
    { day, start: "10:00", end: "11:00", capacity: 2 },
    { day, start: "18:00", end: "19:00", capacity: 3 },
  ]),
  cutoffMinutes: 60,
  daysAhead: 2,
};

describe("deliverySlots", () => {
  it("lists the coming days' windows in order with what is left, closing each at its cut-off", () => {
    const slots = deliverySlots(policy, lisbon, [], NOW, new Map([["2026-11-23T18:00", 1]]));
    expect(slots.map((s) => [s.id, s.remaining, s.bookable])).toEqual([
      // 10:00 starts within the 60-minute cut-off: shown, not bookable.
      ["2026-11-23T10:00", 2, false],
      ["2026-11-23T18:00", 2, true],
      ["2026-11-24T10:00", 2, true],
      ["2026-11-24T18:00", 3, true],
    ]);
    expect(slots[1]).toMatchObject({ startsAt: at("2026-11-23T18:00:00Z"), endsAt: at("2026-11-23T19:00:00Z") });
  });

  it("leaves out windows that are over and days closed by a special day", () => {
    const later = at("2026-11-23T11:30:00Z");
    const slots = deliverySlots(policy, lisbon, [{ date: "2026-11-24", slots: [] }], later, new Map());
    expect(slots.map((s) => s.id)).toEqual(["2026-11-23T18:00"]);
  });

  it("keeps only the windows inside a special day's own hours", () => {
    const slots = deliverySlots(
      policy,
      lisbon,
      [{ date: "2026-11-24", slots: [{ open: "08:00", close: "12:00" }] }],
      NOW,
      new Map(),
    );
    expect(slots.map((s) => s.id)).toEqual(["2026-11-23T10:00", "2026-11-23T18:00", "2026-11-24T10:00"]);
  });
});

describe("checkSlot", () => {
  it("takes a slot with room before its cut-off", () => {
    expect(checkSlot(policy, lisbon, [], "2026-11-24T10:00", NOW, new Map())).toMatchObject({
      ok: true,
      slot: { id: "2026-11-24T10:00", remaining: 2 },
    });
  });

  it("refuses a full slot, a closed one and one that does not exist, each with its own code", () => {
    const booked = new Map([["2026-11-24T10:00", 2]]);
    expect(checkSlot(policy, lisbon, [], "2026-11-24T10:00", NOW, booked)).toMatchObject({
      ok: false,
      code: "slot_full",
    });
    expect(checkSlot(policy, lisbon, [], "2026-11-23T10:00", NOW, booked)).toMatchObject({
      ok: false,
      code: "slot_closed",
    });
    expect(checkSlot(policy, lisbon, [], "2026-11-23T12:00", NOW, booked)).toMatchObject({
      ok: false,
      code: "unknown_slot",
    });
    expect(checkSlot(policy, lisbon, [], "tomorrow", NOW, booked)).toMatchObject({ ok: false, code: "unknown_slot" });
  });
});

describe("checkSlotTemplates", () => {
  it("refuses windows that end before they start or overlap another on the same day", () => {
    expect(checkSlotTemplates(policy.templates)).toEqual([]);
    expect(
      checkSlotTemplates([
        { day: 1, start: "10:00", end: "09:00", capacity: 1 },
        { day: 2, start: "10:00", end: "11:00", capacity: 1 },
        { day: 2, start: "10:30", end: "11:30", capacity: 1 },
      ]).map((i) => i.path),
    ).toEqual(["0.end", "2"]);
  });
});
