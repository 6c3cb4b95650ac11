// Sign-in guessing: per-account back-off that no client-chosen header gets
// around, one answer after the same work for unknown e-mails and wrong
// passwords, and a per-IP limit keyed only on an address the platform vouches for.
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { signInThrottle, users } from "../../db/schema.ts";
import { hashPassword } from "../../domain/auth/password.ts";
import { SIGN_IN_THROTTLE } from "../../domain/auth/sign-in-throttle.ts";
import { apiAtEdge, inOneWindow } from "../../test/edge.ts";
import { api, createWorld, PASSWORD, testEnv, type World } from "../../test/world.ts";
import { pruneSignInThrottle } from "./auth/sign-in-guard.ts";
import { RATE_LIMITS } from "./http/rate-limits.ts";

let world: World;

beforeAll(async () => {
  world = await createWorld();
});

async function newAccount(iterations?: number): Promise<string> {
  const email = `guess-${crypto.randomUUID().slice(0, 8)}@test.local`;
  const { db, close } = openDb(testEnv);
  try {
    const passwordHash = await hashPassword(PASSWORD, iterations);
    await db.insert(users).values({ email, name: "Gus Guess", role: "customer", passwordHash });
  } finally {
    await close();
  }
  return email;
}

function attempt(email: string, password: string, ip?: string): Promise<Response> {
  const headers = ip ? { "cf-connecting-ip": ip } : undefined;
  return api("/v1/auth/sign-in", { method: "POST", json: { email, password }, ...(headers ? { headers } : {}) });
}

async function outcome(res: Response): Promise<string> {
  if (res.status === 200) return "200";
  return `${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`;
}

const free = SIGN_IN_THROTTLE.freeFailures;

describe("per-account back-off", () => {
  it("after the free failures and one more, the account waits, even for the right password, with Retry-After", async () => {
    const email = await newAccount(1000);
    const seen: string[] = [];
    for (let i = 0; i <= free; i++) seen.push(await outcome(await attempt(email, `wrong ${i}`)));
    expect(seen).toEqual(Array(free + 1).fill("401 invalid_credentials"));
    const blocked = await attempt(email, PASSWORD);
    expect(await outcome(blocked.clone())).toBe("429 sign_in_throttled");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(SIGN_IN_THROTTLE.firstDelayMs / 1000 - 5);
    expect(retryAfter).toBeLessThanOrEqual(SIGN_IN_THROTTLE.firstDelayMs / 1000);
  });

  it("an unknown e-mail goes through exactly the same answers, so the limiter tells nobody which accounts exist", async () => {
    const known = await newAccount(1000);
    const unknown = `nobody-${crypto.randomUUID().slice(0, 8)}@test.local`;
    const run = async (email: string) => {
      const out: string[] = [];
      for (let i = 0; i < free + 3; i++) out.push(await outcome(await attempt(email, `wrong ${i}`)));
      return out;
    };
    expect(await run(unknown)).toEqual(await run(known));
  });

  it("rotating a client-supplied CF-Connecting-IP buys no extra guesses", async () => {
    const email = await newAccount(1000);
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) seen.push(await outcome(await attempt(email, `wrong ${i}`, `198.51.100.${i + 1}`)));
    expect(seen.filter((s) => s === "401 invalid_credentials")).toHaveLength(free + 1);
    expect(seen.filter((s) => s === "429 sign_in_throttled")).toHaveLength(20 - free - 1);
  });

  it("a burst of parallel guesses is counted one by one: no more get checked than back to back", async () => {
    const email = await newAccount(1000);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(email, `wrong ${i}`).then(outcome)));
    expect(results.filter((s) => s === "401 invalid_credentials").length).toBeLessThanOrEqual(free + 1);
    expect(results.every((s) => s === "401 invalid_credentials" || s === "429 sign_in_throttled")).toBe(true);
  });

  it("the right password clears the count", async () => {
    const email = await newAccount(1000);
    for (let i = 0; i < free - 1; i++) await attempt(email, `wrong ${i}`);
    expect(await outcome(await attempt(email, PASSWORD))).toBe("200");
    for (let i = 0; i <= free; i++)
      expect(await outcome(await attempt(email, `again ${i}`))).toBe("401 invalid_credentials");
  });
});

describe("throttle rows", () => {
  it("rows nobody touched for a day are pruned; recent ones stay", async () => {
    const { db, close } = openDb(testEnv);
    try {
      const [old, recent] = [`old-${crypto.randomUUID()}`, `recent-${crypto.randomUUID()}`];
      await db.insert(signInThrottle).values([
        { accountKey: old, failures: 3, lastFailureAt: new Date(Date.now() - 25 * 3600_000) },
        { accountKey: recent, failures: 3, lastFailureAt: new Date() },
      ]);
      await pruneSignInThrottle(db);
      const left = await db.select({ key: signInThrottle.accountKey }).from(signInThrottle);
      const keys = left.map((r) => r.key);
      expect(keys).not.toContain(old);
      expect(keys).toContain(recent);
    } finally {
      await close();
    }
  });
});

describe("equal work", () => {
  it("an unknown e-mail takes as long to refuse as a wrong password (production-strength hash)", async () => {
    const email = await newAccount();
    const unknownTimes: number[] = [];
    const wrongTimes: number[] = [];
    // Fresh accounts per sample keep the back-off out of the measurement; interleaved so drift hits both alike.
    const emails = await Promise.all(Array.from({ length: 4 }, () => newAccount()));
    for (let i = 0; i < 12; i++) {
      const target = i < free - 1 ? email : (emails[i % emails.length] as string);
      let t = performance.now();
      expect((await attempt(target, `wrong ${i}`)).status).toBe(401);
      wrongTimes.push(performance.now() - t);
      t = performance.now();
      expect((await attempt(`nobody-${crypto.randomUUID()}@test.local`, `wrong ${i}`)).status).toBe(401);
      unknownTimes.push(performance.now() - t);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
    const ratio = median(unknownTimes) / median(wrongTimes);
    // Before the fix an unknown e-mail answered in about half the time (16 ms vs 29 ms, ratio 0.55);
    // the band is wide enough for a loaded 2-core CI machine and still fails the old code.
    expect(
      ratio,
      `unknown ${median(unknownTimes).toFixed(1)} ms vs wrong ${median(wrongTimes).toFixed(1)} ms`,
    ).toBeGreaterThan(0.68);
    expect(ratio).toBeLessThan(1.5);
  }, 60_000);
});

describe("per-IP limit", () => {
  const spec = RATE_LIMITS.signInPerIp;

  it("keys on the address the platform vouches for: one IP gets its limit, another is unaffected", async () => {
    const run = await inOneWindow(async () => {
      const ip = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
      const answers: Array<{ status: number; retryAfter: string | null; code: string }> = [];
      for (let i = 0; i < spec.limit + 1; i++) {
        const res = await apiAtEdge("/v1/auth/sign-in", {
          method: "POST",
          ip,
          // Each attempt at another unknown e-mail, so only the IP limit can refuse.
          json: { email: `spray-${i}-${crypto.randomUUID().slice(0, 6)}@test.local`, password: "guess" },
        });
        answers.push({ status: res.status, retryAfter: res.headers.get("retry-after"), code: await outcome(res) });
      }
      const other = await apiAtEdge("/v1/auth/sign-in", {
        method: "POST",
        ip: `192.0.2.${Math.floor(Math.random() * 200) + 1}`,
        json: { email: world.emails.customer, password: PASSWORD },
      });
      return { answers, other: other.status };
    });
    expect(run.answers.slice(0, spec.limit).every((a) => a.status === 401)).toBe(true);
    expect(run.answers[spec.limit]).toEqual({ status: 429, retryAfter: String(spec.period), code: "429 rate_limited" });
    expect(run.other).toBe(200);
  }, 90_000);

  it("locally, where nothing vouches for the address, a client's CF-Connecting-IP is not a key", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < spec.limit + 5; i++) {
      const res = await attempt(`spray-${crypto.randomUUID().slice(0, 8)}@test.local`, "guess", "203.0.113.250");
      statuses.push(res.status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
  }, 60_000);
});
