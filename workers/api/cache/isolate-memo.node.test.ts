import { describe, expect, it } from "vitest";
import { IsolateMemo } from "./isolate-memo.ts";

describe("IsolateMemo", () => {
  it("serves a value without asking KV only inside the fresh window", () => {
    const memo = new IsolateMemo<number>(1000);
    memo.set("k", "1", 1, 0);
    expect(memo.fresh("k", 999)).toBe(1);
    expect(memo.fresh("k", 1000)).toBeUndefined();
  });

  it("reuses the parsed value while KV's text is unchanged, and parses again when it changed", () => {
    const memo = new IsolateMemo<{ v: number }>(1000);
    let parses = 0;
    const parse = (raw: string) => {
      parses++;
      return JSON.parse(raw) as { v: number };
    };
    const first = memo.resolve("k", '{"v":1}', 0, parse);
    // Past the window: KV read again, same text, same object, no parse.
    expect(memo.resolve("k", '{"v":1}', 5000, parse)).toBe(first);
    expect(parses).toBe(1);
    // Revalidation renews the window.
    expect(memo.fresh("k", 5500)).toBe(first);
    // An edit (new version in KV) is parsed and replaces the old value.
    expect(memo.resolve("k", '{"v":2}', 7000, parse)).toEqual({ v: 2 });
    expect(parses).toBe(2);
  });

  it("forgets an entry at once (the isolate that edits sees its edit)", () => {
    const memo = new IsolateMemo<number>(1000);
    memo.set("k", "1", 1, 0);
    memo.forget("k");
    expect(memo.fresh("k", 1)).toBeUndefined();
  });

  it("stays within its bound, dropping the least recently written", () => {
    const memo = new IsolateMemo<number>(1000, 2);
    memo.set("a", "1", 1, 0);
    memo.set("b", "2", 2, 0);
    memo.set("c", "3", 3, 0);
    expect(memo.fresh("a", 1)).toBeUndefined();
    expect(memo.fresh("c", 1)).toBe(3);
  });
});
