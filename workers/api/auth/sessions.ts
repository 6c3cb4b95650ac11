// The API side of session revocation: asks the user's SessionsDO whether an
// access token's session is still alive (memoised per isolate, see
// domain/auth/revocation.ts) and writes revocations there. Past the memo's
// fresh window a live answer is kept while the revocation feed vouches for it
// (domain/auth/revocation-feed.ts, decision 0062): the isolate then reads the
// feed once per window instead of asking each user's object once per window.

import { cacheKey, isRevoked, RevocationCache, type RevocationRecord } from "../../../domain/auth/revocation.ts";
import { type FeedPage, RevocationFeedView } from "../../../domain/auth/revocation-feed.ts";
import type { AccessClaims } from "../../../domain/auth/tokens.ts";
import { REVOCATION_FEED_NAME } from "../../../durable-objects/sessions/revocation-feed.ts";
import type { SessionsDO } from "../../../durable-objects/sessions/sessions-do.ts";
import { logLine } from "../../../platform/log.ts";
import type { Env } from "../../env.ts";

type SessionsRpc = DurableObjectStub<SessionsDO>;

const cache = new RevocationCache();
const feed = new RevocationFeedView();
/** One read of the feed at a time per isolate; concurrent requests share it. */
let reading: Promise<void> | null = null;

function sessionsOf(env: Env, userId: string): SessionsRpc {
  return env.SESSIONS.get(env.SESSIONS.idFromName(`user:${userId}`));
}

function readFeed(env: Env): Promise<void> {
  reading ??= (async () => {
    // Sent now: every revocation announced before this moment is in the page.
    const sentAt = Date.now();
    const stub: SessionsRpc = env.SESSIONS.get(env.SESSIONS.idFromName(REVOCATION_FEED_NAME));
    const page: FeedPage = await stub.feedSince(feed.cursor);
    const applied = feed.apply(page, sentAt);
    if (applied.reset) cache.forgetHeld(Date.now());
    else cache.forgetOwners(applied.owners);
  })().finally(() => {
    reading = null;
  });
  return reading;
}

export interface SessionCheck {
  revoked: boolean;
  /** Whether the answer came from this isolate's memo (no call to the user's SessionsDO). */
  cached: boolean;
}

export async function checkSession(env: Env, claims: AccessClaims, nowMs = Date.now()): Promise<SessionCheck> {
  const key = cacheKey(claims.principal.userId, claims.sessionId);
  const fresh: RevocationRecord | undefined = cache.get(key, nowMs);
  if (fresh) return { revoked: isRevoked(fresh, claims.issuedAt), cached: true };
  const held = cache.held(key, nowMs);
  if (held) {
    if (feed.due(nowMs)) {
      try {
        await readFeed(env);
      } catch (err) {
        // The feed unreachable: ask the user's object, as before the feed existed.
        logLine("warn", "auth.revocation_feed_failed", { error: String(err) });
      }
    }
    const now = Date.now();
    const still = cache.held(key, now);
    if (still && feed.vouches(still.owner, still.stamp, now)) return { revoked: false, cached: true };
  }
  const id = env.SESSIONS.idFromName(`user:${claims.principal.userId}`);
  // Stamped with the cursor from before the fetch: a revocation the fetch might have missed is one the
  // feed names after it. A feed read due meanwhile goes alongside, so the next answers can be held.
  const start = feed.start();
  const [record] = await Promise.all([
    (env.SESSIONS.get(id) as SessionsRpc).record(claims.sessionId),
    feed.due(nowMs) ? readFeed(env).catch(() => undefined) : undefined,
  ]);
  const owner = id.toString();
  cache.set(key, record, nowMs, claims.expiresAt * 1000, {
    owner,
    stamp: feed.stamp(owner, start),
    expiresAt: claims.expiresAt * 1000,
  });
  return { revoked: isRevoked(record, claims.issuedAt), cached: false };
}

function accessTtlSeconds(env: Env): number {
  return Number(env.ACCESS_TOKEN_TTL_SECONDS) || 900;
}

/** Signs a session out: its access tokens stop working within the memo's fresh window. */
export async function revokeSession(env: Env, userId: string, sessionId: string): Promise<void> {
  const until = Math.floor(Date.now() / 1000) + accessTtlSeconds(env) + 60;
  await sessionsOf(env, userId).revokeSession(sessionId, until);
  cache.forgetUser(userId);
}

/** Voids every access token the user holds now (deactivation). */
export async function revokeAllSessions(env: Env, userId: string): Promise<void> {
  await sessionsOf(env, userId).revokeAllBefore(Math.floor(Date.now() / 1000));
  cache.forgetUser(userId);
}
