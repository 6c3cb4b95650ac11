import { DurableObject } from "cloudflare:workers";
export class OrderDO extends DurableObject {}
export class ZoneDO extends DurableObject {}
export class RestaurantDO extends DurableObject {}
export default {
  async fetch(): Promise<Response> {
    return new Response("ok");
  },
} satisfies ExportedHandler;
