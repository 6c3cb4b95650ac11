// The reconciliation report for admins: the ledger's Stripe-balance entries in
// a window against Stripe's balance transactions (domain/ledger/reconcile.ts
// says how they are matched). Reads only; differences are for operators to
// look into, never corrected automatically.
import { and, eq, gte, inArray, lt } from "drizzle-orm";
import type Stripe from "stripe";
import type { Database } from "../../db/client.ts";
import { payments } from "../../db/schema.ts";
import { ledgerEntries, ledgerTransactions, payouts } from "../../db/schema-ledger.ts";
import { PLATFORM } from "../../domain/ledger/accounts.ts";
import { type Difference, type ReconItem, reconcile } from "../../domain/ledger/reconcile.ts";
import { type StripeConfig, stripeClient } from "../../platform/stripe-client.ts";

/** Bookings a little outside the window still match Stripe items inside it. */
const MARGIN_MS = 60 * 60 * 1000;
const MAX_PAGES = 20;

export interface ReconciliationReport {
  from: string;
  to: string;
  stripeItems: number;
  ledgerItems: number;
  differences: Difference[];
  cardFees: Array<{ currency: string; feesMinor: number }>;
  /** Stripe had more transactions than one report reads; narrow the window. */
  truncated: boolean;
}

const idOf = (v: unknown): string | null =>
  typeof v === "string" ? v : v && typeof v === "object" && "id" in v ? String((v as { id: unknown }).id) : null;

function stripeItem(t: Stripe.BalanceTransaction): ReconItem | null {
  const currency = t.currency.toUpperCase();
  const source = idOf(t.source);
  if (!source) return null;
  switch (t.type) {
    case "charge":
    case "payment": {
      const intent = typeof t.source === "object" ? idOf((t.source as Stripe.Charge).payment_intent) : null;
      return { ref: intent ? `charge:${intent}` : `charge-without-intent:${source}`, currency, amountMinor: t.amount };
    }
    case "refund":
    case "payment_refund":
      return { ref: `refund:${source}`, currency, amountMinor: t.amount };
    case "transfer":
      return { ref: `transfer:${source}`, currency, amountMinor: t.amount };
    case "transfer_refund": {
      // A failed payout's reversal: booked under `payout-failed:<po_...>`, the payout it names.
      const payout = typeof t.source === "object" ? (t.source as Stripe.TransferReversal).metadata?.payout : undefined;
      return {
        ref: payout ? `payout-failed:${payout}` : `transfer-reversal:${source}`,
        currency,
        amountMinor: t.amount,
      };
    }
    case "adjustment":
      if (!source.startsWith("dp_")) return null;
      return t.amount < 0
        ? { ref: `dispute:${source}:opened`, currency, amountMinor: t.net }
        : { ref: `dispute:${source}:won`, currency, amountMinor: t.amount };
    default:
      return null;
  }
}

async function stripeSide(env: StripeConfig, from: Date, to: Date) {
  const stripe = stripeClient(env);
  const items: ReconItem[] = [];
  const fees = new Map<string, number>();
  let startingAfter: string | undefined;
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page === MAX_PAGES) {
      truncated = true;
      break;
    }
    const list = await stripe.balanceTransactions.list({
      limit: 100,
      expand: ["data.source"],
      ...(startingAfter ? { starting_after: startingAfter } : {}),
    });
    let older = false;
    for (const t of list.data) {
      const at = t.created * 1000;
      if (at < from.getTime()) older = true;
      if (at < from.getTime() || at >= to.getTime()) continue;
      const item = stripeItem(t);
      if (item) items.push(item);
      if (t.type === "charge" || t.type === "payment") {
        fees.set(t.currency.toUpperCase(), (fees.get(t.currency.toUpperCase()) ?? 0) + t.fee);
      }
    }
    // Newest first: once a page reaches before the window, the rest is older still.
    if (older || !list.has_more || list.data.length === 0) break;
    startingAfter = list.data.at(-1)?.id;
  }
  return { items, fees, truncated };
}

async function ledgerSide(db: Database, from: Date, to: Date) {
  const rows = await db
    .select({
      key: ledgerTransactions.idempotencyKey,
      kind: ledgerTransactions.kind,
      orderId: ledgerTransactions.orderId,
      at: ledgerTransactions.occurredAt,
      currency: ledgerEntries.currency,
      amountMinor: ledgerEntries.amountMinor,
    })
    .from(ledgerEntries)
    .innerJoin(ledgerTransactions, eq(ledgerTransactions.id, ledgerEntries.transactionId))
    .where(
      and(
        eq(ledgerEntries.accountId, PLATFORM.stripeBalance),
        gte(ledgerTransactions.occurredAt, new Date(from.getTime() - MARGIN_MS)),
        lt(ledgerTransactions.occurredAt, new Date(to.getTime() + MARGIN_MS)),
      ),
    );
  const orderIds = [...new Set(rows.filter((r) => r.orderId).map((r) => r.orderId as string))];
  const intents = new Map<string, string>();
  if (orderIds.length > 0) {
    const charges = await db
      .select({ orderId: payments.orderId, ref: payments.providerRef })
      .from(payments)
      .where(and(eq(payments.kind, "charge"), inArray(payments.orderId, orderIds)));
    for (const c of charges) intents.set(c.orderId, c.ref);
  }
  const payoutKeys = rows.filter((r) => r.kind === "payout").map((r) => r.key);
  const transfers = new Map<string, string | null>();
  if (payoutKeys.length > 0) {
    const paid = await db
      .select({ key: payouts.idempotencyKey, transfer: payouts.stripeTransferId })
      .from(payouts)
      .where(inArray(payouts.idempotencyKey, payoutKeys));
    for (const p of paid) transfers.set(p.key, p.transfer);
  }
  const refOf = (r: (typeof rows)[number]): string => {
    if (r.kind === "order_paid" || r.kind === "late_payment") {
      const intent = r.orderId ? intents.get(r.orderId) : undefined;
      return intent ? `charge:${intent}` : r.key;
    }
    if (r.kind === "payout") {
      const transfer = transfers.get(r.key);
      return transfer ? `transfer:${transfer}` : r.key;
    }
    if (r.kind === "dispute_won") return r.key.replace(/:closed$/, ":won");
    return r.key;
  };
  const nearby: ReconItem[] = [];
  const inWindow: ReconItem[] = [];
  for (const r of rows) {
    const item = { ref: refOf(r), currency: r.currency, amountMinor: r.amountMinor };
    nearby.push(item);
    if (r.at >= from && r.at < to) inWindow.push(item);
  }
  return { inWindow, nearby };
}

export async function reconciliationReport(
  env: StripeConfig,
  db: Database,
  from: Date,
  to: Date,
): Promise<ReconciliationReport> {
  const [stripe, ledger] = await Promise.all([stripeSide(env, from, to), ledgerSide(db, from, to)]);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    stripeItems: stripe.items.length,
    ledgerItems: ledger.inWindow.length,
    differences: reconcile(stripe.items, ledger.inWindow, ledger.nearby),
    cardFees: [...stripe.fees].map(([currency, feesMinor]) => ({ currency, feesMinor })),
    truncated: stripe.truncated,
  };
}
