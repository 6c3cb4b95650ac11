// The Order DO's money: the PaymentIntent at checkout, Stripe's answers from
// the webhook, refunds sent until Stripe confirms them, and the intent
// withdrawn when an order closes unpaid. Lent the DO's write path through
// PaymentsHost, as dispatch.ts is, so every change is still one transaction
// of the DO's own.
import type { Principal } from "../../domain/auth/principal.ts";
import type { AdapterEventDraft, OrderEventDraft } from "../../domain/order/events.ts";
import type { OrderEvent, PlacedOrder } from "../../domain/order/order-event.ts";
import {
  type Actor,
  isTerminal,
  type OrderCommand,
  type OrderSnapshot,
  type RefundRequest,
} from "../../domain/order/state-machine.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { stripeClient } from "../../platform/stripe-client.ts";
import type { CheckoutResult, CommandResult, OrderView, Refusal } from "./order-results.ts";
import type { OrderStorage } from "./order-storage.ts";

const REFUND_RETRY_MS = [5_000, 30_000, 120_000, 600_000];
/** After this many failed tries (about 13 minutes) a refund needs a person, though retries go on. */
const REFUND_STUCK_AFTER_ATTEMPTS = 4;

const notFound: Refusal = { ok: false, status: 404, code: "order_not_found", message: "No order has this id." };

/** A refund that failed after Stripe accepted it (workers/ledger/stripe-webhooks.ts). */
export interface StripeRefundFailure {
  refundId: string;
  /** The order event that asked for the refund, or `stripe:<re_...>` for one made in Stripe. */
  requestEventId: string;
  amountMinor: number;
  reason: string;
}

export interface PaymentUpdate {
  paymentIntentId: string;
  outcome: "succeeded" | "failed";
  amountMinor: number;
  /** ISO 4217 as Stripe sends it (lower case). */
  currency: string;
  reason?: string;
}

/** What the Order DO lends its payments; every write goes through the DO's own transaction path. */
export interface PaymentsHost {
  ctx: DurableObjectState;
  env: Env;
  store: OrderStorage;
  placed(): PlacedOrder | null;
  snapshot(): OrderSnapshot | null;
  /** Replaces the snapshot in memory and storage; inside a transaction. */
  saveSnapshot(next: OrderSnapshot): void;
  /** Appends events to the log (and pending refunds); inside a transaction. */
  appendEvents(drafts: readonly OrderEventDraft[], actor: Actor): OrderEvent[];
  /** Runs the side effects of a committed write (watchers, outbox, map, refunds, alarm, board). */
  afterWrite(): Promise<void>;
  /** Sends newly appended events to watchers and the outbox. */
  publish(): Promise<void>;
  apply(actor: Actor, command: OrderCommand): Promise<CommandResult>;
  record(draft: AdapterEventDraft, changes: Partial<OrderSnapshot>, actor: Actor): Promise<CommandResult>;
  view(): OrderView;
}

export class OrderPayments {
  constructor(private readonly host: PaymentsHost) {}

  /** Creates (or returns) the order's PaymentIntent; the client gets only its client secret. */
  async checkout(actor: Principal): Promise<CheckoutResult> {
    const order = this.host.placed();
    const snapshot = this.host.snapshot();
    if (!order || !snapshot) return notFound;
    // Another customer's order answers like one that does not exist.
    if (actor.role !== "customer" || actor.userId !== order.customerId) return notFound;
    if (snapshot.state !== "placed") {
      return {
        ok: false,
        status: 409,
        code: "already_paid_or_closed",
        message: `The order is ${snapshot.state}; nothing to pay.`,
      };
    }
    const stripe = stripeClient(this.host.env);
    try {
      const intent = snapshot.paymentIntentId
        ? await stripe.paymentIntents.retrieve(snapshot.paymentIntentId)
        : await stripe.paymentIntents.create(
            {
              amount: order.totalMinor,
              currency: order.currency.toLowerCase(),
              metadata: { order_id: order.id, customer_id: order.customerId },
              automatic_payment_methods: { enabled: true, allow_redirects: "never" },
              description: `Order ${order.id}`,
              // Payouts to the restaurant and courier are transfers Stripe can trace back to this charge.
              transfer_group: `order_${order.id}`,
            },
            { idempotencyKey: `order:${order.id}:payment_intent` },
          );
      const current = this.host.snapshot();
      if (!snapshot.paymentIntentId && current) {
        const updated: OrderSnapshot = { ...current, paymentIntentId: intent.id };
        this.host.store.transaction(() => {
          this.host.saveSnapshot(updated);
          this.host.appendEvents(
            [{ type: "order.payment_started", payload: { paymentIntentId: intent.id, amountMinor: order.totalMinor } }],
            {
              role: "system",
              id: "system:stripe",
            },
          );
        });
        await this.host.afterWrite();
      }
      return {
        ok: true,
        paymentIntentId: intent.id,
        clientSecret: intent.client_secret ?? "",
        amountMinor: order.totalMinor,
        currency: order.currency,
      };
    } catch (err) {
      logLine("error", "stripe.payment_intent_failed", { orderId: order.id, error: String(err) });
      return {
        ok: false,
        status: 502,
        code: "payment_provider_error",
        message: "The payment provider did not answer; retry.",
      };
    }
  }

  /** Payment outcomes from the verified Stripe webhook. Replays and duplicates change nothing. */
  async paymentUpdate(update: PaymentUpdate): Promise<CommandResult> {
    const snapshot = this.host.snapshot();
    if (!snapshot) return notFound;
    if (
      snapshot.paymentIntentId === update.paymentIntentId &&
      snapshot.paidAt !== null &&
      update.outcome === "succeeded"
    ) {
      return { ok: true, order: this.host.view(), events: [] };
    }
    // Only money that arrived on our own PaymentIntent goes back; any other intent is refused below.
    if (
      update.outcome === "succeeded" &&
      isTerminal(snapshot.state) &&
      snapshot.paidMinor === 0 &&
      snapshot.paymentIntentId === update.paymentIntentId
    ) {
      return this.refundLatePayment(update.paymentIntentId, update.amountMinor);
    }
    const command: OrderCommand =
      update.outcome === "succeeded"
        ? {
            type: "payment_succeeded",
            paymentIntentId: update.paymentIntentId,
            amountMinor: update.amountMinor,
            currency: update.currency,
          }
        : {
            type: "payment_failed",
            paymentIntentId: update.paymentIntentId,
            reason: update.reason ?? "payment_failed",
          };
    return this.host.apply({ role: "system", id: "system:stripe" }, command);
  }

  /**
   * Money that arrived after the order closed unpaid (the customer paid while
   * cancelling, or after the payment deadline) goes straight back. Once per
   * PaymentIntent, however often the webhook is delivered.
   */
  private async refundLatePayment(paymentIntentId: string, amountMinor: number): Promise<CommandResult> {
    const snapshot = this.host.snapshot() as OrderSnapshot;
    const already = this.host.store
      .eventsAfter(0)
      .some((e) => e.type === "order.late_payment_refund_requested" && e.payload.paymentIntentId === paymentIntentId);
    if (already) return { ok: true, order: this.host.view(), events: [] };
    const refund: RefundRequest = {
      amountMinor,
      currency: snapshot.currency,
      reason: "payment_after_order_closed",
      paymentIntentId,
      idempotencyKey: `order:${snapshot.id}:late_payment:${paymentIntentId}`,
    };
    return this.host.record(
      { type: "order.late_payment_refund_requested", payload: { paymentIntentId, amountMinor, refund } },
      { paymentIntentId },
      { role: "system", id: "system:stripe" },
    );
  }

  /**
   * A refund Stripe accepted then failed (refund.failed): operators see it in
   * the exceptions queue to retry it some other way. Once per refund, however
   * often Stripe reports it.
   */
  async refundFailed(failure: StripeRefundFailure): Promise<CommandResult> {
    const error = `stripe refund ${failure.refundId} failed: ${failure.reason}`.slice(0, 300);
    const already = this.host.store
      .eventsAfter(0)
      .some((e) => e.type === "order.refund_stuck" && e.payload.error === error);
    if (already) return { ok: true, order: this.host.view(), events: [] };
    return this.host.record(
      {
        type: "order.refund_stuck",
        payload: { requestEventId: failure.requestEventId, amountMinor: failure.amountMinor, attempts: 1, error },
      },
      {},
      { role: "system", id: "system:stripe" },
    );
  }

  /** Refunds requested by transitions go to Stripe with the event's idempotency key until one succeeds. */
  async processRefunds(): Promise<void> {
    const pending = this.host.store.pendingRefunds();
    if (pending.length === 0) return;
    const snapshot = this.host.snapshot() as OrderSnapshot;
    let failed = false;
    for (const refund of pending) {
      try {
        if (!snapshot.paymentIntentId) throw new Error("no payment intent to refund");
        const result = await stripeClient(this.host.env).refunds.create(
          {
            payment_intent: snapshot.paymentIntentId,
            amount: refund.amount_minor,
            metadata: { order_id: snapshot.id, event_id: refund.event_id },
          },
          { idempotencyKey: `order:${snapshot.id}:refund:${refund.event_id}` },
        );
        this.host.store.transaction(() => {
          this.host.store.resolveRefund(refund.event_id);
          this.host.appendEvents(
            [
              {
                type: "order.refunded",
                payload: {
                  refundId: result.id,
                  amountMinor: refund.amount_minor,
                  reason: refund.reason,
                  status: result.status,
                  requestEventId: refund.event_id,
                },
              },
            ],
            { role: "system", id: "system:stripe" },
          );
        });
      } catch (err) {
        failed = true;
        this.host.store.bumpRefundAttempt(refund.event_id);
        logLine("warn", "order.refund_failed", {
          orderId: snapshot.id,
          eventId: refund.event_id,
          attempts: refund.attempts + 1,
          error: String(err),
        });
        if (refund.attempts + 1 === REFUND_STUCK_AFTER_ATTEMPTS) {
          // Still retried on its backoff; operators see it in the exceptions queue from now on.
          this.host.store.transaction(() =>
            this.host.appendEvents(
              [
                {
                  type: "order.refund_stuck",
                  payload: {
                    requestEventId: refund.event_id,
                    amountMinor: refund.amount_minor,
                    attempts: refund.attempts + 1,
                    error: String(err).slice(0, 300),
                  },
                },
              ],
              { role: "system", id: "system:stripe" },
            ),
          );
        }
      }
    }
    if (failed) {
      const attempt = Math.max(...this.host.store.pendingRefunds().map((r) => r.attempts), 1) - 1;
      this.host.store.setDeadline(
        "refund_retry",
        Date.now() + (REFUND_RETRY_MS[Math.min(attempt, REFUND_RETRY_MS.length - 1)] ?? 600_000),
      );
    } else {
      this.host.store.setDeadline("refund_retry", null);
    }
    await this.host.publish();
  }

  /** Closed before any money arrived: withdraw the PaymentIntent so a late payment cannot land. */
  async cancelPaymentIntent(): Promise<void> {
    const id = this.host.snapshot()?.paymentIntentId;
    if (!id) return;
    try {
      await stripeClient(this.host.env).paymentIntents.cancel(
        id,
        {},
        { idempotencyKey: `order:${this.host.snapshot()?.id}:cancel_intent` },
      );
    } catch (err) {
      // A PaymentIntent that already succeeded cannot be cancelled; its webhook then meets a
      // closed order and the money goes back through refundLatePayment.
      logLine("warn", "order.cancel_intent_failed", { orderId: this.host.snapshot()?.id, error: String(err) });
    }
  }
}
