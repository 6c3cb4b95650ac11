// Writes bookings (domain/ledger/) into the ledger tables, once each: the
// transaction's idempotency key decides, so a booking computed again (a
// redelivered event, a replayed batch, two consumers at once) writes nothing.
// The database checks at commit that every transaction balances.
import { eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { ledgerAccounts, ledgerEntries, ledgerTransactions } from "../../db/schema-ledger.ts";
import { parseAccount } from "../../domain/ledger/accounts.ts";
import type { Booking } from "../../domain/ledger/booking.ts";

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
type Writer = Database | Transaction;

/** Writes the bookings not yet written; returns how many were new. */
export async function writeBookings(tx: Writer, bookings: readonly Booking[]): Promise<number> {
  if (bookings.length === 0) return 0;
  const accounts = new Map<string, { id: string; kind: string; ownerId: string | null }>();
  for (const b of bookings) {
    for (const e of b.entries) {
      const ref = parseAccount(e.account);
      if (!ref) throw new Error(`booking ${b.key} names an unknown account ${e.account}`);
      accounts.set(ref.id, ref);
    }
  }
  const sortedAccounts = [...accounts.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  await tx.insert(ledgerAccounts).values(sortedAccounts).onConflictDoNothing();
  const unique = new Map(bookings.map((b) => [b.key, b]));
  const inserted = await tx
    .insert(ledgerTransactions)
    .values(
      [...unique.values()].map((b) => ({
        idempotencyKey: b.key,
        kind: b.kind,
        orderId: b.orderId,
        currency: b.currency,
        occurredAt: new Date(b.occurredAt),
      })),
    )
    .onConflictDoNothing()
    .returning({ id: ledgerTransactions.id, key: ledgerTransactions.idempotencyKey });
  if (inserted.length === 0) return 0;
  const entries = inserted.flatMap(({ id, key }) => {
    const b = unique.get(key) as Booking;
    return b.entries.map((e) => ({
      transactionId: id,
      accountId: e.account,
      currency: b.currency,
      amountMinor: e.amountMinor,
      memo: e.memo,
      occurredAt: new Date(b.occurredAt),
    }));
  });
  await tx.insert(ledgerEntries).values(entries);
  return inserted.length;
}

/** Which of these keys are already booked. */
export async function bookedKeys(db: Writer, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .select({ key: ledgerTransactions.idempotencyKey })
    .from(ledgerTransactions)
    .where(inArray(ledgerTransactions.idempotencyKey, [...keys]));
  return new Set(rows.map((r) => r.key));
}

/** An account's balance per currency (sum of its entries), signed as booked. */
export async function accountBalances(
  db: Writer,
  accountId: string,
): Promise<Array<{ currency: string; balanceMinor: number }>> {
  const rows = await db
    .select({ currency: ledgerEntries.currency, balance: sql<string>`sum(${ledgerEntries.amountMinor})` })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.accountId, accountId))
    .groupBy(ledgerEntries.currency);
  return rows.map((r) => ({ currency: r.currency, balanceMinor: Number(r.balance) }));
}
