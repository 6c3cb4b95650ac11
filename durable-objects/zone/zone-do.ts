// One Durable Object per geohash cell (domain/geo/geohash.ts, ZONE_PRECISION):
// the couriers currently in the cell, their positions in a spatial index, and
// the offer loops of orders whose restaurant is in the cell.
//
// Couriers stream fixes over a hibernating WebSocket. A fix that lands in
// another cell hands the courier over: the new zone adopts them before this
// one forgets them, so there is never a moment when no zone knows a courier.
// Offers follow domain/dispatch/offers.ts; the loop that runs them for this
// cell's orders is offer-loop.ts. This adapter holds the state in SQLite,
// sets the one alarm for the earliest offer expiry, shows offers to its own
// couriers and passes their answers to the order's dispatching zone.

import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../../domain/auth/principal.ts";
import type { CourierFacts } from "../../domain/citymap/couriers.ts";
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import { COURIER_STALE_AFTER_MS, type FixRejectReason } from "../../domain/dispatch/fix.ts";
import { DEFAULT_OFFER_POLICY, type OfferPolicy } from "../../domain/dispatch/offers.ts";
import type { CourierRating } from "../../domain/dispatch/scoring.ts";
import { DEFAULT_STACK_POLICY } from "../../domain/dispatch/stacking.ts";
import { cellsWithinRadius, decodeGeohashBounds } from "../../domain/geo/geohash.ts";
import { SpatialIndex } from "../../domain/geo/spatial-index.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { armAlarmAt } from "../shared/alarm.ts";
import { type IngestHost, ZoneIngest } from "./ingest.ts";
import { MapFeed } from "./map-feed.ts";
import { OfferLoop } from "./offer-loop.ts";
import {
  CourierMessage,
  type CourierOnMap,
  type CourierState,
  type CourierStatus,
  type DeliverOfferResult,
  type DispatchRequest,
  fixBatch,
  type HeldOffer,
  type OfferChoice,
  type OfferResponseResult,
  type RequestCourierResult,
  type SocketAttachment,
  singleFix,
  type ZoneCandidate,
  type ZoneMessage,
  type ZoneStats,
} from "./protocol.ts";
import { messageRate, SocketGuard } from "./socket-guard.ts";
import { zoneStub } from "./stubs.ts";
import { ZoneStorage } from "./zone-storage.ts";

export { FORWARD_EVERY_MS, MAX_PENDING_TRAIL, PERSIST_EVERY_MS } from "./ingest.ts";
/** A second job only as a stack that passes domain/dispatch/stacking.ts (decision 38). */
export const MAX_ACTIVE_JOBS = DEFAULT_STACK_POLICY.maxJobs;
const VEHICLES: readonly Vehicle[] = ["foot", "bicycle", "scooter", "car"];

function emptyDropped(): Record<FixRejectReason, number> {
  return {
    duplicate: 0,
    out_of_order: 0,
    implausible_speed: 0,
    poor_accuracy: 0,
    out_of_range: 0,
    from_future: 0,
    too_old: 0,
  };
}

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

function newCourier(courierId: string, vehicle: Vehicle): CourierState {
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

function courierTag(courierId: string): string {
  return `courier:${courierId}`;
}

export class ZoneDO extends DurableObject<Env> {
  private readonly store: ZoneStorage;
  private readonly couriers = new Map<string, CourierState>();
  private readonly index: SpatialIndex<null>;
  private readonly persistedAt = new Map<string, number>();
  /** Couriers between adopt() at the next zone and being forgotten here: offered nothing meanwhile. */
  private readonly handingOver = new Set<string>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly dropped: Record<FixRejectReason, number>;
  private readonly policy: OfferPolicy = DEFAULT_OFFER_POLICY;
  private readonly mapFeed: MapFeed;
  private readonly guard: SocketGuard;
  private readonly offers: OfferLoop;
  private readonly positions: ZoneIngest;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ZoneStorage(ctx.storage);
    this.mapFeed = new MapFeed({
      env,
      cell: () => ctx.id.name ?? this.store.cell(),
      facts: (now) => this.mapFacts(now),
    });
    this.guard = new SocketGuard(messageRate(env.COURIER_MESSAGE_RATE));
    this.offers = new OfferLoop({
      env,
      store: this.store,
      policy: this.policy,
      cell: () => this.cell,
      learnCell: (cell) => this.learnCell(cell),
      withLock: (key, fn) => this.withLock(key, fn),
      armAlarm: () => this.armAlarm(),
      nearestAvailable: (lat, lng, k, radiusM) => this.nearestAvailable(lat, lng, k, radiusM),
      deliverOffer: (courierId, held) => this.deliverOffer(courierId, held),
      offerClosed: (courierId, orderId, reason) => this.offerClosed(courierId, orderId, reason),
    });
    this.positions = new ZoneIngest(this.ingestHost());
    const cell = ctx.id.name ?? this.store.cell();
    const bounds = cell ? decodeGeohashBounds(cell) : null;
    this.index = new SpatialIndex({ referenceLat: bounds ? (bounds.minLat + bounds.maxLat) / 2 : 0 });
    this.dropped = { ...emptyDropped(), ...this.store.dropped() };
    for (const state of this.store.loadCouriers()) this.track(state);
    // A socket can outlive its row only if the row was never written; the attachment still says who it is.
    for (const ws of ctx.getWebSockets()) {
      const attachment = ws.deserializeAttachment() as SocketAttachment | null;
      if (attachment && !this.couriers.has(attachment.courierId)) {
        this.track({
          ...newCourier(attachment.courierId, attachment.vehicle),
          ...(attachment.name ? { name: attachment.name } : {}),
        });
      }
    }
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  private get cell(): string {
    const cell = this.ctx.id.name ?? this.store.cell();
    if (!cell) throw new Error("zone cell unknown: Zone DOs must be addressed with idFromName(cell)");
    return cell;
  }

  private learnCell(cell: string): void {
    if (this.store.cell() !== cell) this.store.setCell(cell);
  }

  private ingestHost(): IngestHost {
    return {
      env: this.env,
      cell: () => this.cell,
      courier: (courierId) => this.couriers.get(courierId),
      place: (courierId, lat, lng) => this.index.upsert(courierId, lat, lng, null),
      save: (state) => this.save(state),
      saveAll: (states) => {
        this.ctx.storage.transactionSync(() => {
          for (const state of states) this.save(state);
        });
      },
      savedAt: (courierId) => this.persistedAt.get(courierId) ?? 0,
      handingOver: this.handingOver,
      forget: (courierId) => this.forget(courierId),
      addDropped: (dropped) => {
        for (const reason of Object.keys(dropped) as FixRejectReason[]) this.dropped[reason] += dropped[reason];
        this.store.addDropped(dropped);
      },
      send: (ws, message) => this.send(ws, message),
      sendTo: (courierId, message) => this.sendTo(courierId, message),
      mapChanged: (force) => this.mapFeed.changed(force),
    };
  }

  // ---------------------------------------------------------------- couriers

  private track(state: CourierState): void {
    this.couriers.set(state.courierId, state);
    if (state.lastFix) this.index.upsert(state.courierId, state.lastFix.lat, state.lastFix.lng, null);
    else this.index.remove(state.courierId);
  }

  private forget(courierId: string): void {
    this.couriers.delete(courierId);
    this.guard.forget(courierId);
    this.index.remove(courierId);
    this.persistedAt.delete(courierId);
    this.store.deleteCourier(courierId);
  }

  private save(state: CourierState): void {
    this.store.saveCourier(state);
    this.persistedAt.set(state.courierId, Date.now());
  }

  private isConnected(courierId: string): boolean {
    return this.ctx.getWebSockets(courierTag(courierId)).length > 0;
  }

  /** Online, fresh, connected, not holding an offer: may be shown one, if their jobs allow. */
  private isReachable(state: CourierState, now: number): boolean {
    return (
      state.status === "online" &&
      state.lastFixAt !== null &&
      now - state.lastFixAt <= COURIER_STALE_AFTER_MS &&
      (state.offer === null || state.offer.expiresAt <= now) &&
      !this.handingOver.has(state.courierId) &&
      this.isConnected(state.courierId)
    );
  }

  /** Free for a first job: what operators' map and stats call available. */
  private isAvailable(state: CourierState, now: number): boolean {
    return state.activeOrders.length === 0 && this.isReachable(state, now);
  }

  /** On a job and with room for a stacked one; whether this order fits is the offer loop's call. */
  private isStackable(state: CourierState, now: number): boolean {
    return state.activeOrders.length > 0 && state.activeOrders.length < MAX_ACTIVE_JOBS && this.isReachable(state, now);
  }

  /** The described jobs that are still active (a released one drops out here rather than in the release path). */
  private jobsOf(state: CourierState): NonNullable<CourierState["jobs"]> {
    return (state.jobs ?? []).filter((job) => state.activeOrders.includes(job.orderId));
  }

  private sendTo(courierId: string, message: ZoneMessage): void {
    for (const ws of this.ctx.getWebSockets(courierTag(courierId))) this.send(ws, message);
  }

  private send(ws: WebSocket, message: ZoneMessage): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // closing under us
    }
  }

  /** Serialises async work per key (one order's offer loop, one courier's stream) across awaits. */
  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    let release = (): void => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.locks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  /** Courier socket, authenticated by the API Worker: principal, vehicle and cell ride in headers. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected websocket", { status: 426 });
    }
    const principal = JSON.parse(request.headers.get("x-principal") ?? "null") as Principal | null;
    if (principal?.role !== "courier") return new Response("couriers only", { status: 403 });
    const vehicle = VEHICLES.find((v) => v === request.headers.get("x-courier-vehicle"));
    if (!vehicle) return new Response("unknown vehicle", { status: 400 });
    const rating = parseRating(request.headers.get("x-courier-rating"));
    const cell = request.headers.get("x-zone-cell") ?? this.cell;
    this.learnCell(cell);
    const name = courierNameOf(request.headers.get("x-courier-name"));

    const courierId = principal.userId;
    // The app reconnecting replaces its old socket, so offers go to exactly one place.
    for (const old of this.ctx.getWebSockets(courierTag(courierId))) old.close(4009, "replaced by a newer connection");
    const state = this.couriers.get(courierId) ?? newCourier(courierId, vehicle);
    state.vehicle = vehicle;
    if (name) state.name = name;
    if (rating !== undefined) state.rating = rating;
    this.track(state);
    this.save(state);

    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [courierTag(courierId)]);
    const attachment: SocketAttachment = { courierId, vehicle, cell, ...(name ? { name } : {}) };
    server.serializeAttachment(attachment);
    this.send(server, { type: "status", status: state.status, cell, activeOrders: state.activeOrders });
    // After a hand-over or a dropped connection, a live offer is shown again.
    if (state.offer && state.offer.expiresAt > Date.now()) this.send(server, state.offer.message);
    await this.mapFeed.changed(true);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (this.guard.isCutOff(ws)) return;
    const attachment = ws.deserializeAttachment() as SocketAttachment | null;
    if (!attachment) return;
    // Size and rate before anything else: a flood must cost as little as possible per frame.
    const refused = this.guard.admit(attachment.courierId, raw);
    if (refused) {
      logLine("warn", "zone.socket_cut_off", { cell: this.cell, courierId: attachment.courierId, code: refused.code });
      this.guard.cutOff(ws, refused);
      return;
    }
    if (typeof raw !== "string") {
      this.send(ws, { type: "error", code: "malformed_message", message: "Messages are JSON text." });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.send(ws, { type: "error", code: "malformed_message", message: "Messages are JSON text." });
      return;
    }
    const courierId = attachment.courierId;
    const single = singleFix(json);
    if (single) {
      if (!this.couriers.has(courierId)) return this.unknownCourier(ws);
      const locked = this.locks.has(courierTag(courierId));
      const done = this.positions.trySingle(ws, courierId, single, locked);
      if (done) await done;
      else await this.withLock(courierTag(courierId), () => this.positions.ingest(ws, courierId, [single]));
      return;
    }
    const batch = fixBatch(json);
    if (batch) {
      if (!this.couriers.has(courierId)) return this.unknownCourier(ws);
      const done = this.positions.tryUnlocked(ws, courierId, batch, this.locks.has(courierTag(courierId)));
      if (done) await done;
      else await this.withLock(courierTag(courierId), () => this.positions.ingest(ws, courierId, batch));
      return;
    }
    const parsed = CourierMessage.safeParse(json);
    if (!parsed.success) {
      this.send(ws, {
        type: "error",
        code: "malformed_message",
        message: parsed.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; "),
      });
      return;
    }
    const message = parsed.data;
    if (!this.couriers.has(courierId)) return this.unknownCourier(ws);
    switch (message.type) {
      case "status":
        this.setStatus(courierId, message.status);
        await this.mapFeed.changed(true);
        return;
      case "fix":
        await this.withLock(courierTag(courierId), () => this.positions.ingest(ws, courierId, [message.fix]));
        return;
      case "fixes":
        await this.withLock(courierTag(courierId), () => this.positions.ingest(ws, courierId, message.fixes));
        return;
      case "offer_response":
        await this.withLock(courierTag(courierId), () => this.answerOffer(courierId, message.orderId, message.accept));
        await this.mapFeed.changed(true);
        return;
    }
  }

  /** Handed over (or never known): the socket belongs elsewhere now. */
  private unknownCourier(ws: WebSocket): void {
    this.send(ws, { type: "error", code: "unknown_courier", message: "Reconnect: this zone no longer has you." });
    ws.close(4001, "unknown courier");
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
    // A courier whose app dropped turns stale on the operators' map.
    await this.mapFeed.changed(true);
  }

  private setStatus(courierId: string, status: CourierStatus): void {
    const state = this.couriers.get(courierId);
    if (!state) return;
    state.status = status;
    this.save(state);
    this.sendTo(courierId, { type: "status", status, cell: this.cell, activeOrders: state.activeOrders });
  }

  /** Receives a courier who drove into this cell; their socket follows shortly. */
  async adopt(cell: string, state: CourierState): Promise<{ ok: true }> {
    this.learnCell(cell);
    this.track(state);
    this.save(state);
    await this.mapFeed.changed(true);
    return { ok: true };
  }

  /** The order is done with this courier (delivered or cancelled); they are free for new work. */
  async releaseOrder(courierId: string, orderId: string): Promise<{ ok: true; released: boolean }> {
    const known = this.couriers.get(courierId)?.activeOrders.includes(orderId) ?? false;
    this.positions.releaseLocally(courierId, orderId);
    if (known) await this.mapFeed.changed(true);
    return { ok: true, released: known };
  }

  // ------------------------------------------------------------- searching

  /**
   * Couriers of this cell only who may be offered an order, nearest first
   * (ties by id): free ones, and ones on a job with room for a stack, the
   * latter with their position and jobs so the offer loop can check the stack.
   */
  async candidates(lat: number, lng: number, k: number, radiusM: number): Promise<ZoneCandidate[]> {
    const now = Date.now();
    const cell = this.cell;
    return this.index
      .nearest(lat, lng, k, radiusM, (entry) => {
        const state = this.couriers.get(entry.id);
        return state !== undefined && (this.isAvailable(state, now) || this.isStackable(state, now));
      })
      .map((n) => {
        const state = this.couriers.get(n.id) as CourierState;
        const busy = state.activeOrders.length > 0;
        return {
          courierId: n.id,
          cell,
          distanceM: n.distanceM,
          vehicle: state.vehicle,
          activeJobs: state.activeOrders.length,
          recentOffers: state.recentOffers,
          recentAccepts: state.recentAccepts,
          rating: state.rating ?? null,
          ...(busy && state.lastFix
            ? { position: { lat: state.lastFix.lat, lng: state.lastFix.lng }, jobs: this.jobsOf(state) }
            : {}),
        };
      });
  }

  /** The k nearest available couriers within radiusM, asking every cell the circle touches. */
  async nearestAvailable(lat: number, lng: number, k: number, radiusM: number): Promise<ZoneCandidate[]> {
    const own = this.cell;
    const perCell = await Promise.all(
      cellsWithinRadius(lat, lng, radiusM).map((cell) =>
        cell === own
          ? this.candidates(lat, lng, k, radiusM)
          : zoneStub(this.env, cell).candidates(lat, lng, k, radiusM),
      ),
    );
    // A courier can briefly be known by two zones during a hand-over: keep the nearer sighting.
    const byCourier = new Map<string, ZoneCandidate>();
    for (const candidate of perCell.flat()) {
      const seen = byCourier.get(candidate.courierId);
      if (!seen || candidate.distanceM < seen.distanceM) byCourier.set(candidate.courierId, candidate);
    }
    return [...byCourier.values()]
      .sort((a, b) => a.distanceM - b.distanceM || (a.courierId < b.courierId ? -1 : a.courierId > b.courierId ? 1 : 0))
      .slice(0, Math.max(0, Math.floor(k)));
  }

  // --------------------------------------------------------------- offers
  // The dispatching side lives in offer-loop.ts; these are its RPC entry points.

  /** Starts (or, if already running, reports) the offer loop for one order whose restaurant is in this cell. */
  async requestCourier(request: DispatchRequest): Promise<RequestCourierResult> {
    return this.offers.requestCourier(request);
  }

  /** The assigned courier left before pickup: offer the order again, skipping everyone already tried. */
  async redispatch(request: DispatchRequest): Promise<RequestCourierResult> {
    return this.offers.redispatch(request);
  }

  /** The single place an order's offer is answered, serialised per order. */
  async offerResponse(orderId: string, courierId: string, accept: boolean): Promise<OfferResponseResult> {
    return this.offers.offerResponse(orderId, courierId, accept);
  }

  /** The order was cancelled or rejected while searching: withdraw any live offer and stop. */
  async cancelDispatch(orderId: string): Promise<{ ok: true; cancelled: boolean }> {
    return this.offers.cancelDispatch(orderId);
  }

  /** An operator offers the order to one courier, who must accept. */
  async operatorOffer(
    request: DispatchRequest,
    courierId: string,
    courierCell: string,
    expiresAt: number,
  ): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    return this.offers.operatorOffer(request, courierId, courierCell, expiresAt);
  }

  /** An operator restarted the search: forget who was tried, withdraw any live offer and start again. */
  async restartDispatch(request: DispatchRequest): Promise<RequestCourierResult> {
    return this.offers.restartDispatch(request);
  }

  /**
   * Shows an offer to a courier of this cell, if they can take it right now:
   * a plain offer only while they have no job, a stacked one only while they
   * still carry exactly the job it was checked against.
   */
  async deliverOffer(courierId: string, held: HeldOffer): Promise<DeliverOfferResult> {
    const state = this.couriers.get(courierId);
    if (!state) return { ok: false, code: "unknown_courier" };
    if (!this.isConnected(courierId) || this.handingOver.has(courierId)) return { ok: false, code: "not_connected" };
    const now = Date.now();
    const stackedWith = held.message.stackedWith ?? null;
    const fits =
      stackedWith === null
        ? this.isAvailable(state, now)
        : this.isStackable(state, now) && state.activeOrders.length === 1 && state.activeOrders[0] === stackedWith;
    if (!fits) return { ok: false, code: "busy" };
    state.offer = held;
    state.recentOffers++;
    this.save(state);
    this.sendTo(courierId, held.message);
    await this.mapFeed.changed(true);
    return { ok: true };
  }

  /** The dispatching zone withdrew an offer (expired, or the order went away). */
  async offerClosed(courierId: string, orderId: string, reason: "expired" | "cancelled"): Promise<{ ok: true }> {
    const state = this.couriers.get(courierId);
    if (state?.offer?.orderId === orderId) {
      state.offer = null;
      this.save(state);
      this.sendTo(courierId, { type: "offer_withdrawn", orderId, reason });
      await this.mapFeed.changed(true);
    }
    return { ok: true };
  }

  /** A courier of this cell answered an offer over their socket; the dispatching zone decides. */
  private async answerOffer(courierId: string, orderId: string, accept: boolean): Promise<void> {
    const state = this.couriers.get(courierId);
    if (!state) return;
    const held = state.offer?.orderId === orderId ? state.offer : null;
    if (!held) {
      if (accept && state.activeOrders.includes(orderId)) {
        this.sendTo(courierId, { type: "assigned", orderId });
        return;
      }
      this.sendTo(courierId, {
        type: "error",
        code: "offer_not_yours",
        message: "You hold no offer for this order.",
        orderId,
      });
      return;
    }
    let result: OfferResponseResult;
    try {
      result =
        held.dispatchCell === this.cell
          ? await this.offerResponse(orderId, courierId, accept)
          : await zoneStub(this.env, held.dispatchCell).offerResponse(orderId, courierId, accept);
    } catch (err) {
      logLine("warn", "zone.offer_response_failed", { orderId, courierId, error: String(err) });
      this.sendTo(courierId, {
        type: "error",
        code: "try_again",
        message: "Could not reach dispatch; answer again.",
        orderId,
      });
      return;
    }
    const current = this.couriers.get(courierId);
    if (!current) return;
    if (current.offer?.orderId === orderId) current.offer = null;
    if (result.ok && result.outcome === "assigned") {
      if (!current.activeOrders.includes(orderId)) current.activeOrders = [...current.activeOrders, orderId];
      // Remembered as the offer described it, so a later order can be checked as a stack on this one.
      const { restaurant, dropoff, foodReadyAt } = held.message;
      current.jobs = [
        ...this.jobsOf(current).filter((j) => j.orderId !== orderId),
        { orderId, restaurant, dropoff, foodReadyAt },
      ];
      current.recentAccepts++;
      this.save(current);
      this.sendTo(courierId, { type: "assigned", orderId });
      return;
    }
    this.save(current);
    if (result.ok) this.sendTo(courierId, { type: "declined", orderId });
    else this.sendTo(courierId, { type: "error", code: result.code, message: result.message, orderId });
  }

  private async armAlarm(): Promise<void> {
    await armAlarmAt(this.ctx.storage, this.store.deadlines()[0]?.at);
  }

  /** The kitchen's estimate changed while this zone searches for the order. */
  async retime(
    orderId: string,
    foodReadyAt: number | null,
    timing: DispatchRequest["timing"],
  ): Promise<{ ok: true; retimed: boolean }> {
    return this.offers.retime(orderId, foodReadyAt, timing);
  }

  /** Why the search offered the order to whom (operators); null if this zone runs no search for it. */
  async dispatchChoices(orderId: string): Promise<{ choices: OfferChoice[]; heldUntil: number | null } | null> {
    return this.offers.choices(orderId);
  }

  /** The courier confirmed pickup: a stack check no longer routes them through that restaurant. */
  async jobPickedUp(courierId: string, orderId: string): Promise<{ ok: true; known: boolean }> {
    const state = this.couriers.get(courierId);
    const job = state?.jobs?.find((j) => j.orderId === orderId);
    if (!state || !job) return { ok: true, known: false };
    job.pickedUp = true;
    this.save(state);
    return { ok: true, known: true };
  }

  /** The one alarm: expire every offer that is due (then offer the next courier), retry failed steps, re-arm. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    for (const deadline of this.store.deadlines()) {
      if (deadline.at > now) break;
      this.store.setDeadline(deadline.orderId, deadline.kind, null);
      await this.withLock(`order:${deadline.orderId}`, () => this.offers.onDeadline(deadline.orderId));
    }
    await this.armAlarm();
  }

  /** What this zone knows about one courier, or null if they are not in this cell (for operators and tests). */
  async courier(courierId: string): Promise<CourierState | null> {
    const state = this.couriers.get(courierId);
    return state ? structuredClone(state) : null;
  }

  /** What the live city map is told about every courier of this cell. */
  private mapFacts(now: number): CourierFacts[] {
    return [...this.couriers.values()]
      .filter((state) => !this.handingOver.has(state.courierId))
      .map((state) => ({
        courierId: state.courierId,
        vehicle: state.vehicle,
        status: state.status,
        lat: state.lastFix?.lat ?? null,
        lng: state.lastFix?.lng ?? null,
        lastFixAt: state.lastFixAt,
        connected: this.isConnected(state.courierId),
        offerOrderId: state.offer && state.offer.expiresAt > now ? state.offer.orderId : null,
        activeOrders: [...state.activeOrders],
      }));
  }

  // ------------------------------------------------------------- operators

  /**
   * An operator deactivated the courier: their app is cut off and they get no
   * more work here. Their account can no longer open a courier socket.
   */
  async disconnectCourier(courierId: string, reason: string): Promise<{ ok: true; known: boolean }> {
    const state = this.couriers.get(courierId);
    for (const ws of this.ctx.getWebSockets(courierTag(courierId))) {
      this.send(ws, { type: "error", code: "courier_deactivated", message: reason });
      ws.close(4003, "deactivated");
    }
    if (!state) return { ok: true, known: false };
    state.status = "offline";
    state.offer = null;
    this.save(state);
    await this.mapFeed.changed(true);
    return { ok: true, known: true };
  }

  /** An operator gave this courier an order without an offer: forward their positions to it from now on. */
  async assignDirect(courierId: string, orderId: string): Promise<{ ok: true; known: boolean }> {
    const state = this.couriers.get(courierId);
    if (!state) return { ok: true, known: false };
    if (state.offer?.orderId === orderId) state.offer = null;
    if (!state.activeOrders.includes(orderId)) state.activeOrders = [...state.activeOrders, orderId];
    this.save(state);
    this.sendTo(courierId, { type: "assigned", orderId });
    await this.mapFeed.changed(true);
    return { ok: true, known: true };
  }

  /** Every courier this zone knows, for the operators' live map. */
  async couriersOnMap(): Promise<CourierOnMap[]> {
    const now = Date.now();
    return [...this.couriers.values()].map((state) => ({
      courierId: state.courierId,
      vehicle: state.vehicle,
      status: state.status,
      lat: state.lastFix?.lat ?? null,
      lng: state.lastFix?.lng ?? null,
      lastFixAt: state.lastFixAt,
      connected: this.isConnected(state.courierId),
      available: this.isAvailable(state, now),
      activeOrders: [...state.activeOrders],
    }));
  }

  async stats(): Promise<ZoneStats> {
    const now = Date.now();
    let connected = 0;
    let available = 0;
    for (const state of this.couriers.values()) {
      if (this.isConnected(state.courierId)) connected++;
      if (this.isAvailable(state, now)) available++;
    }
    return {
      cell: this.ctx.id.name ?? this.store.cell(),
      couriers: this.couriers.size,
      connected,
      available,
      dispatches: this.store.openDispatches(),
      dropped: { ...this.dropped },
    };
  }
}
