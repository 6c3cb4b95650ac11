// One Durable Object per geohash cell (domain/geo/geohash.ts, ZONE_PRECISION):
// the couriers currently in the cell, their positions in a spatial index, and
// the offer loops of orders whose restaurant is in the cell.
//
// Couriers stream fixes over a hibernating WebSocket. A fix that lands in
// another cell hands the courier over: the new zone adopts them before this
// one forgets them, so there is never a moment when no zone knows a courier.
// Offers follow domain/dispatch/offers.ts; the loop that runs them for this
// cell's orders is offer-loop.ts. This adapter holds the state in SQLite and
// sets the one alarm for the earliest offer expiry (shared/alarm-schedule.ts);
// the couriers' sockets (courier-socket.ts), showing offers to its own couriers
// and passing their answers on (courier-offers.ts) and the search for nearby
// couriers (courier-search.ts) are lent its state through host interfaces.

import { DurableObject } from "cloudflare:workers";
import type { CourierFacts } from "../../domain/citymap/couriers.ts";
import { COURIER_STALE_AFTER_MS, type FixRejectReason } from "../../domain/dispatch/fix.ts";
import { DEFAULT_OFFER_POLICY, type OfferPolicy } from "../../domain/dispatch/offers.ts";
import { DEFAULT_STACK_POLICY } from "../../domain/dispatch/stacking.ts";
import { decodeGeohashBounds } from "../../domain/geo/geohash.ts";
import { SpatialIndex } from "../../domain/geo/spatial-index.ts";
import type { Env } from "../../platform/env.ts";
import { KeyedLock } from "../shared/keyed-lock.ts";
import { CourierOffers, type CourierOffersHost } from "./courier-offers.ts";
import { CourierSearch } from "./courier-search.ts";
import { CourierSocket, type CourierSocketHost, courierTag, newCourier } from "./courier-socket.ts";
import { type IngestHost, ZoneIngest } from "./ingest.ts";
import { MapFeed } from "./map-feed.ts";
import { OfferLoop } from "./offer-loop.ts";
import type {
  CourierOnMap,
  CourierState,
  DeliverOfferResult,
  DispatchRequest,
  HeldOffer,
  OfferChoice,
  OfferResponseResult,
  RequestCourierResult,
  SocketAttachment,
  ZoneCandidate,
  ZoneMessage,
  ZoneStats,
} from "./protocol.ts";
import { messageRate, SocketGuard } from "./socket-guard.ts";
import { ZoneStorage } from "./zone-storage.ts";

export { FORWARD_EVERY_MS, MAX_PENDING_TRAIL, PERSIST_EVERY_MS } from "./ingest.ts";
/** A second job only as a stack that passes domain/dispatch/stacking.ts (decision 38). */
export const MAX_ACTIVE_JOBS = DEFAULT_STACK_POLICY.maxJobs;
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

export class ZoneDO extends DurableObject<Env> {
  private readonly store: ZoneStorage;
  private readonly couriers = new Map<string, CourierState>();
  private readonly index: SpatialIndex<null>;
  private readonly persistedAt = new Map<string, number>();
  /** Couriers between adopt() at the next zone and being forgotten here: offered nothing meanwhile. */
  private readonly handingOver = new Set<string>();
  private readonly locks = new KeyedLock();
  private readonly dropped: Record<FixRejectReason, number>;
  private readonly policy: OfferPolicy = DEFAULT_OFFER_POLICY;
  private readonly mapFeed: MapFeed;
  private readonly guard: SocketGuard;
  private readonly offers: OfferLoop;
  private readonly positions: ZoneIngest;
  private readonly sockets: CourierSocket;
  private readonly courierOffers: CourierOffers;
  private readonly search: CourierSearch;

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
      withLock: (key, fn) => this.locks.run(key, fn),
      armAlarm: () => this.armAlarm(),
      nearestAvailable: (lat, lng, k, radiusM) => this.nearestAvailable(lat, lng, k, radiusM),
      deliverOffer: (courierId, held) => this.deliverOffer(courierId, held),
      offerClosed: (courierId, orderId, reason) => this.offerClosed(courierId, orderId, reason),
    });
    this.positions = new ZoneIngest(this.ingestHost());
    this.sockets = new CourierSocket(this.socketHost());
    this.courierOffers = new CourierOffers(this.offersHost());
    const cell = ctx.id.name ?? this.store.cell();
    const bounds = cell ? decodeGeohashBounds(cell) : null;
    this.index = new SpatialIndex({ referenceLat: bounds ? (bounds.minLat + bounds.maxLat) / 2 : 0 });
    this.search = new CourierSearch({
      env,
      cell: () => this.cell,
      couriers: this.couriers,
      index: this.index,
      isAvailable: (state, now) => this.isAvailable(state, now),
      isStackable: (state, now) => this.isStackable(state, now),
      jobsOf: (state) => this.jobsOf(state),
    });
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
    // The id's name never changes, and reading it is a call into the runtime on every frame.
    this.idName ??= this.ctx.id.name ?? null;
    const cell = this.idName ?? this.store.cell();
    if (!cell) throw new Error("zone cell unknown: Zone DOs must be addressed with idFromName(cell)");
    return cell;
  }
  private idName: string | null | undefined;

  private learnCell(cell: string): void {
    if (this.store.cell() !== cell) this.store.setCell(cell);
  }

  private socketHost(): CourierSocketHost {
    return {
      ctx: this.ctx,
      cell: () => this.cell,
      learnCell: (cell) => this.learnCell(cell),
      couriers: this.couriers,
      track: (state) => this.track(state),
      save: (state) => this.save(state),
      guard: this.guard,
      positions: this.positions,
      locked: (key) => this.locks.held(key),
      withLock: (key, fn) => this.locks.run(key, fn),
      send: (ws, message) => this.send(ws, message),
      sendTo: (courierId, message) => this.sendTo(courierId, message),
      mapChanged: (force) => this.mapFeed.changed(force),
      answerOffer: (courierId, orderId, accept) => this.courierOffers.answerOffer(courierId, orderId, accept),
    };
  }

  private offersHost(): CourierOffersHost {
    return {
      env: this.env,
      cell: () => this.cell,
      couriers: this.couriers,
      handingOver: this.handingOver,
      isConnected: (courierId) => this.isConnected(courierId),
      isAvailable: (state, now) => this.isAvailable(state, now),
      isStackable: (state, now) => this.isStackable(state, now),
      jobsOf: (state) => this.jobsOf(state),
      save: (state) => this.save(state),
      sendTo: (courierId, message) => this.sendTo(courierId, message),
      mapChanged: (force) => this.mapFeed.changed(force),
      offerResponse: (orderId, courierId, accept) => this.offerResponse(orderId, courierId, accept),
    };
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
      sendText: (ws, text) => this.sendText(ws, text),
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
    this.sendText(ws, JSON.stringify(message));
  }

  private sendText(ws: WebSocket, text: string): void {
    try {
      ws.send(text);
    } catch {
      // closing under us
    }
  }

  /** Courier socket, authenticated by the API Worker (courier-socket.ts). */
  override async fetch(request: Request): Promise<Response> {
    return this.sockets.open(request);
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    await this.sockets.message(ws, raw);
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

  /** Couriers of this cell only who may be offered an order, nearest first (courier-search.ts). */
  async candidates(lat: number, lng: number, k: number, radiusM: number): Promise<ZoneCandidate[]> {
    return this.search.candidates(lat, lng, k, radiusM);
  }

  /** The k nearest available couriers within radiusM, asking every cell the circle touches. */
  async nearestAvailable(lat: number, lng: number, k: number, radiusM: number): Promise<ZoneCandidate[]> {
    return this.search.nearestAvailable(lat, lng, k, radiusM);
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
   * Shows an offer to a courier of this cell, if they can take it right now
   * (courier-offers.ts).
   */
  async deliverOffer(courierId: string, held: HeldOffer): Promise<DeliverOfferResult> {
    return this.courierOffers.deliverOffer(courierId, held);
  }

  /** The dispatching zone withdrew an offer (expired, or the order went away). */
  async offerClosed(courierId: string, orderId: string, reason: "expired" | "cancelled"): Promise<{ ok: true }> {
    return this.courierOffers.offerClosed(courierId, orderId, reason);
  }

  private async armAlarm(): Promise<void> {
    await this.store.schedule.arm();
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
    // A new trace per run; the offer loop continues its search's trace inside (decision 0054).
    await this.store.schedule.serve(Date.now(), async (deadline) => {
      // Cancelled just before its order's handler runs, which sets whatever that order needs next.
      this.store.setDeadline(deadline.subject, deadline.kind, null);
      await this.locks.run(`order:${deadline.subject}`, () => this.offers.onDeadline(deadline.subject));
    });
  }

  /** What this zone knows about one courier, or null if they are not in this cell (for operators and tests). */
  async courier(courierId: string): Promise<CourierState | null> {
    const state = this.couriers.get(courierId);
    return state ? structuredClone(state) : null;
  }

  /** What the live city map is told about every courier of this cell. */
  private mapFacts(now: number): CourierFacts[] {
    // One pass over the sockets: a tag lookup per courier scanned every socket for each of them, which at
    // hundreds of couriers in a cell made each report quadratic (decision 65: 15 % of workerd in the fan-out).
    const connected = new Set<string>();
    for (const ws of this.ctx.getWebSockets()) for (const tag of this.ctx.getTags(ws)) connected.add(tag);
    return [...this.couriers.values()]
      .filter((state) => !this.handingOver.has(state.courierId))
      .map((state) => ({
        courierId: state.courierId,
        vehicle: state.vehicle,
        status: state.status,
        lat: state.lastFix?.lat ?? null,
        lng: state.lastFix?.lng ?? null,
        lastFixAt: state.lastFixAt,
        connected: connected.has(courierTag(state.courierId)),
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
