// The platform Worker: fetch is the API, queue is the event consumer, and it
// exports every Durable Object class (see wrangler.toml).
import { createApp } from "./api/app.ts";
import type { Env } from "./env.ts";
import { handleQueue } from "./events/consumer.ts";

export { OrderDO } from "../durable-objects/order/order-do.ts";
export { RestaurantDO } from "../durable-objects/restaurant/restaurant-do.ts";
export { SessionsDO } from "../durable-objects/sessions/sessions-do.ts";
export { ZoneDO } from "../durable-objects/zone/zone-do.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  queue: (batch, env, _ctx) => handleQueue(batch, env),
} satisfies ExportedHandler<Env>;
