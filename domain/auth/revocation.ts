// Revoking access tokens before they expire. An access token names its session
// (`sid`, the refresh-token family) and when it was issued (`iat`); a user's
// revocation record says which sessions were signed out and since when every
// token is void (the account was deactivated). The Worker asks the user's
// SessionsDO for the record and keeps the answer a few seconds per isolate:
// that is the whole staleness window (docs/decisions/0017-hardening-session-revocation.md).

export interface RevocationRecord {
  /** Every token issued at or before this second is void (account deactivated); null if never. */
  revokedBefore: number | null;
  /** This session was signed out, or its refresh-token family was revoked after a replay. */
  sessionRevoked: boolean;
}

/** Anything in the record at all: such an answer is never held past its window on the feed's word. */
function isRevokedAtAll(record: RevocationRecord): boolean {
  return record.sessionRevoked || record.revokedBefore !== null;
}

export const NOT_REVOKED: RevocationRecord = { revokedBefore: null, sessionRevoked: false };

export function isRevoked(record: RevocationRecord, issuedAt: number): boolean {
  return record.sessionRevoked || (record.revokedBefore !== null && issuedAt <= record.revokedBefore);
}

/** How long an isolate trusts "not revoked" before asking again: the bound on how late a sign-out bites. */
export const REVOCATION_FRESH_MS = 5_000;

interface Entry {
  record: RevocationRecord;
  /** Until when this answer may be used without asking the Durable Object again. */
  until: number;
  /** Past `until`, a live answer may still be used while the revocation feed vouches for it (revocation-feed.ts). */
  held?: HeldAnswer;
}

/** What a live answer past its fresh window needs for the feed to vouch for it. */
export interface HeldAnswer {
  /** The SessionsDO the answer came from, as the feed names it. */
  owner: string;
  /** The feed cursor when the fetch began (RevocationFeedView.stamp); null: never held past `until`. */
  stamp: number | null;
  /** The token's expiry: the answer is never used after it. */
  expiresAt: number;
}

/**
 * Per-isolate memo of revocation records, keyed by user and session. A "live"
 * answer is trusted for `freshMs`; a revoked session never comes back, so that
 * answer is kept until the token it was asked for has expired anyway. Bounded:
 * past `maxEntries` the oldest entries go first (Map keeps insertion order).
 */
export class RevocationCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly freshMs = REVOCATION_FRESH_MS,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string, nowMs: number): RevocationRecord | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= nowMs) {
      if (!this.holdable(entry, nowMs)) this.entries.delete(key);
      return undefined;
    }
    return entry.record;
  }

  /** A live answer past its fresh window that the revocation feed may still vouch for. */
  held(key: string, nowMs: number): HeldAnswer | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.until > nowMs || !this.holdable(entry, nowMs)) return undefined;
    return entry.held;
  }

  private holdable(entry: Entry, nowMs: number): boolean {
    return entry.held !== undefined && entry.held.stamp !== null && entry.held.expiresAt > nowMs;
  }

  set(key: string, record: RevocationRecord, nowMs: number, tokenExpiresAtMs: number, held?: HeldAnswer): void {
    const until = record.sessionRevoked ? Math.max(tokenExpiresAtMs, nowMs + this.freshMs) : nowMs + this.freshMs;
    this.entries.delete(key);
    const live = !isRevokedAtAll(record) && held !== undefined && held.stamp !== null;
    this.entries.set(key, live ? { record, until, held } : { record, until });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** The feed named these owners: their answers are asked again. */
  forgetOwners(owners: readonly string[]): void {
    if (owners.length === 0) return;
    const named = new Set(owners);
    for (const [key, entry] of this.entries) if (entry.held && named.has(entry.held.owner)) this.entries.delete(key);
  }

  /** The feed could not say what happened since this isolate's cursor: nothing is held past its window. */
  forgetHeld(nowMs: number): void {
    for (const [key, entry] of this.entries) if (entry.until <= nowMs || entry.held) this.entries.delete(key);
  }

  /** After this isolate revoked something itself, it need not wait for its own memo to go stale. */
  forgetUser(userId: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(`${userId}:`)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export function cacheKey(userId: string, sessionId: string): string {
  return `${userId}:${sessionId}`;
}
