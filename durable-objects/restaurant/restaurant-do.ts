// One Durable Object per restaurant (named by the restaurant id): the kitchen's
// live board. Each Order DO pushes the full summary of its order after every
// write, so the board needs no history: the newest summary wins (by the
// order's event sequence), a missed push is repaired by the next one, and a
// terminal order leaves the board. Staff watch over hibernating WebSockets.

import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../../domain/auth/principal.ts";
import type { KitchenOutlook } from "../../domain/dispatch/food-ready.ts";
import { admittedTiming, type PlacementTiming } from "../../domain/kitchen/admitted-timing.ts";
import { boardSummaryIsNewer } from "../../domain/kitchen/board-courier.ts";
import { type CapacityPolicy, type KitchenStatus, WINDOW_MS } from "../../domain/kitchen/capacity.ts";
import type { DeliverySlot, SlotPolicy } from "../../domain/kitchen/slots.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import { type DeliveryState, isTerminal, type OrderState } from "../../domain/order/state-machine.ts";
import type { SpecialDay } from "../../domain/restaurant/schedule.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { withNewTrace, withTrace } from "../../platform/trace-scope.ts";
import type { PlaceResult } from "../order/order-results.ts";
import { AlarmSchedule } from "../shared/alarm-schedule.ts";
import { type AdmissionRequest, type AdmissionResult, KitchenLedger } from "./kitchen-ledger.ts";
import { PrepHistory } from "./prep-history.ts";

export interface BoardOrder {
  id: string;
  status: OrderState;
  delivery: DeliveryState;
  totalMinor: number;
  /** ISO 8601. */
  placedAt: string;
  prepTimeMinutes: number | null;
  /** ISO 8601 estimate (or the moment it was ready); null before acceptance. */
  readyAt: string | null;
  /** The order's event sequence this summary reflects; older summaries are ignored. */
  lastSeq: number;
  /** Absent in summaries from before these fields existed. */
  quotedPrepMinutes?: number | null;
  estimatedReadyAt?: string | null;
  /** An order for later: when it is for, when it reaches the kitchen, and whether it has. */
  scheduledFor?: string | null;
  releaseAt?: string | null;
  released?: boolean;
  deliverySlot?: { id: string; startsAt: string; endsAt: string } | null;
  /** What to cook, for the board's cards and the kitchen ticket. */
  items?: Array<{ name: string; quantity: number; options: string[] }>;
  /** The courier on the order, while one is: short name and when they reach the counter (ISO 8601). */
  courier?: { name: string | null; vehicle: string; arrivesAt: string | null; at: string } | null;
}

export type BoardMessage =
  | { type: "board"; orders: BoardOrder[] }
  | { type: "order"; order: BoardOrder }
  | { type: "error"; code: string; message: string };

export interface BoardWatcher {
  userId: string;
  role: Principal["role"];
}

/** Terminal orders are kept this long as tombstones, so a late, older summary cannot resurrect them. */
const TOMBSTONE_MS = 24 * 60 * 60_000;
/** A live order not heard from for this long is re-read from its Order DO, in case a push was lost. */
export const BOARD_RECHECK_AFTER_MS = 10 * 60_000;
const RECONCILE_EVERY_MS = 5 * 60_000;
/** An admission whose order has not reported within this long is checked with its Order DO. */
const UNCONFIRMED_AFTER_MS = 2 * 60_000;

/** Placement through the kitchen: the admission, the order as priced (the kitchen adds its timing), who places it. */
export interface AdmitAndPlaceInput {
  admission: AdmissionRequest;
  order: Omit<PlacedOrder, "quotedPrepMinutes" | "schedule">;
  timing: PlacementTiming;
  distanceM: number;
  actor: Principal;
  traceparent?: string | undefined;
}

/** The Order DO's answer to the placement, or the kitchen's refusal (marked, so the API tells them apart). */
export type AdmitAndPlaceResult = PlaceResult | (Extract<AdmissionResult, { ok: false }> & { refusedBy: "kitchen" });

export type KitchenState = KitchenStatus & {
  capacity: CapacityPolicy;
  basePrepMinutes: number;
};

export class RestaurantDO extends DurableObject<Env> {
  private readonly kitchen: KitchenLedger;
  private readonly prepHistory: PrepHistory;
  /** One recurring deadline: re-reading quiet orders while any are live. */
  private readonly schedule: AlarmSchedule<"reconcile">;
  /** The kitchen status last written to discovery (kitchen_meta 'published'); undefined until read. */
  private published: string | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Remembered in memory: every push asks whether the reconcile deadline is set (no transaction here rolls one back).
    this.schedule = new AlarmSchedule(ctx.storage, { remember: true });
    this.kitchen = new KitchenLedger(ctx.storage.sql);
    this.prepHistory = new PrepHistory(ctx.storage.sql);
    ctx.storage.sql.exec(`
      create table if not exists orders (
        id text primary key, last_seq integer not null, placed_at text not null,
        terminal integer not null, updated_at integer not null, body text not null);
      create index if not exists orders_live_idx on orders (terminal, placed_at);
    `);
    // Heartbeats are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Called by an Order DO after each of its writes, with the order's full current summary. */
  async orderChanged(order: BoardOrder): Promise<{ applied: boolean }> {
    const applied = this.store(order);
    if (applied) {
      const moved = this.kitchen.progress(order, Date.now());
      this.broadcast({ type: "order", order });
      if (moved) await this.publishStatus();
      await this.armReconcile(!isTerminal(order.status));
    }
    return { applied };
  }

  /**
   * Placement asks before creating the order: is there room in the kitchen,
   * in the slot, on the shelf? Taken in one transaction; a retry of the same
   * order gets the same answer and takes nothing twice.
   */
  async admit(request: AdmissionRequest): Promise<AdmissionResult> {
    const now = Date.now();
    this.kitchen.remember(request.restaurantId, request.capacity, request.basePrepMinutes);
    const result = this.ctx.storage.transactionSync(() => this.kitchen.admit(request, now));
    if (result.ok) {
      await this.publishStatus();
      await this.armReconcile();
    }
    return result;
  }

  /**
   * Placement in one call from the API (decision 0062): admits as `admit` does, then places the order
   * with its Order DO and stores the board summary that comes back, instead of the Order DO pushing it
   * here in a call of its own. A retry of the same order gets the same admission and the order already
   * placed. If placing fails after admitting, the admission is checked with the Order DO later
   * (sweepUnconfirmed), as when the API placed it.
   */
  async admitAndPlace(input: AdmitAndPlaceInput): Promise<AdmitAndPlaceResult> {
    return withTrace(input.traceparent, async () => {
      const request = input.admission;
      this.kitchen.remember(request.restaurantId, request.capacity, request.basePrepMinutes);
      const admitted = this.ctx.storage.transactionSync(() => this.kitchen.admit(request, Date.now()));
      if (!admitted.ok) return { ...admitted, refusedBy: "kitchen" as const };
      const timed = admittedTiming(admitted, input.timing, request.basePrepMinutes, input.distanceM);
      const order: PlacedOrder = {
        ...input.order,
        quotedPrepMinutes: timed.quotedPrepMinutes,
        ...(timed.schedule && { schedule: timed.schedule }),
      };
      const stub = this.env.ORDER.get(this.env.ORDER.idFromName(order.id));
      let live = false;
      try {
        const placed = await stub.placeForBoard(order, input.actor, input.traceparent);
        if (placed.ok && placed.board && this.store(placed.board)) {
          this.kitchen.progress(placed.board, Date.now());
          this.broadcast({ type: "order", order: placed.board });
          live = !isTerminal(placed.board.status);
        }
        if (!placed.ok) return placed;
        return { ok: true as const, created: placed.created, order: placed.order };
      } finally {
        // Also when placing failed: the admission counts, and the recheck that sweeps it must be set.
        await this.publishStatus();
        await this.armReconcile(live);
      }
    });
  }

  /** What the next order would meet; the caller passes the restaurant's current policy. */
  async kitchenState(restaurantId: string, capacity: CapacityPolicy, basePrepMinutes: number): Promise<KitchenState> {
    this.kitchen.remember(restaurantId, capacity, basePrepMinutes);
    await this.publishStatus();
    return { ...this.kitchen.status(capacity, basePrepMinutes, Date.now()), capacity, basePrepMinutes };
  }

  /** Busy mode by hand: on until `until` (epoch ms) or until switched off (null); `on: false` ends it. */
  async setBusy(on: boolean, until: number | null): Promise<void> {
    this.kitchen.setManualBusy(on ? { until } : null);
    await this.publishStatus();
  }

  async setStock(changes: Array<{ itemId: string; remaining: number | null }>): Promise<Record<string, number>> {
    this.ctx.storage.transactionSync(() => this.kitchen.setStock(changes, Date.now()));
    return Object.fromEntries(this.kitchen.stockLevels());
  }

  async stock(): Promise<Record<string, number>> {
    return Object.fromEntries(this.kitchen.stockLevels());
  }

  async slots(policy: SlotPolicy, timeZone: string, specialDays: SpecialDay[]): Promise<DeliverySlot[]> {
    return this.kitchen.upcomingSlots(policy, timeZone, specialDays, Date.now());
  }

  /** Which of these items orders admitted lately name (the menu editor archives those instead of deleting). */
  async recentlyOrdered(itemIds: string[]): Promise<string[]> {
    return this.kitchen.recentlyOrdered(itemIds);
  }

  /**
   * Writes the kitchen's state to the discovery index when it changed, so
   * customers see a busy kitchen without asking this object. Awaited, so a
   * search right after a placement or a switch already shows it; a failure
   * is logged and retried on the next change (discovery is a derived copy).
   */
  private async publishStatus(): Promise<void> {
    const remembered = this.kitchen.rememberedPolicy();
    if (!remembered) return;
    const now = Date.now();
    const { restaurantId, capacity, basePrepMinutes } = remembered;
    const load = this.kitchen.load(now);
    const status = this.kitchen.status(capacity, basePrepMinutes, now, load);
    let validUntil: number | null = null;
    if (status.reason === "manual") validUntil = status.manualUntil;
    else if (
      status.reason === "at_capacity" &&
      !(capacity.maxActiveOrders !== null && load.activeOrders + 1 > capacity.maxActiveOrders)
    ) {
      // Busy only because of the 15-minute window: it lifts when the oldest admission leaves it.
      validUntil = Math.min(...load.recentAdmissions) + WINDOW_MS;
    }
    const row = {
      busy: status.busy ? 1 : 0,
      reason: status.reason,
      accepting: status.acceptingOrders ? 1 : 0,
      quoted: status.quotedPrepMinutes,
      validUntil,
    };
    const key = JSON.stringify(row);
    const sql = this.ctx.storage.sql;
    // Remembered once read: this object is the only writer of the row, never inside a transaction.
    if (this.published === undefined) {
      this.published =
        sql.exec<{ value: string }>("select value from kitchen_meta where key = 'published'").toArray()[0]?.value ??
        null;
    }
    if (this.published === key) return;
    sql.exec("insert or replace into kitchen_meta (key, value) values ('published', ?)", key);
    this.published = key;
    await this.env.DISCOVERY.prepare(
      `INSERT INTO kitchen_status (restaurant_id, busy, reason, accepting_orders, quoted_prep_minutes, valid_until, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (restaurant_id) DO UPDATE SET busy = excluded.busy, reason = excluded.reason,
           accepting_orders = excluded.accepting_orders, quoted_prep_minutes = excluded.quoted_prep_minutes,
           valid_until = excluded.valid_until, updated_at = excluded.updated_at
         WHERE kitchen_status.updated_at <= excluded.updated_at`,
    )
      .bind(restaurantId, row.busy, row.reason, row.accepting, row.quoted, row.validUntil, now)
      .run()
      .catch((err: unknown) => {
        // Forget what was published so the next change tries again.
        sql.exec("delete from kitchen_meta where key = 'published'");
        this.published = null;
        logLine("warn", "restaurant.status_publish_failed", { restaurantId, error: String(err) });
      });
  }

  /** An Order DO's food was marked ready: how late (or early) against the kitchen's estimate. Idempotent per order. */
  async recordPrep(orderId: string, readyAt: number, latenessMs: number): Promise<{ recorded: boolean }> {
    return this.prepHistory.record(orderId, readyAt, latenessMs);
  }

  /** For dispatch's food-ready timing: recent lateness, and how full the kitchen is against its declared capacity. */
  async prepOutlook(orderId: string): Promise<KitchenOutlook> {
    const now = Date.now();
    const others = this.liveOrders().filter(
      (o) => o.id !== orderId && (o.status === "accepted" || o.status === "preparing"),
    ).length;
    const capacity = this.kitchen.rememberedPolicy()?.capacity.maxActiveOrders ?? null;
    return this.prepHistory.outlook(now, others, capacity);
  }

  /** The live (non-terminal) orders, oldest first: the order a kitchen works in. */
  async board(): Promise<BoardOrder[]> {
    return this.liveOrders();
  }

  /** WebSocket upgrade, already authenticated and authorised by the API Worker (principal in `x-principal`). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected websocket", { status: 426 });
    const principal = JSON.parse(request.headers.get("x-principal") ?? "null") as Principal | null;
    if (!principal) return new Response("unauthenticated", { status: 401 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [principal.role, `user:${principal.userId}`]);
    const watcher: BoardWatcher = { userId: principal.userId, role: principal.role };
    server.serializeAttachment(watcher);
    // Same turn as accept: no change can land between the snapshot and the live feed.
    this.send(server, { type: "board", orders: this.liveOrders() });
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return;
    let parsed: { type?: unknown };
    try {
      parsed = JSON.parse(message) as { type?: unknown };
    } catch {
      this.send(ws, { type: "error", code: "malformed_json", message: "Messages are JSON." });
      return;
    }
    if (parsed.type === "refresh") {
      this.send(ws, { type: "board", orders: this.liveOrders() });
      return;
    }
    this.send(ws, { type: "error", code: "unknown_message", message: 'Send {"type":"refresh"} or "ping".' });
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }

  /** Re-reads live orders that have been quiet for long, so a lost push (even the terminal one) heals. */
  override async alarm(): Promise<void> {
    this.schedule.alarmFired();
    // A new trace per run, linked to the one that scheduled it (decision 0049).
    const scheduledBy = this.schedule.deadline("reconcile")?.traceparent;
    await withNewTrace(() => this.reconcileQuiet(), scheduledBy);
  }

  private async reconcileQuiet(): Promise<void> {
    // Served now, however early the alarm ran; armReconcile sets the next one.
    this.schedule.set("reconcile", null);
    const quietSince = Date.now() - BOARD_RECHECK_AFTER_MS;
    const quiet = this.ctx.storage.sql
      .exec<{ id: string }>("select id from orders where terminal = 0 and updated_at <= ?", quietSince)
      .toArray();
    for (const { id } of quiet) {
      try {
        const stub = this.env.ORDER.get(this.env.ORDER.idFromName(id));
        const summary = await stub.boardSummary();
        if (!summary) {
          this.ctx.storage.sql.exec("delete from orders where id = ?", id);
          this.kitchen.forget(id, Date.now());
          continue;
        }
        // Heard from it now, even when nothing changed: quiet again only after another interval.
        this.ctx.storage.sql.exec("update orders set updated_at = ? where id = ?", Date.now(), id);
        if (this.store(summary)) {
          this.kitchen.progress(summary, Date.now());
          this.broadcast({ type: "order", order: summary });
        }
      } catch (err) {
        logLine("warn", "restaurant.reconcile_failed", { orderId: id, error: String(err) });
      }
    }
    await this.sweepUnconfirmed();
    this.kitchen.prune(Date.now());
    await this.publishStatus();
    await this.armReconcile();
  }

  /** Admissions whose placement failed after admitting: their order never existed, so what they hold goes back. */
  private async sweepUnconfirmed(): Promise<void> {
    const known = (id: string) =>
      this.ctx.storage.sql.exec<{ n: number }>("select count(*) as n from orders where id = ?", id).toArray()[0]?.n !==
      0;
    for (const id of this.kitchen.unconfirmed(Date.now() - UNCONFIRMED_AFTER_MS, known)) {
      try {
        const summary = await this.env.ORDER.get(this.env.ORDER.idFromName(id)).boardSummary();
        if (!summary) this.kitchen.forget(id, Date.now());
        else if (this.store(summary)) this.kitchen.progress(summary, Date.now());
      } catch (err) {
        logLine("warn", "restaurant.unconfirmed_check_failed", { orderId: id, error: String(err) });
      }
    }
  }

  /** Keeps the newest summary per order; returns whether it changed anything. */
  private store(order: BoardOrder): boolean {
    const sql = this.ctx.storage.sql;
    const existing = sql.exec<{ body: string }>("select body from orders where id = ?", order.id).toArray()[0];
    if (existing && !boardSummaryIsNewer(JSON.parse(existing.body) as BoardOrder, order)) return false;
    const now = Date.now();
    const terminal = isTerminal(order.status);
    // An update in place when the order is known: the row alone is rewritten, and the live index
    // only when `terminal` changes (an `insert or replace` rewrote the row and both indexes: 3 rows).
    sql.exec(
      `insert into orders (id, last_seq, placed_at, terminal, updated_at, body) values (?, ?, ?, ?, ?, ?)
       on conflict (id) do update set last_seq = excluded.last_seq, placed_at = excluded.placed_at,
         terminal = excluded.terminal, updated_at = excluded.updated_at, body = excluded.body`,
      order.id,
      order.lastSeq,
      order.placedAt,
      terminal ? 1 : 0,
      now,
      JSON.stringify(order),
    );
    // Tombstones come only from orders ending: swept when one more is laid, not on every push.
    if (terminal) sql.exec("delete from orders where terminal = 1 and updated_at < ?", now - TOMBSTONE_MS);
    return true;
  }

  private liveOrders(): BoardOrder[] {
    return this.ctx.storage.sql
      .exec<{ body: string }>("select body from orders where terminal = 0 order by placed_at, id")
      .toArray()
      .map((r) => JSON.parse(r.body) as BoardOrder);
  }

  private async armReconcile(liveOrderPushed = false): Promise<void> {
    // A live order was just stored and the recheck is already due: nothing to count or move.
    if (liveOrderPushed && this.schedule.has("reconcile")) return this.schedule.arm();
    const live =
      this.ctx.storage.sql.exec<{ n: number }>("select count(*) as n from orders where terminal = 0").toArray()[0]?.n ??
      0;
    if (live === 0 && !this.kitchen.hasOpenAdmissions()) this.schedule.set("reconcile", null);
    else if (!this.schedule.has("reconcile")) this.schedule.set("reconcile", Date.now() + RECONCILE_EVERY_MS);
    await this.schedule.arm();
  }

  private broadcast(message: BoardMessage): void {
    for (const ws of this.ctx.getWebSockets()) this.send(ws, message);
  }

  private send(ws: WebSocket, message: BoardMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // A socket closing under us is not an error for the others.
    }
  }
}
