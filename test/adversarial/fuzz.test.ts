// The fuzzer: thousands of requests generated from the OpenAPI document, each
// a valid call broken in one way the document says is invalid, or made by a
// caller who may not make it. Every one must be refused with a 4xx in the
// error shape (never a 2xx, never a 5xx), and together they must leave every
// row of every table in Postgres as it was. Seeded: FUZZ_SEED replays a run; FUZZ_REQUESTS
// sets its size (3,000 in `npm test`, more with `npm run test:fuzz`).
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { couriers, users } from "../../db/schema.ts";
import { hashPassword } from "../../domain/auth/password.ts";
import { pick, seededRandom } from "../../domain/random/seeded-random.ts";
import { api, PASSWORD, testEnv } from "../world.ts";
import { ACCESS_RULES, type Call } from "./access-rules.ts";
import { buildFixtures, type Fixtures, principal, type Role, type Who } from "./fixtures.ts";
import { send } from "./http.ts";
import { mutationsFor } from "./mutations.ts";
import { loadOperations, type OpenApiDocument, type Operation } from "./operations.ts";
import { tally } from "./tally.ts";

const settings = testEnv as unknown as { FUZZ_REQUESTS?: string; FUZZ_SEED?: string };
const REQUESTS = Number(settings.FUZZ_REQUESTS) || 3000;
const SEED = Number(settings.FUZZ_SEED) || 17;

let fx: Fixtures;
let doc: OpenApiDocument;
let operations: Operation[];
const pool: Record<Role, string[]> = { customer: [], restaurant_staff: [], courier: [], admin: [] };

/** More users of every role, so that thousands of requests stay within each user's rate limit. */
async function growPool(): Promise<void> {
  const tag = crypto.randomUUID().slice(0, 8);
  const { db, close } = openDb(testEnv);
  const emails: Array<[Role, string]> = [];
  try {
    const passwordHash = await hashPassword(PASSWORD, 1000);
    const rows = (["customer", "restaurant_staff", "courier", "admin"] as const).flatMap((role) =>
      Array.from({ length: 8 }, (_, i) => {
        const email = `fuzz-${role}-${i}-${tag}@test.local`;
        emails.push([role, email]);
        return {
          email,
          name: `Fuzz ${role} ${i}`,
          role,
          passwordHash,
          restaurantId: role === "restaurant_staff" ? fx.world.restaurantId : null,
        };
      }),
    );
    const inserted = await db.insert(users).values(rows).returning({ id: users.id, role: users.role });
    await db
      .insert(couriers)
      .values(
        inserted
          .filter((u) => u.role === "courier")
          .map((u) => ({ userId: u.id, vehicle: "car" as const, phone: "+351900000003" })),
      );
  } finally {
    await close();
  }
  await Promise.all(
    emails.map(async ([role, email]) => {
      const res = await api("/v1/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
      pool[role].push(((await res.json()) as { accessToken: string }).accessToken);
    }),
  );
}

/**
 * A digest of every row of every table of the system of record (all of them, so
 * a table added later is covered too): any insert, update or delete changes it.
 */
async function digest(): Promise<Record<string, string>> {
  const { db, close } = openDb(testEnv);
  try {
    const tables = await db.execute(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
    );
    const out: Record<string, string> = {};
    for (const { table_name: table } of tables.rows as Array<{ table_name: string }>) {
      const result = await db.execute(
        sql`select count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as d from ${sql.identifier(table)} t`,
      );
      out[table] = String((result.rows[0] as { d: string }).d);
    }
    return out;
  } finally {
    await close();
  }
}

/** Waits until the queue has projected everything the fixtures did: two equal digests a second apart. */
async function settled(): Promise<Record<string, string>> {
  let previous = await digest();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = await digest();
    if (JSON.stringify(next) === JSON.stringify(previous)) return next;
    previous = next;
  }
  throw new Error("the database never settled");
}

beforeAll(async () => {
  fx = await buildFixtures();
  ({ doc, operations } = await loadOperations());
  await growPool();
}, 90_000);

function allowedTokens(op: Operation, random: () => number): string | undefined {
  const rule = ACCESS_RULES[op.key];
  const roles = (["customer", "restaurant_staff", "courier", "admin"] as const).filter(
    (r) => rule?.expect(r, true) === "allow",
  );
  if (roles.length === 0 || !op.authenticated) return undefined;
  return pick(random, pool[pick(random, roles)]);
}

function refusedTokens(op: Operation): string[] {
  const rule = ACCESS_RULES[op.key];
  if (!rule) return [];
  const out: string[] = [];
  for (const who of ["customer", "restaurant_staff", "courier", "admin"] as Who[]) {
    for (const owner of [true, false]) {
      const token = principal(fx, who, owner);
      if (token && rule.expect(who, owner) !== "allow") out.push(token);
    }
  }
  return out;
}

describe("fuzzer", () => {
  it(
    `${REQUESTS} broken requests from the OpenAPI document: all refused in the error shape, no 5xx, no row changed (seed ${SEED})`,
    async () => {
      const random = seededRandom(SEED);
      // The valid calls are made first: some (a fresh refresh token, a sign-up e-mail) write while being prepared.
      const bases = new Map<string, Call>();
      for (const op of operations) {
        const rule = ACCESS_RULES[op.key];
        if (rule) bases.set(op.key, await rule.call(fx));
      }
      let started = Date.now();
      const before = await settled();
      const settleMs = Date.now() - started;
      started = Date.now();

      const t = tally("fuzzer");
      const statuses: Record<string, number> = {};
      const breakable = operations.filter((op) => {
        const base = bases.get(op.key);
        return base !== undefined && mutationsFor(random, doc, op, base, refusedTokens(op)).length > 0;
      });
      for (let i = 0; i < REQUESTS; i++) {
        const op = pick(random, breakable);
        const base = bases.get(op.key);
        if (!base) continue;
        const candidates = mutationsFor(random, doc, op, base, refusedTokens(op));
        // Nothing to break in an open read without parameters (the health check).
        if (candidates.length === 0) continue;
        const mutation = pick(random, candidates);
        const token = mutation.token === undefined ? allowedTokens(op, random) : (mutation.token ?? undefined);
        const res = await send(op, mutation.call, token);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        let shaped = false;
        let code = "";
        if (res.status === 101) res.webSocket?.accept();
        else {
          const text = await res.text();
          try {
            const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
            code = String(body.error?.code ?? "");
            shaped =
              typeof body.error?.code === "string" &&
              typeof body.error.message === "string" &&
              typeof body.error.requestId === "string" &&
              res.headers.get("x-request-id") === body.error.requestId;
          } catch {
            shaped = false;
          }
        }
        const refused = res.status >= 400 && res.status < 500;
        t.expect(refused && shaped, true, () => `#${i} ${op.key} [${mutation.kind}]: ${res.status} ${code}`);
      }

      const fuzzMs = Date.now() - started;
      const after = await settled();
      const changed = Object.keys({ ...before, ...after }).filter((table) => before[table] !== after[table]);
      console.warn(
        JSON.stringify({
          fuzzer: { seed: SEED, requests: REQUESTS, settleMs, fuzzMs, statuses, tablesChanged: changed },
        }),
      );
      t.report();
      expect(t.wrong.slice(0, 60)).toEqual([]);
      expect(changed).toEqual([]);
    },
    60_000 + REQUESTS * 30,
  );
});
