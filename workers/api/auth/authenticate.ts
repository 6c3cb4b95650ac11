// HTTP layer over domain/auth/tokens.ts: reads the bearer token, accepts our
// own tokens and, when OIDC_ISSUER is configured, tokens of that issuer.

import { and, eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { createRemoteJWKSet, decodeJwt, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { Database } from "../../../db/client.ts";
import { users } from "../../../db/schema.ts";
import type { Principal, Role } from "../../../domain/auth/principal.ts";
import { type AccessClaims, loadSigningKeys, TokenError, verifyAccessToken } from "../../../domain/auth/tokens.ts";
import { VerifiedTokens } from "../../../domain/auth/verified-tokens.ts";
import type { Env } from "../../env.ts";
import type { AppContext, AppEnv } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { userRateLimit } from "../http/rate-limits.ts";
import { checkSession } from "./sessions.ts";

const oidcKeySets = new Map<string, JWTVerifyGetKey>();

async function oidcKeySet(issuer: string): Promise<JWTVerifyGetKey> {
  let keySet = oidcKeySets.get(issuer);
  if (!keySet) {
    const discovery = await fetch(
      new URL(".well-known/openid-configuration", issuer.endsWith("/") ? issuer : `${issuer}/`),
    );
    if (!discovery.ok) throw new TokenError("token_invalid", "The identity provider could not be reached.");
    const { jwks_uri } = (await discovery.json()) as { jwks_uri?: string };
    if (!jwks_uri) throw new TokenError("token_invalid", "The identity provider publishes no JWKS.");
    keySet = createRemoteJWKSet(new URL(jwks_uri));
    oidcKeySets.set(issuer, keySet);
  }
  return keySet;
}

/** An OIDC user is known by (issuer, subject); first sight creates a customer account. */
async function principalForOidc(
  db: Database,
  issuer: string,
  subject: string,
  email: string | undefined,
  name: string | undefined,
): Promise<Principal> {
  const found = await db
    .select({ id: users.id, role: users.role, restaurantId: users.restaurantId, deactivatedAt: users.deactivatedAt })
    .from(users)
    .where(and(eq(users.oidcIssuer, issuer), eq(users.oidcSubject, subject)))
    .limit(1);
  const existing = found[0];
  // Read on every request, so a deactivated account is refused at once.
  if (existing?.deactivatedAt) throw new TokenError("token_revoked", "This account is deactivated.");
  let row: { id: string; role: Principal["role"]; restaurantId: string | null } | undefined = existing;
  if (!row) {
    const inserted = await db
      .insert(users)
      .values({
        email: email ?? `${subject}@${new URL(issuer).host}`,
        name: name ?? subject,
        role: "customer",
        oidcIssuer: issuer,
        oidcSubject: subject,
      })
      .onConflictDoNothing()
      .returning({ id: users.id, role: users.role, restaurantId: users.restaurantId });
    row = inserted[0];
    if (!row) throw new TokenError("token_invalid", "This identity conflicts with an existing account.");
  }
  return { userId: row.id, role: row.role, restaurantId: row.restaurantId ?? undefined };
}

// Per isolate and per key set: a rotated JWT_PRIVATE_KEYS starts from nothing.
const verified = new WeakMap<object, VerifiedTokens>();

async function verifiedClaims(env: Env, token: string): Promise<AccessClaims> {
  const keys = await loadSigningKeys(env.JWT_PRIVATE_KEYS);
  let tokens = verified.get(keys);
  if (!tokens) {
    tokens = new VerifiedTokens();
    verified.set(keys, tokens);
  }
  const known = tokens.get(token, Date.now());
  if (known) return known;
  const claims = await verifyAccessToken(keys, token, { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE });
  tokens.set(token, claims);
  return claims;
}

export async function authenticateToken(env: Env, db: () => Database, token: string): Promise<Principal> {
  const issuer = env.OIDC_ISSUER;
  if (issuer) {
    let claimedIssuer: string | undefined;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      throw new TokenError("token_invalid", "The access token is not valid.");
    }
    if (claimedIssuer === issuer) {
      try {
        const { payload } = await jwtVerify(token, await oidcKeySet(issuer), {
          issuer,
          requiredClaims: ["exp"],
          ...(env.OIDC_AUDIENCE ? { audience: env.OIDC_AUDIENCE } : {}),
        });
        if (!payload.sub) throw new TokenError("token_invalid", "The token names no subject.");
        const email = typeof payload.email === "string" ? payload.email : undefined;
        const name = typeof payload.name === "string" ? payload.name : undefined;
        return await principalForOidc(db(), issuer, payload.sub, email, name);
      } catch (err) {
        if (err instanceof TokenError) throw err;
        if ((err as { code?: string }).code === "ERR_JWT_EXPIRED")
          throw new TokenError("token_expired", "The access token has expired.");
        throw new TokenError("token_invalid", "The access token is not valid.");
      }
    }
  }
  const claims = await verifiedClaims(env, token);
  if ((await checkSession(env, claims)).revoked) {
    throw new TokenError("token_revoked", "This session was signed out; sign in again.");
  }
  return claims.principal;
}

export function bearerToken(c: AppContext): string | undefined {
  const header = c.req.header("authorization");
  if (header?.startsWith("Bearer ")) return header.slice(7).trim();
  // Browsers cannot set headers on a WebSocket upgrade; the token may ride in the query.
  if (c.req.header("upgrade")?.toLowerCase() === "websocket") return c.req.query("access_token") ?? undefined;
  return undefined;
}

/** Requires a valid token; with `roles`, also one of those roles (403 otherwise). */
export function requireAuth(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    if (!token) throw new ApiError(401, "token_missing", "Sign in: this endpoint needs a bearer access token.");
    let principal: Principal;
    try {
      principal = await authenticateToken(c.env, () => c.var.db, token);
    } catch (err) {
      if (err instanceof TokenError) throw new ApiError(401, err.code, err.message);
      throw err;
    }
    // Before the role check: one budget per user, whatever they try.
    await userRateLimit(c, principal.userId);
    if (roles.length > 0 && !roles.includes(principal.role)) {
      throw new ApiError(403, "role_not_allowed", `This action needs one of the roles: ${roles.join(", ")}.`);
    }
    c.set("principal", principal);
    await next();
  };
}

export function principalOf(c: AppContext): Principal {
  const principal = c.get("principal");
  if (!principal) throw new ApiError(401, "token_missing", "Sign in: this endpoint needs a bearer access token.");
  return principal;
}
