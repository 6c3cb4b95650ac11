import { describe, expect, it } from "vitest";
import { cacheKey, isRevoked, NOT_REVOKED, RevocationCache } from "./revocation.ts";

describe("isRevoked", () => {
  it("a signed-out session is revoked whatever its tokens' age", () => {
    expect(isRevoked({ revokedBefore: null, sessionRevoked: true }, 1_000)).toBe(true);
  });

  it("deactivation voids tokens issued up to and including that second, not later ones", () => {
    const record = { revokedBefore: 1_000, sessionRevoked: false };
    expect(isRevoked(record, 999)).toBe(true);
    expect(isRevoked(record, 1_000)).toBe(true);
    expect(isRevoked(record, 1_001)).toBe(false);
  });

  it("a record with nothing in it revokes nothing", () => {
    expect(isRevoked(NOT_REVOKED, 0)).toBe(false);
  });
});

describe("RevocationCache", () => {
  const key = cacheKey("user-1", "session-1");

  it("trusts a live answer for the fresh window only", () => {
    const cache = new RevocationCache(5_000);
    cache.set(key, NOT_REVOKED, 0, 900_000);
    expect(cache.get(key, 4_999)).toEqual(NOT_REVOKED);
    expect(cache.get(key, 5_000)).toBeUndefined();
  });

  it("keeps a revoked answer until the token it was asked for expires", () => {
    const cache = new RevocationCache(5_000);
    const revoked = { revokedBefore: null, sessionRevoked: true };
    cache.set(key, revoked, 0, 900_000);
    expect(cache.get(key, 899_999)).toEqual(revoked);
    expect(cache.get(key, 900_000)).toBeUndefined();
  });

  it("forgets every session of a user at once", () => {
    const cache = new RevocationCache();
    cache.set(cacheKey("u1", "a"), NOT_REVOKED, 0, 1);
    cache.set(cacheKey("u1", "b"), NOT_REVOKED, 0, 1);
    cache.set(cacheKey("u2", "a"), NOT_REVOKED, 0, 1);
    cache.forgetUser("u1");
    expect(cache.get(cacheKey("u1", "a"), 1)).toBeUndefined();
    expect(cache.get(cacheKey("u1", "b"), 1)).toBeUndefined();
    expect(cache.get(cacheKey("u2", "a"), 1)).toEqual(NOT_REVOKED);
  });

  it("stays within its size, dropping the oldest entries", () => {
    const cache = new RevocationCache(5_000, 3);
    for (let i = 0; i < 5; i++) cache.set(cacheKey("u", String(i)), NOT_REVOKED, 0, 1);
    expect(cache.size).toBe(3);
    expect(cache.get(cacheKey("u", "0"), 1)).toBeUndefined();
    expect(cache.get(cacheKey("u", "4"), 1)).toEqual(NOT_REVOKED);
  });
});
