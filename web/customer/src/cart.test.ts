import { describe, expect, it } from "vitest";
import type { MenuItem } from "./api.ts";
import { addLine, choiceProblems, defaultChoices, lineFor, setQuantity, toggleOption } from "./cart.ts";

const option = (id: string, priceDeltaMinor = 0, available = true) => ({ id, name: id, priceDeltaMinor, available });
const item: MenuItem = {
  id: "pizza",
  name: "Pizza",
  description: "",
  priceMinor: 1000,
  available: true,
  allergens: [],
  dietaryTags: [],
  photo: null,
  groups: [
    { id: "size", name: "Size", minChoices: 1, maxChoices: 1, options: [option("small"), option("large", 300)] },
    {
      id: "extras",
      name: "Extras",
      minChoices: 0,
      maxChoices: 2,
      options: [option("cheese", 150), option("olives", 100), option("ham", 200, false)],
    },
  ],
};
const restaurant = { id: "r1", name: "R1", currency: "EUR" };

describe("cart", () => {
  it("picks the first option of a required single choice and swaps it like a radio button", () => {
    const chosen = defaultChoices(item);
    expect([...chosen]).toEqual(["small"]);
    expect([...toggleOption(item.groups[0] as MenuItem["groups"][number], chosen, "large")]).toEqual(["large"]);
  });

  it("enforces min and max per group as the server does", () => {
    expect(choiceProblems(item, new Set())).toEqual([{ groupId: "size", kind: "too_few", min: 1, max: 1 }]);
    expect(choiceProblems(item, new Set(["small", "cheese", "olives"]))).toEqual([]);
    expect(choiceProblems(item, new Set(["small", "large"]))[0]?.kind).toBe("too_many");
    const extras = item.groups[1] as MenuItem["groups"][number];
    // A third extra is not added when the group allows two.
    expect(toggleOption(extras, new Set(["cheese", "olives"]), "ham").has("ham")).toBe(false);
  });

  it("prices a line with its options and merges the same choice", () => {
    const line = lineFor(item, new Set(["large", "cheese"]), 1);
    expect(line.unitPriceMinor).toBe(1450);
    let cart = addLine(null, restaurant, line);
    cart = addLine(cart, restaurant, lineFor(item, new Set(["cheese", "large"]), 2));
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]?.quantity).toBe(3);
    expect(setQuantity(cart, line.key, 0)).toBeNull();
    // Another restaurant starts a new cart.
    expect(addLine(cart, { ...restaurant, id: "r2" }, line).lines).toHaveLength(1);
  });
});
