import { describe, expect, it } from "vitest";
import { priceCart } from "../pricing/price-cart.ts";
import { ALLERGENS, allergenMask, DIETARY_TAGS, itemProfiles, normaliseLabels, profilesMatch } from "./labels.ts";
import { checkGroupBounds, checkItemPrice, checkPermutation, lowestUnitPrice } from "./menu-rules.ts";

describe("labels", () => {
  it("has the 14 EU allergens and fits each vocabulary in a 32-bit mask", () => {
    expect(ALLERGENS).toHaveLength(14);
    expect(DIETARY_TAGS.length).toBeLessThanOrEqual(31);
    expect(allergenMask(["gluten", "molluscs", "unknown"])).toBe(1 | (1 << 13));
  });

  it("normalises labels to vocabulary order without repeats", () => {
    expect(normaliseLabels(ALLERGENS, ["milk", "gluten", "milk"])).toEqual(["gluten", "milk"]);
  });

  it("matches a restaurant when one item has every wanted tag and none of the allergens to avoid", () => {
    const profiles = itemProfiles([
      { dietaryTags: ["vegetarian"], allergens: ["gluten", "milk"] }, // margherita
      { dietaryTags: ["vegetarian", "vegan", "gluten_free"], allergens: ["sesame"] }, // salad
      { dietaryTags: [], allergens: ["fish"] },
      { dietaryTags: ["vegetarian"], allergens: ["milk", "gluten"] }, // same profile as the first
    ]);
    expect(profiles).toHaveLength(3);
    expect(profilesMatch(profiles, { dietary: ["vegan"], avoidAllergens: [] })).toBe(true);
    expect(profilesMatch(profiles, { dietary: ["vegan"], avoidAllergens: ["sesame"] })).toBe(false);
    expect(profilesMatch(profiles, { dietary: ["vegetarian"], avoidAllergens: ["milk"] })).toBe(true);
    expect(profilesMatch(profiles, { dietary: ["halal"], avoidAllergens: [] })).toBe(false);
    expect(profilesMatch(profiles, { dietary: [], avoidAllergens: ["gluten", "sesame", "fish"] })).toBe(false);
    expect(profilesMatch([], { dietary: [], avoidAllergens: [] })).toBe(false);
  });
});

describe("group bounds", () => {
  it("refuses min above max and max above the number of options", () => {
    const options = [{ priceDeltaMinor: 0 }, { priceDeltaMinor: 100 }];
    expect(checkGroupBounds({ name: "Size", minChoices: 1, maxChoices: 1, options })).toEqual([]);
    expect(
      checkGroupBounds({ name: "Size", minChoices: 2, maxChoices: 1, options }, "groups.0").map((i) => i.path),
    ).toEqual(["groups.0.minChoices"]);
    expect(checkGroupBounds({ name: "Size", minChoices: 0, maxChoices: 3, options }).map((i) => i.code)).toEqual([
      "max_above_options",
    ]);
  });
});

describe("negative option deltas", () => {
  const sizes = {
    name: "Size",
    minChoices: 1,
    maxChoices: 1,
    options: [{ priceDeltaMinor: -200 }, { priceDeltaMinor: 0 }],
  };
  const discounts = {
    name: "Deals",
    minChoices: 0,
    maxChoices: 2,
    options: [{ priceDeltaMinor: -100 }, { priceDeltaMinor: -50 }, { priceDeltaMinor: -300 }],
  };

  it("finds the cheapest combination a customer may choose", () => {
    expect(lowestUnitPrice(900, [sizes])).toBe(700);
    // Two discounts at most: -300 and -100.
    expect(lowestUnitPrice(900, [sizes, discounts])).toBe(300);
    // Extras that cost more are never forced unless the group requires them.
    expect(
      lowestUnitPrice(900, [
        { name: "Extras", minChoices: 1, maxChoices: 3, options: [{ priceDeltaMinor: 150 }, { priceDeltaMinor: 90 }] },
      ]),
    ).toBe(990);
  });

  it("allows a negative delta the price can carry and refuses one it cannot", () => {
    expect(checkItemPrice(900, [sizes, discounts])).toEqual([]);
    expect(checkItemPrice(500, [sizes, discounts]).map((i) => i.code)).toEqual(["negative_price_possible"]);
  });

  it("agrees with pricing: any cart a valid menu allows prices at zero or more", () => {
    const menu = {
      restaurantId: "r",
      version: 1,
      currency: "EUR",
      items: [
        {
          id: "item",
          name: "Pizza",
          priceMinor: 600,
          available: true,
          groups: [
            {
              id: "g",
              name: "Size",
              minChoices: 1,
              maxChoices: 1,
              options: [
                { id: "small", name: "Small", priceDeltaMinor: -600, available: true },
                { id: "large", name: "Large", priceDeltaMinor: 300, available: true },
              ],
            },
          ],
        },
      ],
    };
    expect(checkItemPrice(600, menu.items[0]?.groups ?? [])).toEqual([]);
    const fees = { baseDeliveryFeeMinor: 0, perKmFeeMinor: 0, serviceFeeBps: 0, taxBps: 0, currency: "EUR" };
    const priced = priceCart(menu, [{ itemId: "item", quantity: 1, optionIds: ["small"] }], fees, 0, 0);
    expect(priced.ok && priced.subtotalMinor).toBe(0);
  });
});

describe("reorder", () => {
  it("accepts exactly a permutation of the current ids", () => {
    expect(checkPermutation(["a", "b", "c"], ["c", "a", "b"], "itemIds")).toEqual([]);
    for (const bad of [
      ["a", "b"],
      ["a", "b", "b"],
      ["a", "b", "x"],
      ["a", "b", "c", "d"],
    ]) {
      expect(checkPermutation(["a", "b", "c"], bad, "itemIds")).toMatchObject([{ code: "not_a_permutation" }]);
    }
  });
});
