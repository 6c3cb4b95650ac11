// Browser-facing security headers on every response. The API answers JSON to
// scripts on other origins (through CORS), never pages, so its policy forbids
// everything a document could do; the one HTML page, /v1/docs, gets a policy
// derived from the page itself (see docsPolicy).
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../context.ts";

/** For JSON: nothing may load, frame or be framed; a response sniffed as HTML still runs nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const base = secureHeaders({
  // Set per response below: /v1/docs needs its own.
  contentSecurityPolicy: undefined,
  xFrameOptions: "DENY",
  strictTransportSecurity: "max-age=63072000; includeSubDomains",
  // The console on another origin reads responses through CORS, which CORP does not govern.
  crossOriginResourcePolicy: "same-origin",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
});

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let binary = "";
  for (const b of new Uint8Array(digest)) binary += String.fromCharCode(b);
  return btoa(binary);
}

const docsPolicies = new Map<string, Promise<string>>();

/**
 * The reference page is rendered by a library and is being moved to serve its
 * assets from this Worker; rather than hard-code today's CDN and inline
 * script, the policy allows exactly what the page it guards contains: its
 * inline scripts by hash, its external scripts and styles by origin, and
 * nothing else. The page is static (no request data reaches it), so deriving
 * the policy from it cannot be steered by a client. Cached per page text.
 */
export function docsPolicy(html: string): Promise<string> {
  let policy = docsPolicies.get(html);
  if (!policy) {
    policy = buildDocsPolicy(html);
    docsPolicies.set(html, policy);
  }
  return policy;
}

async function buildDocsPolicy(html: string): Promise<string> {
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1] ?? "");
  const hashes = await Promise.all(inline.map(async (code) => `'sha256-${await sha256Base64(code)}'`));
  const originsOf = (pattern: RegExp) =>
    [...new Set([...html.matchAll(pattern)].map((m) => m[1] ?? "").filter((u) => /^https:\/\//i.test(u)))].map(
      (u) => new URL(u).origin,
    );
  const scriptOrigins = originsOf(/<script[^>]*\bsrc="([^"]+)"/gi);
  const styleOrigins = originsOf(/<link[^>]*\bhref="([^"]+)"/gi);
  return [
    "default-src 'none'",
    ["script-src 'self'", ...scriptOrigins, ...hashes].join(" "),
    // Swagger UI writes style attributes into its markup.
    ["style-src 'self' 'unsafe-inline'", ...styleOrigins].join(" "),
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await base(c, async () => {
    await next();
  });
  const res = c.res;
  // A 101 carries a socket, not a document; its headers are the runtime's.
  if (res.status === 101) return;
  const isHtml = res.headers.get("content-type")?.includes("text/html") ?? false;
  const policy = isHtml ? await docsPolicy(await res.clone().text()) : API_CSP;
  res.headers.set("content-security-policy", policy);
  // Answers to signed-in callers are theirs alone: no shared cache may keep them.
  if (c.req.header("authorization") && !res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
};
