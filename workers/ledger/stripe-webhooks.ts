// Stripe's after-the-fact events (refunds made in Stripe or failed after
// creation, disputes opened and closed, connected accounts' payouts paid or
// failed: stripe-reversals.ts) booked in the ledger. Each Stripe event id is remembered in the same
// transaction as its bookings, so a redelivered or replayed webhook books
// nothing; the bookings' own keys (refund id, dispute id) also stop a second
// event about the same thing from booking it twice.
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "../../db/client.ts";
import { orders, payments } from "../../db/schema.ts";
import { stripeEventsSeen } from "../../db/schema-ledger.ts";
import type { Booking } from "../../domain/ledger/booking.ts";
import {
  bookDisputeClosed,
  bookDisputeOpened,
  bookStripeRefund,
  type DisputeFact,
} from "../../domain/ledger/stripe-rules.ts";
import { payoutSettled, type ReversalOutcome, refundFailed, type TransferReverser } from "./stripe-reversals.ts";
import { type Transaction, writeBookings } from "./write.ts";

export const LEDGER_STRIPE_EVENTS = [
  "charge.refunded",
  "charge.dispute.created",
  "charge.dispute.closed",
  "payout.paid",
  "payout.failed",
  "refund.updated",
  "refund.failed",
] as const;

export function isLedgerStripeEvent(type: string): boolean {
  return (LEDGER_STRIPE_EVENTS as readonly string[]).includes(type);
}

export interface StripeEventResult {
  duplicate: boolean;
  booked: number;
  /** Why the event changed nothing (it names a payout or refund we do not know). */
  ignored?: string;
  refundFailure?: ReversalOutcome["refundFailure"];
}

const idOf = (v: unknown): string | null =>
  typeof v === "string" ? v : v && typeof v === "object" && "id" in v ? String((v as { id: unknown }).id) : null;

async function orderOfIntent(tx: Transaction, intentId: string | null): Promise<string | null> {
  if (!intentId) return null;
  const [row] = await tx
    .select({ orderId: payments.orderId })
    .from(payments)
    .where(eq(payments.providerRef, intentId))
    .limit(1);
  return row?.orderId ?? null;
}

async function orderExists(tx: Transaction, orderId: string | null): Promise<string | null> {
  if (!orderId || !/^[0-9a-f-]{36}$/i.test(orderId)) return null;
  const [row] = await tx.select({ id: orders.id }).from(orders).where(eq(orders.id, orderId)).limit(1);
  return row?.id ?? null;
}

async function refundBookings(tx: Transaction, charge: Stripe.Charge, at: number): Promise<Booking[]> {
  const orderId =
    (await orderExists(tx, charge.metadata?.order_id ?? null)) ??
    (await orderOfIntent(tx, idOf(charge.payment_intent)));
  const out: Booking[] = [];
  for (const refund of charge.refunds?.data ?? []) {
    const madeByPlatform = typeof refund.metadata?.event_id === "string";
    const b = bookStripeRefund({
      refundId: refund.id,
      amountMinor: refund.amount,
      currency: refund.currency,
      orderId,
      madeByPlatform,
      at,
    });
    if (!b) continue;
    out.push(b);
    if (orderId && refund.status === "succeeded") {
      // The payment rows show it too, as for a refund the platform made.
      await tx
        .insert(payments)
        .values({
          orderId,
          kind: "refund",
          providerRef: refund.id,
          status: refund.status,
          amountMinor: refund.amount,
          currency: refund.currency.toUpperCase(),
          idempotencyKey: `stripe:refund:${refund.id}`,
        })
        .onConflictDoNothing();
    }
  }
  return out;
}

async function disputeFact(tx: Transaction, dispute: Stripe.Dispute, at: number): Promise<DisputeFact> {
  const withdrawal = dispute.balance_transactions.find((t) => t.amount < 0);
  return {
    disputeId: dispute.id,
    amountMinor: dispute.amount,
    feeMinor: withdrawal?.fee ?? 0,
    currency: dispute.currency,
    orderId: await orderOfIntent(tx, idOf(dispute.payment_intent)),
    status: dispute.status,
    at,
  };
}

export async function bookStripeEvent(
  db: Database,
  event: Stripe.Event,
  reverseTransfer?: TransferReverser,
): Promise<StripeEventResult> {
  return db.transaction(async (tx) => {
    const seen = await tx
      .insert(stripeEventsSeen)
      .values({ id: event.id, type: event.type })
      .onConflictDoNothing()
      .returning({ id: stripeEventsSeen.id });
    if (seen.length === 0) {
      // The order's exception is raised after this commits; a redelivery after that step failed raises it again (the order keeps one).
      const again =
        event.type === "refund.failed" || event.type === "refund.updated"
          ? (await refundFailed(tx, event.data.object, 0)).refundFailure
          : undefined;
      return { duplicate: true, booked: 0, refundFailure: again };
    }
    const at = event.created * 1000;
    let bookings: Booking[] = [];
    if (event.type === "charge.refunded") {
      bookings = await refundBookings(tx, event.data.object as Stripe.Charge, at);
    } else if (event.type === "charge.dispute.created" || event.type === "charge.dispute.closed") {
      const fact = await disputeFact(tx, event.data.object as Stripe.Dispute, at);
      const b = event.type === "charge.dispute.created" ? bookDisputeOpened(fact) : bookDisputeClosed(fact);
      if (b) bookings = [b];
    } else if (event.type === "payout.paid" || event.type === "payout.failed") {
      const outcome = await payoutSettled(tx, event, event.data.object, at, reverseTransfer);
      return { duplicate: false, booked: await writeBookings(tx, outcome.bookings), ignored: outcome.ignored };
    } else if (event.type === "refund.failed" || event.type === "refund.updated") {
      const outcome = await refundFailed(tx, event.data.object, at);
      return {
        duplicate: false,
        booked: await writeBookings(tx, outcome.bookings),
        ignored: outcome.ignored,
        refundFailure: outcome.refundFailure,
      };
    }
    return { duplicate: false, booked: await writeBookings(tx, bookings) };
  });
}
