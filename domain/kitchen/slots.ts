// Delivery slots for merchants that deliver in windows rather than as soon as
// possible (a grocery: "Tuesday 10:00-11:00"). A weekly template with a
// capacity per slot becomes concrete slots for the next days; a slot closes
// to new orders some minutes before it starts, and a full one refuses.
//
// A slot's id is its local date and start ("2026-11-30T10:00"): readable,
// stable, and the same for every customer who sees it.
import { addDays, localParts, localToEpoch, minutesOf, weekdayOf } from "../restaurant/local-time.ts";
import type { SpecialDay } from "../restaurant/schedule.ts";

export interface SlotTemplate {
  /** 0 = Sunday */
  day: number;
  start: string;
  end: string;
  /** Orders the merchant can deliver in this window. */
  capacity: number;
}

export interface SlotPolicy {
  templates: SlotTemplate[];
  /** A slot stops taking orders this long before it starts (picking and packing). */
  cutoffMinutes: number;
  /** How many days ahead, today included, slots are offered. */
  daysAhead: number;
}

export interface DeliverySlot {
  id: string;
  startsAt: number;
  endsAt: number;
  capacity: number;
  booked: number;
  remaining: number;
  /** Open for new orders now: before its cut-off and not full. */
  bookable: boolean;
}

export type SlotCheck =
  | { ok: true; slot: DeliverySlot }
  | { ok: false; code: "unknown_slot" | "slot_closed" | "slot_full"; message: string };

const SLOT_ID = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/;

function templatesOn(policy: SlotPolicy, date: string, special: SpecialDay | undefined): SlotTemplate[] {
  const day = weekdayOf(date);
  const templates = policy.templates.filter((t) => t.day === day);
  if (!special) return templates;
  // A special day narrows the windows to its own hours (none when it is closed).
  return templates.filter((t) =>
    special.slots.some((s) => {
      const open = minutesOf(s.open);
      const close = minutesOf(s.close) <= open ? 1440 : minutesOf(s.close);
      return minutesOf(t.start) >= open && minutesOf(t.end) <= close;
    }),
  );
}

/** The slots offered from today (local) for `daysAhead` days, in time order, with what is left in each. */
export function deliverySlots(
  policy: SlotPolicy,
  timeZone: string,
  specialDays: readonly SpecialDay[],
  now: number,
  booked: ReadonlyMap<string, number>,
): DeliverySlot[] {
  const specials = new Map(specialDays.map((d) => [d.date, d]));
  const today = localParts(now, timeZone).date;
  const slots: DeliverySlot[] = [];
  for (let i = 0; i < policy.daysAhead; i++) {
    const date = addDays(today, i);
    for (const t of templatesOn(policy, date, specials.get(date))) {
      const startsAt = localToEpoch(date, minutesOf(t.start), timeZone);
      const endsAt = localToEpoch(date, minutesOf(t.end), timeZone);
      if (endsAt <= now) continue;
      const id = `${date}T${t.start}`;
      const taken = booked.get(id) ?? 0;
      const remaining = Math.max(0, t.capacity - taken);
      const open = now < startsAt - policy.cutoffMinutes * 60_000;
      slots.push({
        id,
        startsAt,
        endsAt,
        capacity: t.capacity,
        booked: taken,
        remaining,
        bookable: open && remaining > 0,
      });
    }
  }
  return slots.sort((a, b) => a.startsAt - b.startsAt);
}

/** Whether an order may take this slot now. */
export function checkSlot(
  policy: SlotPolicy,
  timeZone: string,
  specialDays: readonly SpecialDay[],
  slotId: string,
  now: number,
  booked: ReadonlyMap<string, number>,
): SlotCheck {
  if (!SLOT_ID.test(slotId)) {
    return { ok: false, code: "unknown_slot", message: "Slot ids look like 2026-11-30T10:00; list them first." };
  }
  const slot = deliverySlots(policy, timeZone, specialDays, now, booked).find((s) => s.id === slotId);
  if (!slot) return { ok: false, code: "unknown_slot", message: "This merchant has no delivery slot with this id." };
  if (now >= slot.startsAt - policy.cutoffMinutes * 60_000) {
    return { ok: false, code: "slot_closed", message: "This slot no longer takes orders; choose a later one." };
  }
  if (slot.remaining <= 0) return { ok: false, code: "slot_full", message: "This slot is full; choose another one." };
  return { ok: true, slot };
}

export interface SlotIssue {
  path: string;
  message: string;
}

/** Windows within a day, start before end, a positive capacity, and no two overlapping on a day. */
export function checkSlotTemplates(templates: readonly SlotTemplate[]): SlotIssue[] {
  const issues: SlotIssue[] = [];
  templates.forEach((t, i) => {
    if (minutesOf(t.end) <= minutesOf(t.start)) {
      issues.push({ path: `${i}.end`, message: "A slot ends after it starts, on the same day." });
    }
    const clash = templates.findIndex(
      (o, j) =>
        j < i && o.day === t.day && minutesOf(o.start) < minutesOf(t.end) && minutesOf(t.start) < minutesOf(o.end),
    );
    if (clash >= 0) issues.push({ path: `${i}`, message: `This slot overlaps slot ${clash + 1}.` });
  });
  return issues;
}
