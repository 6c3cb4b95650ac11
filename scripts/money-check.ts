// `npm run money:check`: the money issue's "done when" run. Boots the whole
// platform (scripts/dev/platform.ts) on free ports, a throwaway state dir and a
// fresh database on the test server, gives every restaurant and courier a
// payable Connect account, runs the simulator for N minutes, pays out, runs
// the reconciliation, and prints three numbers:
//   1. accounts whose balance (as the statements API shows it) is not the sum of their entries,
//   2. Stripe transfers without a ledger booking of the same amount,
//   3. differences in the reconciliation report.
// Exits 1 when any is nonzero.
//
//   npm run money:check -- [--minutes 10] [--rate 0.2] [--couriers 20] [--drain 180] [--keep]
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import Stripe from "stripe";
import { openDb } from "../db/node.ts";
import { generateDevKeys } from "./dev/dev-keys.ts";
import { BIN_DIR, bootPlatform, childEnv, ROOT } from "./dev/platform.ts";

const { values: args } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "0.2" },
    couriers: { type: "string", default: "20" },
    drain: { type: "string", default: "180" },
    /** Payouts made to bounce at the bank (payout.failed), so the run exercises transfer reversals. */
    "fail-payouts": { type: "string", default: "1" },
    /** Keep the state dir (for a look afterwards). */
    keep: { type: "boolean", default: false },
  },
  strict: true,
});

const COURIER_COUNT = 50;

async function call<T>(base: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function signIn(base: string, email: string, password: string): Promise<string> {
  return (await call<{ accessToken: string }>(base, "POST", "/v1/auth/sign-in", undefined, { email, password }))
    .accessToken;
}

interface PayoutAccount {
  onboardingUrl: string;
  payoutsEnabled: boolean;
}

const LINK = { returnUrl: "http://127.0.0.1/done", refreshUrl: "http://127.0.0.1/again" };

/** The person opening the onboarding link finishes it (the stand-in's page). */
async function onboard(account: PayoutAccount): Promise<void> {
  if (account.payoutsEnabled) return;
  const res = await fetch(account.onboardingUrl, { redirect: "manual" });
  await res.arrayBuffer();
  if (res.status >= 400) throw new Error(`onboarding ${account.onboardingUrl}: ${res.status}`);
}

function runSimulator(base: string): Promise<void> {
  const argv = [
    join(ROOT, "scripts", "simulate.ts"),
    "--base",
    base,
    "--duration",
    String(Math.round(Number(args.minutes) * 60)),
    "--rate",
    args.rate,
    "--couriers",
    args.couriers,
    "--drain",
    args.drain,
  ];
  const child = spawn(join(BIN_DIR, "tsx"), argv, {
    cwd: ROOT,
    env: childEnv(),
    stdio: ["ignore", "inherit", "inherit"],
  });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`simulator exited with ${code}`)))),
  );
}

async function until(what: string, limitMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const stateDir = await mkdtemp(join(tmpdir(), "edge-delivery-money-check-"));
const keys = await generateDevKeys();
const started = new Date();
console.log(`[money-check] booting the platform (state in ${stateDir})`);
const platform = await bootPlatform({
  database: { kind: "test", name: `money_check_${process.pid}` },
  stateDir,
  keys,
  seed: { passwordIterations: 1000 },
  // A person pays after the app has the intent's client secret, so after the order recorded its
  // intent; 3 s keeps the simulated customers that slow. A webhook that still overtakes checkout's
  // write is answered 409 and re-sent by the stand-in (decision 32), so it is not lost either way;
  // the delay stays until a run with the tests' 50 ms has shown the same zeros.
  stripe: { autoConfirmDelayMs: 3000 },
  wranglerLogLevel: "warn",
  prefix: "[money-check]",
  log: (m) => console.log(`[money-check] ${m}`),
});
let exitCode = 1;
const { db, close } = openDb({ DATABASE_URL: platform.databaseUrl, NEON_WS_PROXY: platform.wsProxy }, 2);
try {
  const base = platform.apiBase;
  const admin = await signIn(base, "admin@demo.test", "demo-admin-pass");

  // Every restaurant and courier can be paid: payouts go only to onboarded accounts.
  const restaurants = await db.execute<{ id: string }>(sql`select id from restaurants where active`);
  for (const r of restaurants.rows) {
    await onboard(await call<PayoutAccount>(base, "POST", `/v1/restaurants/${r.id}/payout-account`, admin, LINK));
  }
  const courierTokens: string[] = [];
  for (let i = 1; i <= COURIER_COUNT; i++) {
    const token = await signIn(base, `courier${String(i).padStart(2, "0")}@demo.test`, "demo-courier-pass");
    courierTokens.push(token);
    await onboard(await call<PayoutAccount>(base, "POST", "/v1/couriers/me/payout-account", token, LINK));
  }
  await until("account.updated webhooks", 60_000, async () => {
    const r = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from connected_accounts where not payouts_enabled`,
    );
    return (r.rows[0]?.n ?? 1) === 0;
  });
  console.log(`[money-check] ${restaurants.rows.length} restaurants and ${COURIER_COUNT} couriers can be paid`);

  console.log(`[money-check] simulating for ${args.minutes} min`);
  await runSimulator(base);

  // The projection (and so the ledger) catches up with the last events before paying out.
  await until("the projection", 120_000, async () => {
    const health = await call<{ projection?: { laggingOrders?: number } }>(base, "GET", "/v1/health").catch(() => null);
    return (health?.projection?.laggingOrders ?? 0) === 0;
  });
  const payout = await call<Record<string, number>>(base, "POST", "/v1/admin/payouts/run", admin, {});
  console.log(`[money-check] payout run: ${JSON.stringify(payout)}`);
  const stripe = new Stripe(keys.stripeSecretKey, {
    host: new URL(platform.stripeUrl).hostname,
    port: Number(new URL(platform.stripeUrl).port),
    protocol: "http",
  });
  // Each connected account's automatic payout reaches its bank, except a few that bounce: those
  // transfers are reversed by the platform (payout.failed) and the accounts are owed again.
  const made = (await stripe.transfers.list({ limit: 100 })).data;
  const bounce = Number(args["fail-payouts"]);
  for (const [i, transfer] of made.entries()) {
    await stripe.rawRequest("POST", `/v1/test_helpers/transfers/${transfer.id}/payout`, {
      outcome: i < bounce ? "failed" : "paid",
    });
  }
  await until("payout webhooks", 60_000, async () => {
    const r = await db.execute<{ n: number }>(sql`select count(*)::int as n from payouts where status = 'paid'`);
    return (r.rows[0]?.n ?? 1) === 0;
  });
  const failed = await db.execute<{ n: number }>(sql`select count(*)::int as n from payouts where status = 'failed'`);
  console.log(`[money-check] payouts settled; ${failed.rows[0]?.n ?? 0} bounced and reversed`);

  // 1. Balances: what the apps show against the entries in Postgres.
  const sums = await db.execute<{ account_id: string; currency: string; total: string }>(
    sql`select account_id, currency, sum(amount_minor)::text as total from ledger_entries group by account_id, currency`,
  );
  const sumOf = new Map(sums.rows.map((r) => [`${r.account_id}|${r.currency.trim()}`, Number(r.total)]));
  let balanceMismatches = 0;
  const shown = async (account: string, path: string, token: string) => {
    const statement = await call<{ balances: Array<{ currency: string; owedMinor: number }> }>(
      base,
      "GET",
      `${path}?from=${encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString())}`,
      token,
    );
    const currencies = new Set([
      ...statement.balances.map((b) => b.currency),
      ...[...sumOf.keys()].filter((k) => k.startsWith(`${account}|`)).map((k) => k.split("|")[1] ?? ""),
    ]);
    for (const currency of currencies) {
      const api = statement.balances.find((b) => b.currency === currency)?.owedMinor ?? 0;
      const entries = -(sumOf.get(`${account}|${currency}`) ?? 0);
      if (api !== entries) {
        balanceMismatches++;
        console.log(`[money-check] ${account} ${currency}: shown ${api}, entries ${entries}`);
      }
    }
  };
  for (const r of restaurants.rows) await shown(`restaurant:${r.id}`, `/v1/restaurants/${r.id}/statement`, admin);
  const me = await db.execute<{ id: string; email: string }>(
    sql`select id, email from users where email like 'courier__@demo.test' order by email`,
  );
  for (const [i, token] of courierTokens.entries()) {
    const user = me.rows[i];
    if (user) await shown(`courier:${user.id}`, "/v1/couriers/me/statement", token);
  }
  const unbalanced = await db.execute<{ n: number }>(sql`select count(*)::int as n from (
    select transaction_id from ledger_entries group by transaction_id, currency having sum(amount_minor) <> 0) t`);
  const allAccounts = await db.execute<{ total: string | null }>(
    sql`select sum(amount_minor)::text as total from ledger_entries`,
  );
  balanceMismatches += unbalanced.rows[0]?.n ?? 0;

  // 2. Every Stripe transfer has its payout booking, of the same amount, out of the Stripe balance,
  // and every reversal of one its payout-failed booking back in.
  const booked = await db.execute<{ transfer: string; amount: string }>(sql`
    select p.stripe_transfer_id as transfer, (-sum(e.amount_minor))::text as amount
    from payouts p
    join ledger_transactions t on t.idempotency_key = p.idempotency_key
    join ledger_entries e on e.transaction_id = t.id and e.account_id = 'platform:stripe_balance'
    where p.stripe_transfer_id is not null
    group by p.stripe_transfer_id`);
  const bookedAmount = new Map(booked.rows.map((r) => [r.transfer, Number(r.amount)]));
  let transfers = 0;
  let unmatchedTransfers = 0;
  const reversedBack = await db.execute<{ payout: string; amount: string }>(sql`
    select substr(t.idempotency_key, length('payout-failed:') + 1) as payout, sum(e.amount_minor)::text as amount
    from ledger_transactions t
    join ledger_entries e on e.transaction_id = t.id and e.account_id = 'platform:stripe_balance'
    where t.kind = 'payout_failed'
    group by t.idempotency_key`);
  const reversedAmount = new Map(reversedBack.rows.map((r) => [r.payout, Number(r.amount)]));
  let reversals = 0;
  for await (const transfer of stripe.transfers.list({ limit: 100 })) {
    transfers++;
    if (bookedAmount.get(transfer.id) !== transfer.amount) {
      unmatchedTransfers++;
      console.log(`[money-check] transfer ${transfer.id} ${transfer.amount}: ledger ${bookedAmount.get(transfer.id)}`);
    }
    for (const reversal of transfer.reversals.data) {
      reversals++;
      const payout = reversal.metadata?.payout ?? "";
      if (reversedAmount.get(payout) !== reversal.amount) {
        unmatchedTransfers++;
        console.log(`[money-check] reversal ${reversal.id} ${reversal.amount}: ledger ${reversedAmount.get(payout)}`);
      }
    }
  }

  // 3. The reconciliation over the whole run.
  const report = await call<{ differences: unknown[]; stripeItems: number; ledgerItems: number }>(
    base,
    "GET",
    `/v1/admin/reconciliation?from=${encodeURIComponent(new Date(started.getTime() - 60_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    admin,
  );
  for (const d of report.differences) console.log(`[money-check] difference ${JSON.stringify(d)}`);
  const orders = await db.execute<{ status: string; n: number }>(
    sql`select status, count(*)::int as n from orders group by status order by status`,
  );

  console.log("");
  console.log(`orders: ${orders.rows.map((r) => `${r.status} ${r.n}`).join(", ")}`);
  console.log(
    `payouts: ${payout.transferred ?? 0} transfers, ${payout.totalMinor ?? 0} minor units; Stripe transfers listed: ${transfers}, reversed: ${reversals}`,
  );
  console.log(
    `ledger: sum over all accounts ${allAccounts.rows[0]?.total ?? 0}; unbalanced transactions ${unbalanced.rows[0]?.n ?? 0}`,
  );
  console.log(
    `reconciliation: ${report.stripeItems} Stripe items, ${report.ledgerItems} ledger items, ${report.differences.length} differences`,
  );
  console.log(`accounts whose balance != sum of entries: ${balanceMismatches}`);
  console.log(`Stripe transfers without a matching ledger entry: ${unmatchedTransfers}`);
  console.log(`reconciliation differences: ${report.differences.length}`);
  exitCode = balanceMismatches + unmatchedTransfers + report.differences.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`[money-check] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await close();
  await platform.stop();
  if (!args.keep) await rm(stateDir, { recursive: true, force: true });
}
process.exit(exitCode);
