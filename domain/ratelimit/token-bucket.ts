// A token bucket: `capacity` messages at once, refilled at `perSecond`. Pure:
// the caller keeps the state and passes the clock.

export interface BucketPolicy {
  capacity: number;
  perSecond: number;
}

export interface Bucket {
  tokens: number;
  at: number;
}

export function fullBucket(policy: BucketPolicy, now: number): Bucket {
  return { tokens: policy.capacity, at: now };
}

/** Takes one token if there is one. The returned bucket replaces the old one either way. */
export function take(bucket: Bucket, policy: BucketPolicy, now: number): { ok: boolean; bucket: Bucket } {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(policy.capacity, bucket.tokens + (elapsed / 1000) * policy.perSecond);
  if (tokens < 1) return { ok: false, bucket: { tokens, at: now } };
  return { ok: true, bucket: { tokens: tokens - 1, at: now } };
}
