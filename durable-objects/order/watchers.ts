// Live watchers of one order over hibernating WebSockets. Identity rides in
// the socket's attachment so it survives hibernation; tags let us address
// sockets by role (customer, restaurant_staff, courier, admin).

import type { Principal } from "../../domain/auth/principal.ts";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import { visibleTo } from "../../domain/order/visibility.ts";

export interface WatcherAttachment {
  userId: string;
  role: Principal["role"];
  /** Highest event sequence this socket has been sent. */
  lastSeq: number;
}

export type ServerMessage =
  | { type: "event"; event: OrderEvent }
  | {
      type: "courier_position";
      lat: number;
      lng: number;
      headingDeg: number | null;
      at: number;
      eta: { pickupAt: number | null; dropoffAt: number; model?: "learned" | "fixed" };
    }
  /** The live ETA moved without a courier position: the kitchen changed its prep estimate, or accepted. */
  | { type: "eta"; eta: { pickupAt: number | null; dropoffAt: number; model: "learned" | "fixed" } }
  | { type: "error"; code: string; message: string };

export class Watchers {
  constructor(private readonly ctx: DurableObjectState) {}

  accept(ws: WebSocket, principal: Principal, lastSeq: number): void {
    this.ctx.acceptWebSocket(ws, [principal.role, `user:${principal.userId}`]);
    const attachment: WatcherAttachment = { userId: principal.userId, role: principal.role, lastSeq };
    ws.serializeAttachment(attachment);
  }

  attachment(ws: WebSocket): WatcherAttachment | null {
    return (ws.deserializeAttachment() as WatcherAttachment | null) ?? null;
  }

  /** Sends events past what each socket has seen, so a socket never gets a duplicate. */
  sendEvents(ws: WebSocket, events: readonly OrderEvent[]): void {
    const attachment = this.attachment(ws);
    if (!attachment) return;
    let last = attachment.lastSeq;
    for (const event of events) {
      if (event.seq <= last) continue;
      // A gap means the caller handed us a partial list: stop, the next resume fills it.
      if (event.seq !== last + 1) break;
      this.send(ws, { type: "event", event: visibleTo(attachment.role, event) });
      last = event.seq;
    }
    if (last !== attachment.lastSeq) ws.serializeAttachment({ ...attachment, lastSeq: last });
  }

  broadcastEvents(events: readonly OrderEvent[]): void {
    for (const ws of this.ctx.getWebSockets()) this.sendEvents(ws, events);
  }

  broadcast(message: ServerMessage, roles?: ReadonlyArray<Principal["role"]>): void {
    const sockets = roles ? roles.flatMap((role) => this.ctx.getWebSockets(role)) : this.ctx.getWebSockets();
    const text = JSON.stringify(message);
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        // A socket closing under us is not an error for the others.
      }
    }
  }

  send(ws: WebSocket, message: ServerMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // closed
    }
  }

  closeUser(userId: string, reason: string): void {
    for (const ws of this.ctx.getWebSockets(`user:${userId}`)) ws.close(4003, reason);
  }
}
