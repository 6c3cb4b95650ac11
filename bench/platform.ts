// What the benchmarks run against, started on demand and stopped at the end:
//
//  - PostgreSQL: the machine's server on 127.0.0.1:5432 (or BENCH_DATABASE_URL,
//    loopback only), with a fresh database `delivery_bench`, migrated and
//    seeded with the demo city plus the benchmark's customers.
//  - The WebSocket-to-Postgres proxy (scripts/dev/ws-proxy.ts), in its own
//    process pinned to the server cores: the Neon driver reaches Postgres
//    only through it, for our Worker and for the raw-Postgres peer alike.
//  - The platform Worker, hosted by Miniflare's API (bench/server/worker-host.ts)
//    from the bundle `wrangler deploy --dry-run --outdir` writes. Why not
//    `wrangler dev`: it would put its own proxy Worker, file watcher and
//    esbuild rebuilds on the server cores and in the request path, and would
//    share `.dev.vars` and `.wrangler/state` with a colleague's `npm start`.
//    Miniflare's API runs the same workerd with the same bindings (read from
//    wrangler.toml by wrangler's own unstable_getMiniflareWorkerOptions),
//    serving exactly the artefact the size benchmark measures.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { migrateDatabase, openDb } from "../db/node.ts";
import { couriers, users } from "../db/schema.ts";
import { seedDemoCity } from "../db/seed/index.ts";
import { hashPassword } from "../domain/auth/password.ts";
import type { Principal } from "../domain/auth/principal.ts";
import { issueAccessToken, loadSigningKeys } from "../domain/auth/tokens.ts";
import { type DevKeys, generateDevKeys } from "../scripts/dev/dev-keys.ts";
import { BIN_DIR, childEnv, freePort, ROOT } from "../scripts/dev/platform.ts";
import { startStripeStandin } from "../scripts/dev/stripe-standin/server.ts";
import { assertLoopback } from "./lib/http.ts";
import type { Plan } from "./lib/measure.ts";
import { type Child, spawnReady } from "./lib/processes.ts";
import { seededRandom, seededUuid } from "./lib/rng.ts";
import type { Pinning } from "./lib/taskset.ts";

// The boot module's paths and child environment (wrangler needs the Node in node_modules/.bin).
export { BIN_DIR, childEnv, ROOT };

const TSX = join(BIN_DIR, "tsx");
// BENCH_DATABASE_NAME: engineers sharing one PostgreSQL server must not drop each other's database mid-run.
export const DATABASE_NAME = process.env.BENCH_DATABASE_NAME ?? "delivery_bench";
export const BENCH_CUSTOMERS = 200;
const JWT = { issuer: "https://api.edge-delivery.local", audience: "edge-delivery" };

export interface Harness {
  quick: boolean;
  seed: number;
  pinning: Pinning;
  plan: Plan;
  tmpDir: string;
  log(message: string): void;
  /** Registers a resource to release at the end (last in, first out). */
  defer(name: string, release: () => Promise<unknown> | unknown): void;
}

export function tsxChild<T>(
  h: Harness,
  name: string,
  script: string,
  env: Record<string, string> = {},
  readyTimeoutMs = 60_000,
): Promise<Child<T>> {
  return spawnReady<T>(name, h.pinning, TSX, [join(ROOT, script)], {
    cwd: ROOT,
    env: childEnv(env),
    logFile: join(h.tmpDir, `${name}.log`),
    readyTimeoutMs,
  });
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

// ---------------------------------------------------------------- database

export interface Database {
  url: string;
  wsProxy: string;
  proxyPid: number;
  serverVersion: string;
  synchronousCommit: string;
  fsync: string;
  customers: string[];
}

let databasePromise: Promise<Database> | undefined;

export function database(h: Harness): Promise<Database> {
  databasePromise ??= startDatabase(h);
  return databasePromise;
}

const ALWAYS_OPEN = JSON.stringify([0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" })));

async function startDatabase(h: Harness): Promise<Database> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const server = new URL(serverUrl);
  assertLoopback(`http://${server.host}`);
  if (!(await portOpen(server.hostname, Number(server.port || 5432)))) {
    throw new Error(`no PostgreSQL answers at ${server.host}; start it (see .ci/run) or set BENCH_DATABASE_URL`);
  }
  const proxy = await tsxChild<{ port: number }>(h, "ws-proxy", "bench/server/ws-proxy.ts");
  h.defer("ws-proxy", () => proxy.stop());
  const wsProxy = `127.0.0.1:${proxy.ready.port}`;

  const admin = openDb({ DATABASE_URL: serverUrl, NEON_WS_PROXY: wsProxy }, 1);
  await admin.db.execute(sql.raw(`drop database if exists ${DATABASE_NAME} with (force)`));
  await admin.db.execute(sql.raw(`create database ${DATABASE_NAME}`));
  const settings = await admin.db.execute<{ version: string; sc: string; fsync: string }>(
    sql.raw(
      "select current_setting('server_version') as version, current_setting('synchronous_commit') as sc, current_setting('fsync') as fsync",
    ),
  );
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE_NAME}`;
  const databaseUrl = url.toString();
  h.log(`PostgreSQL ${settings.rows[0]?.version} at ${server.host}: fresh database ${DATABASE_NAME}`);
  await migrateDatabase(databaseUrl, wsProxy);

  const { db, close } = openDb({ DATABASE_URL: databaseUrl, NEON_WS_PROXY: wsProxy }, 2);
  try {
    // Demo passwords are never used here (tokens are minted directly), so hashing is cheap.
    const seed = await seedDemoCity(db, { passwordIterations: 1000 });
    // Placement refuses closed restaurants; the figures must not depend on the hour the bench runs at.
    await db.execute(sql`update restaurants set opening_hours = ${ALWAYS_OPEN}::jsonb`);
    const random = seededRandom(h.seed ^ 0xc057);
    const customers = Array.from({ length: BENCH_CUSTOMERS }, (_, n) => ({
      id: seededUuid(random),
      email: `bench-customer-${n}@bench.test`,
      name: `Bench Customer ${n}`,
      role: "customer" as const,
    }));
    await db.insert(users).values(customers);
    h.log(
      `seeded ${seed.city}: ${seed.total.restaurants} restaurants, ${seed.total.menuItems} menu items, ` +
        `${seed.total.couriers} couriers; + ${BENCH_CUSTOMERS} bench customers (seed ${h.seed}); all restaurants always open`,
    );
    return {
      url: databaseUrl,
      wsProxy,
      proxyPid: proxy.pid,
      serverVersion: `PostgreSQL ${settings.rows[0]?.version}`,
      synchronousCommit: settings.rows[0]?.sc ?? "?",
      fsync: settings.rows[0]?.fsync ?? "?",
      customers: customers.map((c) => c.id),
    };
  } finally {
    await close();
  }
}

// ---------------------------------------------------------------- bundle

export interface Bundle {
  configPath: string;
  outDir: string;
  mainPath: string;
  /** The same upload as multipart form data (`--outfile`), which `wrangler check startup --worker` reads. */
  formPath: string;
  /** wrangler's own "Total Upload: X KiB / gzip: Y KiB" line. */
  wranglerSummary: string;
  buildMs: number;
}

const bundles = new Map<string, Promise<Bundle>>();

/** `wrangler deploy --dry-run --outdir`: the artefact that would be uploaded. */
export function buildBundle(h: Harness, configPath = join(ROOT, "wrangler.toml"), minify = false): Promise<Bundle> {
  const key = `${configPath}:${minify}`;
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = (async () => {
      const outDir = join(h.tmpDir, `bundle-${bundles.size}${minify ? "-min" : ""}`);
      const started = performance.now();
      const formPath = `${outDir}.form`;
      const args = ["deploy", "--dry-run", "--outdir", outDir, "--outfile", formPath, "--config", configPath];
      if (minify) args.push("--minify");
      const result = spawnSync(join(BIN_DIR, "wrangler"), args, { cwd: ROOT, env: childEnv(), encoding: "utf8" });
      const buildMs = performance.now() - started;
      if (result.status !== 0)
        throw new Error(`wrangler ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
      const summary = /Total Upload:[^\n]*/.exec(result.stdout)?.[0] ?? "";
      // The main module keeps its entry point's base name (index.js for workers/index.ts).
      // Modules wrangler writes beside it (`<hash>-swagger-ui-bundle.js`) sort before it: prefer the entry's own name.
      const files = readdirSync(outDir);
      const main = files.includes("index.js") ? "index.js" : (files.find((f) => f.endsWith(".js")) ?? "index.js");
      return { configPath, outDir, mainPath: join(outDir, main), formPath, wranglerSummary: summary.trim(), buildMs };
    })();
    bundles.set(key, bundle);
  }
  return bundle;
}

// ---------------------------------------------------------------- worker

export interface Worker {
  url: string;
  pid: number;
  readyMs: number;
  persistDir: string | null;
  jwtPrivateKeys: string;
  /** The bench-only zone probe (bench/probe/zone-probe.ts) in the same Miniflare, when started with one. */
  probeUrl?: string;
  stop(): Promise<void>;
}

/** Throwaway keys for the run, from the same generator `npm start` and the tests use. */
let keysPromise: Promise<DevKeys> | undefined;
function benchKeys(): Promise<DevKeys> {
  keysPromise ??= generateDevKeys();
  return keysPromise;
}

let stripePromise: Promise<string> | undefined;

/**
 * The Stripe stand-in, in this process on a free port: the courier probe pays
 * orders through the Order DO's own checkout (an order accepts a payment only
 * for the PaymentIntent it created), so the Worker needs a Stripe to create it in.
 */
function benchStripe(h: Harness, keys: DevKeys): Promise<string> {
  stripePromise ??= startStripeStandin({ apiKey: keys.stripeSecretKey, webhookSecret: keys.stripeWebhookSecret }).then(
    (standin) => {
      h.defer("stripe stand-in", () => standin.close());
      return standin.url;
    },
  );
  return stripePromise;
}

export async function startWorker(
  h: Harness,
  options: {
    name?: string;
    persist?: boolean;
    /** Where the DO/KV state lives: the harness's temp directory (disk, default) or a fresh directory on /dev/shm. */
    state?: "disk" | "tmpfs";
    bundle?: Bundle;
    bindings?: Record<string, string>;
    /** Added to the default bindings (ignored with `bindings`): e.g. REQUEST_LOG for bench/menus-stall.ts. */
    extraBindings?: Record<string, string>;
    /** A probe bundle to run beside the Worker, bound to its ZONE and ORDER Durable Objects. */
    probe?: Bundle;
    /** Extra environment of the host process (e.g. its own BENCH_INSPECTOR_PORT). */
    env?: Record<string, string>;
    /** Opens workerd's inspector on this port, for a CPU profile (bench/lib/cpu-profile.ts). */
    inspectorPort?: number;
  } = {},
): Promise<Worker> {
  const bundle = options.bundle ?? (await buildBundle(h));
  const db = options.bindings ? undefined : await database(h);
  const keys = await benchKeys();
  const jwtPrivateKeys = keys.jwtPrivateKeys;
  const name = options.name ?? "worker";
  const persistDir = options.persist === false ? null : join(stateRoot(h, options.state ?? "disk"), `${name}-state`);
  const port = await freePort();
  const probePort = options.probe ? await freePort() : 0;
  const child = await tsxChild<{ url: string; readyMs: number; probeUrl?: string }>(
    h,
    name,
    "bench/server/worker-host.ts",
    {
      BENCH_WORKER_HOST: JSON.stringify({
        configPath: bundle.configPath,
        bundlePath: bundle.mainPath,
        port,
        persistDir,
        bindings: options.bindings ?? {
          DATABASE_URL: db?.url ?? "",
          NEON_WS_PROXY: db?.wsProxy ?? "",
          JWT_PRIVATE_KEYS: jwtPrivateKeys,
          STRIPE_API_BASE: await benchStripe(h, keys),
          STRIPE_SECRET_KEY: keys.stripeSecretKey,
          // The courier benchmarks' closed loops drive a socket hundreds of times faster than a
          // phone, to find the zone's capacity; the per-socket limit (5/s) would cut them off.
          // The check itself still runs on every frame.
          COURIER_MESSAGE_RATE: "1000000000/1000000000",
          ...JWT_VARS,
          ...options.extraBindings,
        },
        ...(options.probe
          ? {
              probe: {
                bundlePath: options.probe.mainPath,
                port: probePort,
                ownDurableObjects: { FLEET: "Fleet" },
                platformDurableObjects: { ZONE: "ZoneDO", ORDER: "OrderDO" },
              },
            }
          : {}),
      }),
      ...options.env,
      ...(options.inspectorPort ? { BENCH_INSPECTOR_PORT: String(options.inspectorPort) } : {}),
    },
    120_000,
  );
  const worker: Worker = {
    url: child.ready.url,
    pid: child.pid,
    readyMs: child.ready.readyMs,
    persistDir,
    jwtPrivateKeys,
    ...(child.ready.probeUrl ? { probeUrl: child.ready.probeUrl } : {}),
    stop: () => child.stop(),
  };
  h.defer(name, () => child.stop());
  return worker;
}

/** /dev/shm when asked for tmpfs and the machine has it (removed at the end), else the harness's temp directory. */
function stateRoot(h: Harness, state: "disk" | "tmpfs"): string {
  if (state !== "tmpfs" || !existsSync("/dev/shm")) return h.tmpDir;
  const dir = mkdtempSync("/dev/shm/edge-delivery-bench-");
  h.defer("tmpfs state", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Where the courier benchmarks' shared Worker keeps its DO state: tmpfs unless BENCH_COURIER_STATE=disk.
 * Their set-up creates thousands of Order DOs, each a new SQLite file, journal and WAL synced by workerd
 * (about 8 file creations and 11 fsyncs per order, issue 18): on the shared disk that, not the code, set
 * the ceiling on how many orders the fan-out could set up. What they measure is in memory (sockets,
 * indexes, RPC); the file work is local emulation, measured on its own by `placement`.
 */
export function courierState(): "disk" | "tmpfs" {
  return process.env.BENCH_COURIER_STATE === "disk" ? "disk" : "tmpfs";
}

let shared: Promise<Worker> | undefined;

/**
 * The platform Worker, started once and shared by the benchmarks that need it,
 * with the zone probe (bench/probe/zone-probe.ts) beside it in the same
 * Miniflare: idle unless a courier benchmark calls it.
 */
export function sharedWorker(h: Harness): Promise<Worker> {
  shared ??= (async () => {
    const [bundle, probe] = await Promise.all([
      buildBundle(h),
      buildBundle(h, join(ROOT, "bench/probe/zone-probe.toml")),
    ]);
    return startWorker(h, { bundle, probe, state: courierState() });
  })().then(async (worker) => {
    await waitHealthy(worker.url);
    return worker;
  });
  return shared;
}

/**
 * `count` more hosts of the same bundles (Worker + zone probe), each its own Miniflare and workerd with its own
 * DO state: for the fan-out at 10,000 watchers, which one workerd cannot hold under the machine's open-file limit
 * (decision 57). Tokens minted for the shared Worker are valid on all of them (one signing key per run).
 */
export async function moreWorkers(h: Harness, count: number): Promise<Worker[]> {
  const [bundle, probe] = await Promise.all([
    buildBundle(h),
    buildBundle(h, join(ROOT, "bench/probe/zone-probe.toml")),
  ]);
  const out: Worker[] = [];
  for (let i = 0; i < count; i++) {
    // Each host its own inspector port (the next ones after BENCH_INSPECTOR_PORT), or they would clash.
    const inspector = process.env.BENCH_INSPECTOR_PORT;
    const env: Record<string, string> = inspector ? { BENCH_INSPECTOR_PORT: String(Number(inspector) + i + 1) } : {};
    const worker = await startWorker(h, { name: `worker-${i + 2}`, bundle, probe, state: courierState(), env });
    await waitHealthy(worker.url);
    out.push(worker);
  }
  return out;
}

const JWT_VARS = { JWT_ISSUER: JWT.issuer, JWT_AUDIENCE: JWT.audience, ACCESS_TOKEN_TTL_SECONDS: "3600" };

/**
 * Access tokens minted with the Worker's own signing key, as sign-in would issue them:
 * each its own session (never signed out), so the Worker checks it against that
 * user's SessionsDO like any other token.
 */
export async function customerToken(worker: Worker, customerId: string): Promise<string> {
  return principalToken(worker, { userId: customerId, role: "customer" });
}

/** An access token for any principal (courier, restaurant staff), minted like customerToken. */
export async function principalToken(worker: Worker, principal: Principal): Promise<string> {
  const keys = await loadSigningKeys(worker.jwtPrivateKeys);
  return issueAccessToken(
    keys,
    principal,
    { ...JWT, ttlSeconds: 3600 },
    Math.floor(Date.now() / 1000),
    crypto.randomUUID(),
  );
}

export interface BenchCourier {
  id: string;
  email: string;
}

let benchCouriers: BenchCourier[] = [];

/**
 * At least `n` active courier accounts (users + couriers rows) in the bench
 * database, created on first need with one password hash computed once (the
 * bench never signs in with it: tokens are minted with the Worker's key).
 */
export async function ensureCouriers(h: Harness, n: number): Promise<BenchCourier[]> {
  if (benchCouriers.length >= n) return benchCouriers.slice(0, n);
  const db = await database(h);
  const handle = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 2);
  try {
    const passwordHash = await hashPassword("bench-courier-pass", 1000);
    const random = seededRandom(h.seed ^ 0xc0c0 ^ benchCouriers.length);
    const fresh = Array.from({ length: n - benchCouriers.length }, (_, k) => {
      const i = benchCouriers.length + k;
      return { id: seededUuid(random), email: `bench-courier-${i}@bench.test` };
    });
    for (let i = 0; i < fresh.length; i += 1000) {
      const chunk = fresh.slice(i, i + 1000);
      await handle.db.insert(users).values(
        chunk.map((c, k) => ({
          id: c.id,
          email: c.email,
          name: `Bench Courier ${benchCouriers.length + i + k}`,
          role: "courier" as const,
          passwordHash,
        })),
      );
      await handle.db
        .insert(couriers)
        .values(chunk.map((c) => ({ userId: c.id, vehicle: "bicycle" as const, phone: "+351900000000" })));
    }
    benchCouriers = [...benchCouriers, ...fresh];
    h.log(`couriers: ${benchCouriers.length} bench courier accounts in ${DATABASE_NAME}`);
    return benchCouriers.slice(0, n);
  } finally {
    await handle.close();
  }
}

/** The seed's restaurant staff, one per restaurant: restaurantId → principal. */
export async function restaurantStaff(h: Harness): Promise<Map<string, Principal>> {
  const db = await database(h);
  const handle = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 1);
  try {
    const rows = await handle.db
      .select({ id: users.id, restaurantId: users.restaurantId })
      .from(users)
      .where(eq(users.role, "restaurant_staff"));
    const out = new Map<string, Principal>();
    for (const r of rows) {
      if (r.restaurantId && !out.has(r.restaurantId)) {
        out.set(r.restaurantId, { userId: r.id, role: "restaurant_staff", restaurantId: r.restaurantId });
      }
    }
    return out;
  } finally {
    await handle.close();
  }
}

/** An access token for the seed's operator (role admin), minted like customerToken: for the /v1/admin routes. */
export async function adminToken(h: Harness, worker: Worker): Promise<string> {
  const db = await database(h);
  const handle = openDb({ DATABASE_URL: db.url, NEON_WS_PROXY: db.wsProxy }, 1);
  try {
    const [row] = await handle.db.select({ id: users.id }).from(users).where(eq(users.role, "admin")).limit(1);
    if (!row) throw new Error(`no admin user in ${DATABASE_NAME}`);
    return principalToken(worker, { userId: row.id, role: "admin" });
  } finally {
    await handle.close();
  }
}

/** Polls until the Worker answers its health check. */
export async function waitHealthy(url: string, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return performance.now() - started;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer /v1/health within ${timeoutMs} ms`);
}
