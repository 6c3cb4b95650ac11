// Every state-changing operation and socket upgrade is rate-limited per user
// and per vouched-for IP, through one budget each, and the OpenAPI document
// says so on every one of them (429 with Retry-After) and on nothing else.
import { beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMITS } from "../../workers/api/http/rate-limits.ts";
import { apiAtEdge, inOneWindow } from "../edge.ts";
import { api } from "../world.ts";
import { fillPath, loadOperations, type Operation } from "./operations.ts";
import { tally } from "./tally.ts";

let operations: Operation[];

beforeAll(async () => {
  operations = (await loadOperations()).operations;
});

function requestFor(op: Operation): RequestInit {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (op.socket) headers.upgrade = "websocket";
  const init: RequestInit = { method: op.method, headers };
  if (op.method !== "GET") init.body = "{not json";
  return init;
}

async function codeOf(res: Response): Promise<string | undefined> {
  if (res.status === 101) return undefined;
  try {
    return ((await res.json()) as { error?: { code: string } }).error?.code;
  } catch {
    return undefined;
  }
}

describe("the document", () => {
  it("documents 429 with Retry-After on every limited operation, and on no plain read", async () => {
    const { doc } = await loadOperations();
    const components = (
      doc as unknown as { components: { responses?: Record<string, { headers?: Record<string, unknown> }> } }
    ).components.responses;
    const t = tally("rate-limit documentation");
    for (const op of operations) {
      const raw = op.responses["429"] as { $ref?: string; headers?: Record<string, unknown> } | undefined;
      const documented = raw?.$ref ? components?.[raw.$ref.replace("#/components/responses/", "")] : raw;
      const ok = op.limited ? Boolean(documented?.headers?.["Retry-After"]) : raw === undefined;
      t.expect(ok, op.limited, () => `${op.key}: limited=${op.limited}, 429 documented=${Boolean(documented)}`);
    }
    t.report();
    expect(t.wrong).toEqual([]);
    expect(operations.filter((o) => o.limited).length).toBeGreaterThan(25);
  });
});

/** A new customer account: a budget nobody has touched. */
async function freshCustomer(): Promise<string> {
  const res = await api("/v1/auth/sign-up", {
    method: "POST",
    json: {
      email: `budget-${crypto.randomUUID().slice(0, 8)}@test.local`,
      password: "a long enough password",
      name: "B",
    },
  });
  return ((await res.json()) as { accessToken: string }).accessToken;
}

function brokenOrder(token: string, i: number): Promise<Response> {
  return api("/v1/orders", {
    method: "POST",
    token,
    headers: { "idempotency-key": `limit-${i}-abcdefgh`, "content-type": "application/json" },
    body: "{not json",
  });
}

describe("per user: one budget across every endpoint", () => {
  it(`after ${RATE_LIMITS.writesPerUser.limit} writes, every limited operation answers 429 with Retry-After; others are unaffected`, async () => {
    const spec = RATE_LIMITS.writesPerUser;
    const t = tally("per-user rate limit");
    const run = await inOneWindow(async () => {
      const token = await freshCustomer();
      const spent: number[] = [];
      for (let i = 0; i < spec.limit; i++) spent.push((await brokenOrder(token, i)).status);
      const answers: Array<{ key: string; status: number; code: string | undefined; retryAfter: string | null }> = [];
      for (const op of operations.filter((o) => o.limited && o.authenticated)) {
        const res = await api(fillPath(op.path, {}), { ...requestFor(op), token });
        answers.push({
          key: op.key,
          status: res.status,
          code: await codeOf(res),
          retryAfter: res.headers.get("retry-after"),
        });
      }
      // Reads are not limited, and another user's budget is their own.
      const read = (await api("/v1/me", { token })).status;
      const theirs = (await brokenOrder(await freshCustomer(), 0)).status;
      return { spent, answers, read, theirs };
    });
    expect(run.spent.every((s) => s === 400)).toBe(true);
    for (const a of run.answers) {
      t.expect(
        a.status === 429 && a.code === "rate_limited" && a.retryAfter === String(spec.period),
        true,
        () => `${a.key}: ${a.status} ${a.code}`,
      );
    }
    expect(run.read).toBe(200);
    expect(run.theirs).toBe(400);
    t.report();
    expect(t.wrong).toEqual([]);
  }, 90_000);
});

describe("per IP, where the platform vouches for the address", () => {
  it(`after ${RATE_LIMITS.writesPerIp.limit} writes from one IP, every limited operation from it answers 429`, async () => {
    const spec = RATE_LIMITS.writesPerIp;
    const t = tally("per-IP rate limit");
    const run = await inOneWindow(async () => {
      const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
      const spent: number[] = [];
      const batch = 50;
      for (let i = 0; i < spec.limit; i += batch) {
        const statuses = await Promise.all(
          Array.from({ length: Math.min(batch, spec.limit - i) }, () =>
            apiAtEdge("/v1/auth/refresh", {
              method: "POST",
              ip,
              body: "{not json",
              headers: { "content-type": "application/json" },
            }).then((r) => r.status),
          ),
        );
        spent.push(...statuses);
      }
      const answers: Array<{ op: Operation; status: number; code: string | undefined }> = [];
      for (const op of operations.filter((o) => o.limited)) {
        const res = await apiAtEdge(fillPath(op.path, {}), { ...requestFor(op), ip });
        answers.push({ op, status: res.status, code: await codeOf(res) });
      }
      const elsewhere = await apiAtEdge("/v1/auth/refresh", {
        method: "POST",
        ip: `192.0.2.${Math.floor(Math.random() * 250) + 1}`,
        body: "{not json",
        headers: { "content-type": "application/json" },
      });
      return { spent, answers, elsewhere: elsewhere.status };
    });
    expect(run.spent.every((s) => s === 400)).toBe(true);
    for (const { op, status, code } of run.answers) {
      // Sign-in and sign-up count against their own, stricter per-IP budget (tested in sign-in.test.ts).
      const ownBudget = op.path === "/v1/auth/sign-in" || op.path === "/v1/auth/sign-up";
      t.expect(
        ownBudget ? status !== 429 : status === 429 && code === "rate_limited",
        !ownBudget,
        () => `${op.key}: ${status} ${code}`,
      );
    }
    expect(run.elsewhere).toBe(400);
    t.report();
    expect(t.wrong).toEqual([]);
  }, 120_000);
});
