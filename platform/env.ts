// The platform Worker's bindings, variables and secrets are generated from
// wrangler.toml by `wrangler types` into worker-configuration.d.ts (`npm run
// types:generate`; `npm run types:check` fails when it is stale). Only what
// wrangler.toml cannot name is declared here.

/** Every binding, variable and secret of the platform Worker (see wrangler.toml and README). */
export type Env = Cloudflare.Env & {
  /** Benchmarks only: lifts the courier socket message rate ("capacity/perSecond"); never declared in wrangler.toml. */
  COURIER_MESSAGE_RATE?: string;
};
