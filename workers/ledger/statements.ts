// A restaurant's or courier's statement: what the platform owes it now, its
// ledger lines in a window and its payouts. Amounts are from the account
// holder's side: positive is money for them (a credit in the ledger).
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { ledgerEntries, ledgerTransactions, payouts } from "../../db/schema-ledger.ts";
import { type MonthTotals, monthTotals, type StatementLine } from "../../domain/ledger/monthly-statement.ts";
import { positions } from "./payouts.ts";

export interface Statement {
  account: string;
  from: string;
  to: string;
  balances: Array<{ currency: string; owedMinor: number; heldForDisputesMinor: number }>;
  lines: Array<{
    id: number;
    at: string;
    kind: string;
    orderId: string | null;
    memo: string;
    currency: string;
    amountMinor: number;
  }>;
  payouts: Array<{
    period: string;
    currency: string;
    amountMinor: number;
    status: string;
    transferId: string | null;
    at: string;
  }>;
  truncated: boolean;
}

export const STATEMENT_MAX_LINES = 500;

export async function statementOf(
  db: Database,
  account: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<Statement> {
  const [balances, lines, paid] = await Promise.all([
    positions(db, [account]),
    db
      .select({
        id: ledgerEntries.id,
        at: ledgerEntries.occurredAt,
        kind: ledgerTransactions.kind,
        orderId: ledgerTransactions.orderId,
        memo: ledgerEntries.memo,
        currency: ledgerEntries.currency,
        amountMinor: ledgerEntries.amountMinor,
      })
      .from(ledgerEntries)
      .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
      .where(
        and(
          eq(ledgerEntries.accountId, account),
          gte(ledgerEntries.occurredAt, from),
          lt(ledgerEntries.occurredAt, to),
        ),
      )
      .orderBy(desc(ledgerEntries.occurredAt), desc(ledgerEntries.id))
      .limit(limit + 1),
    db.select().from(payouts).where(eq(payouts.ledgerAccountId, account)).orderBy(desc(payouts.createdAt)).limit(50),
  ]);
  return {
    account,
    from: from.toISOString(),
    to: to.toISOString(),
    balances: balances.map((b) => ({
      currency: b.currency,
      owedMinor: 0 - b.balanceMinor || 0,
      heldForDisputesMinor: Math.max(0, -b.disputedMinor),
    })),
    lines: lines.slice(0, limit).map((l) => ({
      id: l.id,
      at: l.at.toISOString(),
      kind: l.kind,
      orderId: l.orderId,
      memo: l.memo,
      currency: l.currency,
      amountMinor: 0 - l.amountMinor || 0,
    })),
    payouts: paid.map((p) => ({
      period: p.period,
      currency: p.currency,
      amountMinor: p.amountMinor,
      status: p.status,
      transferId: p.stripeTransferId,
      at: p.createdAt.toISOString(),
    })),
    truncated: lines.length > limit,
  };
}

/** A month's lines are all returned (a monthly statement is not paged); beyond this it says truncated. */
export const MONTH_MAX_LINES = 5000;

export interface MonthlyStatement {
  account: string;
  month: string;
  from: string;
  to: string;
  totals: MonthTotals[];
  lines: StatementLine[];
  truncated: boolean;
}

/** The account's statement for one calendar month (UTC): opening, lines oldest first, totals, closing. */
export async function monthlyStatementOf(
  db: Database,
  account: string,
  month: string,
  window: { from: Date; to: Date },
): Promise<MonthlyStatement> {
  const { from, to } = window;
  const [before, rows] = await Promise.all([
    db
      .select({ currency: ledgerEntries.currency, sum: sql<string>`sum(${ledgerEntries.amountMinor})` })
      .from(ledgerEntries)
      .where(and(eq(ledgerEntries.accountId, account), lt(ledgerEntries.occurredAt, from)))
      .groupBy(ledgerEntries.currency),
    db
      .select({
        at: ledgerEntries.occurredAt,
        kind: ledgerTransactions.kind,
        orderId: ledgerTransactions.orderId,
        memo: ledgerEntries.memo,
        currency: ledgerEntries.currency,
        amountMinor: ledgerEntries.amountMinor,
      })
      .from(ledgerEntries)
      .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
      .where(
        and(
          eq(ledgerEntries.accountId, account),
          gte(ledgerEntries.occurredAt, from),
          lt(ledgerEntries.occurredAt, to),
        ),
      )
      .orderBy(asc(ledgerEntries.occurredAt), asc(ledgerEntries.id))
      .limit(MONTH_MAX_LINES + 1),
  ]);
  // The holder's side: a credit in the ledger is money for them.
  const opening = new Map(before.map((b) => [b.currency, 0 - Number(b.sum) || 0]));
  const lines = rows.slice(0, MONTH_MAX_LINES).map((l) => ({
    at: l.at.toISOString(),
    kind: l.kind,
    orderId: l.orderId,
    memo: l.memo,
    currency: l.currency,
    amountMinor: 0 - l.amountMinor || 0,
  }));
  return {
    account,
    month,
    from: from.toISOString(),
    to: to.toISOString(),
    totals: monthTotals(opening, lines),
    lines,
    truncated: rows.length > MONTH_MAX_LINES,
  };
}
