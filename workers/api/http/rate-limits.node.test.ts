// Runs in Node: wrangler.toml must declare every limit with the numbers of the
// table in rate-limits.ts, in every environment, and the deployed environments
// must name the header the platform vouches for.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { RATE_LIMITS } from "./rate-limits.ts";

const configPath = fileURLToPath(new URL("../../../wrangler.toml", import.meta.url));
const ENVIRONMENTS = [undefined, "staging", "production"] as const;

interface DeclaredLimit {
  name: string;
  namespace_id: string;
  simple: { limit: number; period: number };
}

function config(env: (typeof ENVIRONMENTS)[number]) {
  const read = unstable_readConfig({ config: configPath, ...(env ? { env } : {}) });
  return {
    ratelimits: (read.ratelimits ?? []) as DeclaredLimit[],
    durableObjects: read.durable_objects.bindings as Array<{ name: string; class_name: string }>,
    vars: read.vars as Record<string, unknown>,
  };
}

describe("wrangler.toml against the rate-limit table", () => {
  for (const env of ENVIRONMENTS) {
    it(`declares every limit with the table's numbers (${env ?? "local"})`, () => {
      const declared = config(env).ratelimits;
      for (const spec of Object.values(RATE_LIMITS)) {
        const binding = declared.find((r) => r.name === spec.binding);
        expect(binding, spec.binding).toBeDefined();
        expect(binding?.simple).toEqual({ limit: spec.limit, period: spec.period });
      }
      const names = declared.map((r) => r.namespace_id);
      expect(new Set(names).size).toBe(names.length);
    });

    it(`binds the sessions Durable Object (${env ?? "local"})`, () => {
      const bindings = config(env).durableObjects;
      expect(bindings.find((b) => b.name === "SESSIONS")?.class_name).toBe("SessionsDO");
    });
  }

  it("never lifts the courier socket message rate outside the benchmarks", () => {
    for (const env of ENVIRONMENTS) expect(config(env).vars.COURIER_MESSAGE_RATE).toBeUndefined();
  });

  it("trusts CF-Connecting-IP only where Cloudflare's edge sets it", () => {
    expect(config(undefined).vars.TRUSTED_IP_HEADER).toBe("");
    for (const env of ["staging", "production"] as const) {
      expect(config(env).vars.TRUSTED_IP_HEADER).toBe("cf-connecting-ip");
    }
  });
});
