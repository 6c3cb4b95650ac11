import type { CityMapDO } from "../durable-objects/city-map/city-map-do.ts";
import type { OrderDO } from "../durable-objects/order/order-do.ts";
import type { ProjectionLagDO } from "../durable-objects/projection-lag/projection-lag-do.ts";
import type { RestaurantDO } from "../durable-objects/restaurant/restaurant-do.ts";
import type { SessionsDO } from "../durable-objects/sessions/sessions-do.ts";
import type { ZoneDO } from "../durable-objects/zone/zone-do.ts";

/** Every binding, variable and secret of the platform Worker (see wrangler.toml and README). */
export interface Env {
  ORDER: DurableObjectNamespace<OrderDO>;
  ZONE: DurableObjectNamespace<ZoneDO>;
  RESTAURANT: DurableObjectNamespace<RestaurantDO>;
  /** One per user: which sessions were signed out, and since when all tokens are void. */
  SESSIONS: DurableObjectNamespace<SessionsDO>;
  PROJECTION_LAG: DurableObjectNamespace<ProjectionLagDO>;
  /** One per map region (precision-3 geohash): the operators' live city map. */
  CITY_MAP: DurableObjectNamespace<CityMapDO>;
  EVENTS: Queue<unknown>;
  /** How many event queues carry order events (EVENTS, EVENTS_1 ...); unset: one (workers/events/event-queues.ts). */
  EVENTS_SHARDS?: string;
  EVENTS_DLQ: Queue<unknown>;
  MENU_CACHE: KVNamespace;
  DISCOVERY: D1Database;
  /** Rate limits; their numbers are in workers/api/http/rate-limits.ts (and repeated in wrangler.toml). */
  RL_SIGN_IN_IP: RateLimit;
  RL_WRITE_IP: RateLimit;
  RL_WRITE_USER: RateLimit;
  /** Menu photos in fixed widths (`menu/<restaurantId>/<photoId>/<width>`), served by /v1/media. */
  MENU_PHOTOS: R2Bucket;
  /** Per courier: job-changing requests (steps, the PIN, hand-back, wait, failure). */
  RL_COURIER_JOB: RateLimit;
  /** Photos couriers take of the door when a delivery fails, kept as evidence. */
  DELIVERY_EVIDENCE: R2Bucket;

  DATABASE_URL: string;
  NEON_WS_PROXY?: string;
  /** JSON array of private ES256 JWKs, each with a `kid`; the first signs, all are published. */
  JWT_PRIVATE_KEYS: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  ACCESS_TOKEN_TTL_SECONDS: string;
  REFRESH_TOKEN_TTL_SECONDS: string;
  OIDC_ISSUER?: string;
  OIDC_AUDIENCE?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** Comma-separated origins of the console (Pages) allowed by CORS. */
  CONSOLE_ORIGINS?: string;
  /** Durable Object location hint for zones, e.g. "weur"; Miniflare ignores it. */
  ZONE_LOCATION_HINT?: string;
  /** The request header the platform vouches for as the client's IP ("cf-connecting-ip" on Cloudflare); empty locally. */
  TRUSTED_IP_HEADER?: string;
  /** Benchmarks only: lifts the courier socket message rate ("capacity/perSecond"); never declared in wrangler.toml. */
  COURIER_MESSAGE_RATE?: string;
  /** Local only: base URL of the Stripe stand-in. Empty means api.stripe.com. */
  STRIPE_API_BASE?: string;
  /** Email through SendGrid's v3 API shape; empty base means api.sendgrid.com. No key: email is not sent. */
  EMAIL_API_BASE?: string;
  EMAIL_API_KEY?: string;
  EMAIL_FROM?: string;
  /** SMS through Twilio's REST API shape; empty base means api.twilio.com. No credentials: SMS is not sent. */
  TWILIO_API_BASE?: string;
  TWILIO_ACCOUNT_SID?: string;
  TWILIO_AUTH_TOKEN?: string;
  TWILIO_FROM?: string;
  /** Web push: the VAPID private key as a JWK (JSON); its public key is served at /v1/push/vapid-public-key. */
  VAPID_PRIVATE_JWK?: string;
  /** The VAPID `sub` claim: a mailto: or https: contact for push services. */
  VAPID_SUBJECT?: string;
  /** Local only: "true" lets partner webhook endpoints point at the loopback over plain http. */
  WEBHOOK_ALLOW_LOOPBACK?: string;
}
