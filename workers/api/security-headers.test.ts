// Security headers on every kind of answer: JSON, errors, the JWKS, and the
// reference page, which keeps its own policy.
import { describe, expect, it } from "vitest";
import { api, createWorld, signIn } from "../../test/world.ts";
import { API_CSP } from "./http/security-headers.ts";
import { DOCS_CSP } from "./routes/docs.ts";

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

  it("the reference page keeps the stricter policy its route sets, with the same headers besides", async () => {
    const res = await api("/v1/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(DOCS_CSP);
    for (const [name, value] of Object.entries(EXPECTED)) expect(res.headers.get(name), name).toBe(value);
  });
});
