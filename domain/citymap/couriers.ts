// Couriers on the operators' map. Zone DOs report the plain facts of every
// courier in their dispatch cell; the map decides what state to draw, because
// "stale" depends on the time of looking, not of reporting.

import { COURIER_STALE_AFTER_MS } from "../dispatch/fix.ts";

export type CourierStatus = "online" | "offline" | "break";

/** What a Zone DO reports about one courier. */
export interface CourierFacts {
  courierId: string;
  vehicle: string;
  status: CourierStatus;
  lat: number | null;
  lng: number | null;
  /** Server clock when the last fix was accepted. */
  lastFixAt: number | null;
  connected: boolean;
  /** The order of a live offer the courier holds, if any. */
  offerOrderId: string | null;
  activeOrders: string[];
}

export type CourierMapState = "available" | "offered" | "on_job" | "stale" | "break";

/** Null: not on the map (signed off). */
export function mapStateOf(facts: CourierFacts, now: number): CourierMapState | null {
  if (facts.status === "offline" && facts.activeOrders.length === 0) return null;
  const quiet = facts.lastFixAt === null || now - facts.lastFixAt > COURIER_STALE_AFTER_MS || !facts.connected;
  // A courier carrying food who goes quiet is exactly who operators must see as stale.
  if (quiet) return "stale";
  if (facts.activeOrders.length > 0) return "on_job";
  if (facts.status === "break") return "break";
  if (facts.offerOrderId !== null) return "offered";
  return "available";
}

export interface MapCourier extends CourierFacts {
  cell: string;
  state: CourierMapState;
}

export interface TrackedCourier {
  cell: string;
  facts: CourierFacts;
  /** When the reporting zone sent it: a courier's newest report wins, whichever zone sent it. */
  reportedAt: number;
}

export interface SummaryChanges {
  upserts: TrackedCourier[];
  removed: string[];
}

/**
 * Folds one cell's report into what the map knows. The report is the whole
 * truth about that cell: a courier it used to list and no longer does has
 * left it. During a hand-over two cells briefly both list a courier, and
 * reports can arrive out of order, so a courier moves to a cell only on a
 * report at least as new as the one that put them where they are, and is
 * removed only by the cell that last reported them.
 */
export function foldCellSummary(
  known: ReadonlyMap<string, TrackedCourier>,
  cell: string,
  couriers: readonly CourierFacts[],
  reportedAt: number,
): SummaryChanges {
  const upserts: TrackedCourier[] = [];
  const listed = new Set<string>();
  for (const facts of couriers) {
    listed.add(facts.courierId);
    const current = known.get(facts.courierId);
    if (current && current.cell !== cell && current.reportedAt > reportedAt) continue;
    if (current && current.cell === cell && current.reportedAt > reportedAt) continue;
    upserts.push({ cell, facts, reportedAt });
  }
  const removed: string[] = [];
  for (const [courierId, current] of known) {
    if (current.cell === cell && !listed.has(courierId) && current.reportedAt <= reportedAt) removed.push(courierId);
  }
  return { upserts, removed };
}

export function toMapCourier(tracked: TrackedCourier, now: number): MapCourier | null {
  const state = mapStateOf(tracked.facts, now);
  return state === null ? null : { ...tracked.facts, cell: tracked.cell, state };
}

export interface CourierCounts {
  online: number;
  available: number;
  offered: number;
  onJob: number;
  stale: number;
  onBreak: number;
}

export function countCouriers(couriers: Iterable<MapCourier>): CourierCounts {
  const counts: CourierCounts = { online: 0, available: 0, offered: 0, onJob: 0, stale: 0, onBreak: 0 };
  for (const c of couriers) {
    counts.online++;
    if (c.state === "available") counts.available++;
    else if (c.state === "offered") counts.offered++;
    else if (c.state === "on_job") counts.onJob++;
    else if (c.state === "stale") counts.stale++;
    else counts.onBreak++;
  }
  return counts;
}
