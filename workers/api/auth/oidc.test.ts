// Tokens from a configured external OIDC issuer are accepted through its JWKS.
import { env } from "cloudflare:workers";
import { importJWK, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { api, testEnv } from "../../../test/world.ts";

const privateJwk = JSON.parse((env as unknown as { OIDC_TEST_PRIVATE_JWK: string }).OIDC_TEST_PRIVATE_JWK) as JWK;

async function oidcToken(claims: { sub: string; email?: string; aud?: string; expiresIn?: number }) {
  const key = await importJWK(privateJwk, "ES256");
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims.email ? { email: claims.email, name: "Olive Oidc" } : {})
    .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid as string })
    .setIssuer(testEnv.OIDC_ISSUER as string)
    .setAudience(claims.aud ?? (testEnv.OIDC_AUDIENCE as string))
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresIn ?? 300))
    .sign(key);
}

describe("external OIDC tokens", () => {
  it("accepts a token of the configured issuer and maps its subject to one customer account", async () => {
    const sub = `oidc-${crypto.randomUUID()}`;
    const token = await oidcToken({ sub, email: `${sub}@idp.test` });
    const first = await api("/v1/me", { token });
    expect(first.status).toBe(200);
    const user = (await first.json()) as { id: string; role: string; email: string };
    expect(user).toMatchObject({ role: "customer", email: `${sub}@idp.test` });
    const again = await api("/v1/me", { token: await oidcToken({ sub }) });
    expect(((await again.json()) as { id: string }).id).toBe(user.id);
  });

  it("refuses a token of that issuer meant for another audience with 401", async () => {
    const token = await oidcToken({ sub: "someone", aud: "another-app" });
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("token_invalid");
  });

  it("refuses an expired token of that issuer with 401 token_expired", async () => {
    const token = await oidcToken({ sub: "someone", expiresIn: -60 });
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("token_expired");
  });
});
