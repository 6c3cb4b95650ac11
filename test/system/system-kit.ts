// Helpers for the system tests: the whole platform booted as `npm start`
// boots it (scripts/dev/platform.ts), driven over HTTP from Node, and
// Postgres checked against what the Order DOs say.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { openDb } from "../../db/node.ts";
import { generateDevKeys } from "../../scripts/dev/dev-keys.ts";
import { BIN_DIR, bootPlatform, childEnv, type Platform, ROOT } from "../../scripts/dev/platform.ts";

export interface System {
  platform: Platform;
  stateDir: string;
  /** Which Postgres: the embedded default, or the machine's server (a fresh database on it). */
  database: "embedded" | "server";
  dispose(): Promise<void>;
}

/** SYSTEM_DATABASE=server uses the test server (TEST_DATABASE_URL or 127.0.0.1:5432); default: embedded. */
export function chosenDatabase(): "embedded" | "server" {
  return process.env.SYSTEM_DATABASE === "server" ? "server" : "embedded";
}

export async function bootSystem(name: string, database = chosenDatabase()): Promise<System> {
  const stateDir = await mkdtemp(join(tmpdir(), `edge-delivery-${name}-`));
  const platform = await bootPlatform({
    database:
      database === "embedded"
        ? { kind: "embedded", dataDir: join(stateDir, "postgres"), durable: true }
        : { kind: "test", name: `system_${name.replace(/\W/g, "_")}_${process.pid}` },
    stateDir,
    keys: await generateDevKeys(),
    seed: { passwordIterations: 1000 },
    stripe: { autoConfirmDelayMs: 50 },
    wranglerLogLevel: "warn",
    prefix: `[${name}]`,
  });
  return {
    platform,
    stateDir,
    database,
    dispose: async () => {
      await platform.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export async function call<T>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function signIn(base: string, email: string, password: string): Promise<string> {
  const res = await call<{ accessToken: string }>(base, "POST", "/v1/auth/sign-in", { body: { email, password } });
  if (res.status !== 200) throw new Error(`sign-in ${email}: ${res.status}`);
  return res.body.accessToken;
}

export const DEMO = {
  customer: ["customer@demo.test", "demo-customer-pass"],
  admin: ["admin@demo.test", "demo-admin-pass"],
  staff: (slug: string) => [`staff+${slug}@demo.test`, "demo-staff-pass"] as const,
} as const;

export interface OpenRestaurant {
  id: string;
  slug: string;
  lat: number;
  lng: number;
  fulfilment?: "on_demand" | "slots";
}

export async function openRestaurants(base: string): Promise<OpenRestaurant[]> {
  const res = await call<{ restaurants: OpenRestaurant[] }>(
    base,
    "GET",
    "/v1/restaurants?lat=38.7169&lng=-9.1399&openNow=true&limit=100",
  );
  // Slot-based merchants (the grocery) refuse an order for now: these tests place only those.
  return res.body.restaurants.filter((r) => r.fulfilment !== "slots");
}

interface MenuItem {
  id: string;
  available: boolean;
  groups: Array<{ minChoices: number; options: Array<{ id: string; available: boolean }> }>;
}

/** Places an order of the first available item (with its required options); returns the HTTP result. */
export async function placeOrder(
  base: string,
  token: string,
  restaurant: OpenRestaurant,
  key = crypto.randomUUID(),
): Promise<{ status: number; id?: string }> {
  const menu = await call<{ categories: Array<{ items: MenuItem[] }> }>(
    base,
    "GET",
    `/v1/restaurants/${restaurant.id}/menu`,
  );
  const item = menu.body.categories.flatMap((c) => c.items).find((i) => i.available);
  if (!item) throw new Error(`no available item at ${restaurant.slug}`);
  const optionIds = item.groups.flatMap((g) =>
    g.options
      .filter((o) => o.available)
      .slice(0, g.minChoices)
      .map((o) => o.id),
  );
  const res = await call<{ id: string }>(base, "POST", "/v1/orders", {
    token,
    headers: { "idempotency-key": key },
    body: {
      restaurantId: restaurant.id,
      items: [{ itemId: item.id, quantity: 1, optionIds }],
      deliveryAddress: {
        line1: "Rua Garrett 10",
        city: "Lisboa",
        postcode: "1200-203",
        lat: restaurant.lat + 0.003,
        lng: restaurant.lng + 0.003,
      },
    },
  });
  return { status: res.status, id: res.body?.id };
}

export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  what: string,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Each order's event log length and status as its Order DO tells them. */
export async function liveOrders(
  base: string,
  token: string,
  ids: readonly string[],
): Promise<Map<string, { lastSeq: number; status: string }>> {
  const result = new Map<string, { lastSeq: number; status: string }>();
  for (const id of ids) {
    const res = await call<{ order: { lastSeq: number; status: string } }>(base, "GET", `/v1/orders/${id}`, { token });
    if (res.status !== 200) throw new Error(`GET /v1/orders/${id}: ${res.status}`);
    result.set(id, { lastSeq: res.body.order.lastSeq, status: res.body.order.status });
  }
  return result;
}

export interface ProjectedOrder {
  id: string;
  status: string;
  lastEventSeq: number;
  events: number;
  distinctSeqs: number;
  maxSeq: number;
}

/** What Postgres holds for these orders: the row and its events (count, distinct sequences, highest). */
export async function projectedOrders(
  platform: Platform,
  ids: readonly string[],
): Promise<Map<string, ProjectedOrder>> {
  const { db, close } = openDb({ DATABASE_URL: platform.databaseUrl, NEON_WS_PROXY: platform.wsProxy }, 1);
  try {
    const rows = await db.execute<{
      id: string;
      status: string;
      last_event_seq: number;
      events: number;
      distinct_seqs: number;
      max_seq: number | null;
    }>(sql`
      select o.id, o.status, o.last_event_seq,
        (select count(*)::int from order_events e where e.order_id = o.id) as events,
        (select count(distinct e.seq)::int from order_events e where e.order_id = o.id) as distinct_seqs,
        (select max(e.seq) from order_events e where e.order_id = o.id) as max_seq
      from orders o where o.id = any(${sql.param([...ids])}::uuid[])`);
    return new Map(
      rows.rows.map((r) => [
        r.id,
        {
          id: r.id,
          status: r.status,
          lastEventSeq: r.last_event_seq,
          events: r.events,
          distinctSeqs: r.distinct_seqs,
          maxSeq: r.max_seq ?? 0,
        },
      ]),
    );
  } finally {
    await close();
  }
}

/**
 * Orders whose Postgres copy differs from their Order DO: missing, a
 * different status or sequence, or not exactly one event row per sequence.
 */
export function drift(
  live: Map<string, { lastSeq: number; status: string }>,
  projected: Map<string, ProjectedOrder>,
): string[] {
  const problems: string[] = [];
  for (const [id, truth] of live) {
    const row = projected.get(id);
    if (!row) problems.push(`${id}: missing`);
    else if (
      row.status !== truth.status ||
      row.lastEventSeq !== truth.lastSeq ||
      row.events !== truth.lastSeq ||
      row.distinctSeqs !== truth.lastSeq ||
      row.maxSeq !== truth.lastSeq
    ) {
      problems.push(
        `${id}: live ${truth.status}@${truth.lastSeq}, postgres ${row.status}@${row.lastEventSeq} (${row.events} events)`,
      );
    }
  }
  return problems;
}

/** Client connections to the platform's database right now (ours for the count included). */
export async function connectionCount(platform: Platform): Promise<number> {
  const { db, close } = openDb({ DATABASE_URL: platform.databaseUrl, NEON_WS_PROXY: platform.wsProxy }, 1);
  try {
    const rows = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and datname = current_database()`,
    );
    return rows.rows[0]?.n ?? 0;
  } finally {
    await close();
  }
}

/** Runs the simulator (scripts/simulate.ts) against the platform; returns its report. */
export async function simulate(
  base: string,
  args: Record<string, string>,
): Promise<{
  placeFailed: number;
  refusals: Record<string, number>;
  orders: Array<{ id: string; events: string[]; done: boolean }>;
}> {
  const report = join(tmpdir(), `simulate-${process.pid}-${Date.now()}.json`);
  const argv = [join(ROOT, "scripts", "simulate.ts"), "--base", base, "--report", report];
  for (const [k, v] of Object.entries(args)) argv.push(`--${k}`, v);
  const child = spawn(join(BIN_DIR, "tsx"), argv, { cwd: ROOT, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => {
    output += String(d);
  });
  child.stderr.on("data", (d) => {
    output += String(d);
  });
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`simulator exited with ${code}:\n${output}`);
  try {
    return JSON.parse(await readFile(report, "utf8"));
  } finally {
    await rm(report, { force: true });
  }
}
