// A courier's socket to their zone: the upgrade (authenticated by the API
// Worker; principal, vehicle, name, rating and cell ride in headers) and every
// frame after it, size- and rate-checked first (socket-guard.ts), positions to
// ingest.ts, offer answers back to the Zone DO. Lent the zone's state through
// CourierSocketHost, as durable-objects/order/dispatch.ts is lent the order's.
import type { Principal } from "../../domain/auth/principal.ts";
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import type { Fix } from "../../domain/dispatch/fix.ts";
import { COURIER_PROTOCOL, decodePackedFixes } from "../../domain/dispatch/fix-frame.ts";
import type { CourierRating } from "../../domain/dispatch/scoring.ts";
import { logLine } from "../../platform/log.ts";
import type { ZoneIngest } from "./ingest.ts";
import {
  CourierMessage,
  type CourierState,
  type CourierStatus,
  fixBatch,
  MAX_FIX_BATCH,
  type SocketAttachment,
  singleFix,
  type ZoneMessage,
} from "./protocol.ts";
import type { SocketGuard } from "./socket-guard.ts";

export interface CourierSocketHost {
  ctx: DurableObjectState;
  cell(): string;
  learnCell(cell: string): void;
  couriers: Map<string, CourierState>;
  track(state: CourierState): void;
  save(state: CourierState): void;
  guard: SocketGuard;
  positions: ZoneIngest;
  /** Whether work under this key is running or queued. */
  locked(key: string): boolean;
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  send(ws: WebSocket, message: ZoneMessage): void;
  sendTo(courierId: string, message: ZoneMessage): void;
  mapChanged(force: boolean): Promise<void>;
  answerOffer(courierId: string, orderId: string, accept: boolean): Promise<void>;
}

const VEHICLES: readonly Vehicle[] = ["foot", "bicycle", "scooter", "car"];

/** The API Worker sends the courier's short name URI-encoded (headers are bytes); anything odd is no name. */
function courierNameOf(header: string | null): string | undefined {
  if (!header) return undefined;
  try {
    const name = decodeURIComponent(header).trim();
    return name.length > 0 && name.length <= 60 ? name : undefined;
  } catch {
    return undefined;
  }
}

export function newCourier(courierId: string, vehicle: Vehicle): CourierState {
  return {
    courierId,
    vehicle,
    status: "offline",
    lastFix: null,
    lastFixAt: null,
    activeOrders: [],
    offer: null,
    recentOffers: 0,
    recentAccepts: 0,
  };
}

/** The API Worker's `x-courier-rating` header: {"stars":4.8,"count":12}; absent or unreadable leaves the rating as it was. */
function parseRating(header: string | null): CourierRating | null | undefined {
  if (header === null) return undefined;
  try {
    const value = JSON.parse(header) as Partial<CourierRating> | null;
    if (value === null) return null;
    const stars = Number(value.stars);
    const count = Number(value.count);
    return Number.isFinite(stars) && Number.isFinite(count) && count >= 0 ? { stars, count } : undefined;
  } catch {
    return undefined;
  }
}

export function courierTag(courierId: string): string {
  return `courier:${courierId}`;
}

/** What a frame needs to know about its socket, kept while the zone is awake. */
interface KnownSocket {
  courierId: string;
  /** The courier's lock key and socket tag, built once rather than per frame. */
  tag: string;
  attachment: SocketAttachment;
}

export class CourierSocket {
  /**
   * Each socket's attachment, read once: workerd hands the same WebSocket
   * object to every message while the object is awake, and deserialising the
   * attachment on every frame was a per-frame cost of its own. After
   * hibernation the objects are new and the first frame reads it again.
   */
  private readonly sockets = new WeakMap<WebSocket, KnownSocket>();

  constructor(private readonly host: CourierSocketHost) {}

  /** Courier socket, authenticated by the API Worker: principal, vehicle and cell ride in headers. */
  async open(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const principal = JSON.parse(request.headers.get("x-principal") ?? "null") as Principal | null;
    if (principal?.role !== "courier") return new Response("couriers only", { status: 403 });
    const vehicle = VEHICLES.find((v) => v === request.headers.get("x-courier-vehicle"));
    if (!vehicle) return new Response("unknown vehicle", { status: 400 });
    const rating = parseRating(request.headers.get("x-courier-rating"));
    const cell = request.headers.get("x-zone-cell") ?? this.host.cell();
    this.host.learnCell(cell);
    const name = courierNameOf(request.headers.get("x-courier-name"));

    const courierId = principal.userId;
    // The app reconnecting replaces its old socket, so offers go to exactly one place.
    for (const old of this.host.ctx.getWebSockets(courierTag(courierId)))
      old.close(4009, "replaced by a newer connection");
    const state = this.host.couriers.get(courierId) ?? newCourier(courierId, vehicle);
    state.vehicle = vehicle;
    if (name) state.name = name;
    if (rating !== undefined) state.rating = rating;
    this.host.track(state);
    this.host.save(state);

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.host.ctx.acceptWebSocket(server, [courierTag(courierId)]);
    const attachment: SocketAttachment = { courierId, vehicle, cell, ...(name ? { name } : {}) };
    server.serializeAttachment(attachment);
    this.remember(server, attachment);
    this.host.send(server, {
      type: "status",
      status: state.status,
      cell,
      activeOrders: state.activeOrders,
      protocol: COURIER_PROTOCOL,
    });
    // After a hand-over or a dropped connection, a live offer is shown again.
    if (state.offer && state.offer.expiresAt > Date.now()) this.host.send(server, state.offer.message);
    await this.host.mapChanged(true);
    return new Response(null, { status: 101, webSocket: client });
  }

  async message(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (this.host.guard.isCutOff(ws)) return;
    const socket = this.socketOf(ws);
    if (!socket) return;
    // Size and rate before anything else: a flood must cost as little as possible per frame.
    const refused = this.host.guard.admit(socket.courierId, raw);
    if (refused) {
      logLine("warn", "zone.socket_cut_off", {
        cell: this.host.cell(),
        courierId: socket.courierId,
        code: refused.code,
      });
      this.host.guard.cutOff(ws, refused);
      return;
    }
    if (typeof raw !== "string") {
      // Binary: the packed fix frame of protocol 2 (domain/dispatch/fix-frame.ts), the only binary frame.
      const packed = decodePackedFixes(raw, MAX_FIX_BATCH);
      if (!packed.ok) {
        this.host.send(ws, { type: "error", code: "malformed_message", message: packed.message });
        return;
      }
      return this.fixes(ws, socket, packed.fixes);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.host.send(ws, { type: "error", code: "malformed_message", message: "Messages are JSON text." });
      return;
    }
    const courierId = socket.courierId;
    const single = singleFix(json);
    if (single) return this.fixes(ws, socket, [single]);
    const batch = fixBatch(json);
    if (batch) return this.fixes(ws, socket, batch);
    const parsed = CourierMessage.safeParse(json);
    if (!parsed.success) {
      this.host.send(ws, {
        type: "error",
        code: "malformed_message",
        message: parsed.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; "),
      });
      return;
    }
    const message = parsed.data;
    if (!this.host.couriers.has(courierId)) return this.unknownCourier(ws);
    switch (message.type) {
      case "status":
        // Fixes sent before it are answered first: going offline, the app waits for its buffer to drain (acks.ts).
        this.host.positions.acks.flush(ws);
        this.setStatus(courierId, message.status);
        await this.host.mapChanged(true);
        return;
      // Taken by singleFix / fixBatch above; here only for completeness of the union.
      case "fix":
        return this.fixes(ws, socket, [message.fix]);
      case "fixes":
        return this.fixes(ws, socket, message.fixes);
      case "ack_mode": {
        if (socket.attachment.acks === message.mode) return;
        socket.attachment = { ...socket.attachment, acks: message.mode };
        ws.serializeAttachment(socket.attachment);
        this.host.positions.acks.markCumulative(ws);
        return;
      }
      case "offer_response":
        await this.host.withLock(socket.tag, () => this.host.answerOffer(courierId, message.orderId, message.accept));
        await this.host.mapChanged(true);
        return;
    }
  }

  /**
   * Fixes from a JSON or packed frame: without the lock when nothing in them
   * can await (ingest.ts `tryUnlocked`), else under the courier's lock.
   */
  private fixes(ws: WebSocket, socket: KnownSocket, fixes: readonly Fix[]): Promise<void> | undefined {
    const courierId = socket.courierId;
    if (!this.host.couriers.has(courierId)) {
      this.unknownCourier(ws);
      return;
    }
    const done = this.host.positions.tryUnlocked(ws, courierId, fixes, this.host.locked(socket.tag));
    if (done !== false) return done;
    return this.host.withLock(socket.tag, () => this.host.positions.ingest(ws, courierId, fixes));
  }

  /** The courier on this socket (the zone's sockets are all couriers'), or null if it carries no attachment. */
  courierOf(ws: WebSocket): string | null {
    return this.socketOf(ws)?.courierId ?? null;
  }

  private socketOf(ws: WebSocket): KnownSocket | null {
    const known = this.sockets.get(ws);
    if (known) return known;
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (!attachment) return null;
    const socket = this.remember(ws, attachment);
    // Woken from hibernation: the app's choice of acks is in the attachment.
    if (attachment.acks === "cumulative") this.host.positions.acks.markCumulative(ws);
    return socket;
  }

  private remember(ws: WebSocket, attachment: SocketAttachment): KnownSocket {
    const socket: KnownSocket = { courierId: attachment.courierId, tag: courierTag(attachment.courierId), attachment };
    this.sockets.set(ws, socket);
    return socket;
  }

  /** Handed over (or never known): the socket belongs elsewhere now. */
  private unknownCourier(ws: WebSocket): void {
    this.host.send(ws, { type: "error", code: "unknown_courier", message: "Reconnect: this zone no longer has you." });
    ws.close(4001, "unknown courier");
  }

  private setStatus(courierId: string, status: CourierStatus): void {
    const state = this.host.couriers.get(courierId);
    if (!state) return;
    state.status = status;
    this.host.save(state);
    this.host.sendTo(courierId, {
      type: "status",
      status,
      cell: this.host.cell(),
      activeOrders: state.activeOrders,
      protocol: COURIER_PROTOCOL,
    });
  }
}
