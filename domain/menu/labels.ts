// Allergens and dietary tags on menu items: fixed vocabularies, so customers
// can filter on them and the customer app can translate them. Allergens are
// the 14 the EU requires food businesses to declare (Regulation 1169/2011,
// Annex II); dietary tags are claims a kitchen makes about a dish.
//
// For discovery each item is reduced to two bit masks; a restaurant matches a
// filter when at least one of its available items carries every wanted tag and
// none of the allergens to avoid.

export const ALLERGENS = [
  "gluten",
  "crustaceans",
  "eggs",
  "fish",
  "peanuts",
  "soybeans",
  "milk",
  "nuts",
  "celery",
  "mustard",
  "sesame",
  "sulphites",
  "lupin",
  "molluscs",
] as const;
export type Allergen = (typeof ALLERGENS)[number];

export const DIETARY_TAGS = ["vegetarian", "vegan", "gluten_free", "dairy_free", "halal", "kosher", "spicy"] as const;
export type DietaryTag = (typeof DIETARY_TAGS)[number];

function maskOf<T extends string>(vocabulary: readonly T[], values: readonly string[]): number {
  let mask = 0;
  for (const value of values) {
    const bit = vocabulary.indexOf(value as T);
    if (bit >= 0) mask |= 1 << bit;
  }
  return mask;
}

export const allergenMask = (values: readonly string[]) => maskOf(ALLERGENS, values);
export const dietaryMask = (values: readonly string[]) => maskOf(DIETARY_TAGS, values);

/** Sorted, de-duplicated, in vocabulary order: the same labels always give the same document. */
export function normaliseLabels<T extends string>(vocabulary: readonly T[], values: readonly T[]): T[] {
  const set = new Set(values);
  return vocabulary.filter((v) => set.has(v));
}

/** [dietary mask, allergen mask] per item, without repeats: what the discovery index stores. */
export type ItemProfile = [number, number];

export function itemProfiles(
  items: ReadonlyArray<{ dietaryTags: readonly string[]; allergens: readonly string[] }>,
): ItemProfile[] {
  const seen = new Set<string>();
  const out: ItemProfile[] = [];
  for (const item of items) {
    const profile: ItemProfile = [dietaryMask(item.dietaryTags), allergenMask(item.allergens)];
    const key = profile.join(":");
    if (!seen.has(key)) {
      seen.add(key);
      out.push(profile);
    }
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

export interface LabelFilter {
  dietary: readonly DietaryTag[];
  avoidAllergens: readonly Allergen[];
}

export function isEmptyFilter(filter: LabelFilter): boolean {
  return filter.dietary.length === 0 && filter.avoidAllergens.length === 0;
}

/** Some item has every wanted tag and none of the allergens to avoid. */
export function profilesMatch(profiles: readonly ItemProfile[], filter: LabelFilter): boolean {
  const want = dietaryMask(filter.dietary);
  const avoid = allergenMask(filter.avoidAllergens);
  return profiles.some(([diet, allergens]) => (diet & want) === want && (allergens & avoid) === 0);
}
