// The API side of session revocation: asks the user's SessionsDO whether an
// access token's session is still alive (memoised per isolate, see
// domain/auth/revocation.ts) and writes revocations there.
import { cacheKey, isRevoked, RevocationCache, type RevocationRecord } from "../../../domain/auth/revocation.ts";
import type { AccessClaims } from "../../../domain/auth/tokens.ts";
import type { SessionsDO } from "../../../durable-objects/sessions/sessions-do.ts";
import type { Env } from "../../env.ts";

type SessionsRpc = DurableObjectStub<SessionsDO>;

const cache = new RevocationCache();

function sessionsOf(env: Env, userId: string): SessionsRpc {
  return env.SESSIONS.get(env.SESSIONS.idFromName(`user:${userId}`));
}

export interface SessionCheck {
  revoked: boolean;
  /** Whether the answer came from this isolate's memo (no Durable Object call). */
  cached: boolean;
}

export async function checkSession(env: Env, claims: AccessClaims, nowMs = Date.now()): Promise<SessionCheck> {
  const key = cacheKey(claims.principal.userId, claims.sessionId);
  let record: RevocationRecord | undefined = cache.get(key, nowMs);
  const cached = record !== undefined;
  if (!record) {
    record = await sessionsOf(env, claims.principal.userId).record(claims.sessionId);
    cache.set(key, record, nowMs, claims.expiresAt * 1000);
  }
  return { revoked: isRevoked(record, claims.issuedAt), cached };
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
