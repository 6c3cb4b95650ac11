// Reconciliation: the ledger's view of the platform's Stripe balance against
// Stripe's balance transactions, matched by reference. Each side is reduced to
// items `{ ref, currency, amountMinor }` signed as they move the platform's
// Stripe balance:
//   charge:<pi_...>   a card payment (gross: card fees are totalled apart,
//                     the ledger does not book them per charge)
//   refund:<re_...>   a refund
//   transfer:<tr_...> a payout transfer
//   dispute:<dp_...>:opened | :won  a dispute's withdrawal (net of its fee,
//                     which the ledger books) and its reinstatement
// Every ref on one side only, or on both with other amounts, is a difference.

export interface ReconItem {
  ref: string;
  currency: string;
  amountMinor: number;
}

export type DifferenceKind = "missing_in_ledger" | "missing_in_stripe" | "amount_mismatch";

export interface Difference {
  ref: string;
  kind: DifferenceKind;
  currency: string;
  stripeMinor: number | null;
  ledgerMinor: number | null;
}

function sumByRef(items: readonly ReconItem[]): Map<string, ReconItem> {
  const out = new Map<string, ReconItem>();
  for (const item of items) {
    const key = `${item.ref}|${item.currency.toUpperCase()}`;
    const seen = out.get(key);
    out.set(key, {
      ref: item.ref,
      currency: item.currency.toUpperCase(),
      amountMinor: (seen?.amountMinor ?? 0) + item.amountMinor,
    });
  }
  return out;
}

/**
 * `ledgerNearby` may hold more than the window (items just outside it), so
 * a Stripe item booked a moment across the boundary is not reported missing;
 * only `ledger` items (inside the window) can be missing in Stripe.
 */
export function reconcile(
  stripe: readonly ReconItem[],
  ledger: readonly ReconItem[],
  ledgerNearby: readonly ReconItem[] = ledger,
): Difference[] {
  const s = sumByRef(stripe);
  const inWindow = sumByRef(ledger);
  const near = sumByRef([...ledgerNearby]);
  for (const [key, item] of inWindow) if (!near.has(key)) near.set(key, item);
  const out: Difference[] = [];
  for (const [key, item] of s) {
    const booked = near.get(key);
    if (!booked) {
      out.push({
        ref: item.ref,
        kind: "missing_in_ledger",
        currency: item.currency,
        stripeMinor: item.amountMinor,
        ledgerMinor: null,
      });
    } else if (booked.amountMinor !== item.amountMinor) {
      out.push({
        ref: item.ref,
        kind: "amount_mismatch",
        currency: item.currency,
        stripeMinor: item.amountMinor,
        ledgerMinor: booked.amountMinor,
      });
    }
  }
  for (const [key, item] of inWindow) {
    if (!s.has(key)) {
      out.push({
        ref: item.ref,
        kind: "missing_in_stripe",
        currency: item.currency,
        stripeMinor: null,
        ledgerMinor: item.amountMinor,
      });
    }
  }
  return out.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
