// Money Stripe reports did not move after all, booked inside the webhook's
// transaction (stripe-webhooks.ts, which remembers the event id):
// - payout.paid / payout.failed, Connect events naming the connected account:
//   the connected account's automatic payout of our transfer reached its bank,
//   or bounced. The payout row is found by account, currency and amount
//   (one transfer per account and period, paid out whole), oldest unsettled first.
// - refund.failed (and refund.updated to `failed`): the refund's booking is
//   reversed, its payment row marked failed, and the order is told so an
//   operator retries it.
// A failed payout's transfer is reversed (POST /v1/transfers/{id}/reversals,
// metadata.payout = the po_ id) so the money is back in the platform's balance
// when the reversal is booked; the next period's run pays the account again.
// Reversals carry the Stripe object's id in their key, so a second event about
// the same payout or refund books nothing.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { payments } from "../../db/schema.ts";
import { ledgerEntries, ledgerTransactions, payouts } from "../../db/schema-ledger.ts";
import type { Booking } from "../../domain/ledger/booking.ts";
import { type BookedTransaction, bookReversal } from "../../domain/ledger/stripe-rules.ts";
import type { Transaction } from "./write.ts";

export interface ReversalOutcome {
  bookings: Booking[];
  /** Why nothing was found to apply it to (an unknown payout or refund). */
  ignored?: string;
  /** A refund that failed on an order we know: the order raises an exception for operators. */
  refundFailure?: { orderId: string; refundId: string; requestEventId: string; amountMinor: number; reason: string };
}

async function booked(tx: Transaction, key: string): Promise<BookedTransaction | null> {
  const [head] = await tx.select().from(ledgerTransactions).where(eq(ledgerTransactions.idempotencyKey, key));
  if (!head) return null;
  const entries = await tx
    .select({ account: ledgerEntries.accountId, amountMinor: ledgerEntries.amountMinor })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.transactionId, head.id))
    .orderBy(asc(ledgerEntries.id));
  return { key, orderId: head.orderId, currency: head.currency, entries };
}

/**
 * Takes a failed payout's money back from the connected account's Stripe
 * balance (a transfer reversal, idempotent per payout); answers its id.
 */
export type TransferReverser = (request: {
  transferId: string;
  amountMinor: number;
  stripePayoutId: string;
}) => Promise<string>;

export async function payoutSettled(
  tx: Transaction,
  event: Stripe.Event,
  payout: Stripe.Payout,
  at: number,
  reverseTransfer?: TransferReverser,
): Promise<ReversalOutcome> {
  if (!event.account) return { bookings: [], ignored: "payout event without a connected account" };
  const failed = event.type === "payout.failed";
  const [row] = await tx
    .select()
    .from(payouts)
    .where(
      and(
        eq(payouts.stripeAccountId, event.account),
        eq(payouts.currency, payout.currency.toUpperCase()),
        eq(payouts.amountMinor, payout.amount),
        // A payout can fail after Stripe said it was paid (the bank returns it days later).
        inArray(payouts.status, failed ? ["paid", "settled"] : ["paid"]),
      ),
    )
    .orderBy(asc(payouts.createdAt))
    .limit(1)
    .for("update");
  if (!row) return { bookings: [], ignored: `no transferred payout matches ${payout.id}` };
  await tx
    .update(payouts)
    .set({ status: failed ? "failed" : "settled", updatedAt: sql`now()` })
    .where(eq(payouts.id, row.id));
  if (!failed) return { bookings: [] };
  // The bounced money sits in the connected account's Stripe balance until the transfer is reversed.
  // Called inside the booking's transaction: if the booking then fails, Stripe redelivers the event
  // and the same idempotency key answers the same reversal, so it is taken back once.
  if (reverseTransfer && row.stripeTransferId) {
    await reverseTransfer({
      transferId: row.stripeTransferId,
      amountMinor: row.amountMinor,
      stripePayoutId: payout.id,
    });
  }
  const original = await booked(tx, row.idempotencyKey);
  const reversal =
    original &&
    bookReversal(original, {
      key: `payout-failed:${payout.id}`,
      kind: "payout_failed",
      at,
      memo: `payout ${payout.id} failed (${payout.failure_code ?? "unknown"}): transfer reversed, owed again`,
    });
  return { bookings: reversal ? [reversal] : [] };
}

export async function refundFailed(tx: Transaction, refund: Stripe.Refund, at: number): Promise<ReversalOutcome> {
  if (refund.status !== "failed") return { bookings: [], ignored: `refund ${refund.id} is ${refund.status}` };
  const original = await booked(tx, `refund:${refund.id}`);
  const marked = await tx
    .update(payments)
    .set({ status: "failed", updatedAt: sql`now()` })
    .where(and(eq(payments.providerRef, refund.id), eq(payments.kind, "refund")))
    .returning({ orderId: payments.orderId });
  const requestEventId = refund.metadata?.event_id;
  if (!original && typeof requestEventId === "string" && typeof refund.metadata?.order_id === "string") {
    // The platform's own refund, whose order.refunded the projection has not booked yet: fail the
    // delivery (nothing is kept) so Stripe redelivers it after the booking, never before.
    throw new Error(`refund ${refund.id} is not booked yet`);
  }
  if (!original && marked.length === 0) return { bookings: [], ignored: `unknown refund ${refund.id}` };
  const reason = refund.failure_reason ?? "unknown";
  const reversal =
    original &&
    bookReversal(original, {
      key: `refund-failed:${refund.id}`,
      kind: "refund_failed",
      at,
      memo: `refund ${refund.id} failed (${reason}): owed to the customer again`,
    });
  const orderId = marked[0]?.orderId ?? original?.orderId ?? null;
  return {
    bookings: reversal ? [reversal] : [],
    refundFailure: orderId
      ? {
          orderId,
          refundId: refund.id,
          requestEventId: typeof requestEventId === "string" ? requestEventId : `stripe:${refund.id}`,
          amountMinor: refund.amount,
          reason,
        }
      : undefined,
  };
}
