// The authorization matrix, generated from the OpenAPI document: every
// operation × every role × owner / stranger, against the rule declared for it
// in access-rules.ts. A new operation without a rule fails here.
import { beforeAll, describe, expect, it } from "vitest";
import { ACCESS_RULES } from "./access-rules.ts";
import { buildFixtures, type Fixtures, principal, type Who } from "./fixtures.ts";
import { classify, send } from "./http.ts";
import { loadOperations, type Operation } from "./operations.ts";
import { tally } from "./tally.ts";

let fx: Fixtures;
let operations: Operation[];

beforeAll(async () => {
  [fx, { operations }] = await Promise.all([buildFixtures(), loadOperations()]);
}, 60_000);

const WHO: Who[] = ["anonymous", "customer", "restaurant_staff", "courier", "admin"];

describe("authorization matrix", () => {
  it("declares a rule for every operation in the document, and no rule for one that is gone", () => {
    const keys = new Set(operations.map((o) => o.key));
    expect(operations.filter((o) => !ACCESS_RULES[o.key]).map((o) => o.key)).toEqual([]);
    expect(Object.keys(ACCESS_RULES).filter((k) => !keys.has(k))).toEqual([]);
  });

  it("every operation × role × owner/stranger answers as declared", async () => {
    const t = tally("authorization matrix");
    // Order-changing calls go last so that reads see the order as the fixtures left it.
    const ordered = [...operations].sort((a, b) => Number(a.limited) - Number(b.limited));
    for (const op of ordered) {
      const rule = ACCESS_RULES[op.key];
      if (!rule) continue;
      for (const who of WHO) {
        for (const owner of who === "anonymous" || who === "admin" ? [true] : [true, false]) {
          const expected = rule.expect(who, owner);
          const res = await send(op, await rule.call(fx), principal(fx, who, owner));
          const { outcome, detail } = await classify(res, rule.allowedNotFound ?? []);
          t.expect(
            outcome === expected,
            expected !== "allow",
            () => `${op.key} as ${who}${owner ? "" : " (stranger)"}: expected ${expected}, got ${detail}`,
          );
        }
      }
    }
    t.report();
    expect(t.wrong).toEqual([]);
  }, 120_000);
});
