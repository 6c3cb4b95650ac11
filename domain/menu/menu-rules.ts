// Rules a menu edit must keep, whichever endpoint makes it.
//
// Option price deltas may be negative (a small size costs less than the
// item's listed price), as pricing has always allowed; what may never happen
// is a choice a customer is allowed to make costing less than nothing. So an
// edit is refused when the cheapest valid combination of choices would take
// the item below zero, rather than at order time.

export interface GroupForRules {
  name: string;
  minChoices: number;
  maxChoices: number;
  options: ReadonlyArray<{ priceDeltaMinor: number }>;
}

export interface RuleIssue {
  path: string;
  code: "min_above_max" | "max_above_options" | "negative_price_possible" | "not_a_permutation";
  message: string;
}

/** min <= max, and max no more than there are options to choose from. */
export function checkGroupBounds(group: GroupForRules, path = ""): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (group.minChoices > group.maxChoices) {
    issues.push({ path: at("minChoices"), code: "min_above_max", message: "minChoices cannot exceed maxChoices." });
  }
  if (group.maxChoices > group.options.length) {
    issues.push({
      path: at("maxChoices"),
      code: "max_above_options",
      message: `maxChoices is ${group.maxChoices} but the group has ${group.options.length} option(s).`,
    });
  }
  return issues;
}

/**
 * The least a customer can pay for one unit: the item's price plus, in every
 * group, the cheapest `minChoices` options and then any further negative ones
 * up to `maxChoices`. Availability is ignored on purpose: an option switched
 * off today may be switched on tomorrow without another check.
 */
export function lowestUnitPrice(priceMinor: number, groups: readonly GroupForRules[]): number {
  let total = priceMinor;
  for (const group of groups) {
    const deltas = group.options.map((o) => o.priceDeltaMinor).sort((a, b) => a - b);
    deltas.forEach((delta, i) => {
      if (i < group.minChoices || (i < group.maxChoices && delta < 0)) total += delta;
    });
  }
  return total;
}

export function checkItemPrice(priceMinor: number, groups: readonly GroupForRules[]): RuleIssue[] {
  const lowest = lowestUnitPrice(priceMinor, groups);
  if (lowest >= 0) return [];
  return [
    {
      path: "priceDeltaMinor",
      code: "negative_price_possible",
      message: `With these options the item could cost ${lowest} (below zero); raise the item's price or make the discounts smaller.`,
    },
  ];
}

/** A reorder names every current id exactly once, and nothing else. */
export function checkPermutation(current: readonly string[], proposed: readonly string[], path: string): RuleIssue[] {
  const want = new Set(current);
  const seen = new Set<string>();
  const ok =
    proposed.length === current.length &&
    proposed.every((id) => {
      if (!want.has(id) || seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  return ok
    ? []
    : [
        {
          path,
          code: "not_a_permutation",
          message: `List each of the ${current.length} current id(s) exactly once, in the new order.`,
        },
      ];
}
