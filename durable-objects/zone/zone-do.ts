import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../workers/env.ts";

/** One per zone cell: couriers, spatial index and offers. (Being built.) */
export class ZoneDO extends DurableObject<Env> {}
