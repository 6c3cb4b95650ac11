// The one way to boot the local platform: Postgres (a named server, or the
// embedded one), the WebSocket proxy the Neon driver needs, migrations and
// the demo city, the Stripe stand-in, and the Worker under `wrangler dev`
// (Miniflare: Durable Objects, queues, KV, D1). `npm start` uses it with fixed
// ports and state kept in the checkout; the browser tests and the platform
// tests use it with free ports and throwaway state. Resources are released
// last-in, first-out, so the proxy outlives the Worker and the database
// outlives the proxy.
import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateDatabase, openDb } from "../../db/node.ts";
import { type SeedSummary, seedDemoCity } from "../../db/seed/index.ts";
import { startAnalyticsStandin } from "./analytics-standin/server.ts";
import type { DevKeys } from "./dev-keys.ts";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";
import { startNotifyStandin } from "./notify-standin/server.ts";
import { type ManagedChild, spawnManaged } from "./processes.ts";
import { seedMerchantStock } from "./seed-stock.ts";
import { startStripeStandin } from "./stripe-standin/server.ts";
import { envFileNames, localWorkerVars, withoutWorkerVars, workerVarChannels } from "./worker-vars.ts";
import { startWsProxy } from "./ws-proxy.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN_DIR = join(ROOT, "node_modules", ".bin");
const HOST = "127.0.0.1";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const HEALTH_TIMEOUT_MS = 120_000;

export type DatabaseChoice =
  /** A server someone else runs (DATABASE_URL); used as it is. */
  | { kind: "url"; url: string }
  /** The embedded PostgreSQL, data kept in `dataDir`. */
  | { kind: "embedded"; dataDir: string; port?: number; durable?: boolean }
  /** A fresh database on the test server (test/database.ts), dropped at the end. */
  | { kind: "test"; name: string };

export interface PlatformOptions {
  database: DatabaseChoice;
  /** Where wrangler keeps Durable Object, queue, KV and D1 state. */
  stateDir: string;
  keys: DevKeys;
  /** 0 or absent: a free port. */
  ports?: {
    worker?: number;
    wsProxy?: number;
    stripe?: number;
    inspector?: number;
    notify?: number;
    analytics?: number;
  };
  seed?: { passwordIterations?: number } | false;
  /** Start wrangler dev (default true). */
  worker?: boolean;
  /** Extra Worker variables (e.g. CONSOLE_ORIGINS). */
  vars?: Record<string, string>;
  stripe?: { autoConfirmDelayMs?: number };
  /** wrangler's own log level; "warn" keeps test output readable. */
  wranglerLogLevel?: "debug" | "info" | "log" | "warn" | "error";
  /** Prefix of child output lines, e.g. "[e2e]". */
  prefix?: string;
  log?: (message: string) => void;
}

export interface LocalWorker {
  /** Ends the runtime at once, as a crash would: SIGKILL to wrangler's whole process tree. */
  kill(): Promise<void>;
  /** Stops it cleanly. */
  stop(): Promise<void>;
  /** Starts it again on the same port and state (after kill or stop). */
  start(): Promise<void>;
  readonly exited: Promise<number>;
}

/** The embedded server, for tests of a database outage: stop it, start it again on the same data and port. */
export interface EmbeddedServer {
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface Platform {
  apiBase: string;
  /** Present when the platform runs the embedded PostgreSQL. */
  embedded: EmbeddedServer | undefined;
  databaseUrl: string;
  databaseLabel: string;
  wsProxy: string;
  stripeUrl: string;
  /** The notification stand-in: its page is the local mailbox (e-mail, SMS, decrypted web pushes). */
  notifyUrl: string;
  /** The Analytics Engine stand-in: GET /points lists what the Worker wrote. */
  analyticsUrl: string;
  seed: SeedSummary | undefined;
  worker: LocalWorker | undefined;
  /** Runs the Worker's scheduled handler (the reconciler), as the cron trigger does when deployed. */
  runScheduled(): Promise<boolean>;
  /** Releases everything, last-in first-out. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fails early with a readable message instead of an EADDRINUSE deep inside a library. */
export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === "EADDRINUSE"
            ? `port ${port} (${what}) is in use: is another \`npm start\` running?`
            : `cannot bind port ${port} (${what}): ${error.message}`,
        ),
      );
    });
    probe.listen(port, HOST, () => probe.close(() => resolve()));
  });
}

async function portFor(wanted: number | undefined, what: string): Promise<number> {
  if (!wanted) return freePort();
  await assertPortFree(wanted, what);
  return wanted;
}

/** wrangler needs Node >= 22.12; the `node` devDependency puts one in node_modules/.bin. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${BIN_DIR}${delimiter}${process.env.PATH ?? ""}`,
    WRANGLER_SEND_METRICS: "false",
    // Miniflare otherwise fetches a sample `Request.cf` from the internet at every start,
    // printing a stack trace when offline; its built-in placeholder serves local work.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...extra,
  };
}

/** Waits for a short-lived child to succeed, within `limitMs`. */
export async function runToEnd(child: ManagedChild, what: string, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    child.exited,
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), limitMs);
    }),
  ]);
  clearTimeout(timer);
  if (code === "timeout") {
    await child.stop();
    throw new Error(`${what} did not finish within ${limitMs / 1000} s`);
  }
  if (code !== 0) throw new Error(`${what} exited with code ${code}`);
}

async function waitForHealth(url: string, exited: Promise<number>): Promise<void> {
  let exitCode: number | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`wrangler dev exited with code ${exitCode} before it answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`wrangler dev did not answer ${url} within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

export async function bootPlatform(options: PlatformOptions): Promise<Platform> {
  const log = options.log ?? (() => {});
  const prefix = options.prefix ?? "";
  const releases: Array<{ name: string; release: () => Promise<unknown> }> = [];
  const stop = async () => {
    for (const { name, release } of releases.splice(0).reverse()) {
      try {
        await release();
      } catch (error) {
        log(`stopping ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  try {
    await mkdir(options.stateDir, { recursive: true });
    // Miniflare's local D1 needs only the state directory, so its migrations (a wrangler child
    // of several seconds) run beside Postgres's set-up and the seed instead of after them.
    const persistTo = join(options.stateDir, "wrangler");
    const d1Migrations = options.worker !== false ? applyLocalD1Migrations(persistTo, prefix) : Promise.resolve();
    // Awaited before the Worker starts; on a failure before that, stop() waits for the child to end.
    releases.push({ name: "D1 migrations", release: () => d1Migrations });
    d1Migrations.catch(() => {});
    // 1. The proxy: the Neon driver reaches a loopback Postgres only through it.
    const proxy = await startWsProxy({ port: await portFor(options.ports?.wsProxy, "WebSocket proxy") });
    releases.push({ name: "WebSocket proxy", release: () => proxy.close() });
    const wsProxy = `${HOST}:${proxy.port}`;

    // 2. Postgres
    let databaseUrl: string;
    let databaseLabel: string;
    let embedded: EmbeddedServer | undefined;
    const choice = options.database;
    if (choice.kind === "url") {
      databaseUrl = choice.url;
      databaseLabel = `DATABASE_URL (${new URL(choice.url).host})`;
    } else if (choice.kind === "embedded") {
      log(`starting the embedded PostgreSQL (data in ${choice.dataDir})`);
      const start = (port?: number) =>
        startEmbeddedPostgres({ dataDir: choice.dataDir, port, durable: choice.durable });
      let server: Awaited<ReturnType<typeof start>> | undefined = await start(choice.port);
      const port = server.port;
      embedded = {
        stop: async () => {
          await server?.stop();
          server = undefined;
        },
        start: async () => {
          server ??= await start(port);
        },
      };
      releases.push({ name: "embedded PostgreSQL", release: () => server?.stop() ?? Promise.resolve() });
      databaseUrl = server.url;
      databaseLabel = `embedded PostgreSQL 18 at ${server.url} (data in ${choice.dataDir})`;
    } else {
      const { prepareTestDatabase } = await import("../../test/database.ts");
      const database = await prepareTestDatabase(wsProxy, choice.name);
      releases.push({ name: "test database", release: () => database.dispose() });
      databaseUrl = database.url;
      databaseLabel = `${database.kind} test database ${choice.name}`;
    }
    // A remote server (Neon itself) is reached directly; the proxy only relays to loopback.
    const workerWsProxy = LOOPBACK.has(new URL(databaseUrl).hostname) ? wsProxy : "";

    // 3. Schema and demo data
    if (choice.kind !== "test") {
      log("applying migrations");
      await migrateDatabase(databaseUrl, workerWsProxy);
    }
    let seed: SeedSummary | undefined;
    if (options.seed !== false) {
      log("seeding the demo city (only missing rows are written)");
      const { db, close } = openDb({ DATABASE_URL: databaseUrl, NEON_WS_PROXY: workerWsProxy }, 1);
      seed = await seedDemoCity(db, options.seed ?? {}).finally(close);
    }

    // 4. Ports and the Stripe stand-in, which posts signed webhooks back to the Worker.
    const workerPort = await portFor(options.ports?.worker, "wrangler dev");
    const apiBase = `http://${HOST}:${workerPort}`;
    const stripe = await startStripeStandin({
      port: options.ports?.stripe ? await portFor(options.ports.stripe, "Stripe stand-in") : 0,
      webhookUrl: `${apiBase}/v1/webhooks/stripe`,
      webhookSecret: options.keys.stripeWebhookSecret,
      apiKey: options.keys.stripeSecretKey,
      // Without a browser running Stripe.js nothing would ever confirm a PaymentIntent locally.
      autoConfirm: true,
      ...(options.stripe?.autoConfirmDelayMs !== undefined
        ? { autoConfirmDelayMs: options.stripe.autoConfirmDelayMs }
        : {}),
      log: (message) => log(`[stripe] ${message}`),
    });
    releases.push({ name: "Stripe stand-in", release: () => stripe.close() });
    const notifyCredentials = {
      emailApiKey: "SG.local-development",
      twilioSid: "AC00000000000000000000000000000dev",
      twilioToken: "local-development",
    };
    const notify = await startNotifyStandin({
      port: options.ports?.notify ? await portFor(options.ports.notify, "notification stand-in") : 0,
      ...notifyCredentials,
      log: (message) => log(`[notify] ${message}`),
    });
    releases.push({ name: "notification stand-in", release: () => notify.close() });
    // Miniflare drops Analytics Engine writes: the Worker mirrors them here, and the health view queries it.
    const analyticsToken = "local-analytics";
    const analytics = await startAnalyticsStandin({
      port: options.ports?.analytics ? await portFor(options.ports.analytics, "Analytics Engine stand-in") : 0,
      apiToken: analyticsToken,
      log: (message) => log(`[analytics] ${message}`),
    });
    releases.push({ name: "Analytics Engine stand-in", release: () => analytics.close() });

    // 5. The Worker: its variables in an env file of this state dir (not the developer's .dev.vars) and on its command line.
    const vars = localWorkerVars({
      databaseUrl,
      wsProxy: workerWsProxy,
      keys: options.keys,
      stripeUrl: stripe.url,
      notifyUrl: notify.url,
      notifyCredentials,
      analytics: { url: analytics.url, token: analyticsToken },
      extra: options.vars,
    });
    // Not everything can go in the env file: wrangler keeps only the names wrangler.toml declares (worker-vars.ts).
    const channels = workerVarChannels(vars, await envFileNames(join(ROOT, "wrangler.toml")));
    const envFile = join(options.stateDir, "worker.env");
    await writeFile(envFile, channels.envFile, { mode: 0o600 });
    let worker: LocalWorker | undefined;
    if (options.worker !== false) {
      await d1Migrations;
      const inspectorPort = await portFor(options.ports?.inspector, "wrangler inspector");
      worker = localWorker({
        port: workerPort,
        inspectorPort,
        persistTo,
        envFile,
        varArgs: channels.args,
        env: withoutWorkerVars(childEnv(), vars),
        options,
      });
      releases.push({ name: "wrangler", release: () => worker?.stop() ?? Promise.resolve() });
      await worker.start();
      if (seed) {
        // Live stock is the Restaurant DO's: only a running Worker can take it.
        const stocked = await seedMerchantStock(apiBase).catch((error: unknown) => {
          log(`opening stock not set: ${error instanceof Error ? error.message : String(error)}`);
          return [];
        });
        if (stocked.length > 0) log(`opening stock set for ${stocked.join(", ")}`);
      }
    }

    return {
      apiBase,
      embedded,
      databaseUrl,
      databaseLabel,
      wsProxy: workerWsProxy,
      stripeUrl: stripe.url,
      notifyUrl: notify.url,
      analyticsUrl: analytics.url,
      seed,
      worker,
      runScheduled: () => runScheduled(apiBase),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Miniflare does not apply D1 migrations by itself; without them discovery fails on missing tables. */
async function applyLocalD1Migrations(persistTo: string, prefix: string): Promise<void> {
  const dir = join(ROOT, "db", "d1");
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith(".sql"))) return;
  const child = spawnManaged(
    "d1",
    join(BIN_DIR, "wrangler"),
    ["d1", "migrations", "apply", "DISCOVERY", "--local", "--persist-to", persistTo],
    // CI=true keeps wrangler from asking for confirmation.
    { cwd: ROOT, env: childEnv({ CI: "true" }), prefix: `${prefix}[d1]`, onLine: () => {} },
  );
  await runToEnd(child, "wrangler d1 migrations apply", 90_000);
}

function localWorker(input: {
  port: number;
  inspectorPort: number;
  persistTo: string;
  envFile: string;
  /** `--var` arguments for what the env file cannot carry. */
  varArgs: string[];
  env: NodeJS.ProcessEnv;
  options: PlatformOptions;
}): LocalWorker {
  const { options } = input;
  let child: ManagedChild | undefined;
  const args = [
    "dev",
    "--port",
    String(input.port),
    "--ip",
    HOST,
    "--inspector-port",
    String(input.inspectorPort),
    "--persist-to",
    input.persistTo,
    "--env-file",
    input.envFile,
    // Cron triggers do not fire locally; this exposes the handler for `runScheduled`.
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    ...(options.wranglerLogLevel ? ["--log-level", options.wranglerLogLevel] : []),
    ...input.varArgs,
  ];
  let exited: Promise<number> = Promise.resolve(0);
  return {
    get exited() {
      return exited;
    },
    async start() {
      child = spawnManaged("wrangler", join(BIN_DIR, "wrangler"), args, {
        cwd: ROOT,
        env: input.env,
        prefix: `${options.prefix ?? ""}[wrangler]`,
      });
      exited = child.exited;
      await waitForHealth(`http://${HOST}:${input.port}/v1/health`, child.exited);
    },
    async stop() {
      await child?.stop();
    },
    async kill() {
      await child?.kill();
    },
  };
}

async function runScheduled(apiBase: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiBase}/cdn-cgi/handler/scheduled?cron=*+*+*+*+*`, {
      signal: AbortSignal.timeout(60_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
