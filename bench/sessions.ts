// (7) What the session check costs a request. Every authenticated request
// asks whether its session was signed out: from the isolate's memo when it
// asked in the last 5 s, else from the user's SessionsDO
// (docs/decisions/0017-hardening-session-revocation.md). Three variants of the
// same request, which stops right after authentication (a customer asking for
// an admin-only list gets 403), so they differ only in what authentication does:
//   - no token: 401 before any JWT work (the floor);
//   - one session per client, reused: JWT verify + the memo (what a signed-in app pays);
//   - a new session every request: JWT verify + an RPC to the user's SessionsDO (a memo miss).
import { HttpClient } from "./lib/http.ts";
import { IndexSource, type Measured, measureClosed } from "./lib/measure.ts";
import { type BenchResult, fmt, machineInfo, RUNS_COLUMNS, runsRow, type Table } from "./lib/results.ts";
import { describePinning } from "./lib/taskset.ts";
import { database, type Harness, principalToken, sharedWorker } from "./platform.ts";

const CONCURRENCY = 16;
/**
 * Tokens of distinct sessions for the "new session" variant, cycled: each is
 * used again only after all the others, more than the memo's 5 s later at any
 * rate this machine reaches, so every request misses the memo.
 */
const FRESH_SESSIONS = 40_000;
const PATH = "/v1/admin/zones";

export async function runSessions(h: Harness): Promise<BenchResult> {
  const db = await database(h);
  const worker = await sharedWorker(h);
  const customers = db.customers.slice(0, 64);
  const reused = await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, i) =>
      principalToken(worker, { userId: customers[i % customers.length] as string, role: "customer" }),
    ),
  );
  const freshCount = h.quick ? 4_000 : FRESH_SESSIONS;
  const fresh: string[] = [];
  for (let i = 0; i < freshCount; i++) {
    fresh.push(await principalToken(worker, { userId: customers[i % customers.length] as string, role: "customer" }));
  }
  h.log(
    `sessions: ${reused.length} reused sessions, ${fresh.length} single-use sessions over ${customers.length} users`,
  );

  const api = new HttpClient(worker.url, 256, 10_000);
  const expect = (status: number, want: number) => {
    if (status !== want) throw new Error(`HTTP ${status}, expected ${want}`);
  };
  const variants = [
    {
      id: "anonymous",
      label: "no token → 401 (no JWT work, no session check)",
      op: async () => expect((await api.send("GET", PATH)).status, 401),
    },
    {
      id: "memo",
      label: "same session each time → 403 (JWT + isolate memo)",
      op: async (i: number) =>
        expect((await api.send("GET", PATH, { authorization: `Bearer ${reused[i % reused.length]}` })).status, 403),
    },
    {
      id: "sessions-do",
      label: "new session each request → 403 (JWT + SessionsDO RPC)",
      op: async (i: number) =>
        expect((await api.send("GET", PATH, { authorization: `Bearer ${fresh[i % fresh.length]}` })).status, 403),
    },
  ];
  const closed: Record<string, Measured> = {};
  for (const v of variants) {
    closed[v.id] = await measureClosed(v.label, h.plan, CONCURRENCY, v.op, new IndexSource(), h.log);
  }
  api.close();

  // On the saturated server core, 1/throughput is what one request costs there.
  const costMs = (id: string) => 1000 / (closed[id]?.summary.throughput.median ?? Number.NaN);
  const jwtAndMemo = costMs("memo") - costMs("anonymous");
  const doCheck = costMs("sessions-do") - costMs("memo");
  const headline: Table = {
    title: `Closed loop, ${CONCURRENCY} concurrent clients, GET ${PATH} as a customer`,
    columns: RUNS_COLUMNS,
    rows: variants.map((v) => runsRow(v.label, `closed, c=${CONCURRENCY}`, (closed[v.id] as Measured).summary)),
    notes: [
      `Server time per request (1/throughput on the saturated core): no token ${fmt.ms(costMs("anonymous"))} ms, memo ${fmt.ms(costMs("memo"))} ms, SessionsDO ${fmt.ms(costMs("sessions-do"))} ms.`,
      `So JWT verification plus the memo lookup cost ${fmt.ms(jwtAndMemo)} ms a request, and a memo miss (the RPC to the user's SessionsDO and its SQLite lookup) ${fmt.ms(doCheck)} ms more.`,
    ],
  };
  return {
    name: "sessions",
    title: "(7) Session revocation check: cost per request",
    date: new Date().toISOString(),
    quick: h.quick,
    seed: h.seed,
    machine: machineInfo(describePinning(h.pinning), {}),
    goals: [
      {
        text: "a request answered from the memo costs less than one that asks the SessionsDO",
        met: h.quick ? null : costMs("memo") < costMs("sessions-do"),
        detail: `memo ${fmt.ms(costMs("memo"))} ms vs SessionsDO ${fmt.ms(costMs("sessions-do"))} ms of server time per request; a client's session is asked about at most once per 5 s per isolate`,
      },
    ],
    durability: [
      "Read-only on the request path. Revocations are written to the user's SessionsDO (SQLite) before sign-out answers.",
    ],
    notes: [
      "The memo is per isolate: in production each isolate asks a session's SessionsDO at most once every 5 s, so a busy client pays the Durable Object call on about one request in every (5 s × its request rate).",
      "Locally the SessionsDO runs in the same workerd as the Worker, so the RPC has no network in it; in production it crosses to wherever the user's object lives (usually the region the user signed in from).",
    ],
    headline,
    tables: [],
    data: {
      concurrency: CONCURRENCY,
      closed,
      costMs: { anonymous: costMs("anonymous"), memo: costMs("memo"), sessionsDo: costMs("sessions-do") },
      jwtAndMemo,
      doCheck,
    },
  };
}
