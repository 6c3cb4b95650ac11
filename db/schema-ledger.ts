// The double-entry ledger (docs/decisions/0031-ledger-booking-rules.md).
// Written only by the event projection and the Stripe webhook, through
// booking rules in domain/ledger/. The database itself refuses what must never
// happen (migrations/*_ledger.sql): a transaction whose entries do not add up
// to zero in each currency, and any UPDATE, DELETE or TRUNCATE of either table.
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  char,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** One per restaurant, per courier, and the platform's own (domain/ledger/accounts.ts). */
export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    ownerId: uuid("owner_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ledger_accounts_owner_idx").on(t.kind, t.ownerId),
    check("ledger_accounts_kind", sql`${t.kind} in ('restaurant', 'courier', 'platform')`),
  ],
);

export const ledgerTransactions = pgTable(
  "ledger_transactions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** idempotency: the event it books (`order-event:<id>`, `refund:<re_...>`, `stripe-event:<evt_...>`). */
    idempotencyKey: text("idempotency_key").notNull(),
    kind: text("kind").notNull(),
    orderId: uuid("order_id"),
    currency: char("currency", { length: 3 }).notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_transactions_idempotency_key").on(t.idempotencyKey),
    index("ledger_transactions_order_idx").on(t.orderId),
    index("ledger_transactions_occurred_idx").on(t.occurredAt),
  ],
);

export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    transactionId: uuid("transaction_id")
      .notNull()
      .references(() => ledgerTransactions.id, { onDelete: "restrict" }),
    accountId: text("account_id")
      .notNull()
      .references(() => ledgerAccounts.id, { onDelete: "restrict" }),
    currency: char("currency", { length: 3 }).notNull(),
    /** Signed minor units: positive debit, negative credit. */
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    memo: text("memo").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("ledger_entries_transaction_idx").on(t.transactionId),
    index("ledger_entries_account_idx").on(t.accountId, t.occurredAt),
    check("ledger_entries_amount_nonzero", sql`${t.amountMinor} <> 0`),
  ],
);

/** Stripe webhook events already booked: a redelivery of one changes nothing. */
export const stripeEventsSeen = pgTable("stripe_events_seen", {
  id: text("id").primaryKey(),
  type: text("type").notNull(),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});

/** A restaurant's or courier's Stripe Connect (Express) account. */
export const connectedAccounts = pgTable(
  "connected_accounts",
  {
    /** The ledger account it is paid from: `restaurant:<id>` or `courier:<id>`. */
    ledgerAccountId: text("ledger_account_id").primaryKey(),
    stripeAccountId: text("stripe_account_id").notNull(),
    detailsSubmitted: boolean("details_submitted").notNull().default(false),
    payoutsEnabled: boolean("payouts_enabled").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("connected_accounts_stripe_key").on(t.stripeAccountId)],
);

/** One transfer per ledger account, currency and payout period. */
export const payouts = pgTable(
  "payouts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ledgerAccountId: text("ledger_account_id").notNull(),
    stripeAccountId: text("stripe_account_id").notNull(),
    /** The period it pays out, e.g. `2026-11-29` for a daily run. */
    period: text("period").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    status: text("status").notNull(),
    stripeTransferId: text("stripe_transfer_id"),
    /** idempotency: sent to Stripe, so a retried run never transfers twice. */
    idempotencyKey: text("idempotency_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("payouts_account_period_key").on(t.ledgerAccountId, t.currency, t.period),
    uniqueIndex("payouts_idempotency_key").on(t.idempotencyKey),
    check("payouts_amount_positive", sql`${t.amountMinor} > 0`),
  ],
);

/** The daily reconciliation's report, one per UTC day it covers; operators read the latest. */
export const reconciliationRuns = pgTable("reconciliation_runs", {
  /** The UTC day it covers, e.g. `2026-11-29`; a rerun of a day replaces its report. */
  period: text("period").primaryKey(),
  ranAt: timestamp("ran_at", { withTimezone: true }).notNull(),
  differences: integer("differences").notNull(),
  /** The whole report (workers/ledger/reconciliation.ts ReconciliationReport). */
  report: jsonb("report").notNull(),
});
