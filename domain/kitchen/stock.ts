// Real-time stock for items that have a count (a grocery's 12 cartons of
// milk, a bakery's last 3 pastéis). Placement reserves what the order takes;
// a cancellation, rejection or failed payment gives it back; delivery keeps
// it sold. An item at zero cannot be ordered until staff restock it.
//
// The Restaurant DO applies these one placement at a time, so concurrent
// orders for the last units can never take more than there is.

export interface CartQuantity {
  itemId: string;
  quantity: number;
}

/** Units left to sell per tracked item; items not in the map are not tracked. */
export type StockLevels = ReadonlyMap<string, number>;

export interface StockShortage {
  itemId: string;
  requested: number;
  available: number;
}

export type Reservation =
  | { ok: true; taken: Array<{ itemId: string; quantity: number }> }
  | { ok: false; shortages: StockShortage[] };

/** The quantity of each item across the cart's lines (the same item may be on several lines). */
export function quantitiesByItem(lines: readonly CartQuantity[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.itemId, (totals.get(line.itemId) ?? 0) + line.quantity);
  return totals;
}

/** All or nothing: either every tracked item has enough, or nothing is taken and every shortage is named. */
export function reserveStock(levels: StockLevels, lines: readonly CartQuantity[]): Reservation {
  const taken: Array<{ itemId: string; quantity: number }> = [];
  const shortages: StockShortage[] = [];
  for (const [itemId, requested] of quantitiesByItem(lines)) {
    const available = levels.get(itemId);
    if (available === undefined) continue;
    if (requested > available) shortages.push({ itemId, requested, available });
    else taken.push({ itemId, quantity: requested });
  }
  return shortages.length > 0 ? { ok: false, shortages } : { ok: true, taken };
}

/** New levels after a reservation is taken (negative quantities) or given back (positive). */
export function applyStockChange(
  levels: StockLevels,
  change: ReadonlyArray<{ itemId: string; quantity: number }>,
  sign: 1 | -1,
): Map<string, number> {
  const next = new Map(levels);
  for (const { itemId, quantity } of change) {
    const current = next.get(itemId);
    // An item no longer tracked keeps no count: giving back to it changes nothing.
    if (current === undefined) continue;
    next.set(itemId, Math.max(0, current + sign * quantity));
  }
  return next;
}

export const MAX_STOCK = 100_000;
