// `npm start`: the whole platform on one machine with nothing installed by
// hand (scripts/dev/platform.ts boots it). Postgres is DATABASE_URL when set,
// else the embedded PostgreSQL with its data in .data/postgres.
//
//   npm start                 everything
//   npm start -- --no-worker  everything but wrangler and the apps (tests, benchmarks)
//   npm start -- --no-apps    everything but the browser apps' dev servers
//   npm start -- --reset      wipe the embedded database and the local Worker state first
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { SeedSummary } from "../db/seed/index.ts";
import { loadOrCreateDevKeys } from "./dev/dev-keys.ts";
import { bootPlatform, type DatabaseChoice, ROOT } from "./dev/platform.ts";
import { createLifecycle, stopWithLaunchers } from "./dev/processes.ts";
import { type RunningWebApp, startWebApps } from "./dev/web-apps.ts";

const DATA_DIR = join(ROOT, ".data");
const POSTGRES_DIR = join(DATA_DIR, "postgres");
const STATE_DIR = join(ROOT, ".wrangler", "state");
const PORTS = {
  postgres: 54329,
  wsProxy: 18787,
  stripe: 12111,
  notify: 12112,
  analytics: 12113,
  worker: 8787,
  inspector: 9229,
} as const;
const WORKER_URL = `http://127.0.0.1:${PORTS.worker}`;
/** How often the local platform runs the reconciler, as the cron trigger does once a minute when deployed. */
const RECONCILE_EVERY_MS = 60_000;

const USAGE = `Usage: npm start [-- --no-worker] [-- --no-apps] [-- --reset]
  --no-worker  start the database, proxy, seed and Stripe stand-in, but not wrangler or the apps
  --no-apps    do not serve the browser apps (console, courier app, customer app)
  --reset      delete the embedded database (.data/postgres) and the local Durable Object,
               KV, D1 and queue state (.wrangler/state) before starting`;

const log = (message: string) => console.log(`[start] ${message}`);

function parseFlags(): { worker: boolean; apps: boolean; reset: boolean } {
  try {
    const { values } = parseArgs({
      options: {
        "no-worker": { type: "boolean", default: false },
        "no-apps": { type: "boolean", default: false },
        reset: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    return { worker: !values["no-worker"], apps: !values["no-worker"] && !values["no-apps"], reset: values.reset };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const flags = parseFlags();
  const lifecycle = createLifecycle();
  lifecycle.handleSignals();
  lifecycle.add("launcher watch", stopWithLaunchers(lifecycle));
  try {
    const externalUrl = process.env.DATABASE_URL || undefined;
    if (flags.reset) {
      // Durable Objects, KV, D1 and queues hold state derived from the database being wiped.
      log(`--reset: deleting ${STATE_DIR}`);
      await rm(STATE_DIR, { recursive: true, force: true });
      if (externalUrl) log("--reset only wipes the embedded database; DATABASE_URL is left untouched.");
      else {
        log(`--reset: deleting ${POSTGRES_DIR}`);
        await rm(POSTGRES_DIR, { recursive: true, force: true });
      }
    }
    const database: DatabaseChoice = externalUrl
      ? { kind: "url", url: externalUrl }
      : { kind: "embedded", dataDir: POSTGRES_DIR, port: PORTS.postgres, durable: true };
    const platform = await bootPlatform({
      database,
      stateDir: STATE_DIR,
      keys: await loadOrCreateDevKeys(DATA_DIR),
      ports: PORTS,
      worker: flags.worker,
      log,
    });
    lifecycle.add("platform", () => platform.stop());
    if (lifecycle.stopping) return;

    if (platform.worker) {
      void platform.worker.exited.then((code) => {
        if (!lifecycle.stopping) void lifecycle.shutdown(`wrangler exited with code ${code}`, code || 1);
      });
      await rebuildDiscoveryIndex(platform.seed);
      const timer = setInterval(() => void platform.runScheduled(), RECONCILE_EVERY_MS);
      lifecycle.add("reconciler timer", () => clearInterval(timer));
    }
    let apps: RunningWebApp[] = [];
    if (flags.apps && !lifecycle.stopping) {
      const web = await startWebApps(WORKER_URL, log);
      lifecycle.add("web apps", web.stop);
      apps = web.running;
    }
    printBanner(platform.databaseLabel, platform.stripeUrl, platform.notifyUrl, platform.seed, flags.worker, apps);
  } catch (error) {
    console.error(`[start] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await lifecycle.shutdown("start-up failed", 1);
  }
}

/**
 * The local D1 discovery index outlives `--reset` and direct seed inserts, so
 * it is rebuilt from Postgres on every start, as an operator would after a restore.
 */
async function rebuildDiscoveryIndex(seed: SeedSummary | undefined): Promise<void> {
  const admin = seed?.signIns.find((s) => s.role === "admin");
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

function printBanner(
  databaseLabel: string,
  stripeUrl: string,
  notifyUrl: string,
  seed: SeedSummary | undefined,
  worker: boolean,
  apps: RunningWebApp[],
): void {
  const signIns = seed?.signIns ?? [];
  const first = (role: string) => signIns.find((s) => s.role === role);
  const staff = signIns.filter((s) => s.role === "restaurant_staff");
  const couriers = signIns.filter((s) => s.role === "courier");
  const customer = first("customer");
  const admin = first("admin");
  const lines: string[] = ["", "━".repeat(78), "  Edge Delivery is running locally", "━".repeat(78)];
  if (worker) {
    lines.push(
      `  API              ${WORKER_URL}`,
      `  Health           ${WORKER_URL}/v1/health`,
      `  OpenAPI          ${WORKER_URL}/v1/openapi.json`,
      `  API reference    ${WORKER_URL}/v1/docs`,
    );
    for (const { app, url } of apps) lines.push(`  ${app.label.padEnd(17)}${url}  (${app.who})`);
  } else {
    lines.push("  Worker           not started (--no-worker); run `npx wrangler dev` to add it");
  }
  lines.push(
    `  Stripe stand-in  ${stripeUrl}  (auto-confirms payments; webhooks to /v1/webhooks/stripe)`,
    `  Mailbox          ${notifyUrl}/  (e-mail, SMS and decrypted web pushes the platform sent)`,
    `  Database         ${databaseLabel}`,
    "",
    "  Demo sign-ins",
  );
  const row = (role: string, email: string, password: string, note = "") =>
    lines.push(`    ${role.padEnd(17)}${email.padEnd(42)}${password.padEnd(20)}${note}`);
  row("role", "email", "password", "restaurant");
  if (customer) row("customer", customer.email, customer.password);
  if (admin) row("admin", admin.email, admin.password);
  for (const s of staff.slice(0, 3)) row("restaurant_staff", s.email, s.password, s.restaurantName ?? "");
  if (staff.length > 3) lines.push(`    ... and ${staff.length - 3} more staff: staff+<restaurant-slug>@demo.test`);
  const [firstCourier] = couriers;
  const lastCourier = couriers.at(-1);
  if (firstCourier && lastCourier) {
    row("courier", `${firstCourier.email} .. ${lastCourier.email.split("@")[0]}`, firstCourier.password);
  }
  lines.push("", "  Ctrl-C (or SIGTERM to this process) stops everything, in order.", "━".repeat(78), "");
  console.log(lines.join("\n"));
}

await main();
