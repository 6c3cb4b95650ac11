// Brings the whole platform up for the browser tests through the one boot
// module `npm start` and the system tests use (scripts/dev/platform.ts,
// decision 0046), on free ports and throwaway state so it never collides with
// a developer's running `npm start` or its data, on a fresh database
// (test/database.ts: TEST_DATABASE_URL's server, else the embedded one). What
// is the browser tests' own: the web apps built with `vite build` for that API
// and served as static files, as Pages would, and the values the tests inject.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import type { TestProject } from "vitest/node";
import { generateDevKeys } from "../../scripts/dev/dev-keys.ts";
import { BIN_DIR, bootPlatform, childEnv, freePort, ROOT, runToEnd } from "../../scripts/dev/platform.ts";
import { spawnManaged } from "../../scripts/dev/processes.ts";

const WEB = join(ROOT, "web");
const HOST = "127.0.0.1";

/** Builds a web app (its vite config) for `apiBase` into `outDir`, in a child process as a deploy would. */
async function buildApp(
  config: string,
  apiBase: string,
  outDir: string,
  extra: Record<string, string> = {},
): Promise<void> {
  const child = spawnManaged(
    "vite",
    join(BIN_DIR, "vite"),
    ["build", "--config", config, "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
    // Vitest sets NODE_ENV=test, which would make Vite build React for development: test what ships.
    {
      cwd: ROOT,
      env: childEnv({ NODE_ENV: "production", VITE_API_BASE: apiBase, ...extra }),
      prefix: "[web-e2e vite]",
    },
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
    for (const release of releases.splice(0).reverse()) {
      try {
        await release();
      } catch (error) {
        console.error(`[web-e2e] teardown: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  try {
    const state = await mkdtemp(join(tmpdir(), "web-e2e-"));
    releases.push(() => rm(state, { recursive: true, force: true }));

    const [workerPort, stripePort, consolePort, courierPort, customerPort] = await Promise.all([
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
    const stripeUrl = `http://${HOST}:${stripePort}`;

    // Building the apps overlaps with the platform's start-up.
    const dist = join(state, "dist");
    const courierDist = join(state, "courier-dist");
    const customerDist = join(state, "customer-dist");
    const builds = Promise.all([
      buildApp(join(WEB, "console", "vite.config.ts"), apiBase, dist),
      buildApp(join(WEB, "courier", "vite.config.ts"), apiBase, courierDist),
      // The customer app pays in the browser through the stand-in's Stripe.js (decision 0043).
      buildApp(join(WEB, "customer", "vite.config.ts"), apiBase, customerDist, {
        VITE_STRIPE_PUBLISHABLE_KEY: "pk_test_customer_e2e",
        VITE_STRIPE_JS_URL: `${stripeUrl}/v3/`,
      }),
    ]);
    const booting = bootPlatform({
      // Its own database name: the other projects' set-up uses the default one in this same process.
      database: { kind: "test", name: `console_e2e_${process.pid}` },
      stateDir: join(state, "platform"),
      keys: await generateDevKeys(),
      ports: { worker: workerPort, stripe: stripePort },
      seed: { passwordIterations: 1000 },
      vars: { CONSOLE_ORIGINS: `${consoleUrl},${courierUrl},${customerUrl}` },
      // Orders placed through the API have no browser to pay them, so the stand-in confirms them
      // itself, quickly; the customer app's payments it leaves to the browser.
      stripe: { autoConfirmDelayMs: 50 },
      wranglerLogLevel: "warn",
      prefix: "[web-e2e]",
      // The boot steps only: each Stripe call and mailbox message ("[stripe] ...", "[notify] ...") would drown the tests' output.
      log: (message) => {
        if (!message.startsWith("[")) console.error(`[web-e2e] ${message}`);
      },
    });
    // Registered before awaiting, so a failed build still stops a platform that did start,
    // and a failed boot waits for the builds before their directory goes.
    releases.push(() => booting.then((platform) => platform.stop()).catch(() => {}));
    releases.push(() => builds.catch(() => {}));
    const [platform] = await Promise.all([booting, builds]);

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
    project.provide("stripeUrl", platform.stripeUrl);
    project.provide("notifyUrl", platform.notifyUrl);
    project.provide("e2eDatabaseUrl", platform.databaseUrl);
    project.provide("e2eWsProxy", platform.wsProxy);
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
    /** The platform's notification stand-in (the local mailbox of e-mail, SMS and pushes). */
    notifyUrl: string;
    /** For arranging what the API cannot create on demand (a dead letter). */
    e2eDatabaseUrl: string;
    e2eWsProxy: string;
  }
}
