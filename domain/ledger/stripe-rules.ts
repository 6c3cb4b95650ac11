// What Stripe tells after the fact books (docs/decisions/0032-stripe-money-after-the-fact.md):
// - A refund made outside the platform (the dashboard) is borne by the
//   platform. One the platform made carries its order event in metadata and
//   is booked by the order's own `order.refunded` (order-rules.ts), under the
//   same key, so whichever arrives first books it and the other adds nothing.
// - A dispute opened: Stripe withdraws the amount and its fee. The amount is a
//   receivable (disputes) until the dispute closes; the fee is an expense.
// - Won: the amount comes back. Lost: the platform bears it as a refund.
import { PLATFORM } from "./accounts.ts";
import { type Booking, booking, isBalanced } from "./booking.ts";

export interface StripeRefundFact {
  refundId: string;
  amountMinor: number;
  currency: string;
  orderId: string | null;
  /** Made by the platform (metadata names the order event that asked for it). */
  madeByPlatform: boolean;
  at: number;
}

export function bookStripeRefund(refund: StripeRefundFact): Booking | null {
  if (refund.madeByPlatform || refund.amountMinor <= 0) return null;
  return booking(
    {
      key: `refund:${refund.refundId}`,
      kind: "refund_outside_platform",
      orderId: refund.orderId,
      currency: refund.currency.toUpperCase(),
      occurredAt: refund.at,
    },
    [[PLATFORM.customerRefunds, refund.amountMinor, "refund made in Stripe"]],
    [[PLATFORM.stripeBalance, refund.amountMinor, "refund to the card"]],
  );
}

export interface DisputeFact {
  disputeId: string;
  amountMinor: number;
  feeMinor: number;
  currency: string;
  orderId: string | null;
  status: string;
  at: number;
}

export const CLOSED_DISPUTE_STATUSES = ["won", "lost", "warning_closed"];

export function bookDisputeOpened(d: DisputeFact): Booking | null {
  if (d.amountMinor <= 0) return null;
  return booking(
    {
      key: `dispute:${d.disputeId}:opened`,
      kind: "dispute_opened",
      orderId: d.orderId,
      currency: d.currency.toUpperCase(),
      occurredAt: d.at,
    },
    [
      [PLATFORM.disputes, d.amountMinor, "withdrawn while disputed"],
      [PLATFORM.stripeFees, d.feeMinor, "dispute fee"],
    ],
    [[PLATFORM.stripeBalance, d.amountMinor + d.feeMinor, "dispute withdrawal"]],
  );
}

export function bookDisputeClosed(d: DisputeFact): Booking | null {
  if (d.amountMinor <= 0 || !CLOSED_DISPUTE_STATUSES.includes(d.status)) return null;
  // An inquiry that closed without a chargeback withdrew nothing (warning_closed).
  if (d.status === "warning_closed") return null;
  const head = {
    key: `dispute:${d.disputeId}:closed`,
    kind: d.status === "won" ? "dispute_won" : "dispute_lost",
    orderId: d.orderId,
    currency: d.currency.toUpperCase(),
    occurredAt: d.at,
  };
  return d.status === "won"
    ? booking(
        head,
        [[PLATFORM.stripeBalance, d.amountMinor, "dispute won"]],
        [[PLATFORM.disputes, d.amountMinor, "dispute won"]],
      )
    : booking(
        head,
        [[PLATFORM.customerRefunds, d.amountMinor, "dispute lost"]],
        [[PLATFORM.disputes, d.amountMinor, "dispute lost"]],
      );
}

/** A booking as written, read back to be reversed. */
export interface BookedTransaction {
  key: string;
  orderId: string | null;
  currency: string;
  entries: ReadonlyArray<{ account: string; amountMinor: number }>;
}

/**
 * Money that Stripe said moved and then did not (a refund that failed, a
 * payout that bounced): every entry of the original booking the other way, so
 * the accounts stand as before it. A refund that failed is owed to the
 * customer again; a payout that failed is owed to the restaurant or courier
 * again and goes out with the next payout run.
 */
export function bookReversal(
  original: BookedTransaction,
  head: { key: string; kind: string; at: number; memo: string },
): Booking | null {
  if (original.entries.length === 0) return null;
  const reversed = {
    key: head.key,
    kind: head.kind,
    orderId: original.orderId,
    currency: original.currency,
    occurredAt: head.at,
    entries: original.entries.map((e) => ({ account: e.account, amountMinor: -e.amountMinor, memo: head.memo })),
  };
  if (!isBalanced(reversed)) throw new Error(`unbalanced reversal ${head.key} of ${original.key}`);
  return reversed;
}
