// The API's own description of itself: the document it serves is the one
// committed for the web client (web/shared/api/openapi.json), and the
// reference page loads nothing from anywhere but this Worker.
import { describe, expect, it } from "vitest";
import { api } from "../../test/world.ts";
import committed from "../../web/shared/api/openapi.json";

describe("GET /v1/openapi.json", () => {
  it("serves exactly the committed contract", async () => {
    const res = await api("/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(committed);
  });
});

describe("GET /v1/docs", () => {
  it("is a page whose scripts and styles all come from this Worker, under a policy that allows nothing else", async () => {
    const res = await api("/v1/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|unsafe-eval|script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);

    const assets = [...html.matchAll(/(?:src|href)="(\/v1\/docs\/assets\/[^"]+)"/g)].map((m) => m[1] ?? "");
    expect(assets).toHaveLength(3);
    for (const path of assets) {
      const asset = await api(path);
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get("content-type"), path).toMatch(
        path.endsWith(".css") ? /^text\/css/ : /^text\/javascript/,
      );
      expect(asset.headers.get("cache-control"), path).toContain("immutable");
      expect((await asset.text()).length, path).toBeGreaterThan(path.endsWith("init.js") ? 100 : 100_000);
    }
  });

  it("answers 404 in the API's shape for an asset it does not have", async () => {
    const html = await (await api("/v1/docs")).text();
    const base = /href="(\/v1\/docs\/assets\/[^/]+)\//.exec(html)?.[1];
    const res = await api(`${base}/index.html`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("route_not_found");
  });
});
