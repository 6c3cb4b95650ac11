// The scheduled payout run (cron, see wrangler.toml, and POST
// /v1/admin/payouts/run): positions from the ledger, a plan from
// domain/ledger/payouts.ts, then per payout a row (its amount fixed on first
// insert), a Stripe transfer with the payout's idempotency key, and the
// booking with the row's status in one transaction. A run that dies between
// the transfer and the booking is finished by the next: Stripe answers the
// same key with the same transfer.
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { connectedAccounts, ledgerEntries, ledgerTransactions, payouts } from "../../db/schema-ledger.ts";
import { type AccountPosition, bookPayout, type PlannedPayout, planPayouts } from "../../domain/ledger/payouts.ts";
import { type StripeConfig, stripeClient } from "../../platform/stripe-client.ts";
import { logLine } from "../api/http/log.ts";
import { writeBookings } from "./write.ts";

/** The daily payout run's cron (wrangler.toml [triggers]); every other cron is the projection reconciler. */
export const PAYOUT_CRON = "30 2 * * *";

export interface PayoutRunReport {
  period: string;
  planned: number;
  transferred: number;
  alreadyPaid: number;
  failed: number;
  totalMinor: number;
}

/** Orders under a dispute that has not closed. */
const openDisputeOrders = sql`(
  select ${ledgerTransactions.orderId} from ${ledgerTransactions}
  where ${ledgerTransactions.kind} = 'dispute_opened' and ${ledgerTransactions.orderId} is not null
  except
  select ${ledgerTransactions.orderId} from ${ledgerTransactions}
  where ${ledgerTransactions.kind} in ('dispute_won', 'dispute_lost')
)`;

export async function positions(db: Database, accountIds: readonly string[]): Promise<AccountPosition[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .select({
      account: ledgerEntries.accountId,
      currency: ledgerEntries.currency,
      balance: sql<string>`sum(${ledgerEntries.amountMinor})`,
      disputed: sql<string>`coalesce(sum(${ledgerEntries.amountMinor}) filter (where ${ledgerTransactions.orderId} in ${openDisputeOrders}), 0)`,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .where(inArray(ledgerEntries.accountId, [...accountIds]))
    .groupBy(ledgerEntries.accountId, ledgerEntries.currency);
  return rows.map((r) => ({
    account: r.account,
    currency: r.currency,
    balanceMinor: Number(r.balance),
    disputedMinor: Number(r.disputed),
  }));
}

async function payOne(env: StripeConfig, db: Database, stripeAccountId: string, plan: PlannedPayout) {
  await db
    .insert(payouts)
    .values({
      ledgerAccountId: plan.account,
      stripeAccountId,
      period: plan.period,
      currency: plan.currency,
      amountMinor: plan.amountMinor,
      status: "pending",
      idempotencyKey: plan.key,
    })
    .onConflictDoNothing();
  const [row] = await db.select().from(payouts).where(eq(payouts.idempotencyKey, plan.key));
  if (!row) throw new Error(`payout row ${plan.key} missing`);
  if (row.status === "paid") return "already_paid" as const;
  // The amount of the first attempt, so a retry sends Stripe exactly the same request.
  const fixed = { ...plan, amountMinor: row.amountMinor };
  const transfer = await stripeClient(env).transfers.create(
    {
      amount: fixed.amountMinor,
      currency: fixed.currency.toLowerCase(),
      destination: row.stripeAccountId,
      transfer_group: `payout_${fixed.period}`,
      description: `Payout ${fixed.period}`,
      metadata: { ledger_account: fixed.account, period: fixed.period },
    },
    { idempotencyKey: fixed.key },
  );
  await db.transaction(async (tx) => {
    await writeBookings(tx, [bookPayout(fixed, transfer.created * 1000)]);
    await tx
      .update(payouts)
      .set({ status: "paid", stripeTransferId: transfer.id, updatedAt: sql`now()` })
      .where(and(eq(payouts.idempotencyKey, fixed.key), eq(payouts.status, "pending")));
  });
  return fixed.amountMinor;
}

export async function runPayouts(env: StripeConfig, db: Database, period: string): Promise<PayoutRunReport> {
  const accounts = await db.select().from(connectedAccounts).where(eq(connectedAccounts.payoutsEnabled, true));
  const stripeIds = new Map(accounts.map((a) => [a.ledgerAccountId, a.stripeAccountId]));
  const plan = planPayouts(await positions(db, [...stripeIds.keys()]), period);
  const report: PayoutRunReport = {
    period,
    planned: plan.length,
    transferred: 0,
    alreadyPaid: 0,
    failed: 0,
    totalMinor: 0,
  };
  for (const p of plan) {
    try {
      const result = await payOne(env, db, stripeIds.get(p.account) as string, p);
      if (result === "already_paid") report.alreadyPaid++;
      else {
        report.transferred++;
        report.totalMinor += result;
      }
    } catch (err) {
      // One account's failure (Stripe refusing, balance short) must not stop the others; the next run retries it.
      report.failed++;
      logLine("error", "payouts.transfer_failed", { key: p.key, error: String(err) });
    }
  }
  return report;
}

/**
 * A failed payout's transfer reversed through Stripe, once per payout (the
 * idempotency key names it), tagged with the payout so reconciliation matches
 * the reversal's balance transaction to its booking (`payout-failed:<po_...>`).
 */
export function transferReverser(env: StripeConfig) {
  return async (request: { transferId: string; amountMinor: number; stripePayoutId: string }): Promise<string> => {
    const reversal = await stripeClient(env).transfers.createReversal(
      request.transferId,
      { amount: request.amountMinor, metadata: { payout: request.stripePayoutId } },
      { idempotencyKey: `transfer-reversal:${request.stripePayoutId}` },
    );
    return reversal.id;
  };
}
