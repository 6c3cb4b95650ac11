// Browser-facing security headers on every response. The API answers JSON to
// scripts on other origins (through CORS), never pages, so its policy forbids
// everything a document could do. A route that serves a page sets its own
// policy (the reference page, routes/docs.ts) and keeps it.
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../context.ts";

/** For JSON: nothing may load, frame or be framed; a response sniffed as HTML still runs nothing. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const base = secureHeaders({
  // Set below, unless the route chose its own.
  contentSecurityPolicy: undefined,
  xFrameOptions: "DENY",
  strictTransportSecurity: "max-age=63072000; includeSubDomains",
  // The console on another origin reads responses through CORS, which CORP does not govern.
  crossOriginResourcePolicy: "same-origin",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
});

/**
 * Menu photos are for <img> tags on the apps' own origins (the console, the
 * customer app), which CORP same-origin would blank: the one kind of answer
 * another origin may embed. They are public and carry nothing of a caller.
 */
const EMBEDDABLE = /^\/v1\/media\//;

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await base(c, async () => {
    await next();
  });
  const res = c.res;
  // A 101 carries a socket, not a document; its headers are the runtime's.
  if (res.status === 101) return;
  if (!res.headers.has("content-security-policy")) res.headers.set("content-security-policy", API_CSP);
  if (EMBEDDABLE.test(new URL(c.req.url).pathname)) res.headers.set("cross-origin-resource-policy", "cross-origin");
  // Answers to signed-in callers are theirs alone: no shared cache may keep them.
  if (c.req.header("authorization") && !res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
};
