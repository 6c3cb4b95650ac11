// The Order DO's side of the system of record. Every event is written to the
// DO's log and outbox in the transition's own transaction; this module sends
// the outbox to the events queue and keeps each event there until the
// projection acknowledges it is in Postgres. The single alarm re-sends what
// stays unacknowledged (domain/projection/resend.ts), so a lost queue message
// (a local runtime restart, a consumer bug, a dead letter) is repaired within
// the re-send delay; an order that has waited past the acknowledgement window
// reports itself to the projection-lag monitor, which /v1/health reads.
import type { OrderEvent, OrderEventMessage } from "../../domain/order/order-event.ts";
import { ACK_WINDOW_MS, dueForSend, nextOutboxDeadline } from "../../domain/projection/resend.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { eventsQueue } from "../../workers/events/event-queues.ts";
import { projectionLagStub } from "../projection-lag/stub.ts";
import type { OrderStorage } from "./order-storage.ts";

/** A queue send carries at most this many events (the queue's batch limit is 100 messages). */
const SEND_BATCH = 100;
const FAILURES_KEY = "outbox:send_failures";
const REPORTED_KEY = "outbox:lag_reported";

/** What the Order DO lends the outbox. */
export interface OutboxHost {
  ctx: DurableObjectState;
  env: Env;
  store: OrderStorage;
  orderId(): string | undefined;
  /** The queue message for an event: the event plus the order as it is now (decision 0003). */
  message(event: OrderEvent): OrderEventMessage;
}

export class ProjectionOutbox {
  private flushing: Promise<void> | null = null;
  /**
   * The trace context of the request that wrote each unacknowledged event, by
   * seq, so its queue message carries it (decision 0049). Held in memory only:
   * a re-send after the object was evicted goes without one, which the
   * consumer accepts (the field is optional), rather than a schema change to
   * the DO's log for a diagnostic.
   */
  private readonly traces = new Map<number, string>();
  /** Consecutive failed sends (kept in the object's KV too); null until read from there. */
  private failureCount: number | null = null;
  /** Whether the lag monitor was told this order lags (kept in the object's KV too); null until read. */
  private lagReported: boolean | null = null;

  constructor(private readonly host: OutboxHost) {
    // A new object has written neither key: nothing to read back (decision 0062).
    if (host.store.isNew) {
      this.failureCount = 0;
      this.lagReported = false;
    }
  }

  /** Remembers the trace these just-committed events were written under, until they are acknowledged. */
  traced(events: readonly Pick<OrderEvent, "seq">[], traceparent: string | undefined): void {
    if (traceparent === undefined) return;
    for (const { seq } of events) this.traces.set(seq, traceparent);
  }

  /** Sends what is due; concurrent callers share one flush. Sets the outbox's deadline either way. */
  flush(): Promise<void> {
    this.flushing ??= this.sendDue().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async sendDue(): Promise<void> {
    const { store, env, ctx } = this.host;
    try {
      for (;;) {
        const now = Date.now();
        const due = dueForSend(store.outboxEntries(), now).slice(0, SEND_BATCH);
        if (due.length === 0) break;
        const events = store.eventsBySeq(due);
        await eventsQueue(env, this.host.orderId()).sendBatch(
          events.map((event) => ({ body: this.withTrace(this.host.message(event)), contentType: "json" })),
        );
        store.markSent(due, now);
        if (events.some((e) => e.at < now - ACK_WINDOW_MS)) {
          logLine("warn", "order.events_resent", { orderId: this.host.orderId(), seqs: due });
        }
      }
      // Only a failure leaves a count behind: most flushes have none to clear.
      if (this.failures() !== 0) ctx.storage.kv.delete(FAILURES_KEY);
      this.failureCount = 0;
    } catch (err) {
      const failures = this.failures() + 1;
      ctx.storage.kv.put(FAILURES_KEY, failures);
      this.failureCount = failures;
      logLine("warn", "order.outbox_send_failed", { orderId: this.host.orderId(), error: String(err), failures });
    }
    this.schedule();
    await this.reportLag();
  }

  /** The projection has these events in Postgres. */
  async acknowledge(seqs: readonly number[]): Promise<{ pending: number }> {
    this.host.store.acknowledge(seqs);
    for (const seq of seqs) this.traces.delete(seq);
    this.schedule();
    await this.reportLag();
    return { pending: this.host.store.outboxSize() };
  }

  /**
   * The reconciler found Postgres at `projectedSeq`, behind this log: put the
   * missing events back in the outbox and send them now.
   */
  async requeueAfter(projectedSeq: number): Promise<number> {
    const added = this.host.store.requeueAfter(projectedSeq);
    await this.flush();
    return added;
  }

  private withTrace(message: OrderEventMessage): OrderEventMessage {
    const traceparent = this.traces.get(message.event.seq);
    return traceparent === undefined ? message : { ...message, traceparent };
  }

  private failures(): number {
    this.failureCount ??= this.host.ctx.storage.kv.get<number>(FAILURES_KEY) ?? 0;
    return this.failureCount;
  }

  private schedule(): void {
    const failures = this.failures();
    this.host.store.setDeadline(
      "projection_resend",
      nextOutboxDeadline(this.host.store.outboxEntries(), Date.now(), failures),
    );
  }

  /**
   * Tells the lag monitor when this order starts or stops lagging. Only
   * orders past the acknowledgement window talk to it, so in steady state
   * the monitor sees no traffic at all.
   */
  private async reportLag(): Promise<void> {
    const { ctx, env, store } = this.host;
    const orderId = this.host.orderId();
    if (!orderId) return;
    const oldestAt = store.oldestUnacknowledgedAt();
    const lagging = oldestAt !== null && oldestAt <= Date.now() - ACK_WINDOW_MS;
    this.lagReported ??= ctx.storage.kv.get<boolean>(REPORTED_KEY) ?? false;
    if (!lagging && !this.lagReported) return;
    try {
      const monitor = projectionLagStub(env);
      if (lagging && oldestAt !== null) await monitor.report(orderId, oldestAt, store.outboxSize());
      else await monitor.clear(orderId);
      ctx.storage.kv.put(REPORTED_KEY, lagging);
      this.lagReported = lagging;
    } catch (err) {
      // The next flush or acknowledgement reports again.
      logLine("warn", "order.lag_report_failed", { orderId, error: String(err) });
    }
  }
}
