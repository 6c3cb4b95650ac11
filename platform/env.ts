// The platform Worker's bindings, variables and secrets are generated from
// wrangler.toml by `wrangler types` into worker-configuration.d.ts (`npm run
// types:generate`; `npm run types:check` fails when it is stale). Only what
// wrangler.toml does not name (optional settings, provider secrets that a
// deployment may leave unset) is declared here.

/** Every binding, variable and secret of the platform Worker (see wrangler.toml and README). */
export type Env = Cloudflare.Env & {
  /** Benchmarks only: lifts the courier socket message rate ("capacity/perSecond"); never declared in wrangler.toml. */
  COURIER_MESSAGE_RATE?: string;
  /** "every": a log line per request; unset: quick successful reads are summarised per isolate (decision 58). */
  REQUEST_LOG?: string;
  /** How many event queues carry order events (EVENTS, EVENTS_1 ...); unset: one (workers/events/event-queues.ts). */
  EVENTS_SHARDS?: string;
  /** Zone location hints per geohash prefix, e.g. "u=weur,9=enam"; unset: ZONE_LOCATION_HINT for every cell. */
  ZONE_LOCATION_HINTS?: string;
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
  /** Analytics Engine SQL API (health metrics, decision 0054): empty base means api.cloudflare.com. */
  ANALYTICS_API_BASE?: string;
  ANALYTICS_ACCOUNT_ID?: string;
  /** An API token with Account Analytics read; unset: the health metrics endpoint answers 503. */
  ANALYTICS_API_TOKEN?: string;
  /** Local only: the Analytics Engine stand-in every data point is mirrored to (Miniflare drops them). */
  METRICS_STANDIN_URL?: string;
  /** Local only: "true" lets partner webhook endpoints point at the loopback over plain http. */
  WEBHOOK_ALLOW_LOOPBACK?: string;
};
