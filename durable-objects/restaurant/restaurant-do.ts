// One Durable Object per restaurant (named by the restaurant id): the kitchen's
// live board. Each Order DO pushes the full summary of its order after every
// write, so the board needs no history: the newest summary wins (by the
// order's event sequence), a missed push is repaired by the next one, and a
// terminal order leaves the board. Staff watch over hibernating WebSockets.
import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../../domain/auth/principal.ts";
import { type DeliveryState, isTerminal, type OrderState } from "../../domain/order/state-machine.ts";
import { logLine } from "../../workers/api/http/log.ts";
import type { Env } from "../../workers/env.ts";

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
export const STALE_AFTER_MS = 10 * 60_000;
const RECONCILE_EVERY_MS = 5 * 60_000;

export class RestaurantDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
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
      this.broadcast({ type: "order", order });
      await this.armReconcile();
    }
    return { applied };
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
    const quietSince = Date.now() - STALE_AFTER_MS;
    const quiet = this.ctx.storage.sql
      .exec<{ id: string }>("select id from orders where terminal = 0 and updated_at <= ?", quietSince)
      .toArray();
    for (const { id } of quiet) {
      try {
        const stub = this.env.ORDER.get(this.env.ORDER.idFromName(id));
        const summary = await stub.boardSummary();
        if (!summary) {
          this.ctx.storage.sql.exec("delete from orders where id = ?", id);
          continue;
        }
        // Heard from it now, even when nothing changed: quiet again only after another interval.
        this.ctx.storage.sql.exec("update orders set updated_at = ? where id = ?", Date.now(), id);
        if (this.store(summary)) this.broadcast({ type: "order", order: summary });
      } catch (err) {
        logLine("warn", "restaurant.reconcile_failed", { orderId: id, error: String(err) });
      }
    }
    await this.armReconcile();
  }

  /** Keeps the newest summary per order; returns whether it changed anything. */
  private store(order: BoardOrder): boolean {
    const sql = this.ctx.storage.sql;
    const existing = sql.exec<{ last_seq: number }>("select last_seq from orders where id = ?", order.id).toArray()[0];
    if (existing && existing.last_seq >= order.lastSeq) return false;
    const now = Date.now();
    sql.exec(
      "insert or replace into orders (id, last_seq, placed_at, terminal, updated_at, body) values (?, ?, ?, ?, ?, ?)",
      order.id,
      order.lastSeq,
      order.placedAt,
      isTerminal(order.status) ? 1 : 0,
      now,
      JSON.stringify(order),
    );
    sql.exec("delete from orders where terminal = 1 and updated_at < ?", now - TOMBSTONE_MS);
    return true;
  }

  private liveOrders(): BoardOrder[] {
    return this.ctx.storage.sql
      .exec<{ body: string }>("select body from orders where terminal = 0 order by placed_at, id")
      .toArray()
      .map((r) => JSON.parse(r.body) as BoardOrder);
  }

  private async armReconcile(): Promise<void> {
    const live =
      this.ctx.storage.sql.exec<{ n: number }>("select count(*) as n from orders where terminal = 0").toArray()[0]?.n ??
      0;
    if (live === 0) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + RECONCILE_EVERY_MS);
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
