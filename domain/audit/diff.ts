// What an audit row keeps of a change: only the fields that changed, before
// and after. A reader looking for "who changed the delivery fee" should not
// have to compare two copies of a whole row by eye.

export type Fields = Record<string, unknown>;

export interface FieldChanges {
  before: Fields;
  after: Fields;
}

/** Structural equality for JSON-like values (what rows and request bodies hold). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  const ka = Object.keys(a as Fields).filter((k) => (a as Fields)[k] !== undefined);
  const kb = Object.keys(b as Fields).filter((k) => (b as Fields)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Fields)[k], (b as Fields)[k]));
}

/**
 * The fields of `after` whose value differs from `before`, with both values.
 * Keys only in `before` are not reported: a partial update does not remove them.
 */
export function changedFields(before: Fields, after: Fields): FieldChanges {
  const changes: FieldChanges = { before: {}, after: {} };
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    if (!sameValue(before[key], value)) {
      changes.before[key] = before[key] ?? null;
      changes.after[key] = value;
    }
  }
  return changes;
}

export function isEmptyChange(changes: FieldChanges): boolean {
  return Object.keys(changes.after).length === 0;
}

/** Values safe to store: dates as ISO strings, secrets never. */
export function auditable(fields: Fields, secretKeys: readonly string[] = ["passwordHash", "tokenHash"]): Fields {
  const out: Fields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (secretKeys.includes(key) || value === undefined) continue;
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}
