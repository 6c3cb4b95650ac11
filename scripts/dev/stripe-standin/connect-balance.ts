// The platform's balance: one balance transaction per movement of money
// (charges, refunds, disputes, transfers), the balance they add up to, and the
// list pages the Connect resources share.
import type { BalanceTransaction, ConnectDeps } from "./connect-objects.ts";
import type { FormObject } from "./form.ts";
import { newId, nowSeconds } from "./objects.ts";

/** Stripe's European card pricing, close enough to reconcile against: 1.5% + 25. */
export function cardFee(amount: number): number {
  return Math.round(amount * 0.015) + 25;
}

const LIST_PARAMS = new Set(["limit", "starting_after", "type", "source", "expand"]);

/** A Stripe list page, newest first, from `starting_after`. */
export function listPage<T extends { id: string }>(deps: ConnectDeps, params: FormObject, all: T[], url: string) {
  deps.checkKnown(params, LIST_PARAMS);
  const limit = Math.min(100, deps.optInteger(params, "limit", 1) ?? 10);
  const newestFirst = [...all].reverse();
  const after = deps.optString(params, "starting_after");
  const start = after ? newestFirst.findIndex((o) => o.id === after) + 1 : 0;
  const page = newestFirst.slice(start, start + limit);
  return { object: "list", data: structuredClone(page), has_more: newestFirst.length > start + limit, url };
}

export type BalanceLedger = ReturnType<typeof createBalance>;

export function createBalance(deps: ConnectDeps) {
  const balanceTransactions: BalanceTransaction[] = [];

  function record(
    type: BalanceTransaction["type"],
    amount: number,
    fee: number,
    currency: string,
    source: string,
    description: string,
    id: string = newId("txn"),
  ): BalanceTransaction {
    const txn: BalanceTransaction = {
      id,
      object: "balance_transaction",
      amount,
      available_on: nowSeconds(),
      created: nowSeconds(),
      currency,
      description,
      exchange_rate: null,
      fee,
      fee_details:
        fee === 0
          ? []
          : [{ amount: fee, application: null, currency, description: "Stripe processing fees", type: "stripe_fee" }],
      net: amount - fee,
      reporting_category: type === "adjustment" ? "dispute" : type,
      source,
      status: "available",
      type,
    };
    balanceTransactions.push(txn);
    return txn;
  }

  /** What the platform could transfer now in this currency. */
  function available(currency: string): number {
    return balanceTransactions.filter((t) => t.currency === currency).reduce((sum, t) => sum + t.net, 0);
  }

  function balance() {
    const byCurrency = new Map<string, number>();
    for (const t of balanceTransactions) byCurrency.set(t.currency, (byCurrency.get(t.currency) ?? 0) + t.net);
    const amounts = [...byCurrency].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
    return {
      object: "balance",
      available: amounts,
      connect_reserved: amounts.map((a) => ({ amount: 0, currency: a.currency })),
      livemode: false,
      pending: amounts.map((a) => ({ amount: 0, currency: a.currency, source_types: { card: 0 } })),
    };
  }

  const routes = [
    { method: "GET" as const, pattern: /^\/v1\/balance$/, handler: () => balance() },
    {
      method: "GET" as const,
      pattern: /^\/v1\/balance_transactions$/,
      handler: ({ params }: { params: FormObject }) => {
        const type = deps.optString(params, "type");
        const page = listPage(
          deps,
          params,
          balanceTransactions.filter((t) => !type || t.type === type),
          "/v1/balance_transactions",
        );
        if ((deps.optStringArray(params, "expand") ?? []).includes("data.source")) {
          // As Stripe expands it: the charge behind a charge's transaction (its payment_intent says which order).
          for (const t of page.data as Array<{ source: unknown }>) {
            const charge = typeof t.source === "string" ? deps.charges.get(t.source) : undefined;
            const other = typeof t.source === "string" ? deps.expandSource?.(t.source) : undefined;
            if (charge) t.source = structuredClone(charge);
            else if (other) t.source = structuredClone(other);
          }
        }
        return page;
      },
    },
  ];

  return { record, available, routes };
}
