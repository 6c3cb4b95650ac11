// Payouts (docs/decisions/0033-payouts-and-statements.md): each period, every
// restaurant and courier with a payable Stripe Connect account is sent what
// the ledger says the platform owes it, less what is frozen by an open
// dispute on one of its orders. One transfer per account, currency and
// period: the period is in the Stripe idempotency key and the ledger key, so
// a rerun, a retry or two overlapping runs transfer and book it once.
import { PLATFORM } from "./accounts.ts";
import { type Booking, booking } from "./booking.ts";

export interface AccountPosition {
  account: string;
  currency: string;
  /** Sum of the account's entries: negative while the platform owes it. */
  balanceMinor: number;
  /** What the account has from orders under an open dispute (negative while owed), held back. */
  disputedMinor: number;
}

export interface PlannedPayout {
  account: string;
  currency: string;
  amountMinor: number;
  period: string;
  key: string;
}

/** The period a run at `now` pays out: the UTC day. */
export function payoutPeriod(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

export function payoutKey(account: string, currency: string, period: string): string {
  return `payout:${account}:${currency.toUpperCase()}:${period}`;
}

export function planPayouts(positions: readonly AccountPosition[], period: string): PlannedPayout[] {
  const out: PlannedPayout[] = [];
  for (const p of positions) {
    const owed = -p.balanceMinor;
    const frozen = Math.max(0, -p.disputedMinor);
    const amountMinor = owed - frozen;
    if (amountMinor <= 0) continue;
    out.push({
      account: p.account,
      currency: p.currency,
      amountMinor,
      period,
      key: payoutKey(p.account, p.currency, period),
    });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** The transfer left the platform's Stripe balance and settles what the account was owed. */
export function bookPayout(payout: PlannedPayout, at: number): Booking {
  return booking(
    { key: payout.key, kind: "payout", orderId: null, currency: payout.currency.toUpperCase(), occurredAt: at },
    [[payout.account, payout.amountMinor, `payout for ${payout.period}`]],
    [[PLATFORM.stripeBalance, payout.amountMinor, "transfer to the connected account"]],
  );
}
