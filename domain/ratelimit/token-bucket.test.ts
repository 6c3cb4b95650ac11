import { describe, expect, it } from "vitest";
import { fullBucket, take } from "./token-bucket.ts";

const policy = { capacity: 3, perSecond: 2 };

describe("token bucket", () => {
  it("lets a burst of `capacity` through, then refuses", () => {
    let bucket = fullBucket(policy, 0);
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const r = take(bucket, policy, 0);
      results.push(r.ok);
      bucket = r.bucket;
    }
    expect(results).toEqual([true, true, true, false]);
  });

  it("refills at the steady rate and never beyond capacity", () => {
    let bucket = { tokens: 0, at: 0 };
    expect(take(bucket, policy, 400).ok).toBe(false);
    bucket = take(bucket, policy, 500).bucket;
    expect(bucket.tokens).toBeCloseTo(0);
    expect(take({ tokens: 0, at: 0 }, policy, 60_000).bucket.tokens).toBe(policy.capacity - 1);
  });

  it("a sender at the steady rate is never refused", () => {
    let bucket = fullBucket(policy, 0);
    for (let t = 0; t < 10_000; t += 500) {
      const r = take(bucket, policy, t);
      expect(r.ok).toBe(true);
      bucket = r.bucket;
    }
  });

  it("a clock that steps back adds nothing", () => {
    const r = take({ tokens: 0.5, at: 1_000 }, policy, 0);
    expect(r.ok).toBe(false);
  });
});
