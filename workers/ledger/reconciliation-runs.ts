// The daily reconciliation (cron, wrangler.toml): the previous UTC day's
// ledger against Stripe's balance transactions, kept as one report per day
// for operators (GET /v1/admin/reconciliation/runs). It runs after midnight
// plus a margin, so bookings made just before midnight are in. A rerun of a
// day (a retried trigger, an admin) replaces that day's report: the latest
// reading of the same day is the true one. It reports; it corrects nothing.
import { desc, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { reconciliationRuns } from "../../db/schema-ledger.ts";
import type { StripeConfig } from "../../platform/stripe-client.ts";
import { type ReconciliationReport, reconciliationReport } from "./reconciliation.ts";

/** Daily at 03:15 UTC: after the payout run (02:30), so its transfers are in the day after theirs. */
export const RECONCILIATION_CRON = "15 3 * * *";

const DAY_MS = 86_400_000;

/** The UTC day before `at`, as its period name and half-open window. */
export function previousDay(at: number): { period: string; from: Date; to: Date } {
  const to = new Date(Math.floor(at / DAY_MS) * DAY_MS);
  const from = new Date(to.getTime() - DAY_MS);
  return { period: from.toISOString().slice(0, 10), from, to };
}

export async function runDailyReconciliation(
  env: StripeConfig,
  db: Database,
  at: number,
): Promise<{ period: string; differences: number; truncated: boolean }> {
  const { period, from, to } = previousDay(at);
  const report = await reconciliationReport(env, db, from, to);
  const row = { period, ranAt: new Date(), differences: report.differences.length, report };
  await db
    .insert(reconciliationRuns)
    .values(row)
    .onConflictDoUpdate({
      target: reconciliationRuns.period,
      set: { ranAt: sql`excluded.ran_at`, differences: sql`excluded.differences`, report: sql`excluded.report` },
    });
  return { period, differences: report.differences.length, truncated: report.truncated };
}

export interface ReconciliationRun {
  period: string;
  ranAt: string;
  differences: number;
  report: ReconciliationReport;
}

export async function latestRuns(db: Database, limit: number): Promise<ReconciliationRun[]> {
  const rows = await db.select().from(reconciliationRuns).orderBy(desc(reconciliationRuns.period)).limit(limit);
  return rows.map((r) => ({
    period: r.period,
    ranAt: r.ranAt.toISOString(),
    differences: r.differences,
    report: r.report as ReconciliationReport,
  }));
}
