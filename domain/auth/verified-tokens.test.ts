import { describe, expect, it } from "vitest";
import type { AccessClaims } from "./tokens.ts";
import { VerifiedTokens } from "./verified-tokens.ts";

const claims = (expiresAt: number, userId = "u1"): AccessClaims => ({
  principal: { userId, role: "customer" },
  sessionId: "s1",
  issuedAt: expiresAt - 900,
  expiresAt,
});

describe("VerifiedTokens", () => {
  it("returns the claims of a verified token until the second it expires", () => {
    const cache = new VerifiedTokens();
    cache.set("t", claims(1000));
    expect(cache.get("t", 999_999)?.principal.userId).toBe("u1");
    expect(cache.get("t", 1_000_000)).toBeUndefined();
    // Once expired it is gone, not revived by an earlier clock.
    expect(cache.get("t", 999_000)).toBeUndefined();
  });

  it("knows nothing of a token it was not given, even one differing by a character", () => {
    const cache = new VerifiedTokens();
    cache.set("abc", claims(1000));
    expect(cache.get("abd", 0)).toBeUndefined();
  });

  it("stays within its bound, dropping the oldest first", () => {
    const cache = new VerifiedTokens(2);
    cache.set("a", claims(1000, "a"));
    cache.set("b", claims(1000, "b"));
    cache.set("c", claims(1000, "c"));
    expect(cache.size).toBe(2);
    expect(cache.get("a", 0)).toBeUndefined();
    expect(cache.get("c", 0)?.principal.userId).toBe("c");
  });
});
