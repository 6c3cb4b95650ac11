import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../workers/env.ts";

/** One per restaurant: live board of its orders. (Board feed not built yet.) */
export class RestaurantDO extends DurableObject<Env> {}
