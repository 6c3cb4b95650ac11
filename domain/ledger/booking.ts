// A booking is one ledger transaction before it is written: an idempotency
// key (the event it comes from), what it is for, and entries that balance.
// The database enforces the balance again (db/migrations/*_ledger.sql); the
// check here lets a rule's test fail with a readable message first.

export interface LedgerEntry {
  account: string;
  /** Signed minor units: positive debit, negative credit. */
  amountMinor: number;
  memo: string;
}

export interface Booking {
  /** Unique per transaction: `order-event:<id>`, `refund:<re_...>`, `stripe-event:<evt_...>`. */
  key: string;
  kind: string;
  orderId: string | null;
  currency: string;
  occurredAt: number;
  entries: LedgerEntry[];
}

export function sumOf(entries: readonly LedgerEntry[]): number {
  return entries.reduce((sum, e) => sum + e.amountMinor, 0);
}

export function isBalanced(booking: Booking): boolean {
  return (
    booking.entries.length >= 2 &&
    sumOf(booking.entries) === 0 &&
    booking.entries.every((e) => Number.isSafeInteger(e.amountMinor) && e.amountMinor !== 0)
  );
}

/** Builds a booking from debits and credits given as positive amounts, leaving out zero lines. */
export function booking(
  head: Omit<Booking, "entries">,
  debits: ReadonlyArray<readonly [string, number, string]>,
  credits: ReadonlyArray<readonly [string, number, string]>,
): Booking {
  const entries: LedgerEntry[] = [
    ...debits.filter(([, a]) => a !== 0).map(([account, a, memo]) => ({ account, amountMinor: a, memo })),
    ...credits.filter(([, a]) => a !== 0).map(([account, a, memo]) => ({ account, amountMinor: -a, memo })),
  ];
  const result = { ...head, entries };
  if (!isBalanced(result)) {
    throw new Error(`unbalanced booking ${head.key}: ${JSON.stringify(entries)}`);
  }
  return result;
}

/** Each account's balance (sum of its entries) per currency. */
export function balances(bookings: readonly Booking[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const b of bookings) {
    for (const e of b.entries) {
      const key = `${e.account}|${b.currency}`;
      out.set(key, (out.get(key) ?? 0) + e.amountMinor);
    }
  }
  return out;
}
