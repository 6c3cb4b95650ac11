// Writes bookings (domain/ledger/) into the ledger tables, once each: the
// transaction's idempotency key decides, so a booking computed again (a
// redelivered event, a replayed batch, two consumers at once) writes nothing.
// The database checks at commit that every transaction balances.
import { eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { insertJsonRows } from "../../db/json-rows.ts";
import { ledgerAccounts, ledgerEntries, ledgerTransactions } from "../../db/schema-ledger.ts";
import { parseAccount } from "../../domain/ledger/accounts.ts";
import type { Booking } from "../../domain/ledger/booking.ts";

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
type Writer = Database | Transaction;

/**
 * The common table expressions that write these bookings in one statement
 * (one round trip): `ledger_a` the accounts they name, `ledger_t(id, key)` the
 * transactions not booked before (a key already booked inserts nothing), and
 * `ledger_e` the entries of those transactions only, in the bookings' order.
 * Empty when there is nothing to book.
 */
export function bookingCtes(bookings: readonly Booking[]): SQL[] {
  if (bookings.length === 0) return [];
  const accounts = new Map<string, { id: string; kind: string; ownerId: string | null }>();
  for (const b of bookings) {
    for (const e of b.entries) {
      const ref = parseAccount(e.account);
      if (!ref) throw new Error(`booking ${b.key} names an unknown account ${e.account}`);
      accounts.set(ref.id, ref);
    }
  }
  const sortedAccounts = [...accounts.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  const unique = [...new Map(bookings.map((b) => [b.key, b])).values()];
  const transactions = unique.map((b) => ({
    idempotencyKey: b.key,
    kind: b.kind,
    orderId: b.orderId,
    currency: b.currency,
    occurredAt: new Date(b.occurredAt),
  }));
  // The entries go as one JSON parameter, joined to the transactions actually inserted.
  const entries = unique.flatMap((b) =>
    b.entries.map((e) => ({
      key: b.key,
      account_id: e.account,
      currency: b.currency,
      amount_minor: e.amountMinor,
      memo: e.memo,
      occurred_at: new Date(b.occurredAt).toISOString(),
    })),
  );
  // Rows as one JSON parameter each (db/json-rows.ts): rendering drizzle's `.values()` cost more CPU than the fold.
  return [
    sql`ledger_a as (${insertJsonRows(ledgerAccounts, sortedAccounts)} on conflict do nothing)`,
    sql`ledger_t (id, key) as (${insertJsonRows(ledgerTransactions, transactions)} on conflict do nothing
      returning ${sql.identifier(ledgerTransactions.id.name)}, ${sql.identifier(ledgerTransactions.idempotencyKey.name)})`,
    sql`ledger_e as (
      insert into ${ledgerEntries} (transaction_id, account_id, currency, amount_minor, memo, occurred_at)
      select ledger_t.id, x.account_id, x.currency, x.amount_minor, x.memo, x.occurred_at
      from rows from (jsonb_to_recordset(${JSON.stringify(entries)}::jsonb)
          as (key text, account_id text, currency text, amount_minor bigint, memo text, occurred_at timestamptz))
        with ordinality as x(key, account_id, currency, amount_minor, memo, occurred_at, n)
      join ledger_t on ledger_t.key = x.key
      order by x.n
    )`,
  ];
}

/** Writes the bookings not yet written, in one statement; returns how many were new. */
export async function writeBookings(tx: Writer, bookings: readonly Booking[]): Promise<number> {
  const ctes = bookingCtes(bookings);
  if (ctes.length === 0) return 0;
  const result = await tx.execute<{ booked: number }>(
    sql`with ${sql.join(ctes, sql`, `)} select count(*)::int as booked from ledger_t`,
  );
  return Number(result.rows[0]?.booked ?? 0);
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
