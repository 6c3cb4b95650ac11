// Every state-changing operation and socket upgrade is rate-limited per user
// and per vouched-for IP, through one budget each, and the OpenAPI document
// says so on every one of them (429 with Retry-After) and on nothing else.
import { beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMITS } from "../../workers/api/http/rate-limits.ts";
import { apiAtEdge, withinOneWindow } from "../edge.ts";
import { api, createWorld, signIn, type World } from "../world.ts";
import { fillPath, loadOperations, type Operation } from "./operations.ts";
import { tally } from "./tally.ts";

let world: World;
let operations: Operation[];

beforeAll(async () => {
  world = await createWorld();
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

describe("per user: one budget across every endpoint", () => {
  it(`after ${RATE_LIMITS.writesPerUser.limit} writes, every limited operation answers 429 with Retry-After; others are unaffected`, async () => {
    const spec = RATE_LIMITS.writesPerUser;
    await withinOneWindow(30_000);
    const token = await signIn(world.emails.customer);
    const spent: number[] = [];
    for (let i = 0; i < spec.limit; i++) {
      const res = await api("/v1/orders", {
        method: "POST",
        token,
        headers: { "idempotency-key": `limit-${i}-abcdefgh`, "content-type": "application/json" },
        body: "{not json",
      });
      spent.push(res.status);
    }
    expect(spent.every((s) => s === 400)).toBe(true);

    const t = tally("per-user rate limit");
    for (const op of operations.filter((o) => o.limited && o.authenticated)) {
      const init = requestFor(op);
      const res = await api(fillPath(op.path, {}), { ...init, token });
      const code = await codeOf(res);
      t.expect(
        res.status === 429 && code === "rate_limited" && res.headers.get("retry-after") === String(spec.period),
        true,
        () => `${op.key}: ${res.status} ${code}`,
      );
    }
    // Reads are not limited, and another user's budget is their own.
    expect((await api("/v1/me", { token })).status).toBe(200);
    const other = await signIn(world.emails.otherCustomer);
    const theirs = await api("/v1/orders", {
      method: "POST",
      token: other,
      headers: { "idempotency-key": "limit-other-abcdefgh", "content-type": "application/json" },
      body: "{not json",
    });
    expect(theirs.status).toBe(400);
    t.report();
    expect(t.wrong).toEqual([]);
  }, 60_000);
});

describe("per IP, where the platform vouches for the address", () => {
  it(`after ${RATE_LIMITS.writesPerIp.limit} writes from one IP, every limited operation from it answers 429`, async () => {
    const spec = RATE_LIMITS.writesPerIp;
    await withinOneWindow(40_000);
    const ip = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;
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
      expect(statuses.every((s) => s === 400)).toBe(true);
    }
    const t = tally("per-IP rate limit");
    for (const op of operations.filter((o) => o.limited)) {
      const res = await apiAtEdge(fillPath(op.path, {}), { ...requestFor(op), ip });
      const code = await codeOf(res);
      // Sign-in and sign-up count against their own, stricter per-IP budget (tested in sign-in.test.ts).
      const ownBudget = op.path === "/v1/auth/sign-in" || op.path === "/v1/auth/sign-up";
      t.expect(
        ownBudget ? res.status !== 429 : res.status === 429 && code === "rate_limited",
        !ownBudget,
        () => `${op.key}: ${res.status} ${code}`,
      );
    }
    const elsewhere = await apiAtEdge("/v1/auth/refresh", {
      method: "POST",
      ip: "192.0.2.200",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(elsewhere.status).toBe(400);
    t.report();
    expect(t.wrong).toEqual([]);
  }, 90_000);
});
