// One Durable Object per map region (domain/citymap/region.ts): the live view
// operators watch. Zone DOs report every courier of their dispatch cell
// (throttled, see zone/map-feed.ts); Order DOs report every order they move
// (order/map-feed.ts). Operators hold hibernating WebSockets and get the
// whole region on connect, then only what changed, at most once a second.
// Nobody polls a cell: the cells push, and the map is in one place.
import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../../domain/auth/principal.ts";
import {
  type CourierCounts,
  type CourierFacts,
  type CourierMapState,
  countCouriers,
  foldCellSummary,
  type MapCourier,
  type TrackedCourier,
  toMapCourier,
} from "../../domain/citymap/couriers.ts";
import { foldOrder, type MapOrder } from "../../domain/citymap/orders.ts";
import type { Polygon } from "../../domain/delivery-areas/point-in-polygon.ts";
import { countAreaLoad } from "../../domain/surge/area-load.ts";
import type { SurgeLoad } from "../../domain/surge/surge.ts";
import type { Env } from "../../platform/env.ts";
import { withNewTrace } from "../../platform/trace-scope.ts";

/** Operators see changes at most this often; enough to follow a courier across a street. */
export const BROADCAST_EVERY_MS = 1_000;
/** While anyone watches, states are re-read this often, so a courier going quiet turns stale on screen. */
export const RECHECK_EVERY_MS = 10_000;
/** A courier quiet this long leaves the map: "stale" is for recent trouble, not for phones left in a drawer. */
export const FORGET_QUIET_AFTER_MS = 30 * 60_000;
/** How long a finished order's sequence is kept to refuse older pushes about it. */
const TOMBSTONE_MS = 60 * 60_000;

export type CityMapMessage =
  | { type: "snapshot"; region: string; at: number; couriers: MapCourier[]; orders: MapOrder[] }
  | {
      type: "changes";
      at: number;
      couriers: MapCourier[];
      removedCouriers: string[];
      orders: MapOrder[];
      removedOrders: string[];
    }
  | { type: "error"; code: string; message: string };

export interface CityMapCounts extends CourierCounts {
  activeOrders: number;
  escalatedOrders: number;
}

export class CityMapDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly couriers = new Map<string, TrackedCourier>();
  private readonly orders = new Map<string, MapOrder>();
  /** Newest sequence seen per order, on the map or gone. */
  private readonly orderSeqs = new Map<string, number>();
  /** What each courier looked like in the last broadcast, to send only changes. */
  private readonly sentStates = new Map<string, CourierMapState>();
  private readonly dirtyCouriers = new Set<string>();
  private readonly dirtyOrders = new Set<string>();
  private readonly removedCouriers = new Set<string>();
  private readonly removedOrders = new Set<string>();
  private lastBroadcastAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`create table if not exists couriers (
      courier_id text primary key, cell text not null, facts text not null, reported_at integer not null)`);
    this.sql.exec(`create table if not exists orders (
      order_id text primary key, seq integer not null, body text, gone_at integer)`);
    for (const row of this.sql.exec<{ cell: string; facts: string; reported_at: number }>(
      "select cell, facts, reported_at from couriers",
    )) {
      const facts = JSON.parse(row.facts) as CourierFacts;
      this.couriers.set(facts.courierId, { cell: row.cell, facts, reportedAt: row.reported_at });
    }
    for (const row of this.sql.exec<{ order_id: string; seq: number; body: string | null }>(
      "select order_id, seq, body from orders",
    )) {
      this.orderSeqs.set(row.order_id, row.seq);
      if (row.body) this.orders.set(row.order_id, JSON.parse(row.body) as MapOrder);
    }
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  private get region(): string {
    return (this.ctx.id.name ?? "").replace(/^region:/, "");
  }

  // ------------------------------------------------------------ reports in

  /** A Zone DO's whole list of couriers in its cell. */
  async cellSummary(cell: string, couriers: CourierFacts[], reportedAt: number): Promise<{ ok: true }> {
    const changes = foldCellSummary(this.couriers, cell, couriers, reportedAt);
    this.ctx.storage.transactionSync(() => {
      for (const tracked of changes.upserts) {
        this.couriers.set(tracked.facts.courierId, tracked);
        this.sql.exec(
          "insert or replace into couriers (courier_id, cell, facts, reported_at) values (?, ?, ?, ?)",
          tracked.facts.courierId,
          cell,
          JSON.stringify(tracked.facts),
          reportedAt,
        );
        this.dirtyCouriers.add(tracked.facts.courierId);
      }
      for (const courierId of changes.removed) this.dropCourier(courierId);
    });
    await this.changed();
    return { ok: true };
  }

  /** An Order DO's order after a transition. */
  async orderChanged(order: MapOrder): Promise<{ ok: true; applied: boolean }> {
    const fold = foldOrder(this.orderSeqs.get(order.orderId), order);
    if (fold.action === "ignore") return { ok: true, applied: false };
    const now = Date.now();
    if (fold.action === "upsert") {
      this.orders.set(order.orderId, order);
      this.orderSeqs.set(order.orderId, order.seq);
      // An update in place: the row alone, not the key's index too.
      this.sql.exec(
        `insert into orders (order_id, seq, body, gone_at) values (?, ?, ?, null)
         on conflict (order_id) do update set seq = excluded.seq, body = excluded.body, gone_at = null`,
        order.orderId,
        order.seq,
        JSON.stringify(order),
      );
      this.dirtyOrders.add(order.orderId);
      this.removedOrders.delete(order.orderId);
    } else {
      const wasShown = this.orders.delete(order.orderId);
      this.orderSeqs.set(order.orderId, fold.seq);
      this.sql.exec(
        `insert into orders (order_id, seq, body, gone_at) values (?, ?, null, ?)
         on conflict (order_id) do update set seq = excluded.seq, body = null, gone_at = excluded.gone_at`,
        order.orderId,
        fold.seq,
        now,
      );
      this.dirtyOrders.delete(order.orderId);
      if (wasShown) this.removedOrders.add(order.orderId);
      // Tombstones come only from orders leaving: swept when one more is laid, not on every report.
      this.sql.exec("delete from orders where gone_at is not null and gone_at < ?", now - TOMBSTONE_MS);
    }
    await this.changed();
    return { ok: true, applied: true };
  }

  private dropCourier(courierId: string): void {
    this.couriers.delete(courierId);
    this.sql.exec("delete from couriers where courier_id = ?", courierId);
    this.dirtyCouriers.delete(courierId);
    if (this.sentStates.has(courierId)) this.removedCouriers.add(courierId);
  }

  // ------------------------------------------------------------ reads

  /** Where a courier is, as their zone last said: for operators who act on a courier (assign, disconnect). */
  async locateCourier(courierId: string): Promise<MapCourier | null> {
    const tracked = this.couriers.get(courierId);
    return tracked
      ? { ...tracked.facts, cell: tracked.cell, state: toMapCourier(tracked, Date.now())?.state ?? "stale" }
      : null;
  }

  async snapshot(): Promise<{ region: string; at: number; couriers: MapCourier[]; orders: MapOrder[] }> {
    const now = Date.now();
    this.forgetQuiet(now);
    return { region: this.region, at: now, couriers: this.mapCouriers(now), orders: [...this.orders.values()] };
  }

  async counts(): Promise<CityMapCounts> {
    const now = Date.now();
    const orders = [...this.orders.values()];
    return {
      ...countCouriers(this.mapCouriers(now)),
      activeOrders: orders.length,
      escalatedOrders: orders.filter((o) => o.escalated).length,
    };
  }

  /** Surge's inputs for one delivery area: counted here so the whole map never crosses the wire. */
  async areaLoad(polygon: Polygon): Promise<SurgeLoad> {
    return countAreaLoad(polygon, this.mapCouriers(Date.now()), [...this.orders.values()]);
  }

  private mapCouriers(now: number): MapCourier[] {
    const out: MapCourier[] = [];
    for (const tracked of this.couriers.values()) {
      const courier = toMapCourier(tracked, now);
      if (courier) out.push(courier);
    }
    return out;
  }

  private forgetQuiet(now: number): void {
    for (const [courierId, tracked] of this.couriers) {
      const last = tracked.facts.lastFixAt ?? tracked.reportedAt;
      if (now - last > FORGET_QUIET_AFTER_MS) this.dropCourier(courierId);
    }
  }

  // ------------------------------------------------------------ operators

  /** Operator socket, authenticated and authorised by the API Worker. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const principal = JSON.parse(request.headers.get("x-principal") ?? "null") as Principal | null;
    if (principal?.role !== "admin") return new Response("operators only", { status: 403 });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, ["operator"]);
    server.serializeAttachment({ userId: principal.userId });
    const snapshot = await this.snapshot();
    this.send(server, { type: "snapshot", ...snapshot });
    for (const courier of snapshot.couriers) this.sentStates.set(courier.courierId, courier.state);
    await this.ctx.storage.setAlarm(Date.now() + RECHECK_EVERY_MS);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    let message: { type?: unknown } | null = null;
    try {
      message = typeof raw === "string" ? (JSON.parse(raw) as { type?: unknown }) : null;
    } catch {
      message = null;
    }
    if (message?.type === "resync") {
      this.send(ws, { type: "snapshot", ...(await this.snapshot()) });
      return;
    }
    this.send(ws, { type: "error", code: "unknown_message", message: 'Send {"type":"resync"} or "ping".' });
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }

  private watchers(): WebSocket[] {
    return this.ctx.getWebSockets("operator");
  }

  private send(ws: WebSocket, message: CityMapMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // closing under us
    }
  }

  /** Something changed: tell operators now, or at the next broadcast slot. */
  private async changed(): Promise<void> {
    if (this.watchers().length === 0) {
      this.clearPending();
      return;
    }
    const now = Date.now();
    const due = this.lastBroadcastAt + BROADCAST_EVERY_MS;
    if (now >= due) {
      this.broadcast(now);
      return;
    }
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > due) await this.ctx.storage.setAlarm(due);
  }

  override async alarm(): Promise<void> {
    // Its own trace per run (decision 0049): no request caused a periodic broadcast.
    await withNewTrace(async () => {
      if (this.watchers().length === 0) {
        this.clearPending();
        return;
      }
      this.broadcast(Date.now());
      await this.ctx.storage.setAlarm(Date.now() + RECHECK_EVERY_MS);
    });
  }

  private clearPending(): void {
    this.dirtyCouriers.clear();
    this.dirtyOrders.clear();
    this.removedCouriers.clear();
    this.removedOrders.clear();
    this.sentStates.clear();
  }

  private broadcast(now: number): void {
    this.forgetQuiet(now);
    const couriers: MapCourier[] = [];
    const removedCouriers = new Set(this.removedCouriers);
    for (const [courierId, tracked] of this.couriers) {
      const courier = toMapCourier(tracked, now);
      const before = this.sentStates.get(courierId);
      if (!courier) {
        if (before !== undefined) removedCouriers.add(courierId);
        this.sentStates.delete(courierId);
        continue;
      }
      // A courier nobody reported about can still change: going stale is a matter of time.
      if (this.dirtyCouriers.has(courierId) || before !== courier.state) couriers.push(courier);
      this.sentStates.set(courierId, courier.state);
    }
    for (const courierId of removedCouriers) this.sentStates.delete(courierId);
    const orders = [...this.dirtyOrders].flatMap((id) => this.orders.get(id) ?? []);
    const message: CityMapMessage = {
      type: "changes",
      at: now,
      couriers,
      removedCouriers: [...removedCouriers],
      orders,
      removedOrders: [...this.removedOrders],
    };
    this.dirtyCouriers.clear();
    this.dirtyOrders.clear();
    this.removedCouriers.clear();
    this.removedOrders.clear();
    this.lastBroadcastAt = now;
    if (couriers.length + message.removedCouriers.length + orders.length + message.removedOrders.length === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.watchers()) {
      try {
        ws.send(text);
      } catch {
        // closing under us
      }
    }
  }
}
