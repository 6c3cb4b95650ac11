// How the local platform hands its variables to `wrangler dev`, so that each
// one reaches the Worker. wrangler.toml declares `[secrets] required`, and
// with that declared wrangler dev takes from an env file (--env-file,
// .dev.vars, .env) only the names wrangler.toml declares, under [vars] or
// among the required secrets: any other line is dropped without a word. The
// optional settings (notification providers, VAPID, WEBHOOK_ALLOW_LOOPBACK,
// bench knobs) are deliberately not declared there (platform/env.ts), so they
// go on the command line as `--var`, which wrangler binds as given.
// With `secrets` declared, wrangler also reads its own process environment,
// and a name found there wins over the env file: a DATABASE_URL exported in
// the developer's shell would point a test's Worker at the wrong database.
// So the names set here are removed from wrangler's environment.
// Decision 0046.
import type { DevKeys } from "./dev-keys.ts";

export interface LocalWorkerInputs {
  databaseUrl: string;
  /** "host:port" of the WebSocket proxy, or "" when the database is reached directly. */
  wsProxy: string;
  keys: DevKeys;
  stripeUrl: string;
  notifyUrl: string;
  notifyCredentials: { emailApiKey: string; twilioSid: string; twilioToken: string };
  /** The Analytics Engine stand-in (decision 0054): data points mirrored to it, the SQL API answered by it. */
  analytics?: { url: string; token: string };
  /** The caller's own (e.g. CONSOLE_ORIGINS); they win. */
  extra?: Record<string, string>;
}

/** Every variable and secret the local Worker is given, pointing it at the local database and stand-ins. */
export function localWorkerVars(input: LocalWorkerInputs): Record<string, string> {
  return {
    DATABASE_URL: input.databaseUrl,
    NEON_WS_PROXY: input.wsProxy,
    JWT_PRIVATE_KEYS: input.keys.jwtPrivateKeys,
    STRIPE_SECRET_KEY: input.keys.stripeSecretKey,
    STRIPE_WEBHOOK_SECRET: input.keys.stripeWebhookSecret,
    STRIPE_API_BASE: input.stripeUrl,
    EMAIL_API_BASE: input.notifyUrl,
    EMAIL_API_KEY: input.notifyCredentials.emailApiKey,
    EMAIL_FROM: "orders@edge-delivery.local",
    TWILIO_API_BASE: input.notifyUrl,
    TWILIO_ACCOUNT_SID: input.notifyCredentials.twilioSid,
    TWILIO_AUTH_TOKEN: input.notifyCredentials.twilioToken,
    TWILIO_FROM: "+15005550006",
    VAPID_PRIVATE_JWK: input.keys.vapidPrivateJwk,
    VAPID_SUBJECT: "mailto:ops@edge-delivery.local",
    // Partners' receivers and push services run on this machine's loopback locally.
    WEBHOOK_ALLOW_LOOPBACK: "true",
    ...(input.analytics && {
      METRICS_STANDIN_URL: input.analytics.url,
      ANALYTICS_API_BASE: input.analytics.url,
      ANALYTICS_ACCOUNT_ID: "local",
      ANALYTICS_API_TOKEN: input.analytics.token,
    }),
    ...input.extra,
  };
}

/** The names wrangler dev accepts from an env file: the config's [vars] and its required secrets. */
export async function envFileNames(configPath: string): Promise<Set<string>> {
  // Loaded only when a Worker is started: wrangler's module is large, and the benchmarks import platform.ts too.
  const { unstable_readConfig } = await import("wrangler");
  const config = unstable_readConfig({ config: configPath });
  return new Set([...Object.keys(config.vars ?? {}), ...(config.secrets?.required ?? [])]);
}

/** wrangler's environment without the names the platform sets, so only the env file and `--var` speak for them. */
export function withoutWorkerVars<E extends Record<string, string | undefined>>(
  env: E,
  vars: Record<string, string>,
): E {
  const copy = { ...env };
  for (const name of Object.keys(vars)) delete copy[name];
  return copy;
}

/** dotenv reads single-quoted values literally, which suits JSON (full of double quotes). */
function dotenvValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error("Worker variables must be single-line");
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new Error("cannot quote a value holding both quote characters");
}

export interface WorkerVarChannels {
  /** The env file's text: the declared names (the secrets among them stay out of the process list). */
  envFile: string;
  /** `--var NAME:VALUE` arguments for every name wrangler would drop from the env file. */
  args: string[];
  /** The names that went on the command line, for the log. */
  onCommandLine: string[];
}

/** Splits the Worker's variables between the env file and `--var` arguments, by what wrangler takes from each. */
export function workerVarChannels(vars: Record<string, string>, acceptedFromEnvFile: Set<string>): WorkerVarChannels {
  const fileLines: string[] = [];
  const args: string[] = [];
  const onCommandLine: string[] = [];
  for (const [name, value] of Object.entries(vars)) {
    if (acceptedFromEnvFile.has(name)) {
      fileLines.push(`${name}=${dotenvValue(value)}`);
    } else {
      // wrangler splits NAME:VALUE at the first colon only, so JSON and URLs pass whole.
      args.push("--var", `${name}:${value}`);
      onCommandLine.push(name);
    }
  }
  return {
    envFile: `# Written by scripts/dev/platform.ts on every start. Local secrets.\n${fileLines.join("\n")}\n`,
    args,
    onCommandLine,
  };
}
