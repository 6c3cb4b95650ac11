// The Worker's Env lives in platform/env.ts, where the Durable Objects import it from too.
export type { Env } from "../platform/env.ts";
