// Stripe webhooks: the signature is verified against the raw body with the
// SDK's own verifier (5-minute tolerance); forged or stale ones are refused
// and logged. The Order DO makes duplicates and replays harmless; refunds,
// disputes and connected accounts' payouts are booked in the ledger once per
// Stripe event id; a refund that failed also opens an exception on its order.
// A payment that arrives before its order recorded the PaymentIntent is
// answered 409 so Stripe delivers it again.
import { createRoute, z } from "@hono/zod-openapi";
import type Stripe from "stripe";
import { stripeClient, webCrypto } from "../../../platform/stripe-client.ts";
import { refreshAccount } from "../../ledger/connect.ts";
import { transferReverser } from "../../ledger/payouts.ts";
import { bookStripeEvent, isLedgerStripeEvent } from "../../ledger/stripe-webhooks.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { errorResponses } from "../http/openapi.ts";
import { orderStubFor } from "./orders.ts";

const TOLERANCE_SECONDS = 300;
/** Stripe's verifier bounds a signature's age but not how far ahead it is dated; clocks drift by seconds, not minutes. */
const FUTURE_SKEW_SECONDS = 60;

function signedTooFarAhead(header: string, nowSeconds: number): boolean {
  const t = Number(/(?:^|,)\s*t=(\d+)/.exec(header)?.[1]);
  return Number.isFinite(t) && t > nowSeconds + FUTURE_SKEW_SECONDS;
}

const stripeWebhook = createRoute({
  method: "post",
  path: "/v1/webhooks/stripe",
  operationId: "receiveStripeWebhook",
  tags: ["payments"],
  security: [],
  summary: "Stripe webhook receiver (signed with Stripe-Signature)",
  request: { headers: z.object({ "stripe-signature": z.string().min(1) }) },
  responses: {
    200: { description: "Processed or ignored" },
    ...errorResponses(400, 409),
  },
});

export function registerWebhookRoutes(app: App): void {
  app.openapi(stripeWebhook, async (c) => {
    const secret = c.env.STRIPE_WEBHOOK_SECRET;
    if (!secret) throw new ApiError(503, "webhooks_not_configured", "STRIPE_WEBHOOK_SECRET is not set.");
    const raw = await c.req.text();
    const signature = c.req.valid("header")["stripe-signature"];
    if (signedTooFarAhead(signature, Math.floor(Date.now() / 1000))) {
      log(c, "warn", "stripe.webhook_refused", { reason: "signed in the future" });
      throw new ApiError(400, "invalid_signature", "The webhook signature is not valid or too old.");
    }
    let event: Stripe.Event;
    try {
      event = await stripeClient(c.env).webhooks.constructEventAsync(
        raw,
        signature,
        secret,
        TOLERANCE_SECONDS,
        webCrypto,
      );
    } catch (err) {
      log(c, "warn", "stripe.webhook_refused", { reason: err instanceof Error ? err.message : String(err) });
      throw new ApiError(400, "invalid_signature", "The webhook signature is not valid or too old.");
    }

    if (event.type === "account.updated") {
      // A connected account finished onboarding (or lost payouts): the payout run reads this.
      const row = await refreshAccount(c.var.db, event.data.object as Stripe.Account);
      return c.json({ received: true, applied: row !== undefined }, 200);
    }
    if (isLedgerStripeEvent(event.type)) {
      // Refunds and disputes Stripe reports after the fact go to the ledger, once per event id.
      try {
        const { refundFailure, ...result } = await bookStripeEvent(c.var.db, event, transferReverser(c.env));
        if (result.ignored) {
          // An object we never made (another integration's payout, a refund of a deleted order): acknowledged so Stripe stops.
          log(c, "warn", "stripe.webhook_ignored", { eventId: event.id, type: event.type, reason: result.ignored });
        } else {
          log(c, "info", "stripe.webhook_booked", { eventId: event.id, type: event.type, ...result });
        }
        if (refundFailure) {
          // After the booking committed: the order DO records it once, so a redelivery that reaches here again adds nothing.
          const { orderId, ...failure } = refundFailure;
          try {
            await orderStubFor(c.env, orderId).refundFailed(failure, c.get("traceparent"));
          } catch (err) {
            log(c, "error", "stripe.refund_exception_failed", { eventId: event.id, orderId, error: String(err) });
            throw new ApiError(503, "order_unavailable", "The refund failure could not be recorded; retry later.");
          }
        }
        return c.json({ received: true, ...result }, 200);
      } catch (err) {
        log(c, "error", "stripe.webhook_booking_failed", { eventId: event.id, error: String(err) });
        // Stripe retries a non-2xx delivery with backoff; nothing was booked.
        throw new ApiError(503, "ledger_unavailable", "The webhook could not be booked; retry later.");
      }
    }
    if (event.type !== "payment_intent.succeeded" && event.type !== "payment_intent.payment_failed") {
      return c.json({ received: true, ignored: event.type }, 200);
    }
    const intent = event.data.object as Stripe.PaymentIntent;
    const orderId = intent.metadata?.order_id;
    if (!orderId) return c.json({ received: true, ignored: "no order_id" }, 200);
    const stub = orderStubFor(c.env, orderId);
    const result = await stub.paymentUpdate(
      {
        paymentIntentId: intent.id,
        outcome: event.type === "payment_intent.succeeded" ? "succeeded" : "failed",
        amountMinor: intent.amount_received || intent.amount,
        currency: intent.currency,
        reason: intent.last_payment_error?.code ?? undefined,
      },
      c.get("traceparent"),
    );
    if (!result.ok && result.code === "payment_intent_not_recorded") {
      // The order awaits payment but checkout has not recorded its intent yet (the event overtook
      // it): refused, so Stripe delivers it again with backoff and it is booked then (decision 0032).
      log(c, "warn", "stripe.webhook_early", { eventId: event.id, orderId, paymentIntentId: intent.id });
      throw new ApiError(
        409,
        result.code,
        "The order has not recorded this payment intent yet; deliver the event again.",
      );
    }
    if (!result.ok) {
      // Out-of-order or stale (e.g. a failure after success), or an order we do not know: acknowledged so Stripe stops retrying.
      log(c, "warn", "stripe.webhook_not_applied", { eventId: event.id, orderId, code: result.code });
      return c.json({ received: true, applied: false, code: result.code }, 200);
    }
    return c.json({ received: true, applied: result.events.length > 0 }, 200);
  });
}
