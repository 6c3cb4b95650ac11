// Access tokens: short-lived ES256 JWTs. The signing keys come from
// configuration as private JWKs; the first signs, and all are published at
// /.well-known/jwks.json so a key can be rotated without invalidating tokens
// that are still alive. No I/O here: keys and time are inputs.
import {
  createLocalJWKSet,
  exportJWK,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from "jose";
import type { Principal, Role } from "./principal.ts";

export const ROLES: readonly Role[] = ["customer", "restaurant_staff", "courier", "admin"];

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  publicJwks: { keys: JWK[] };
  verifier: JWTVerifyGetKey;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export class TokenError extends Error {
  constructor(
    readonly code: "token_missing" | "token_invalid" | "token_expired" | "token_revoked",
    message: string,
  ) {
    super(message);
  }
}

/** What a verified access token says beyond who: the session it belongs to and its lifetime. */
export interface AccessClaims {
  principal: Principal;
  /** The sign-in it came from (the refresh-token family): signing out revokes it. */
  sessionId: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * Claims a token must carry to be accepted. Without `exp` a stolen token would
 * never die; without `sid` it could not be revoked by signing out; without
 * `iat` it could not be revoked by deactivating the account.
 */
export const REQUIRED_CLAIMS = ["exp", "iat", "sub", "sid"] as const;

const cache = new Map<string, Promise<SigningKeys>>();

/** Parses `JWT_PRIVATE_KEYS` once per isolate; importing keys on every request would waste CPU. */
export function loadSigningKeys(privateKeysJson: string): Promise<SigningKeys> {
  let keys = cache.get(privateKeysJson);
  if (!keys) {
    keys = parseSigningKeys(privateKeysJson);
    cache.set(privateKeysJson, keys);
  }
  return keys;
}

async function parseSigningKeys(privateKeysJson: string): Promise<SigningKeys> {
  const parsed: unknown = JSON.parse(privateKeysJson);
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error("JWT_PRIVATE_KEYS must be a non-empty JSON array");
  const jwks = parsed as JWK[];
  const publicKeys: JWK[] = [];
  for (const jwk of jwks) {
    if (!jwk.kid) throw new Error("every key in JWT_PRIVATE_KEYS needs a kid");
    const { d: _d, ...publicPart } = jwk;
    publicKeys.push({ ...publicPart, alg: "ES256", use: "sig", kid: jwk.kid });
  }
  const first = jwks[0] as JWK;
  const privateKey = (await importJWK({ ...first, alg: "ES256" }, "ES256")) as CryptoKey;
  const publicJwks = { keys: publicKeys };
  return { kid: first.kid as string, privateKey, publicJwks, verifier: createLocalJWKSet(publicJwks) };
}

export async function issueAccessToken(
  keys: SigningKeys,
  principal: Principal,
  settings: TokenSettings,
  nowSeconds: number,
  sessionId: string,
): Promise<string> {
  const claims: JWTPayload & { role: Role; rid?: string; sid: string } = { role: principal.role, sid: sessionId };
  if (principal.restaurantId) claims.rid = principal.restaurantId;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: keys.kid, typ: "JWT" })
    .setSubject(principal.userId)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + settings.ttlSeconds)
    .setJti(crypto.randomUUID())
    .sign(keys.privateKey);
}

export function principalFromClaims(payload: JWTPayload): Principal {
  const role = payload.role;
  if (typeof payload.sub !== "string" || typeof role !== "string" || !ROLES.includes(role as Role)) {
    throw new TokenError("token_invalid", "The token does not name a user and a role.");
  }
  const rid = payload.rid;
  if (role === "restaurant_staff" && typeof rid !== "string") {
    throw new TokenError("token_invalid", "A staff token must name its restaurant.");
  }
  return { userId: payload.sub, role: role as Role, restaurantId: typeof rid === "string" ? rid : undefined };
}

export async function verifyAccessToken(
  keys: SigningKeys,
  token: string,
  settings: Omit<TokenSettings, "ttlSeconds">,
  nowSeconds?: number,
): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, keys.verifier, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: ["ES256"],
      typ: "JWT",
      requiredClaims: [...REQUIRED_CLAIMS],
      ...(nowSeconds !== undefined ? { currentDate: new Date(nowSeconds * 1000) } : {}),
    });
    const sid = payload.sid;
    if (typeof sid !== "string" || sid.length < 1 || sid.length > 64) {
      throw new TokenError("token_invalid", "The token names no session.");
    }
    return {
      principal: principalFromClaims(payload),
      sessionId: sid,
      issuedAt: payload.iat as number,
      expiresAt: payload.exp as number,
    };
  } catch (err) {
    if (err instanceof TokenError) throw err;
    const code = (err as { code?: string }).code;
    if (code === "ERR_JWT_EXPIRED") throw new TokenError("token_expired", "The access token has expired.");
    throw new TokenError("token_invalid", "The access token is not valid.");
  }
}

/** Refresh tokens are opaque random strings; only their SHA-256 is stored. */
export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export { exportJWK };
