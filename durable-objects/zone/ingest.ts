// The Zone DO's side of courier positions: fixes in (validated against the
// courier's last one, acked, put in the spatial index), courier rows out to
// SQLite, positions forwarded (throttled, with the trail) to the orders a
// courier is on, and the hand-over to the next zone when a fix lands in
// another cell. The offer loop and the searches stay in zone-do.ts and
// offer-loop.ts; this file reaches the object only through IngestHost.
import {
  applyFixBatch,
  type Fix,
  type FixBatchResult,
  type FixRejectReason,
  normalizeFixes,
} from "../../domain/dispatch/fix.ts";
import { COURIER_PROTOCOL } from "../../domain/dispatch/fix-frame.ts";
import { decodeGeohashBounds, type GeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { Acks } from "./acks.ts";
import type { CourierState, ZoneMessage } from "./protocol.ts";
import { orderDispatchStub, zoneStub } from "./stubs.ts";

/** Plain moves are persisted at most this often per courier; anything that changes who may get work is written at once. */
export const PERSIST_EVERY_MS = 5_000;
/** Watchers need smooth movement, not every fix: at most one position per order per second. */
export const FORWARD_EVERY_MS = 1_000;
/** Fixes held for an order's trail between forwards; an upload after a dead zone is at most a few hundred. */
export const MAX_PENDING_TRAIL = 1_000;
/**
 * Plain moves due for writing wait this long and go in one transaction with
 * every other courier's: one commit a second for the cell instead of one per
 * courier every PERSIST_EVERY_MS. A crash loses at most PERSIST_EVERY_MS plus
 * this of movement, never who is online (those writes stay immediate).
 */
export const PERSIST_BATCH_MS = 1_000;

/** What the ingest needs from its Zone DO. */
export interface IngestHost {
  env: Env;
  cell(): string;
  courier(courierId: string): CourierState | undefined;
  /** Puts the courier at this position in the zone's spatial index. */
  place(courierId: string, lat: number, lng: number): void;
  /** Writes the courier's row at once. */
  save(state: CourierState): void;
  /** Writes these couriers' rows in one transaction. */
  saveAll(states: readonly CourierState[]): void;
  /** When the courier's row was last written (0 if never by this instance). */
  savedAt(courierId: string): number;
  /** Couriers between adopt() at the next zone and being forgotten here. */
  handingOver: Set<string>;
  forget(courierId: string): void;
  addDropped(dropped: Record<FixRejectReason, number>): void;
  send(ws: WebSocket, message: ZoneMessage): void;
  /** A frame already serialised (the ack, built without JSON.stringify). */
  sendText(ws: WebSocket, text: string): void;
  sendTo(courierId: string, message: ZoneMessage): void;
  mapChanged(force: boolean): Promise<void>;
}

export class ZoneIngest {
  private readonly forwardedAt = new Map<string, number>();
  /** Accepted fixes of couriers on a job not yet forwarded to the order (its trail), per order. */
  private readonly pendingTrail = new Map<string, Fix[]>();
  /** Couriers whose move is due for writing with the next batch. */
  private readonly unsaved = new Set<string>();
  private batchTimer: ReturnType<typeof setTimeout> | null = null;
  private bounds: (GeohashBounds & { cell: string }) | null = null;
  readonly acks: Acks;

  constructor(private readonly host: IngestHost) {
    this.acks = new Acks((ws, text) => host.sendText(ws, text));
  }

  /**
   * Applies fixes and acks them. Runs under the courier's lock when it may
   * await (forwarding, hand-over); see `tryUnlocked` for the path that never does.
   */
  async ingest(ws: WebSocket, courierId: string, fixes: readonly Fix[]): Promise<void> {
    const state = this.host.courier(courierId);
    if (!state) return;
    const now = Date.now();
    const result = applyFixBatch(state.lastFix ?? undefined, normalizeFixes(fixes), now);
    const latest = result.latest;
    const cell = result.accepted.length > 0 && latest ? this.cellOf(latest.lat, latest.lng) : this.host.cell();
    // Leaving the cell: acked at once, with whatever is pending, before the hand-over closes the socket.
    this.ack(ws, fixes, result, cell !== this.host.cell());
    if (result.accepted.length === 0 || !latest) return;

    const hadPosition = state.lastFix !== null;
    state.lastFix = latest;
    state.lastFixAt = now;
    if (cell !== this.host.cell()) {
      await this.forwardPosition(state, result.accepted, now, true);
      await this.handOver(ws, state, cell);
      await this.host.mapChanged(true);
      return;
    }
    this.host.place(courierId, latest.lat, latest.lng);
    this.persistMove(state, hadPosition, now);
    await this.forwardPosition(state, result.accepted, now);
    await this.host.mapChanged(!hadPosition);
  }

  /**
   * Fixes (one, or a buffered batch) from a courier on no job, staying in
   * this cell: everything is synchronous up to the map feed, so no lock is
   * needed (nothing can run in between). Returns false, having changed
   * nothing, when the frame needs the locked path (a job to forward to, a cell
   * change, another message of this courier still in flight).
   */
  tryUnlocked(ws: WebSocket, courierId: string, fixes: readonly Fix[], locked: boolean): Promise<void> | false {
    const state = this.host.courier(courierId);
    if (!state || locked || state.activeOrders.length > 0) return false;
    const now = Date.now();
    const result = applyFixBatch(state.lastFix ?? undefined, normalizeFixes(fixes), now);
    const latest = result.latest;
    if (result.accepted.length > 0 && latest && this.cellOf(latest.lat, latest.lng) !== this.host.cell()) return false;
    this.ack(ws, fixes, result, false);
    if (result.accepted.length === 0 || !latest) return Promise.resolve();
    const hadPosition = state.lastFix !== null;
    state.lastFix = latest;
    state.lastFixAt = now;
    this.host.place(courierId, latest.lat, latest.lng);
    this.persistMove(state, hadPosition, now);
    return this.host.mapChanged(!hadPosition);
  }

  /**
   * The zone cell of a position: this cell, by a bounds check, for a point
   * strictly inside it (nearly every fix), else the geohash, which was a
   * measurable share of the per-frame cost when computed for every frame.
   */
  private cellOf(lat: number, lng: number): string {
    const cell = this.host.cell();
    if (this.bounds?.cell !== cell) this.bounds = { cell, ...decodeGeohashBounds(cell) };
    const b = this.bounds;
    if (lat > b.minLat && lat < b.maxLat && lng > b.minLng && lng < b.maxLng) return cell;
    return zoneCellOf(lat, lng);
  }

  private ack(ws: WebSocket, fixes: readonly Fix[], result: FixBatchResult, now: boolean): void {
    const droppedHere = result.droppedTotal;
    if (droppedHere > 0) this.host.addDropped(result.dropped);
    let seq = -1;
    for (const f of fixes) if (f.seq > seq && Number.isFinite(f.seq)) seq = f.seq;
    this.acks.ack(ws, seq, result.accepted.length, droppedHere, now);
  }

  /** A first position changes who can get work, so it is written at once; later moves are throttled and batched. */
  private persistMove(state: CourierState, hadPosition: boolean, now: number): void {
    if (!hadPosition) {
      this.host.save(state);
      return;
    }
    if (now - this.host.savedAt(state.courierId) < PERSIST_EVERY_MS) return;
    this.unsaved.add(state.courierId);
    this.batchTimer ??= setTimeout(() => this.flushMoves(), PERSIST_BATCH_MS);
  }

  /** Writes every move due, in one transaction (also called before the object is asked to persist all). */
  flushMoves(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    const states: CourierState[] = [];
    for (const courierId of this.unsaved) {
      const state = this.host.courier(courierId);
      if (state) states.push(state);
    }
    this.unsaved.clear();
    if (states.length > 0) this.host.saveAll(states);
  }

  /**
   * Adopt first, forget second: if the call fails the courier simply stays
   * here (and is retried on the next fix), so at every instant at least one
   * zone knows them. For the moment both do, the old one offers them nothing.
   */
  private async handOver(ws: WebSocket, state: CourierState, cell: string): Promise<void> {
    const { host } = this;
    host.handingOver.add(state.courierId);
    try {
      await zoneStub(host.env, cell).adopt(cell, structuredClone(state));
    } catch (err) {
      logLine("warn", "zone.handover_failed", {
        from: host.cell(),
        to: cell,
        courierId: state.courierId,
        error: String(err),
      });
      host.handingOver.delete(state.courierId);
      host.save(state);
      return;
    }
    host.forget(state.courierId);
    host.handingOver.delete(state.courierId);
    host.send(ws, { type: "handover", cell });
    ws.close(4001, "handover");
  }

  /**
   * Sends an order the courier's newest position, at most once a second, with
   * every fix accepted since the last send for the delivery's trail; `flush`
   * ignores the throttle (the courier is leaving this zone).
   */
  private async forwardPosition(
    state: CourierState,
    accepted: readonly Fix[],
    now: number,
    flush = false,
  ): Promise<void> {
    const fix = accepted.at(-1);
    if (!fix) return;
    for (const orderId of [...state.activeOrders]) {
      const pending = [...(this.pendingTrail.get(orderId) ?? []), ...accepted].slice(-MAX_PENDING_TRAIL);
      if (!flush && now - (this.forwardedAt.get(orderId) ?? 0) < FORWARD_EVERY_MS) {
        this.pendingTrail.set(orderId, pending);
        continue;
      }
      this.forwardedAt.set(orderId, now);
      this.pendingTrail.delete(orderId);
      try {
        const result = await orderDispatchStub(this.host.env, orderId).courierPosition({
          courierId: state.courierId,
          vehicle: state.vehicle,
          ...(state.name ? { courierName: state.name } : {}),
          fix,
          trail: pending,
        });
        if (!result.ok) {
          this.releaseLocally(state.courierId, orderId);
          await this.host.mapChanged(true);
        }
      } catch (err) {
        logLine("warn", "zone.position_forward_failed", { orderId, error: String(err) });
      }
    }
  }

  /** The courier is off this order: nothing more is forwarded to it. */
  releaseLocally(courierId: string, orderId: string): void {
    const state = this.host.courier(courierId);
    if (!state?.activeOrders.includes(orderId)) return;
    state.activeOrders = state.activeOrders.filter((id) => id !== orderId);
    this.forwardedAt.delete(orderId);
    this.pendingTrail.delete(orderId);
    this.host.save(state);
    // The app learns at once that the job is off its list (delivered, handed back, released).
    this.host.sendTo(courierId, {
      type: "status",
      status: state.status,
      cell: this.host.cell(),
      activeOrders: state.activeOrders,
      protocol: COURIER_PROTOCOL,
    });
  }
}
