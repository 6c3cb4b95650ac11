import { describe, expect, it } from "vitest";
import { cacheKey, NOT_REVOKED, RevocationCache } from "./revocation.ts";
import { RevocationFeedView } from "./revocation-feed.ts";

const FRESH = 5_000;
const HOUR = 3_600_000;

describe("RevocationFeedView", () => {
  it("vouches for nothing before its first read, and for an answer stamped at a read within the window", () => {
    const feed = new RevocationFeedView(FRESH);
    const before = feed.start();
    expect(feed.stamp("a", before)).toBeNull();
    expect(feed.apply({ head: 7, owners: null }, 0)).toEqual({ reset: true });
    const stamp = feed.stamp("a", feed.start());
    expect(stamp).toBe(7);
    expect(feed.vouches("a", stamp, 4_999)).toBe(true);
    expect(feed.due(4_999)).toBe(false);
    // Window over without a new read: nothing is vouched for.
    expect(feed.due(5_000)).toBe(true);
    expect(feed.vouches("a", stamp, 5_000)).toBe(false);
  });

  it("stops vouching for an owner the feed names after the answer's stamp", () => {
    const feed = new RevocationFeedView(FRESH);
    feed.apply({ head: 3, owners: null }, 0);
    const stamp = feed.stamp("a", feed.start());
    feed.apply({ head: 4, owners: ["a"] }, 6_000);
    expect(feed.vouches("a", stamp, 6_001)).toBe(false);
    expect(feed.vouches("b", feed.stamp("b", { head: 3, generation: 1 }), 6_001)).toBe(true);
    // An answer fetched after the read that named it is good again.
    expect(feed.vouches("a", feed.stamp("a", feed.start()), 6_001)).toBe(true);
  });

  it("does not stamp an answer whose fetch overlapped a read naming its owner or starting over", () => {
    const feed = new RevocationFeedView(FRESH);
    feed.apply({ head: 3, owners: null }, 0);
    const start = feed.start();
    feed.apply({ head: 5, owners: ["a"] }, 100);
    expect(feed.stamp("a", start)).toBeNull();
    expect(feed.stamp("b", start)).toBe(3);
    const again = feed.start();
    feed.apply({ head: 9, owners: null }, 200);
    expect(feed.stamp("b", again)).toBeNull();
  });

  it("starts over when the feed's head went back (its state was lost)", () => {
    const feed = new RevocationFeedView(FRESH);
    feed.apply({ head: 10, owners: null }, 0);
    expect(feed.apply({ head: 2, owners: [] }, 100)).toEqual({ reset: true });
  });
});

describe("RevocationCache with held answers", () => {
  const key = cacheKey("u1", "s1");

  it("holds a live answer past its window until the token expires, never a revoked or unstamped one", () => {
    const cache = new RevocationCache(FRESH);
    cache.set(key, NOT_REVOKED, 0, HOUR, { owner: "o1", stamp: 3, expiresAt: HOUR });
    expect(cache.get(key, FRESH)).toBeUndefined();
    expect(cache.held(key, FRESH)).toEqual({ owner: "o1", stamp: 3, expiresAt: HOUR });
    expect(cache.held(key, HOUR)).toBeUndefined();
    cache.set(key, NOT_REVOKED, 0, HOUR, { owner: "o1", stamp: null, expiresAt: HOUR });
    expect(cache.held(key, FRESH)).toBeUndefined();
    cache.set(key, { revokedBefore: 10, sessionRevoked: false }, 0, HOUR, { owner: "o1", stamp: 3, expiresAt: HOUR });
    expect(cache.held(key, FRESH)).toBeUndefined();
  });

  it("forgets the owners a read names, and every held answer when the feed starts over", () => {
    const cache = new RevocationCache(FRESH);
    cache.set(cacheKey("u1", "a"), NOT_REVOKED, 0, HOUR, { owner: "o1", stamp: 1, expiresAt: HOUR });
    cache.set(cacheKey("u2", "a"), NOT_REVOKED, 0, HOUR, { owner: "o2", stamp: 1, expiresAt: HOUR });
    cache.forgetOwners(["o1"]);
    expect(cache.held(cacheKey("u1", "a"), FRESH)).toBeUndefined();
    expect(cache.held(cacheKey("u2", "a"), FRESH)).toBeDefined();
    cache.forgetHeld(FRESH);
    expect(cache.held(cacheKey("u2", "a"), FRESH)).toBeUndefined();
  });
});
