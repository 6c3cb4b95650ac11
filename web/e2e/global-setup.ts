// Brings the whole platform up for the console's browser tests, the way
// `npm start` does (scripts/start.ts), but on free ports and throwaway state
// so it never collides with a developer's running `npm start` or its data:
// Postgres (a fresh database, or PGlite), the WebSocket proxy, migrations and
// the demo city, the Stripe stand-in playing the paying customer, `wrangler
// dev`, and the console built by `vite build` and served as static files.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair } from "jose";
import type { TestProject } from "vitest/node";
import { openDb } from "../../db/node.ts";
import { seedDemoCity } from "../../db/seed/index.ts";
import { startAnalyticsStandin } from "../../scripts/dev/analytics-standin/server.ts";
import { type ManagedChild, spawnManaged } from "../../scripts/dev/processes.ts";
import { startStripeStandin } from "../../scripts/dev/stripe-standin/server.ts";
import { startWsProxy } from "../../scripts/dev/ws-proxy.ts";
import { prepareTestDatabase } from "../../test/database.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WEB = join(ROOT, "web");
const BIN_DIR = join(ROOT, "node_modules", ".bin");
const HOST = "127.0.0.1";
const HEALTH_TIMEOUT_MS = 120_000;

function freePort(): Promise<number> {
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

async function signingKeys(): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify([{ ...jwk, kid: "console-e2e-1", alg: "ES256" }]);
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
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`wrangler dev did not answer ${url} within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

/**
 * Miniflare does not apply D1 migrations by itself (scripts/start.ts does the
 * same); without them the queue consumer's discovery refresh fails on missing tables.
 */
async function applyLocalD1Migrations(wrangler: string, persistTo: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = join(ROOT, "db", "d1");
  if (!existsSync(dir) || !readdirSync(dir).some((f) => f.endsWith(".sql"))) return;
  const child = spawnManaged(
    "d1",
    wrangler,
    ["d1", "migrations", "apply", "DISCOVERY", "--local", "--persist-to", persistTo],
    // CI=true keeps wrangler from asking for confirmation.
    { cwd: ROOT, env: { ...env, CI: "true" }, prefix: "[console-e2e d1]" },
  );
  await runToEnd(child, "wrangler d1 migrations apply", 60_000);
}

/** Waits for a short-lived child to succeed, within `limitMs`. */
async function runToEnd(child: ManagedChild, what: string, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    child.exited,
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), limitMs);
    }),
  ]);
  // A pending timer would hold vitest's process open after the run.
  clearTimeout(timer);
  if (code === "timeout") {
    await child.stop();
    throw new Error(`${what} did not finish within ${limitMs / 1000} s`);
  }
  if (code !== 0) throw new Error(`${what} exited with code ${code}`);
}

/** Builds a web app (its vite config) for `apiBase` into `outDir`, in a child process as a deploy would. */
async function buildApp(
  config: string,
  apiBase: string,
  outDir: string,
  env: NodeJS.ProcessEnv,
  extra: Record<string, string> = {},
): Promise<void> {
  const child = spawnManaged(
    "vite",
    join(BIN_DIR, "vite"),
    ["build", "--config", config, "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
    // Vitest sets NODE_ENV=test, which would make Vite build React for development: test what ships.
    { cwd: ROOT, env: { ...env, NODE_ENV: "production", VITE_API_BASE: apiBase, ...extra }, prefix: "[web-e2e vite]" },
  );
  await runToEnd(child, `vite build ${config}`, 90_000);
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".webmanifest": "application/manifest+json",
  ".png": "image/png",
};

/** Serves the built console the way Pages would for this app: static files, `/` is index.html. */
async function serveStatic(dir: string, port: number): Promise<Server> {
  const root = resolve(dir);
  const server = createHttpServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://console").pathname);
    const file = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
    // Never outside the build directory, whatever `..` the request holds.
    if (!file.startsWith(`${root}${sep}`)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(port, HOST, ready);
  });
  return server;
}

export default async function setup(project: TestProject) {
  // Released last-in, first-out, also when set-up fails half-way.
  const releases: Array<() => Promise<unknown>> = [];
  const teardown = async () => {
    for (const release of releases.reverse()) {
      try {
        await release();
      } catch (error) {
        console.error(`[console-e2e] teardown: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  try {
    const state = await mkdtemp(join(tmpdir(), "console-e2e-"));
    releases.push(() => rm(state, { recursive: true, force: true }));

    const proxy = await startWsProxy();
    releases.push(() => proxy.close());
    const wsProxy = `${HOST}:${proxy.port}`;
    // Its own database name: the other projects' set-up uses the default one in this same process.
    const database = await prepareTestDatabase(wsProxy, `console_e2e_${process.pid}`);
    releases.push(() => database.dispose());
    const { db, close } = openDb({ DATABASE_URL: database.url, NEON_WS_PROXY: wsProxy }, 1);
    await seedDemoCity(db, { passwordIterations: 1000 }).finally(close);

    const [workerPort, inspectorPort, consolePort, courierPort, customerPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const apiBase = `http://${HOST}:${workerPort}`;
    const consoleUrl = `http://${HOST}:${consolePort}`;
    const courierUrl = `http://${HOST}:${courierPort}`;
    const customerUrl = `http://${HOST}:${customerPort}`;

    const stripeKey = `sk_test_console_e2e_${randomBytes(8).toString("hex")}`;
    const webhookSecret = `whsec_console_e2e_${randomBytes(8).toString("hex")}`;
    const stripe = await startStripeStandin({
      webhookUrl: `${apiBase}/v1/webhooks/stripe`,
      webhookSecret,
      apiKey: stripeKey,
      // Orders placed through the API have no browser to pay them, so the stand-in confirms them
      // itself; the customer app pays in the browser (the stand-in's Stripe.js, decision 0043).
      autoConfirm: true,
      autoConfirmDelayMs: 50,
    });
    releases.push(() => stripe.close());
    // The overview's live metrics read the Analytics Engine stand-in (decision 0054).
    const analytics = await startAnalyticsStandin({ apiToken: "e2e-analytics" });
    releases.push(() => analytics.close());

    // An empty env file keeps wrangler from reading the developer's .dev.vars (written by `npm start`).
    const envFile = join(state, "empty.env");
    await writeFile(envFile, "");
    const vars: Record<string, string> = {
      DATABASE_URL: database.url,
      NEON_WS_PROXY: wsProxy,
      JWT_PRIVATE_KEYS: await signingKeys(),
      STRIPE_SECRET_KEY: stripeKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_BASE: stripe.url,
      CONSOLE_ORIGINS: `${consoleUrl},${courierUrl},${customerUrl}`,
      // The partner-webhook test's receiver listens on this machine's loopback.
      WEBHOOK_ALLOW_LOOPBACK: "true",
      METRICS_STANDIN_URL: analytics.url,
      ANALYTICS_API_BASE: analytics.url,
      ANALYTICS_ACCOUNT_ID: "local",
      ANALYTICS_API_TOKEN: "e2e-analytics",
    };
    const wrangler = join(BIN_DIR, "wrangler");
    const persistTo = join(state, "wrangler");
    // wrangler needs Node >= 22.12; the `node` devDependency puts one here.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${BIN_DIR}${delimiter}${process.env.PATH ?? ""}`,
      WRANGLER_SEND_METRICS: "false",
    };
    await applyLocalD1Migrations(wrangler, persistTo, env);
    const worker = spawnManaged(
      "wrangler",
      wrangler,
      [
        "dev",
        "--port",
        String(workerPort),
        "--ip",
        HOST,
        "--inspector-port",
        String(inspectorPort),
        "--persist-to",
        persistTo,
        "--env-file",
        envFile,
        "--log-level",
        "warn",
        "--show-interactive-dev-session=false",
        ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      ],
      { cwd: ROOT, prefix: "[console-e2e wrangler]", env },
    );
    releases.push(() => worker.stop());

    // Building the apps overlaps with wrangler's start-up.
    const dist = join(state, "dist");
    const courierDist = join(state, "courier-dist");
    const customerDist = join(state, "customer-dist");
    await Promise.all([
      waitForHealth(`${apiBase}/v1/health`, worker.exited),
      buildApp(join(WEB, "console", "vite.config.ts"), apiBase, dist, env),
      buildApp(join(WEB, "courier", "vite.config.ts"), apiBase, courierDist, env),
      buildApp(join(WEB, "customer", "vite.config.ts"), apiBase, customerDist, env, {
        VITE_STRIPE_PUBLISHABLE_KEY: "pk_test_customer_e2e",
        VITE_STRIPE_JS_URL: `${stripe.url}/v3/`,
      }),
    ]);
    for (const [dir, port] of [
      [dist, consolePort],
      [courierDist, courierPort],
      [customerDist, customerPort],
    ] as const) {
      const server = await serveStatic(dir, port);
      releases.push(
        () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      );
    }

    project.provide("consoleUrl", consoleUrl);
    project.provide("courierUrl", courierUrl);
    project.provide("customerUrl", customerUrl);
    project.provide("apiBase", apiBase);
    project.provide("stripeUrl", stripe.url);
    project.provide("e2eDatabaseUrl", database.url);
    project.provide("e2eWsProxy", wsProxy);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

declare module "vitest" {
  export interface ProvidedContext {
    consoleUrl: string;
    /** The courier PWA (web/courier), built and served like the console. */
    courierUrl: string;
    /** The customer PWA (web/customer), built and served like the console. */
    customerUrl: string;
    apiBase: string;
    /** The Stripe stand-in (its Stripe.js, and the control that leaves a customer's payments to the browser). */
    stripeUrl: string;
    /** For arranging what the API cannot create on demand (a dead letter). */
    e2eDatabaseUrl: string;
    e2eWsProxy: string;
  }
}
