import { describe, expect, it } from "vitest";
import { locationHintForCell, parseLocationHints } from "./location-hints.ts";

describe("zone location hints by city", () => {
  const table = parseLocationHints("eyc:weur, dr5:enam,6gy:sam,eycs:eeur");

  it("picks the longest listed prefix of the cell", () => {
    expect(locationHintForCell("eycs0", table, "weur")).toBe("eeur");
    expect(locationHintForCell("eyckr", table, "apac")).toBe("weur");
    expect(locationHintForCell("dr5ru", table, "weur")).toBe("enam");
    expect(locationHintForCell("6gycf", table, "weur")).toBe("sam");
  });

  it("falls back to the single hint for cells no prefix covers", () => {
    expect(locationHintForCell("u4pru", table, "weur")).toBe("weur");
    expect(locationHintForCell("u4pru", parseLocationHints(undefined), "apac")).toBe("apac");
  });

  it("ignores malformed pairs", () => {
    const parsed = parseLocationHints("eyc:mars,:weur,dr5,aio:weur,u4p:eeur");
    expect([...parsed]).toEqual([["u4p", "eeur"]]);
  });
});
