// Stripe Connect Express accounts for restaurants and couriers: created once
// per ledger account (the Stripe idempotency key and a unique row make a
// double click or a retry create one), onboarded through an account link,
// and marked payable when Stripe says so (`account.updated`).
import { eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "../../db/client.ts";
import { connectedAccounts } from "../../db/schema-ledger.ts";
import { type StripeConfig, stripeClient } from "../../platform/stripe-client.ts";

export interface PayoutAccount {
  stripeAccountId: string;
  onboardingUrl: string;
  onboardingExpiresAt: string;
  payoutsEnabled: boolean;
}

export async function payoutAccountFor(
  env: StripeConfig,
  db: Database,
  ledgerAccountId: string,
  details: { currency: string; email?: string | undefined },
  urls: { returnUrl: string; refreshUrl: string },
): Promise<PayoutAccount> {
  const stripe = stripeClient(env);
  let [row] = await db.select().from(connectedAccounts).where(eq(connectedAccounts.ledgerAccountId, ledgerAccountId));
  if (!row) {
    const account = await stripe.accounts.create(
      {
        type: "express",
        default_currency: details.currency.toLowerCase(),
        ...(details.email ? { email: details.email } : {}),
        metadata: { ledger_account: ledgerAccountId },
      },
      { idempotencyKey: `connect:${ledgerAccountId}` },
    );
    await db
      .insert(connectedAccounts)
      .values({
        ledgerAccountId,
        stripeAccountId: account.id,
        detailsSubmitted: account.details_submitted ?? false,
        payoutsEnabled: account.payouts_enabled ?? false,
      })
      .onConflictDoNothing();
    [row] = await db.select().from(connectedAccounts).where(eq(connectedAccounts.ledgerAccountId, ledgerAccountId));
  }
  if (!row) throw new Error(`no connected account row for ${ledgerAccountId}`);
  if (!row.payoutsEnabled) row = (await refreshAccount(db, await stripe.accounts.retrieve(row.stripeAccountId))) ?? row;
  const link = await stripe.accountLinks.create({
    account: row.stripeAccountId,
    type: row.detailsSubmitted ? "account_update" : "account_onboarding",
    return_url: urls.returnUrl,
    refresh_url: urls.refreshUrl,
  });
  return {
    stripeAccountId: row.stripeAccountId,
    onboardingUrl: link.url,
    onboardingExpiresAt: new Date(link.expires_at * 1000).toISOString(),
    payoutsEnabled: row.payoutsEnabled,
  };
}

/** What Stripe says of the account now (from `account.updated` or a retrieve). */
export async function refreshAccount(db: Database, account: Stripe.Account) {
  const [row] = await db
    .update(connectedAccounts)
    .set({
      detailsSubmitted: account.details_submitted ?? false,
      payoutsEnabled: account.payouts_enabled ?? false,
      updatedAt: sql`now()`,
    })
    .where(eq(connectedAccounts.stripeAccountId, account.id))
    .returning();
  return row;
}
