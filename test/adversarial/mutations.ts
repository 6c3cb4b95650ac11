// Request mutations for the fuzzer, derived from the OpenAPI document: each
// takes a valid call (from access-rules.ts) and breaks it in one way that the
// document itself says is invalid (a wrong type, a missing required field, a
// value out of range, an unknown field where none are allowed, junk in a path
// parameter, a malformed or oversized body) or that the caller may not do
// (no token, a broken token, the wrong role). The server must refuse every
// one with a 4xx in the error shape, never a 2xx and never a 5xx.
import { pick } from "../../domain/random/seeded-random.ts";
import type { Call } from "./access-rules.ts";
import type { JsonSchema, OpenApiDocument, Operation } from "./operations.ts";
import { resolve } from "./operations.ts";

export type Random = () => number;

export interface Mutation {
  kind: string;
  call: Call;
  /** Replaces the caller: undefined keeps the chosen one, null sends no token, a string sends that token. */
  token?: string | null;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const JUNK_SEGMENTS = [
  "not-a-uuid",
  "..%2F..%2Fetc%2Fpasswd",
  "' OR 1=1 --",
  "%00",
  "%F0%9F%99%82",
  "A".repeat(300),
  "-1",
  "0",
  "1e999",
  "null",
  "undefined",
  "%7Bid%7D",
  "00000000-0000-0000-0000-00000000000g",
  "99999999999999999999999",
  "NaN",
];

const OTHER_TYPES: Json[] = [null, true, 0, -1, 1.5, "", "x", [], {}, [1, 2], { a: 1 }];

function jsonType(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function types(schema: JsonSchema): string[] {
  const t = schema.type;
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

/** Whether `value` fits the schema's declared type(s); unknown or composite types count as "may fit". */
function typeFits(schema: JsonSchema, value: Json): boolean {
  if (schema.anyOf || schema.oneOf || schema.allOf || schema.$ref) return true;
  const allowed = types(schema);
  if (allowed.length === 0) return true;
  const actual = jsonType(value);
  if (schema.nullable && actual === "null") return true;
  return allowed.includes(actual) || (actual === "integer" && allowed.includes("number"));
}

interface Slot {
  path: Array<string | number>;
  schema: JsonSchema;
  parent: JsonSchema;
  required: boolean;
}

/** Every property and array element of a value, with the schema that governs it. */
function slots(doc: OpenApiDocument, schema: JsonSchema, value: Json, path: Array<string | number> = []): Slot[] {
  const s = resolve(doc, schema);
  const out: Slot[] = [];
  if (value && typeof value === "object" && !Array.isArray(value) && s.properties) {
    for (const [key, child] of Object.entries(s.properties)) {
      const childSchema = resolve(doc, child);
      out.push({ path: [...path, key], schema: childSchema, parent: s, required: s.required?.includes(key) ?? false });
      if (key in value) out.push(...slots(doc, childSchema, value[key] as Json, [...path, key]));
    }
  } else if (Array.isArray(value) && s.items) {
    const itemSchema = resolve(doc, s.items);
    value.forEach((item, i) => {
      out.push({ path: [...path, i], schema: itemSchema, parent: s, required: true });
      out.push(...slots(doc, itemSchema, item, [...path, i]));
    });
  }
  return out;
}

function setAt(root: Json, path: Array<string | number>, value: Json | undefined): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/**
 * A value the slot's schema refuses, if one can be built from what the document says.
 * `inUrl`: the value travels as text, where any text is a valid string.
 */
function invalidValue(random: Random, s: JsonSchema, inUrl = false): { kind: string; value: Json } | null {
  const options: Array<{ kind: string; value: Json }> = [];
  if (!(inUrl && types(s).includes("string"))) {
    for (const other of OTHER_TYPES)
      if (!typeFits(s, other)) options.push({ kind: `type ${jsonType(other)}`, value: other });
  }
  const t = types(s);
  if (t.includes("integer") || t.includes("number")) {
    if (s.minimum !== undefined) options.push({ kind: "below minimum", value: s.minimum - 1 });
    if (s.maximum !== undefined) options.push({ kind: "above maximum", value: s.maximum + 1 });
    if (s.exclusiveMinimum !== undefined) options.push({ kind: "at exclusive minimum", value: s.exclusiveMinimum });
    if (t.includes("integer") && !t.includes("number")) options.push({ kind: "fraction", value: 1.5 });
    if (s.maximum === undefined) options.push({ kind: "huge", value: 1e308 });
  }
  if (t.includes("string")) {
    if (s.maxLength !== undefined) options.push({ kind: "too long", value: "x".repeat(s.maxLength + 1) });
    if (s.minLength !== undefined && s.minLength > 0) options.push({ kind: "too short", value: "" });
    if (s.format === "uuid") options.push({ kind: "not a uuid", value: pick(random, JUNK_SEGMENTS) });
    if (s.enum) options.push({ kind: "not in enum", value: `not-${String(s.enum[0])}` });
    if (s.pattern) {
      const candidate = pick(random, ["", " ", "x", "--", "a b", "12345678901234567890", "é"]);
      if (!new RegExp(s.pattern, "u").test(candidate)) options.push({ kind: "pattern", value: candidate });
    }
  }
  if (t.includes("array")) {
    if (s.maxItems !== undefined) options.push({ kind: "too many items", value: Array(s.maxItems + 1).fill(null) });
    if (s.minItems !== undefined && s.minItems > 0) options.push({ kind: "too few items", value: [] });
  }
  if (s.enum && !t.includes("string")) options.push({ kind: "not in enum", value: "not-an-enum-value" });
  if (s.const !== undefined) options.push({ kind: "not the constant", value: `not-${String(s.const)}` });
  return options.length > 0 ? pick(random, options) : null;
}

function bodyMutations(random: Random, doc: OpenApiDocument, op: Operation, base: Call): Mutation[] {
  if (!op.body) return [];
  const schema = resolve(doc, op.body);
  const body = (base.body ?? {}) as Json;
  const out: Mutation[] = [
    {
      kind: "body: malformed JSON",
      call: { ...base, body: undefined, rawBody: `${JSON.stringify(body).slice(0, -1)},` },
    },
    {
      kind: "body: root not an object",
      call: { ...base, body: undefined, rawBody: JSON.stringify(pick(random, [[], "x", 42, null, true])) },
    },
    {
      kind: "body: over 64 KiB",
      call: { ...base, body: undefined, rawBody: JSON.stringify({ ...(body as object), pad: "x".repeat(70_000) }) },
    },
  ];
  if (schema.additionalProperties === false) {
    out.push({ kind: "body: unknown field", call: { ...base, body: { ...(body as object), totalMinor: 1 } } });
  }
  for (const slot of slots(doc, schema, body)) {
    if (slot.required && typeof slot.path[slot.path.length - 1] === "string") {
      out.push({
        kind: `body: ${slot.path.join(".")} missing`,
        call: { ...base, body: setAt(body, slot.path, undefined) },
      });
    }
    const bad = invalidValue(random, slot.schema);
    if (bad)
      out.push({
        kind: `body: ${slot.path.join(".")} ${bad.kind}`,
        call: { ...base, body: setAt(body, slot.path, bad.value) },
      });
    if (slot.schema.additionalProperties === false && slot.schema.properties) {
      const current = slot.path.reduce<Json>((v, k) => (v as Record<string | number, Json>)?.[k] ?? null, body);
      if (current && typeof current === "object" && !Array.isArray(current)) {
        out.push({
          kind: `body: ${slot.path.join(".")} unknown field`,
          call: { ...base, body: setAt(body, slot.path, { ...current, priceMinor: 0 }) },
        });
      }
    }
  }
  if (schema.required && schema.required.length > 0) {
    out.push({
      kind: "body: sent as text/plain",
      call: { ...base, headers: { ...base.headers, "content-type": "text/plain" } },
    });
  }
  return out;
}

function parameterMutations(random: Random, op: Operation, base: Call): Mutation[] {
  const out: Mutation[] = [];
  for (const p of op.parameters) {
    const s = p.schema ?? {};
    if (p.in === "path") {
      const junk = JUNK_SEGMENTS.filter((j) => !(s.pattern && new RegExp(s.pattern).test(decodeURIComponent(j))));
      const value = pick(random, junk);
      out.push({
        kind: `path ${p.name}: ${value.slice(0, 24)}`,
        call: { ...base, params: { ...base.params, [p.name]: decodeURIComponent(value) } },
      });
    } else if (p.in === "query") {
      if (p.required) {
        const { [p.name]: _dropped, ...rest } = base.query ?? {};
        out.push({ kind: `query ${p.name} missing`, call: { ...base, query: rest } });
      }
      const bad = invalidValue(random, s, true);
      if (bad && (typeof bad.value !== "object" || bad.value === null)) {
        out.push({
          kind: `query ${p.name} ${bad.kind}`,
          call: { ...base, query: { ...base.query, [p.name]: String(bad.value) } },
        });
      }
      if (types(s).some((t) => t === "number" || t === "integer")) {
        out.push({
          kind: `query ${p.name} not a number`,
          call: { ...base, query: { ...base.query, [p.name]: "abc" } },
        });
      }
    } else if (p.in === "header") {
      if (p.required) {
        const headers = { ...base.headers };
        delete headers[p.name];
        out.push({ kind: `header ${p.name} missing`, call: { ...base, headers } });
      }
      const garbage =
        p.name === "stripe-signature"
          ? "t=1,v1=deadbeef"
          : pick(random, ["abc", "has spaces in it", "x".repeat(200), "semi;colon;key"]);
      out.push({
        kind: `header ${p.name} garbage`,
        call: { ...base, headers: { ...base.headers, [p.name]: garbage } },
      });
    }
  }
  return out;
}

function authMutations(op: Operation, base: Call, wrongRoleTokens: string[]): Mutation[] {
  if (!op.authenticated) return [];
  const out: Mutation[] = [
    { kind: "auth: no token", call: base, token: null },
    { kind: "auth: broken token", call: base, token: "eyJhbGciOiJFUzI1NiJ9.e30.AAAA" },
  ];
  for (const token of wrongRoleTokens) out.push({ kind: "auth: role or party not allowed", call: base, token });
  return out;
}

/** Every mutation of one operation's valid call, for the fuzzer to draw from. */
export function mutationsFor(
  random: Random,
  doc: OpenApiDocument,
  op: Operation,
  base: Call,
  refusedTokens: string[],
): Mutation[] {
  return [
    ...bodyMutations(random, doc, op, base),
    ...parameterMutations(random, op, base),
    ...authMutations(op, base, refusedTokens),
  ];
}
