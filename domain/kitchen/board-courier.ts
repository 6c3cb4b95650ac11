// What the kitchen's board says about the courier coming for an order: who
// (a short name, "Ana S."), and when they reach the counter, from their last
// position. Positions arrive every second or so; the board needs far fewer,
// so a new estimate reaches it only when it says something new.

import { travelTimeMs, type Vehicle } from "../dispatch/eta.ts";
import { haversineMeters, type LatLng } from "../geo/distance.ts";

export interface BoardCourier {
  courierId: string;
  /** Short display name; null until the courier's zone has named them. */
  name: string | null;
  vehicle: Vehicle;
  /** When they reach the restaurant (epoch ms); null once they are there or past it. */
  arrivesAt: number | null;
  /** When this estimate was made (epoch ms): of two summaries with the same event, the later estimate wins. */
  at: number;
}

/** A new estimate reaches the board at most this often, unless something a person would notice changed. */
export const BOARD_COURIER_EVERY_MS = 15_000;
/** An arrival that moved by this much is news at once. */
export const BOARD_ARRIVAL_SHIFT_MS = 60_000;

/** First name and the initial of the last: enough for staff to greet them, not their full name. */
export function shortName(full: string): string {
  const parts = full.trim().split(/\s+/).filter(Boolean);
  const first = parts[0] ?? "";
  const last = parts.length > 1 ? parts[parts.length - 1] : undefined;
  const initial = last ? ` ${[...last][0]?.toUpperCase()}.` : "";
  return `${[...first].slice(0, 40).join("")}${initial}`;
}

/** When a courier at `position` heading for the restaurant gets there; null once they are at pickup or beyond. */
export function arrivalAt(
  position: LatLng,
  restaurant: LatLng,
  vehicle: Vehicle,
  headingToPickup: boolean,
  now: number,
): number | null {
  if (!headingToPickup) return null;
  return Math.round(now + travelTimeMs(haversineMeters(position, restaurant), vehicle));
}

/** Whether `next` is worth a board update after `previous` was the last one sent. */
export function boardShouldHear(previous: BoardCourier | null, next: BoardCourier): boolean {
  if (!previous || previous.courierId !== next.courierId || previous.name !== next.name) return true;
  if ((previous.arrivesAt === null) !== (next.arrivesAt === null)) return true;
  if (next.at - previous.at >= BOARD_COURIER_EVERY_MS) return true;
  if (previous.arrivesAt !== null && next.arrivesAt !== null) {
    return Math.abs(next.arrivesAt - previous.arrivesAt) >= BOARD_ARRIVAL_SHIFT_MS;
  }
  return false;
}

/**
 * Whether a board summary replaces the stored one: a later event always; the
 * same event only with a later courier estimate (positions move without events).
 */
export function boardSummaryIsNewer(
  stored: { lastSeq: number; courier?: { at: string } | null },
  incoming: { lastSeq: number; courier?: { at: string } | null },
): boolean {
  if (incoming.lastSeq !== stored.lastSeq) return incoming.lastSeq > stored.lastSeq;
  const before = stored.courier ? Date.parse(stored.courier.at) : 0;
  const after = incoming.courier ? Date.parse(incoming.courier.at) : 0;
  return after > before;
}
