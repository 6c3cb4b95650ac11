import type { Env } from "../../platform/env.ts";

/** The platform's one lag monitor. */
export function projectionLagStub(env: Env) {
  return env.PROJECTION_LAG.get(env.PROJECTION_LAG.idFromName("platform"));
}
