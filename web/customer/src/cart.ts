// The cart: lines from one restaurant, kept in localStorage so a reload (or
// closing the installed app) keeps it. Prices here are for showing while
// building; the server's quote is what the customer pays.
import type { MenuItem } from "./api.ts";

export interface CartLine {
  /** Item plus its chosen options: adding the same choice again raises the quantity. */
  key: string;
  itemId: string;
  name: string;
  quantity: number;
  optionIds: string[];
  optionNames: string[];
  unitPriceMinor: number;
}

export interface Cart {
  restaurantId: string;
  restaurantName: string;
  currency: string;
  lines: CartLine[];
  note: string;
}

export const MAX_QUANTITY = 99;

type Group = MenuItem["groups"][number];

export interface GroupProblem {
  groupId: string;
  kind: "too_few" | "too_many";
  min: number;
  max: number;
}

/** The server's rule per modifier group: between minChoices and maxChoices options, all available. */
export function choiceProblems(item: Pick<MenuItem, "groups">, chosen: ReadonlySet<string>): GroupProblem[] {
  const problems: GroupProblem[] = [];
  for (const group of item.groups) {
    const picked = group.options.filter((o) => chosen.has(o.id) && o.available).length;
    if (picked < group.minChoices)
      problems.push({ groupId: group.id, kind: "too_few", min: group.minChoices, max: group.maxChoices });
    else if (picked > group.maxChoices)
      problems.push({ groupId: group.id, kind: "too_many", min: group.minChoices, max: group.maxChoices });
  }
  return problems;
}

/** A single-choice group behaves like radio buttons: picking one replaces the other. */
export function toggleOption(group: Group, chosen: ReadonlySet<string>, optionId: string): Set<string> {
  const next = new Set(chosen);
  if (next.has(optionId)) {
    next.delete(optionId);
    return next;
  }
  if (group.maxChoices === 1) for (const o of group.options) next.delete(o.id);
  else if (group.options.filter((o) => next.has(o.id)).length >= group.maxChoices) return next;
  next.add(optionId);
  return next;
}

/** Options chosen by default: the first available one of each required single-choice group. */
export function defaultChoices(item: Pick<MenuItem, "groups">): Set<string> {
  const chosen = new Set<string>();
  for (const group of item.groups) {
    if (group.minChoices === 1 && group.maxChoices === 1) {
      const first = group.options.find((o) => o.available);
      if (first) chosen.add(first.id);
    }
  }
  return chosen;
}

export function lineFor(item: MenuItem, chosen: ReadonlySet<string>, quantity: number): CartLine {
  const options = item.groups.flatMap((g) => g.options.filter((o) => chosen.has(o.id)));
  const optionIds = options.map((o) => o.id).sort();
  return {
    key: `${item.id}:${optionIds.join(",")}`,
    itemId: item.id,
    name: item.name,
    quantity,
    optionIds,
    optionNames: options.map((o) => o.name),
    unitPriceMinor: item.priceMinor + options.reduce((sum, o) => sum + o.priceDeltaMinor, 0),
  };
}

/** Adds a line; a cart from another restaurant is replaced (one order, one kitchen). */
export function addLine(
  cart: Cart | null,
  restaurant: { id: string; name: string; currency: string },
  line: CartLine,
): Cart {
  const base: Cart =
    cart && cart.restaurantId === restaurant.id
      ? cart
      : {
          restaurantId: restaurant.id,
          restaurantName: restaurant.name,
          currency: restaurant.currency,
          lines: [],
          note: "",
        };
  const existing = base.lines.find((l) => l.key === line.key);
  const lines = existing
    ? base.lines.map((l) =>
        l.key === line.key ? { ...l, quantity: Math.min(MAX_QUANTITY, l.quantity + line.quantity) } : l,
      )
    : [...base.lines, line];
  return { ...base, lines };
}

export function setQuantity(cart: Cart, key: string, quantity: number): Cart | null {
  const lines =
    quantity <= 0
      ? cart.lines.filter((l) => l.key !== key)
      : cart.lines.map((l) => (l.key === key ? { ...l, quantity: Math.min(MAX_QUANTITY, quantity) } : l));
  return lines.length === 0 ? null : { ...cart, lines };
}

export function cartSubtotal(cart: Cart): number {
  return cart.lines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0);
}

export function cartCount(cart: Cart | null): number {
  return cart ? cart.lines.reduce((n, l) => n + l.quantity, 0) : 0;
}

const CART_KEY = "edge-delivery.customer.cart";

export function loadCart(storage: Pick<Storage, "getItem"> = localStorage): Cart | null {
  try {
    const raw = storage.getItem(CART_KEY);
    const cart = raw ? (JSON.parse(raw) as Cart) : null;
    return cart && Array.isArray(cart.lines) && cart.lines.length > 0 ? cart : null;
  } catch {
    return null;
  }
}

export function saveCart(cart: Cart | null, storage: Pick<Storage, "setItem" | "removeItem"> = localStorage): void {
  if (cart) storage.setItem(CART_KEY, JSON.stringify(cart));
  else storage.removeItem(CART_KEY);
}
