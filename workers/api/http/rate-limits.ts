// Every rate limit of the API, in one place. Each is a Workers rate-limiting
// binding (wrangler.toml declares it with these very numbers in every
// environment; a test compares the two), applied to every state-changing
// request and socket upgrade, and documented on each such operation in the
// OpenAPI document as 429 with Retry-After. Sign-in also backs off per
// account (domain/auth/sign-in-throttle.ts, re-exported here).
import type { Context, MiddlewareHandler } from "hono";
import { SIGN_IN_THROTTLE } from "../../../domain/auth/sign-in-throttle.ts";
import type { Env } from "../../env.ts";
import type { App, AppEnv } from "../context.ts";
import { ApiError } from "./errors.ts";

export { SIGN_IN_THROTTLE };

export interface RateLimitSpec {
  binding: "RL_SIGN_IN_IP" | "RL_WRITE_IP" | "RL_WRITE_USER" | "RL_COURIER_JOB";
  limit: number;
  /** Seconds; the platform allows 10 or 60. */
  period: 10 | 60;
  appliesTo: string;
}

export const RATE_LIMITS = {
  signInPerIp: {
    binding: "RL_SIGN_IN_IP",
    limit: 30,
    period: 60,
    appliesTo: "sign-in and sign-up attempts per client IP",
  },
  writesPerIp: {
    binding: "RL_WRITE_IP",
    // Generous: a mobile carrier's NAT puts many honest users behind one address.
    limit: 600,
    period: 60,
    appliesTo: "every other state-changing request and socket upgrade per client IP",
  },
  writesPerUser: {
    binding: "RL_WRITE_USER",
    limit: 120,
    period: 60,
    appliesTo: "every state-changing request and socket upgrade per signed-in user, across all endpoints",
  },
  courierJobWrites: {
    binding: "RL_COURIER_JOB",
    // A delivery takes a handful of these; the hand-off PIN is among them, so guessing is slow as well as capped.
    limit: 60,
    period: 60,
    appliesTo:
      "a courier's job changes (delivery steps with the hand-off PIN, hand-back, wait, failure report) per courier",
  },
} as const satisfies Record<string, RateLimitSpec>;

const SIGN_IN_PATHS = new Set(["/v1/auth/sign-in", "/v1/auth/sign-up"]);

/** Writes and socket upgrades: what the limits apply to. Plain reads are not limited here. */
export function isStateChanging(c: Context): boolean {
  const method = c.req.method;
  if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") return true;
  return c.req.header("upgrade")?.toLowerCase() === "websocket";
}

/**
 * The client's address, but only as the platform vouches for it. On Cloudflare
 * `CF-Connecting-IP` is set by the edge and a client cannot override it, so
 * staging and production name it in TRUSTED_IP_HEADER. Locally (wrangler dev,
 * tests) Miniflare passes a client's own CF-Connecting-IP through unchanged:
 * there nothing vouches for the address, TRUSTED_IP_HEADER is empty, and the
 * per-IP limits are off rather than keyed on a value the client picks
 * (docs/decisions/0012-hardening-rate-limits-and-sign-in.md).
 */
export function trustedClientIp(c: Context<AppEnv>): string | null {
  const header = c.env.TRUSTED_IP_HEADER?.trim();
  if (!header) return null;
  const value = c.req.header(header)?.trim();
  return value ? value.slice(0, 64) : null;
}

export function rateLimitedError(spec: RateLimitSpec): ApiError {
  return new ApiError(429, "rate_limited", `Too many requests (${spec.appliesTo}); retry later.`, undefined, {
    limit: spec.limit,
    periodSeconds: spec.period,
    retryAfterSeconds: spec.period,
  });
}

export async function enforce(env: Env, spec: RateLimitSpec, key: string): Promise<void> {
  const { success } = await env[spec.binding].limit({ key });
  if (!success) throw rateLimitedError(spec);
}

/** Per-IP limits, before authentication and validation: the cheapest refusal comes first. */
export const ipRateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (isStateChanging(c)) {
    const ip = trustedClientIp(c);
    if (ip !== null) {
      const spec = SIGN_IN_PATHS.has(c.req.path) ? RATE_LIMITS.signInPerIp : RATE_LIMITS.writesPerIp;
      await enforce(c.env, spec, `ip:${ip}`);
    }
  }
  await next();
};

/** Per-user limit, once the token says who is asking (called by requireAuth). One budget across every endpoint. */
export async function userRateLimit(c: Context<AppEnv>, userId: string): Promise<void> {
  if (isStateChanging(c)) await enforce(c.env, RATE_LIMITS.writesPerUser, `user:${userId}`);
}

interface Operation {
  method: string;
  responses: Record<string, unknown>;
}

/** Socket routes are GETs that answer 101: they open a long-lived connection, so they are limited like writes. */
function opensSocket(route: Operation): boolean {
  return "101" in route.responses;
}

export function isLimitedOperation(route: Operation): boolean {
  return !["get", "head", "options"].includes(route.method.toLowerCase()) || opensSocket(route);
}

/** The 429 every limited operation may answer, as the OpenAPI document shows it. */
export function rateLimitResponse(errorSchema: { $ref: string }) {
  const lines = Object.values(RATE_LIMITS).map((s) => `${s.limit} per ${s.period} s: ${s.appliesTo}`);
  lines.push(
    `sign-in per account: ${SIGN_IN_THROTTLE.freeFailures} failures in a row, then a wait of ${SIGN_IN_THROTTLE.firstDelayMs / 1000} s doubling per failure up to ${SIGN_IN_THROTTLE.maxDelayMs / 60_000} min (429 sign_in_throttled)`,
  );
  return {
    description: `Rate limited (rate_limited). Limits: ${lines.join("; ")}.`,
    headers: {
      "Retry-After": {
        description: "Seconds to wait before retrying.",
        schema: { type: "integer" as const, minimum: 1 },
        required: true,
      },
    },
    content: { "application/json": { schema: errorSchema } },
  };
}

/**
 * Adds the 429 (one shared `RateLimited` response) to every state-changing
 * operation and socket upgrade in the registry, so the document cannot forget
 * one: a route added later gets it too.
 */
export function documentRateLimits(registry: App["openAPIRegistry"]): void {
  // A component is written as given (no zod conversion): the error schema goes by reference.
  registry.registerComponent("responses", "RateLimited", rateLimitResponse({ $ref: "#/components/schemas/Error" }));
  for (const definition of registry.definitions) {
    if (definition.type !== "route" || !isLimitedOperation(definition.route)) continue;
    definition.route.responses["429"] = { $ref: "#/components/responses/RateLimited" };
  }
}
