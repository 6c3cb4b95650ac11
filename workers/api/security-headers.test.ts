// Security headers on every kind of answer: JSON, errors, the JWKS, and the
// reference page, whose policy must allow exactly the scripts it contains.
import { describe, expect, it } from "vitest";
import { api, createWorld, signIn } from "../../test/world.ts";
import { API_CSP, docsPolicy } from "./http/security-headers.ts";

const EXPECTED = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=63072000; includeSubDomains",
  "cross-origin-opener-policy": "same-origin",
};

describe("security headers", () => {
  it("are on JSON answers, errors and the JWKS, with a policy that lets nothing load", async () => {
    const responses = await Promise.all([
      api("/v1/health"),
      api("/v1/orders/not-a-uuid"),
      api("/v1/no-such-route"),
      api("/.well-known/jwks.json"),
      api("/v1/openapi.json"),
    ]);
    for (const res of responses) {
      for (const [name, value] of Object.entries(EXPECTED))
        expect(res.headers.get(name), `${res.url} ${name}`).toBe(value);
      expect(res.headers.get("content-security-policy")).toBe(API_CSP);
    }
  });

  it("answers to a signed-in caller are not kept by shared caches", async () => {
    const world = await createWorld();
    const token = await signIn(world.emails.customer);
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("the reference page gets a policy allowing its own inline script by hash and nothing inline besides", async () => {
    const res = await api("/v1/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    const policy = res.headers.get("content-security-policy") ?? "";
    expect(policy).toBe(await docsPolicy(html));
    expect(policy).toMatch(/script-src 'self'[^;]* 'sha256-[A-Za-z0-9+/=]+'/);
    expect(policy).not.toContain("'unsafe-inline' 'unsafe-eval'");
    expect(policy.split(";").find((d) => d.trim().startsWith("script-src"))).not.toContain("unsafe-inline");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it("derives the page policy from the page: another inline script gets another hash", async () => {
    const a = await docsPolicy("<script>one()</script>");
    const b = await docsPolicy("<script>two()</script>");
    expect(a).not.toBe(b);
    expect(await docsPolicy('<script src="https://cdn.example/x.js"></script>')).toContain("https://cdn.example");
    expect(await docsPolicy('<script src="http://plain.example/x.js"></script>')).not.toContain("plain.example");
  });
});
