// `npm start`: the whole platform on one machine with nothing installed by
// hand. Postgres (DATABASE_URL, or embedded PGlite), the WebSocket proxy the
// Neon driver needs, migrations and the demo city, the Stripe stand-in, and
// the Worker under `wrangler dev` (Miniflare: DOs, queues, KV, D1).
//
//   npm start                 everything
//   npm start -- --no-worker  everything but wrangler (tests, benchmarks)
//   npm start -- --reset      wipe the embedded database and the local Worker state first
import { existsSync, readdirSync } from "node:fs";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateDatabase, openDb } from "../db/node.ts";
import { seedDemoCity } from "../db/seed/index.ts";
import { loadOrCreateDevKeys } from "./dev/dev-keys.ts";
import { startEmbeddedPostgres } from "./dev/embedded-postgres.ts";
import { createLifecycle, spawnManaged } from "./dev/processes.ts";
import { startStripeStandin } from "./dev/stripe-standin/server.ts";
import { startWsProxy } from "./dev/ws-proxy.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DATA_DIR = join(ROOT, ".data");
const PGLITE_DIR = join(DATA_DIR, "pglite");
const BIN_DIR = join(ROOT, "node_modules", ".bin");
const WRANGLER_STATE_DIR = join(ROOT, ".wrangler", "state");

const HOST = "127.0.0.1";
const PORTS = { pglite: 54329, wsProxy: 18787, stripe: 12111, worker: 8787 } as const;
const WORKER_URL = `http://${HOST}:${PORTS.worker}`;
const HEALTH_TIMEOUT_MS = 120_000;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

const USAGE = `Usage: npm start [-- --no-worker] [-- --reset]
  --no-worker  start the database, proxy, seed and Stripe stand-in, but not wrangler
  --reset      delete the embedded database (.data/pglite) and the local Durable Object,
               KV, D1 and queue state (.wrangler/state) before starting`;

interface Flags {
  worker: boolean;
  reset: boolean;
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { worker: true, reset: false };
  for (const arg of argv) {
    if (arg === "--no-worker") flags.worker = false;
    else if (arg === "--reset") flags.reset = true;
    else if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else {
      console.error(`Unknown option ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  return flags;
}

const log = (message: string) => console.log(`[start] ${message}`);

/** Fails early with a readable message instead of an EADDRINUSE deep inside a library. */
function assertPortFree(port: number, what: string): Promise<void> {
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

/**
 * dotenv reads single-quoted values literally, which suits JSON (full of
 * double quotes); fall back to double quotes for values with a single quote.
 */
function dotenvValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(".dev.vars values must be single-line");
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new Error("cannot quote a value holding both quote characters for .dev.vars");
}

async function writeDevVars(vars: Record<string, string>): Promise<string> {
  const path = join(ROOT, ".dev.vars");
  const lines = Object.entries(vars).map(([name, value]) => `${name}=${dotenvValue(value)}`);
  const body = `# Written by \`npm start\` on every run; edits are overwritten. Local secrets: never commit.\n${lines.join("\n")}\n`;
  await writeFile(path, body, { mode: 0o600 });
  await chmod(path, 0o600);
  return path;
}

async function waitForHealth(url: string, timeoutMs: number, gaveUp: Promise<unknown>): Promise<boolean> {
  let stop = false;
  void gaveUp.then(() => {
    stop = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (!stop && Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

function envWithLocalBin(extra: Record<string, string>): NodeJS.ProcessEnv {
  // wrangler needs Node >= 22.12; the `node` devDependency puts one here.
  return { ...process.env, PATH: `${BIN_DIR}${delimiter}${process.env.PATH ?? ""}`, ...extra };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const lifecycle = createLifecycle();
  lifecycle.handleSignals();

  try {
    if (flags.reset) {
      // Durable Objects, KV, D1 and queues hold state derived from the database being wiped.
      log(`--reset: deleting ${WRANGLER_STATE_DIR}`);
      await rm(WRANGLER_STATE_DIR, { recursive: true, force: true });
    }
    // 1. Postgres
    const externalUrl = process.env.DATABASE_URL || undefined;
    let databaseUrl: string;
    let databaseLabel: string;
    if (externalUrl) {
      if (flags.reset) log("--reset only applies to the embedded database; DATABASE_URL is left untouched.");
      databaseUrl = externalUrl;
      databaseLabel = `external (DATABASE_URL, ${new URL(externalUrl).host})`;
    } else {
      if (flags.reset) {
        log(`--reset: deleting ${PGLITE_DIR}`);
        await rm(PGLITE_DIR, { recursive: true, force: true });
      }
      await assertPortFree(PORTS.pglite, "embedded Postgres");
      // PGlite creates its own directory but not the parents.
      await mkdir(DATA_DIR, { recursive: true });
      log(`starting embedded Postgres (PGlite, data in .data/pglite) on ${HOST}:${PORTS.pglite}`);
      const embedded = await startEmbeddedPostgres({ dataDir: PGLITE_DIR, port: PORTS.pglite });
      lifecycle.add("embedded Postgres", () => embedded.stop());
      databaseUrl = embedded.url;
      databaseLabel = `embedded PGlite at ${embedded.url} (data in .data/pglite)`;
    }

    // 2. WebSocket proxy. A remote server (Neon itself) is reached directly by
    //    the driver; the proxy only relays to loopback.
    const dbHost = new URL(databaseUrl).hostname;
    const wsProxy = LOOPBACK.has(dbHost) ? `${HOST}:${PORTS.wsProxy}` : "";
    if (wsProxy) {
      await assertPortFree(PORTS.wsProxy, "WebSocket proxy");
      const proxy = await startWsProxy({ port: PORTS.wsProxy });
      lifecycle.add("WebSocket proxy", () => proxy.close());
      log(`WebSocket-to-Postgres proxy on ${wsProxy}`);
    }

    // 3. Schema and demo data
    log("applying migrations");
    await migrateDatabase(databaseUrl, wsProxy);
    log("seeding the demo city (only missing rows are written)");
    const { db, close } = openDb({ DATABASE_URL: databaseUrl, NEON_WS_PROXY: wsProxy }, 1);
    const seed = await seedDemoCity(db).finally(close);
    const wrote = Object.values(seed.inserted).reduce((a, b) => a + b, 0);
    log(
      `${seed.city}: ${seed.total.restaurants} restaurants, ${seed.total.menuItems} menu items, ` +
        `${seed.total.couriers} couriers, ${seed.total.users} demo users (${wrote} new rows)`,
    );

    // 4. Secrets and the Stripe stand-in
    const keys = await loadOrCreateDevKeys(DATA_DIR);
    await assertPortFree(PORTS.stripe, "Stripe stand-in");
    const stripe = await startStripeStandin({
      port: PORTS.stripe,
      webhookUrl: `${WORKER_URL}/v1/webhooks/stripe`,
      webhookSecret: keys.stripeWebhookSecret,
      apiKey: keys.stripeSecretKey,
      // Without a browser running Stripe.js nothing would ever confirm a
      // PaymentIntent locally; the stand-in plays the paying customer.
      autoConfirm: true,
      log: (message) => console.log(`[stripe] ${message}`),
    });
    lifecycle.add("Stripe stand-in", () => stripe.close());
    log(`Stripe stand-in on ${stripe.url}`);

    // 5. Worker configuration
    const devVars = await writeDevVars({
      DATABASE_URL: databaseUrl,
      NEON_WS_PROXY: wsProxy,
      JWT_PRIVATE_KEYS: keys.jwtPrivateKeys,
      STRIPE_SECRET_KEY: keys.stripeSecretKey,
      STRIPE_WEBHOOK_SECRET: keys.stripeWebhookSecret,
      STRIPE_API_BASE: stripe.url,
    });
    log(`wrote ${devVars}`);

    // 6. The Worker
    let healthy: boolean | undefined;
    if (flags.worker) {
      await assertPortFree(PORTS.worker, "wrangler dev");
      const env = envWithLocalBin({ WRANGLER_SEND_METRICS: "false" });
      const wrangler = join(BIN_DIR, "wrangler");
      await applyLocalD1Migrations(wrangler, env);
      log("starting wrangler dev");
      const worker = spawnManaged(
        "wrangler",
        wrangler,
        ["dev", "--port", String(PORTS.worker), "--ip", HOST, "--show-interactive-dev-session=false"],
        { cwd: ROOT, env },
      );
      lifecycle.add("wrangler", () => worker.stop());
      void worker.exited.then((code) => {
        if (!lifecycle.stopping) void lifecycle.shutdown(`wrangler exited with code ${code}`, code || 1);
      });
      // 7. Wait for the Worker to answer
      healthy = await waitForHealth(`${WORKER_URL}/v1/health`, HEALTH_TIMEOUT_MS, worker.exited);
      if (lifecycle.stopping) return;
      if (healthy) await rebuildDiscoveryIndex(seed.signIns);
    }

    printBanner({ databaseLabel, stripeUrl: stripe.url, seed: seed.signIns, worker: flags.worker, healthy });
  } catch (error) {
    console.error(`[start] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await lifecycle.shutdown("start-up failed", 1);
  }
}

/**
 * The local D1 discovery index outlives `--reset` and direct seed inserts, so
 * it is rebuilt from Postgres on every start, as an operator would after a restore.
 */
async function rebuildDiscoveryIndex(
  signIns: ReadonlyArray<{ role: string; email: string; password: string }>,
): Promise<void> {
  const admin = signIns.find((s) => s.role === "admin");
  if (!admin) return;
  try {
    const session = await fetch(`${WORKER_URL}/v1/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    const { accessToken } = (await session.json()) as { accessToken: string };
    const rebuilt = await fetch(`${WORKER_URL}/v1/admin/discovery/rebuild`, {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}` },
    });
    log(`discovery index rebuilt from Postgres (${rebuilt.status})`);
  } catch (error) {
    log(`could not rebuild the discovery index: ${String(error)}`);
  }
}

/** Miniflare does not apply D1 migrations by itself; without them discovery queries fail on missing tables. */
async function applyLocalD1Migrations(wrangler: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = join(ROOT, "db", "d1");
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith(".sql"))) return;
  log("applying D1 migrations locally");
  const child = spawnManaged("d1", wrangler, ["d1", "migrations", "apply", "DISCOVERY", "--local"], {
    cwd: ROOT,
    // CI=true keeps wrangler from asking for confirmation.
    env: { ...env, CI: "true" },
  });
  const code = await child.exited;
  if (code !== 0) throw new Error(`wrangler d1 migrations apply exited with code ${code}`);
}

interface BannerInput {
  databaseLabel: string;
  stripeUrl: string;
  seed: { role: string; email: string; password: string; restaurantName?: string }[];
  worker: boolean;
  healthy: boolean | undefined;
}

function printBanner(input: BannerInput): void {
  const first = (role: string) => input.seed.find((s) => s.role === role);
  const staff = input.seed.filter((s) => s.role === "restaurant_staff");
  const couriers = input.seed.filter((s) => s.role === "courier");
  const customer = first("customer");
  const admin = first("admin");
  const pad = (text: string, width: number) => text.padEnd(width);
  const lines: string[] = ["", "━".repeat(78), "  Edge Delivery is running locally", "━".repeat(78)];
  if (input.worker) {
    if (!input.healthy) {
      lines.push(`  ! The Worker did not answer ${WORKER_URL}/v1/health within ${HEALTH_TIMEOUT_MS / 1000} s;`);
      lines.push("    see the [wrangler] lines above. Everything else is up.");
    }
    lines.push(
      `  API              ${WORKER_URL}`,
      `  OpenAPI          ${WORKER_URL}/v1/openapi.json`,
      `  API reference    ${WORKER_URL}/v1/docs`,
      `  JWKS             ${WORKER_URL}/.well-known/jwks.json`,
    );
  } else {
    lines.push("  Worker           not started (--no-worker); run `npx wrangler dev` to add it");
  }
  lines.push(
    `  Stripe stand-in  ${input.stripeUrl}  (auto-confirms payments; webhooks to /v1/webhooks/stripe)`,
    `  Database         ${input.databaseLabel}`,
    "",
    "  Demo sign-ins",
  );
  const row = (role: string, email: string, password: string, note = "") =>
    lines.push(`    ${pad(role, 17)}${pad(email, 42)}${pad(password, 20)}${note}`);
  row("role", "email", "password", "restaurant");
  if (customer) row("customer", customer.email, customer.password);
  if (admin) row("admin", admin.email, admin.password);
  for (const s of staff.slice(0, 3)) row("restaurant_staff", s.email, s.password, s.restaurantName ?? "");
  if (staff.length > 3) {
    lines.push(`    ... and ${staff.length - 3} more staff: staff+<restaurant-slug>@demo.test, same password`);
  }
  const [firstCourier] = couriers;
  const lastCourier = couriers.at(-1);
  if (firstCourier && lastCourier) {
    row("courier", `${firstCourier.email} .. ${lastCourier.email.split("@")[0]}`, firstCourier.password);
  }
  if (input.worker && customer) {
    lines.push(
      "",
      "  Sign in:",
      `    curl -s ${WORKER_URL}/v1/auth/sign-in -H 'content-type: application/json' \\`,
      `      -d '{"email":"${customer.email}","password":"${customer.password}"}'`,
    );
  }
  lines.push("", "  Ctrl-C stops everything.", "━".repeat(78), "");
  console.log(lines.join("\n"));
}

await main();
