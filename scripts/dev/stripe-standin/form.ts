// Decoding of Stripe's form encoding: the SDK flattens nested params with
// bracket notation (`metadata[order_id]=1`, `expand[0]=latest_charge`) and
// Stripe also accepts `expand[]=x`, so both array styles are rebuilt here.

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormDecodeError extends Error {}

const KEY_PATTERN = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const INDEX_PATTERN = /^\d+$/;
// Maps whose keys are user data: numeric keys there must stay keys.
const MAP_KEYS = new Set(["metadata"]);

function splitKey(key: string): string[] {
  const match = KEY_PATTERN.exec(key);
  if (!match?.[1]) throw new FormDecodeError(`Invalid parameter name: ${key}`);
  const rest = match[2] ?? "";
  const segments = [match[1]];
  for (const part of rest.matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1] ?? "");
  return segments;
}

// Null-prototype objects so a key like `__proto__` is stored as data rather
// than rewriting the object's prototype.
function emptyObject(): FormObject {
  return Object.create(null) as FormObject;
}

function isObject(value: FormValue | undefined): value is FormObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function decodeForm(encoded: string): FormObject {
  const root = emptyObject();
  for (const [key, value] of new URLSearchParams(encoded)) {
    const segments = splitKey(key);
    let node = root;
    for (let i = 0; i < segments.length; i++) {
      let segment = segments[i] ?? "";
      // `a[]` appends: give it the next free index so it becomes an array below.
      if (segment === "") segment = String(Object.keys(node).length);
      if (i === segments.length - 1) {
        if (isObject(node[segment])) throw new FormDecodeError(`Invalid value for ${key}: expected an object`);
        node[segment] = value;
        break;
      }
      const next = node[segment];
      if (next === undefined) {
        const created = emptyObject();
        node[segment] = created;
        node = created;
      } else if (isObject(next)) {
        node = next;
      } else {
        throw new FormDecodeError(`Invalid value for ${key}: ${segments[i]} is not an object`);
      }
    }
  }
  return arraysFromIndices(root, "") as FormObject;
}

function arraysFromIndices(value: FormValue, parentKey: string): FormValue {
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  for (const key of keys) value[key] = arraysFromIndices(value[key] as FormValue, key);
  if (MAP_KEYS.has(parentKey) || keys.length === 0 || !keys.every((k) => INDEX_PATTERN.test(k))) return value;
  return keys
    .map((k) => [Number(k), value[k] as FormValue] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, v]) => v);
}

// Canonical text for comparing two requests' params regardless of key order.
export function canonicalForm(value: FormValue): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalForm).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalForm(value[k] as FormValue)}`).join(",")}}`;
}
