// The Restaurant DO's record of what its kitchen has taken on: one admission
// per order (capacity, the delivery slot it holds, the stock it took), the
// live stock counts and busy mode by hand. A thin adapter over
// domain/kitchen: every decision is one of those pure functions, applied
// inside one SQLite transaction of a single-threaded object, so concurrent
// placements are decided one after another and the last unit, the last
// place in a slot and the last place in the kitchen go to exactly one order.
import {
  admitOrder,
  type BusyReason,
  type CapacityPolicy,
  type KitchenLoad,
  type KitchenStatus,
  kitchenStatus,
  type ManualBusy,
  WINDOW_MS,
} from "../../domain/kitchen/capacity.ts";
import { checkSlot, type DeliverySlot, deliverySlots, type SlotPolicy } from "../../domain/kitchen/slots.ts";
import { applyStockChange, type CartQuantity, quantitiesByItem, reserveStock } from "../../domain/kitchen/stock.ts";
import type { SpecialDay } from "../../domain/restaurant/schedule.ts";

export interface SlotRequest {
  id: string;
  policy: SlotPolicy;
  timeZone: string;
  specialDays: SpecialDay[];
}

export interface AdmissionRequest {
  restaurantId: string;
  orderId: string;
  lines: CartQuantity[];
  basePrepMinutes: number;
  capacity: CapacityPolicy;
  /** Placed for later: the kitchen's load now does not apply; stock and the slot do. */
  scheduled: boolean;
  slot: SlotRequest | null;
}

export type AdmissionResult =
  | { ok: true; quotedPrepMinutes: number; busy: BusyReason | null; slot: DeliverySlot | null }
  | {
      ok: false;
      status: 409 | 422;
      code: "kitchen_busy" | "out_of_stock" | "slot_full" | "slot_closed" | "unknown_slot";
      message: string;
      details?: Array<{ path: string; code: string; message: string }>;
    };

type Phase = "waiting" | "active" | "done";

type AdmissionRow = {
  order_id: string;
  admitted_at: number;
  scheduled: number;
  phase: Phase;
  holds: number;
  slot_id: string | null;
  stock: string;
  result: string;
};

/** What the ledger needs to know of an order's summary. */
export interface OrderProgress {
  id: string;
  status: string;
  released?: boolean | undefined;
}

const GIVE_BACK: readonly string[] = ["cancelled", "rejected", "failed"];
const OUT_OF_KITCHEN: readonly string[] = ["ready", "picked_up", "delivered", "cancelled", "rejected", "failed"];
/** Kept long enough to cover the furthest slot ahead and to answer "was this item ordered lately". */
export const ADMISSION_RETENTION_MS = 8 * 24 * 60 * 60_000;

type RememberedPolicy = { restaurantId: string; capacity: CapacityPolicy; basePrepMinutes: number };

export class KitchenLedger {
  /**
   * Kept in memory once read (decision 0062): the ledger is the only writer of these rows and writes
   * them outside any transaction, so memory cannot run ahead of storage. undefined: not read yet.
   */
  private policyText: string | null | undefined;
  private policy: RememberedPolicy | null | undefined;
  private manual: ManualBusy | null | undefined;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      create table if not exists admissions (
        order_id text primary key, admitted_at integer not null, scheduled integer not null,
        phase text not null, holds integer not null, slot_id text, stock text not null,
        items text not null, result text not null);
      create index if not exists admissions_phase_idx on admissions (phase);
      create index if not exists admissions_slot_idx on admissions (slot_id, holds);
      create index if not exists admissions_time_idx on admissions (admitted_at);
      create table if not exists stock (item_id text primary key, remaining integer not null, updated_at integer not null);
      create table if not exists kitchen_meta (key text primary key, value text not null);
    `);
  }

  private meta<T>(key: string): T | null {
    const row = this.sql.exec<{ value: string }>("select value from kitchen_meta where key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : null;
  }

  private setMeta(key: string, value: unknown): void {
    if (value === null) this.sql.exec("delete from kitchen_meta where key = ?", key);
    else this.sql.exec("insert or replace into kitchen_meta (key, value) values (?, ?)", key, JSON.stringify(value));
  }

  /**
   * The restaurant, policy and base prep time last seen, for recomputing the status between placements.
   * Written only when it changed: every placement passes it, and it rarely does.
   */
  remember(restaurantId: string, capacity: CapacityPolicy, basePrepMinutes: number): void {
    const value: RememberedPolicy = { restaurantId, capacity, basePrepMinutes };
    const text = JSON.stringify(value);
    if (text === this.storedPolicyText()) return;
    this.setMeta("policy", value);
    this.policyText = text;
    this.policy = value;
  }

  rememberedPolicy(): RememberedPolicy | null {
    if (this.policy === undefined) {
      const text = this.storedPolicyText();
      this.policy = text === null ? null : (JSON.parse(text) as RememberedPolicy);
    }
    return this.policy;
  }

  private storedPolicyText(): string | null {
    if (this.policyText === undefined) {
      this.policyText =
        this.sql.exec<{ value: string }>("select value from kitchen_meta where key = 'policy'").toArray()[0]?.value ??
        null;
    }
    return this.policyText;
  }

  manualBusy(): ManualBusy | null {
    if (this.manual === undefined) this.manual = this.meta<ManualBusy>("manual_busy");
    return this.manual;
  }

  setManualBusy(busy: ManualBusy | null): void {
    this.setMeta("manual_busy", busy);
    this.manual = busy;
  }

  load(now: number): KitchenLoad {
    const active =
      this.sql.exec<{ n: number }>("select count(*) as n from admissions where phase = 'active'").toArray()[0]?.n ?? 0;
    const recent = this.sql
      .exec<{ admitted_at: number }>(
        "select admitted_at from admissions where scheduled = 0 and holds = 1 and admitted_at > ?",
        now - WINDOW_MS,
      )
      .toArray()
      .map((r) => r.admitted_at);
    return { activeOrders: active, recentAdmissions: recent };
  }

  /** `load`: when the caller already counted it at `now`. */
  status(capacity: CapacityPolicy, basePrepMinutes: number, now: number, load = this.load(now)): KitchenStatus {
    return kitchenStatus(capacity, load, basePrepMinutes, now, this.manualBusy());
  }

  slotBookings(): Map<string, number> {
    const rows = this.sql
      .exec<{ slot_id: string; n: number }>(
        "select slot_id, count(*) as n from admissions where slot_id is not null and holds = 1 group by slot_id",
      )
      .toArray();
    return new Map(rows.map((r) => [r.slot_id, r.n]));
  }

  stockLevels(itemIds?: readonly string[]): Map<string, number> {
    const rows = this.sql
      .exec<{ item_id: string; remaining: number }>("select item_id, remaining from stock")
      .toArray();
    const wanted = itemIds ? new Set(itemIds) : null;
    return new Map(rows.filter((r) => !wanted || wanted.has(r.item_id)).map((r) => [r.item_id, r.remaining]));
  }

  /** Absolute counts from staff ("12 left"); null stops tracking an item. */
  setStock(changes: ReadonlyArray<{ itemId: string; remaining: number | null }>, now: number): void {
    for (const { itemId, remaining } of changes) {
      if (remaining === null) this.sql.exec("delete from stock where item_id = ?", itemId);
      else
        this.sql.exec(
          "insert or replace into stock (item_id, remaining, updated_at) values (?, ?, ?)",
          itemId,
          remaining,
          now,
        );
    }
  }

  private writeLevels(levels: ReadonlyMap<string, number>, now: number): void {
    for (const [itemId, remaining] of levels) {
      this.sql.exec("update stock set remaining = ?, updated_at = ? where item_id = ?", remaining, now, itemId);
    }
  }

  /** Must run inside a storage transaction. A retry of the same order gets the first answer back. */
  admit(request: AdmissionRequest, now: number): AdmissionResult {
    const existing = this.sql
      .exec<{ result: string }>("select result from admissions where order_id = ?", request.orderId)
      .toArray()[0];
    if (existing) return JSON.parse(existing.result) as AdmissionResult;

    let quotedPrepMinutes = request.basePrepMinutes;
    let busy: BusyReason | null = null;
    if (!request.scheduled) {
      const admission = admitOrder(request.capacity, this.load(now), request.basePrepMinutes, now, this.manualBusy());
      if (!admission.ok) return { ok: false, status: 422, code: "kitchen_busy", message: admission.message };
      quotedPrepMinutes = admission.quotedPrepMinutes;
      busy = admission.busy;
    }

    let slot: DeliverySlot | null = null;
    if (request.slot) {
      const { id, policy, timeZone, specialDays } = request.slot;
      const checked = checkSlot(policy, timeZone, specialDays, id, now, this.slotBookings());
      if (!checked.ok) {
        return {
          ok: false,
          status: checked.code === "slot_full" ? 409 : 422,
          code: checked.code,
          message: checked.message,
        };
      }
      slot = { ...checked.slot, booked: checked.slot.booked + 1, remaining: checked.slot.remaining - 1 };
    }

    const wanted = [...quantitiesByItem(request.lines).keys()];
    const levels = this.stockLevels(wanted);
    const reservation = reserveStock(levels, request.lines);
    if (!reservation.ok) {
      return {
        ok: false,
        status: 409,
        code: "out_of_stock",
        message:
          reservation.shortages.length === 1 && reservation.shortages[0]?.available === 0
            ? "An item in the cart has just sold out."
            : "There is not enough left of some items in the cart.",
        details: reservation.shortages.map((s) => ({
          path: s.itemId,
          code: "out_of_stock",
          message: `${s.available} left, ${s.requested} wanted`,
        })),
      };
    }
    this.writeLevels(applyStockChange(levels, reservation.taken, -1), now);

    const result: AdmissionResult = { ok: true, quotedPrepMinutes, busy, slot };
    this.sql.exec(
      `insert into admissions (order_id, admitted_at, scheduled, phase, holds, slot_id, stock, items, result)
       values (?, ?, ?, ?, 1, ?, ?, ?, ?)`,
      request.orderId,
      now,
      request.scheduled ? 1 : 0,
      request.scheduled ? "waiting" : "active",
      request.slot?.id ?? null,
      JSON.stringify(reservation.taken),
      JSON.stringify(wanted),
      JSON.stringify(result),
    );
    return result;
  }

  /** An order moved on: it leaves the kitchen when ready or over, and gives back what it held if it never happened. */
  progress(order: OrderProgress, now: number): boolean {
    const row = this.sql.exec<AdmissionRow>("select * from admissions where order_id = ?", order.id).toArray()[0];
    if (!row) return false;
    let phase: Phase = row.phase;
    if (OUT_OF_KITCHEN.includes(order.status)) phase = "done";
    else if (row.scheduled === 1 && order.released !== true) phase = "waiting";
    else phase = "active";
    const giveBack = GIVE_BACK.includes(order.status) && row.holds === 1;
    if (phase === row.phase && !giveBack) return false;
    if (giveBack) this.release(row, now);
    this.sql.exec("update admissions set phase = ? where order_id = ?", phase, order.id);
    return true;
  }

  /** Stock goes back on the shelf and the slot place is freed. */
  private release(row: AdmissionRow, now: number): void {
    const taken = JSON.parse(row.stock) as Array<{ itemId: string; quantity: number }>;
    const levels = this.stockLevels(taken.map((t) => t.itemId));
    this.writeLevels(applyStockChange(levels, taken, 1), now);
    this.sql.exec("update admissions set holds = 0, phase = 'done' where order_id = ?", row.order_id);
  }

  /** Admissions whose order never reported (its placement failed after admission), older than `before`. */
  unconfirmed(before: number, known: (orderId: string) => boolean): string[] {
    return this.sql
      .exec<{ order_id: string }>("select order_id from admissions where phase != 'done' and admitted_at < ?", before)
      .toArray()
      .map((r) => r.order_id)
      .filter((id) => !known(id));
  }

  /** The order does not exist: whatever it held goes back. */
  forget(orderId: string, now: number): void {
    const row = this.sql.exec<AdmissionRow>("select * from admissions where order_id = ?", orderId).toArray()[0];
    if (row && row.holds === 1) this.release(row, now);
    this.sql.exec("update admissions set phase = 'done' where order_id = ?", orderId);
  }

  hasOpenAdmissions(): boolean {
    return (
      (this.sql.exec<{ n: number }>("select count(*) as n from admissions where phase != 'done'").toArray()[0]?.n ??
        0) > 0
    );
  }

  prune(now: number): void {
    this.sql.exec("delete from admissions where phase = 'done' and admitted_at < ?", now - ADMISSION_RETENTION_MS);
  }

  /** Items among these that orders still in play, or admitted lately, name. */
  recentlyOrdered(itemIds: readonly string[]): string[] {
    const wanted = new Set(itemIds);
    const found = new Set<string>();
    for (const row of this.sql.exec<{ items: string }>("select items from admissions").toArray()) {
      for (const id of JSON.parse(row.items) as string[]) if (wanted.has(id)) found.add(id);
    }
    return [...found];
  }

  upcomingSlots(policy: SlotPolicy, timeZone: string, specialDays: SpecialDay[], now: number): DeliverySlot[] {
    return deliverySlots(policy, timeZone, specialDays, now, this.slotBookings());
  }
}
