// Calls the API configured as in staging and production, where the platform
// vouches for the client's address (TRUSTED_IP_HEADER = cf-connecting-ip, which
// Cloudflare's edge sets). The local configuration the other tests use trusts
// no address; this is how the per-IP limits are tested at all.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../workers/api/app.ts";
import type { Env } from "../workers/env.ts";
import { testEnv } from "./world.ts";

const app = createApp();
const edgeEnv: Env = { ...testEnv, TRUSTED_IP_HEADER: "cf-connecting-ip" };

export async function apiAtEdge(
  path: string,
  init: RequestInit & { ip: string; token?: string; json?: unknown },
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("cf-connecting-ip", init.ip);
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`https://api.test${path}`, { ...init, headers, body }), edgeEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/**
 * The rate limiter counts in windows aligned to the wall clock (locally a
 * minute): a check that runs across a window's end sees its count reset.
 * Runs `attempt` (which must use fresh keys each time) until one run fits in a
 * single window, at most three times; waits only when little of this window is left.
 */
export async function inOneWindow<T>(attempt: () => Promise<T>, periodMs = 60_000): Promise<T> {
  for (let tries = 0; ; tries++) {
    if (periodMs - (Date.now() % periodMs) < 3_000) await new Promise((r) => setTimeout(r, 3_100));
    const window = Math.floor(Date.now() / periodMs);
    const result = await attempt();
    if (Math.floor(Date.now() / periodMs) === window || tries >= 2) return result;
  }
}
