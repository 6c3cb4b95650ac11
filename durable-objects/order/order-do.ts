// One Durable Object per order: it alone decides the order's transitions.
// A thin adapter around domain/order/state-machine.ts: load the snapshot,
// decide, write snapshot + event log + outbox in one transaction, then do the
// side effects (queue, watchers, Stripe) and arm the one alarm for the
// earliest deadline. Every side effect is retried from storage, so a crash
// between the write and the effect loses nothing.
import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../../domain/auth/principal.ts";
import { type AdapterEventDraft, type OrderEventDraft, withOperatorKey } from "../../domain/order/events.ts";
import type { OrderEvent, OrderEventMessage, PlacedOrder } from "../../domain/order/order-event.ts";
import {
  type Actor,
  DEFAULT_POLICY,
  type Decision,
  deadlines,
  decide,
  isTerminal,
  newOrderSnapshot,
  type OrderCommand,
  type OrderSnapshot,
} from "../../domain/order/state-machine.ts";
import { visibleTo } from "../../domain/order/visibility.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { currentTraceparent, withTrace } from "../../platform/trace-scope.ts";
import type { BoardOrder } from "../restaurant/restaurant-do.ts";
import type { CourierJobView, FailDeliveryInput } from "./courier-job.ts";
import type { TrailPoint, TrailStats } from "./courier-trail.ts";
import {
  type CourierPositionUpdate,
  type CourierStep,
  type DispatchHost,
  type EscalationInfo,
  OrderDispatch,
  type PositionResult,
  type StepPosition,
  type StepResult,
} from "./dispatch.ts";
import { type LiveHost, liveMessage, openLive } from "./live.ts";
import { reportToMap } from "./map-feed.ts";
import { type OperatorAction, type OperatorResult, OrderOperator } from "./operator.ts";
import { recordDispatchTime } from "./order-metrics.ts";
import type { CheckoutResult, CommandResult, OrderView, PlaceResult, Refusal } from "./order-results.ts";
import { OrderStorage } from "./order-storage.ts";
import { boardOrder, mayWatch, orderView } from "./order-view.ts";
import { OrderPayments, type PaymentsHost, type PaymentUpdate, type StripeRefundFailure } from "./payments.ts";
import { ProjectionOutbox } from "./projection-outbox.ts";
import { Watchers } from "./watchers.ts";

// The results of the object's calls live apart, so the helpers it lends
// itself to (dispatch, the courier's job) can name them without importing it.
export type { CheckoutResult, CommandResult, OrderView, PlaceResult, Refusal } from "./order-results.ts";

/** Placement through the kitchen: the board summary rides back to the Restaurant DO (decision 0062). */
export type BoardPlaceResult =
  | { ok: true; created: boolean; order: OrderView; board?: BoardOrder | null | undefined }
  | Refusal;

const notFound: Refusal = { ok: false, status: 404, code: "order_not_found", message: "No order has this id." };

export class OrderDO extends DurableObject<Env> {
  private readonly store: OrderStorage;
  private readonly watchers: Watchers;
  private order: PlacedOrder | null;
  private snapshot: OrderSnapshot | null;
  private readonly dispatch: OrderDispatch;
  private readonly outbox: ProjectionOutbox;
  private readonly operator: OrderOperator;
  private readonly payments: OrderPayments;
  /** The board summary last pushed to the Restaurant DO, without its sequence number (notifyBoard). */
  private lastBoardPush: string | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new OrderStorage(ctx.storage);
    this.watchers = new Watchers(ctx);
    this.order = this.store.loadOrder();
    this.snapshot = this.store.loadSnapshot();
    this.dispatch = new OrderDispatch(this.dispatchHost());
    this.operator = new OrderOperator({
      env,
      placed: () => this.order,
      snapshot: () => this.snapshot,
      view: () => this.view(),
      applyAs: (actor, command, operatorKey) => this.apply(actor, command, operatorKey),
      seenKey: (key) =>
        this.store.eventsAfter(0).some((e) => "operatorKey" in e.payload && e.payload.operatorKey === key),
      courierCell: () => this.dispatch.assignedCourierCell(),
    });
    this.payments = new OrderPayments(this.paymentsHost());
    this.outbox = new ProjectionOutbox({
      ctx,
      env,
      store: this.store,
      orderId: () => this.order?.id,
      message: (event) => this.queueMessage(event),
    });
    // Heartbeats are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /**
   * Places the order, or returns the one already placed under the same Idempotency-Key.
   * `traceparent` (here and on `command`) is the request's trace, carried into the queue message.
   */
  async place(order: PlacedOrder, actor: Principal, traceparent?: string): Promise<PlaceResult> {
    // Under the request's trace: the deadlines placement sets remember it (decision 0049).
    return withTrace(traceparent, () => this.placeOrder(order, actor, traceparent, false));
  }

  /**
   * Placement through the kitchen (decision 0062): the Restaurant DO admitted the order and calls
   * this; the board summary comes back in the answer for the restaurant to store, instead of a
   * push back to it. Everything else as `place`.
   */
  async placeForBoard(order: PlacedOrder, actor: Principal, traceparent?: string): Promise<BoardPlaceResult> {
    return withTrace(traceparent, () => this.placeOrder(order, actor, traceparent, true));
  }

  private async placeOrder(
    order: PlacedOrder,
    actor: Principal,
    traceparent: string | undefined,
    boardByCaller: boolean,
  ): Promise<BoardPlaceResult> {
    if (this.order && this.snapshot) {
      if (this.order.fingerprint !== order.fingerprint) {
        return {
          ok: false,
          status: 422,
          code: "idempotency_key_reused",
          message: "This Idempotency-Key was already used for a different order.",
        };
      }
      if (!boardByCaller) return { ok: true, created: false, order: this.view() };
      return { ok: true, created: false, order: this.view(), board: await this.boardSummary() };
    }
    const snapshot = newOrderSnapshot({
      id: order.id,
      customerId: order.customerId,
      restaurantId: order.restaurantId,
      totalMinor: order.totalMinor,
      currency: order.currency,
      placedAt: order.placedAt,
      quotedPrepMinutes: order.quotedPrepMinutes ?? null,
      releaseAt: order.schedule?.releaseAt ?? null,
      readyBy: order.schedule?.readyBy ?? null,
    });
    let placed: OrderEvent[] = [];
    this.store.transaction(() => {
      this.store.saveOrder(order);
      this.store.saveSnapshot(snapshot);
      this.order = order;
      this.snapshot = snapshot;
      placed = this.appendEvents(
        [{ type: "order.placed", payload: { totalMinor: order.totalMinor, currency: order.currency } }],
        { role: actor.role, id: actor.userId },
      );
      this.syncDeadlines();
    });
    this.outbox.traced(placed, traceparent);
    if (!boardByCaller) {
      await this.afterWrite();
      return { ok: true, created: true, order: this.view() };
    }
    const board = await this.afterWrite(true);
    return { ok: true, created: true, order: this.view(), board };
  }

  async get(actor: Principal): Promise<{ ok: true; order: OrderView; timeline: OrderEvent[] } | Refusal> {
    if (!this.snapshot) return notFound;
    const denied = this.checkWatcher(actor);
    if (denied) return denied;
    return {
      ok: true,
      order: this.dispatch.viewFor(actor, this.view()),
      timeline: this.store.eventsAfter(0).map((event) => visibleTo(actor.role, event)),
    };
  }

  /** Runs one command through the state machine on behalf of an authenticated principal. */
  async command(actor: Principal, command: OrderCommand, traceparent?: string): Promise<CommandResult> {
    if (!this.snapshot) return notFound;
    // Customers and staff are told "no such order" for orders that are not theirs, exactly as
    // for ids that do not exist, so ids cannot be probed. Couriers reach this only through
    // their zone's offer answers, which the state machine checks against the live offer.
    if (actor.role !== "courier") {
      const hidden = this.checkWatcher(actor);
      if (hidden) return hidden;
    }
    const who: Actor = { role: actor.role, id: actor.userId, restaurantId: actor.restaurantId };
    return withTrace(traceparent, () => this.apply(who, command));
  }

  /** Creates (or returns) the order's PaymentIntent; the client gets only its client secret. */
  async checkout(actor: Principal, traceparent?: string): Promise<CheckoutResult> {
    return withTrace(traceparent, () => this.payments.checkout(actor));
  }

  /** Payment outcomes from the verified Stripe webhook. Replays and duplicates change nothing. */
  async paymentUpdate(update: PaymentUpdate, traceparent?: string): Promise<CommandResult> {
    return withTrace(traceparent, () => this.payments.paymentUpdate(update));
  }

  /** A refund that failed after creation: an exception for operators (payments.ts). */
  async refundFailed(failure: StripeRefundFailure, traceparent?: string): Promise<CommandResult> {
    return withTrace(traceparent, () => this.payments.refundFailed(failure));
  }

  /** Commands from other parts of the platform (dispatch, alarms). */
  async system(command: OrderCommand, source: string, traceparent?: string): Promise<CommandResult> {
    return withTrace(traceparent, () => this.apply({ role: "system", id: `system:${source}` }, command));
  }

  /** An operator's action on an order that needs a person (see operator.ts). */
  async operate(
    actor: Principal,
    action: OperatorAction,
    idempotencyKey?: string,
    traceparent?: string,
  ): Promise<OperatorResult> {
    return withTrace(traceparent, () => this.operator.act(actor, action, idempotencyKey));
  }

  private async apply(
    actor: Actor,
    command: OrderCommand,
    operatorKey?: string,
    traceparent?: string,
  ): Promise<CommandResult> {
    if (!this.snapshot) return notFound;
    const wasOpen = !isTerminal(this.snapshot.state);
    const decision: Decision = decide(this.snapshot, command, actor, Date.now(), DEFAULT_POLICY);
    if (!decision.ok) return decision;
    let events: OrderEvent[] = [];
    this.store.transaction(() => {
      this.snapshot = decision.next;
      this.store.saveSnapshot(decision.next);
      events = this.appendEvents(
        operatorKey === undefined ? decision.events : decision.events.map((e) => withOperatorKey(e, operatorKey)),
        actor,
      );
      this.syncDeadlines();
    });
    this.outbox.traced(events, traceparent ?? currentTraceparent());
    recordDispatchTime(this.env, this.ctx, events, () => this.store.eventsAfter(0));
    await this.afterWrite();
    await this.dispatch.afterEvents(events);
    // Dispatch may have scheduled its own deadlines while reacting.
    await this.armAlarm();
    // Closed before any money arrived: withdraw the PaymentIntent so a late payment cannot land.
    const next = decision.next;
    if (wasOpen && isTerminal(next.state) && next.paidMinor === 0 && next.paymentIntentId) {
      await this.payments.cancelPaymentIntent();
    }
    return { ok: true, order: this.view(), events };
  }

  /** An assigned courier's position, forwarded (throttled) by their Zone DO. */
  async courierPosition(update: CourierPositionUpdate): Promise<PositionResult> {
    return this.dispatch.courierPosition(update);
  }

  /** The restaurant's Zone DO gave up: everyone in range was tried, or nobody came in range for too long. */
  async dispatchEscalated(info: EscalationInfo, traceparent?: string): Promise<CommandResult> {
    return withTrace(traceparent, () => this.dispatch.escalated(info));
  }

  /** A courier's delivery step, checked against geofences and the hand-off PIN first (see dispatch.ts). */
  async courierStep(
    actor: Principal,
    step: CourierStep,
    position: StepPosition,
    traceparent?: string,
  ): Promise<StepResult> {
    return withTrace(traceparent, () => this.dispatch.courierStep(actor, step, position));
  }

  /** The assigned courier's view of their job; anyone else is told there is no such order. */
  async courierJob(actor: Principal): Promise<{ ok: true; job: CourierJobView } | Refusal> {
    return this.dispatch.job.view(actor);
  }

  /** Before pickup: the courier gives the job back; it is offered to others, never to them again. */
  async courierHandBack(actor: Principal, reason: string, note?: string, traceparent?: string): Promise<CommandResult> {
    return withTrace(traceparent, () => this.dispatch.job.handBack(actor, reason, note));
  }

  async courierStartWait(actor: Principal, traceparent?: string): Promise<CommandResult> {
    return withTrace(traceparent, () => this.dispatch.job.startWait(actor));
  }

  async courierFailDelivery(actor: Principal, input: FailDeliveryInput, traceparent?: string): Promise<CommandResult> {
    return withTrace(traceparent, () => this.dispatch.job.failDelivery(actor, input));
  }

  /** May this courier attach evidence (a photo) to a failed delivery right now? */
  async canAttachFailureEvidence(actor: Principal): Promise<{ ok: true } | Refusal> {
    const snapshot = this.snapshot;
    if (!snapshot || actor.role !== "courier" || snapshot.courierId !== actor.userId) return { ...notFound };
    if (snapshot.state !== "picked_up" || snapshot.delivery !== "at_dropoff") {
      return { ok: false, status: 409, code: "invalid_transition", message: "Only at the drop-off, before it ends." };
    }
    return { ok: true };
  }

  /** The courier's positions while on this order, for support (admins only at the API). */
  async courierTrail(
    limit: number,
    offset: number,
  ): Promise<{ ok: true; points: TrailPoint[]; stats: TrailStats } | Refusal> {
    if (!this.snapshot) return notFound;
    return { ok: true, points: this.dispatch.trail.list(limit, offset), stats: this.dispatch.trail.stats() };
  }

  private liveHost(): LiveHost {
    return {
      watchers: this.watchers,
      refusal: (principal) => this.checkWatcher(principal),
      exists: () => this.snapshot !== null,
      notFound,
      eventsAfter: (seq) => this.store.eventsAfter(seq),
    };
  }

  private paymentsHost(): PaymentsHost {
    return {
      ctx: this.ctx,
      env: this.env,
      store: this.store,
      placed: () => this.order,
      snapshot: () => this.snapshot,
      saveSnapshot: (next) => {
        this.snapshot = next;
        this.store.saveSnapshot(next);
      },
      appendEvents: (drafts, actor) => this.appendEvents(drafts, actor),
      afterWrite: async () => {
        await this.afterWrite();
      },
      publish: async () => {
        this.broadcastNew();
        await this.outbox.flush();
      },
      apply: (actor, command) => this.apply(actor, command),
      record: (draft, changes, actor) => this.record(draft, changes, actor),
      view: () => this.view(),
    };
  }

  private dispatchHost(): DispatchHost {
    return {
      ctx: this.ctx,
      env: this.env,
      watchers: this.watchers,
      placed: () => this.order,
      snapshot: () => this.snapshot,
      system: (command, source) => this.system(command, source),
      command: (actor, command) => this.command(actor, command),
      deferDispatch: async (at) => {
        this.store.setDeadline("dispatch_due", at);
        await this.armAlarm();
      },
      view: () => this.view(),
      boardChanged: () => this.notifyBoard(),
      schedule: (kind, at) => this.store.setDeadline(kind, at),
      hasTable: (name) => this.store.hasTable(name),
    };
  }

  /** Appends an event the adapter decides rather than the state machine (a late payment's refund). */
  private async record(
    draft: AdapterEventDraft,
    changes: Partial<OrderSnapshot>,
    actor: Actor,
  ): Promise<CommandResult> {
    if (!this.snapshot) return notFound;
    const next: OrderSnapshot = { ...this.snapshot, ...changes };
    let events: OrderEvent[] = [];
    this.store.transaction(() => {
      this.snapshot = next;
      this.store.saveSnapshot(next);
      events = this.appendEvents([draft], actor);
      this.syncDeadlines();
    });
    await this.afterWrite();
    return { ok: true, order: this.view(), events };
  }

  /** Must run inside a storage transaction. */
  private appendEvents(drafts: readonly OrderEventDraft[], actor: Actor): OrderEvent[] {
    return this.store.appendDrafts(this.snapshot as OrderSnapshot, drafts, actor, Date.now());
  }

  /** Mirrors the state machine's deadlines into the schedule the alarm serves. Inside a transaction. */
  private syncDeadlines(): void {
    const snapshot = this.snapshot;
    if (!snapshot) return;
    const due = new Map(deadlines(snapshot, DEFAULT_POLICY).map((d) => [d.kind, d.at]));
    for (const kind of ["payment_timeout", "acceptance_timeout", "courier_timeout", "release_due"] as const) {
      this.store.setDeadline(kind, due.get(kind) ?? null);
    }
  }

  /** With `boardByCaller`, the board summary is returned for the caller to store instead of pushed. */
  private async afterWrite(boardByCaller = false): Promise<BoardOrder | null> {
    this.broadcastNew();
    await this.outbox.flush();
    if (this.order && this.snapshot) await reportToMap(this.env, this.order, this.snapshot, () => this.store.lastSeq());
    await this.payments.processRefunds();
    await this.armAlarm();
    if (!boardByCaller) {
      await this.notifyBoard();
      return null;
    }
    const summary = await this.boardSummary();
    // As if pushed: the next write pushes only when the board would show something new.
    if (summary) this.lastBoardPush = JSON.stringify({ ...summary, lastSeq: 0 });
    return summary;
  }

  /** The projection wrote these events to Postgres: they leave the outbox. */
  async projected(seqs: number[]): Promise<{ pending: number }> {
    const result = await this.outbox.acknowledge(seqs);
    await this.armAlarm();
    return result;
  }

  /**
   * The reconciler saw Postgres at `projectedSeq` for this order. Anything
   * newer in the log goes back to the outbox and is sent now; returns how many
   * events that was (0 when Postgres is in step).
   */
  async reconcile(projectedSeq: number, traceparent?: string): Promise<{ lastSeq: number; requeued: number }> {
    return withTrace(traceparent, async () => {
      const lastSeq = this.store.lastSeq();
      const requeued = lastSeq > projectedSeq ? await this.outbox.requeueAfter(projectedSeq) : 0;
      if (requeued === 0) await this.outbox.flush();
      await this.armAlarm();
      return { lastSeq, requeued };
    });
  }

  /** The order as the restaurant's live board shows it; the Restaurant DO also pulls it to heal a missed push. */
  async boardSummary(): Promise<BoardOrder | null> {
    if (!this.order || !this.snapshot) return null;
    return boardOrder(this.order, this.snapshot, this.view(), this.dispatch.boardCourier());
  }

  /**
   * Best effort: the full summary goes every time it shows something new, so the next push repairs
   * a lost one. A write the board would not show (a payment's bookkeeping, an acknowledgement)
   * sends nothing: the summary is compared with the last one pushed, without its sequence number.
   * Remembered in memory only: after an eviction the next write pushes again.
   */
  private async notifyBoard(): Promise<void> {
    const summary = await this.boardSummary();
    const restaurantId = this.order?.restaurantId;
    if (!summary || !restaurantId) return;
    const shown = JSON.stringify({ ...summary, lastSeq: 0 });
    if (shown === this.lastBoardPush) return;
    try {
      const board = this.env.RESTAURANT.get(this.env.RESTAURANT.idFromName(restaurantId));
      await board.orderChanged(summary);
      this.lastBoardPush = shown;
    } catch (err) {
      logLine("warn", "order.board_notify_failed", { orderId: summary.id, error: String(err) });
    }
  }

  /** Sends watchers the events they have not seen; with nobody watching, reads nothing. */
  private broadcastNew(): void {
    if (this.ctx.getWebSockets().length === 0) return;
    this.watchers.broadcastEvents(this.store.eventsAfter(this.minWatcherSeq()));
  }

  private minWatcherSeq(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const ws of this.ctx.getWebSockets()) min = Math.min(min, this.watchers.attachment(ws)?.lastSeq ?? 0);
    return Number.isFinite(min) ? min : this.store.lastSeq();
  }

  private queueMessage(event: OrderEvent): OrderEventMessage {
    const order = this.order as PlacedOrder;
    const snapshot = this.snapshot as OrderSnapshot;
    return {
      kind: "order_event",
      event,
      order: { ...order, courierId: snapshot.courierId, prepTimeMinutes: snapshot.prepTimeMinutes },
    };
  }

  private async armAlarm(): Promise<void> {
    await this.store.schedule.arm();
  }

  /**
   * The single alarm: run every deadline that is due, then re-arm for the earliest remaining one.
   * Under a new trace, each deadline in a span linked to the trace that set it (decision 0049).
   */
  override async alarm(): Promise<void> {
    this.store.schedule.alarmFired();
    const now = Date.now();
    // Left in the schedule while they run: each handler moves or cancels its own.
    await this.store.schedule.serve(now, async (deadline) => {
      switch (deadline.kind) {
        case "payment_timeout":
        case "acceptance_timeout":
        case "courier_timeout":
        case "release_due": {
          const type = deadline.kind === "release_due" ? "release_to_kitchen" : deadline.kind;
          const result = await this.apply({ role: "system", id: "system:alarm" }, { type });
          if (!result.ok) {
            // Stale deadline (state moved on): drop it rather than retry forever.
            this.store.setDeadline(deadline.kind, null);
          }
          break;
        }
        case "projection_resend":
          await this.outbox.flush();
          break;
        case "refund_retry":
          await this.payments.processRefunds();
          break;
        case "dispatch_due":
          this.store.setDeadline("dispatch_due", null);
          await this.dispatch.startNow();
          break;
        case "courier_dark":
          this.store.setDeadline("courier_dark", await this.dispatch.job.onDarkDeadline(now));
          break;
        case "trail_purge":
          this.store.setDeadline("trail_purge", null);
          this.dispatch.trail.purge();
          break;
        default:
          // A kind this version no longer schedules (the former "outbox_retry", which
          // projection_resend replaced): drop it and let the outbox re-arm itself.
          this.store.setDeadline(deadline.kind, null);
          await this.outbox.flush();
      }
    });
  }

  /** WebSocket upgrade, already authenticated by the API Worker (principal in `x-principal`); see live.ts. */
  override async fetch(request: Request): Promise<Response> {
    return openLive(this.liveHost(), request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    liveMessage(this.liveHost(), ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // already closed
    }
  }

  private checkWatcher(actor: Principal): Refusal | null {
    // Same answer as "no such order" so ids cannot be probed.
    return mayWatch(actor, this.snapshot as OrderSnapshot) ? null : { ...notFound };
  }

  private view(): OrderView {
    return orderView(this.order as PlacedOrder, this.snapshot as OrderSnapshot, this.store.lastSeq(), Date.now());
  }
}
