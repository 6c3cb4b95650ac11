// The ledger's chart of accounts. An account id is a stable string, so a
// booking rule can name an account without reading the database: one per
// restaurant and per courier, and one of each platform account. Amounts on
// entries are signed minor units: positive is a debit, negative a credit, and
// the entries of one transaction add up to zero in each currency.

export type AccountKind = "restaurant" | "courier" | "platform";

/** The platform's own accounts. */
export const PLATFORM = {
  /** What Stripe holds for the platform (an asset: debit balance). */
  stripeBalance: "platform:stripe_balance",
  /** Customers' money for orders not yet delivered or settled (a liability). */
  customerFunds: "platform:customer_funds",
  /** Commission and service fees, and what a cancellation keeps. */
  revenue: "platform:revenue",
  /** Tax collected from customers, owed to the tax authority. */
  taxesCollected: "platform:taxes_collected",
  /** What Stripe charged (an expense). */
  stripeFees: "platform:stripe_fees",
  /** Refunds the platform bears (an expense). */
  customerRefunds: "platform:customer_refunds",
  /** Discounts the platform funds (an expense). */
  promotions: "platform:promotions",
  /**
   * Three-decimal charges rounded to 10 fils for Stripe (decision 0052's addendum): credited
   * when the customer paid up to 5 fils more than the parts, debited when up to 4 less.
   */
  rounding: "platform:rounding",
  /** Money Stripe withdrew for a dispute still open (a receivable). */
  disputes: "platform:disputes",
} as const;

export type PlatformAccount = (typeof PLATFORM)[keyof typeof PLATFORM];

export const PLATFORM_ACCOUNTS: readonly PlatformAccount[] = Object.values(PLATFORM);

export function restaurantAccount(restaurantId: string): string {
  return `restaurant:${restaurantId}`;
}

export function courierAccount(courierId: string): string {
  return `courier:${courierId}`;
}

export interface AccountRef {
  id: string;
  kind: AccountKind;
  ownerId: string | null;
}

/** Reads an account id back into its kind and owner; null for an id no rule makes. */
export function parseAccount(id: string): AccountRef | null {
  const [kind, rest] = [id.slice(0, id.indexOf(":")), id.slice(id.indexOf(":") + 1)];
  if (kind === "platform")
    return (PLATFORM_ACCOUNTS as readonly string[]).includes(id) ? { id, kind, ownerId: null } : null;
  if ((kind === "restaurant" || kind === "courier") && /^[0-9a-f-]{36}$/i.test(rest))
    return { id, kind, ownerId: rest };
  return null;
}
