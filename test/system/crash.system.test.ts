// Faults the system of record must survive with nothing lost and nothing
// doubled, on the embedded PostgreSQL a new user gets by default:
// - the local runtime killed mid-load (SIGKILL to wrangler's process tree,
//   which drops the in-memory queue) and started again on the same state;
// - Postgres gone for 60 s under load, then back.
// After each, every order the API acknowledged must reach Postgres with all
// its events exactly once, within the bound the design states (decision 0010).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bootSystem,
  call,
  DEMO,
  drift,
  liveOrders,
  type OpenRestaurant,
  openRestaurants,
  placeOrder,
  projectedOrders,
  type System,
  signIn,
  waitFor,
} from "./system-kit.ts";

/** The stated bound: the first re-send (15 s) plus the backoff that may have started during a fault. */
const CONVERGE_WITHIN_MS = 150_000;

let system: System;
let base: string;
let admin: string;
let customers: string[];
let restaurants: OpenRestaurant[];

beforeAll(async () => {
  system = await bootSystem("faults", "embedded");
  base = system.platform.apiBase;
  admin = await signIn(base, ...DEMO.admin);
  customers = await Promise.all([
    signIn(base, ...DEMO.customer),
    signIn(base, "customer2@demo.test", "demo-customer-pass"),
  ]);
  restaurants = await openRestaurants(base);
  expect(restaurants.length).toBeGreaterThan(0);
}, 240_000);

afterAll(async () => {
  await system?.dispose();
}, 60_000);

/**
 * Places orders at `perSecond` for `seconds`, calling `during(t)` once at
 * `atSecond`; returns the ids of the orders the API acknowledged (201).
 */
async function steadyLoad(
  perSecond: number,
  seconds: number,
  fault: { atSecond: number; run: () => Promise<void> },
): Promise<{ acknowledged: string[]; refused: number; why: Record<string, number> }> {
  const acknowledged: string[] = [];
  let refused = 0;
  // What each refusal was, so a failure names its cause.
  const why: Record<string, number> = {};
  const refuse = (reason: string) => {
    refused++;
    why[reason] = (why[reason] ?? 0) + 1;
  };
  const inflight: Promise<void>[] = [];
  const started = Date.now();
  let faulted: Promise<void> | undefined;
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + (i * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    if (!faulted && Date.now() - started >= fault.atSecond * 1000) faulted = fault.run();
    const customer = customers[i % customers.length] as string;
    const restaurant = restaurants[i % restaurants.length] as OpenRestaurant;
    inflight.push(
      placeOrder(base, customer, restaurant)
        .then((r) => {
          if (r.status === 201 && r.id) acknowledged.push(r.id);
          else refuse(`placement answered ${r.status}`);
        })
        .catch((error: unknown) => refuse(String(error).slice(0, 160))),
    );
  }
  await Promise.all(inflight);
  await faulted;
  return { acknowledged, refused, why };
}

async function converged(ids: string[]): Promise<number> {
  const started = Date.now();
  let problems: string[] = [];
  await waitFor(
    async () => {
      const live = await liveOrders(base, admin, ids);
      problems = drift(live, await projectedOrders(system.platform, ids));
      return problems.length === 0;
    },
    CONVERGE_WITHIN_MS,
    `Postgres in step (${problems.length} orders drifting, e.g. ${problems.slice(0, 3).join("; ")})`,
    2_000,
  );
  return Date.now() - started;
}

describe("faults on the embedded PostgreSQL", () => {
  it("loses no acknowledged order when the runtime is killed mid-load and started again", async () => {
    const worker = system.platform.worker;
    if (!worker) throw new Error("no worker");
    let restartedAt = 0;
    const { acknowledged, refused } = await steadyLoad(4, 12, {
      atSecond: 5,
      run: async () => {
        await worker.kill();
        await worker.start();
        restartedAt = Date.now();
      },
    });
    expect(acknowledged.length).toBeGreaterThan(10);
    const ms = await converged(acknowledged);
    const sinceRestart = Date.now() - restartedAt;
    console.log(
      `crash: ${acknowledged.length} acknowledged, ${refused} refused while down; in step ${ms} ms after the load, ${sinceRestart} ms after the restart`,
    );
    expect(sinceRestart).toBeLessThan(CONVERGE_WITHIN_MS);
  });

  it("keeps placing orders through a 60 s Postgres outage and catches up with nothing lost or doubled", async () => {
    const database = system.platform.embedded;
    if (!database) throw new Error("not on the embedded PostgreSQL");
    let restoredAt = 0;
    const outage = async () => {
      // The platform's own server: stopped, down for 60 s, started again on the same data and port.
      await database.stop();
      await new Promise((r) => setTimeout(r, 60_000));
      await database.start();
      restoredAt = Date.now();
    };
    // The claim is about a warm cache: every menu read once before the outage, whatever the
    // previous test (whose runtime kill can lose cache writes, and on a loaded machine leaves
    // little time after the restart) happened to read.
    for (const r of restaurants) await call(base, "GET", `/v1/restaurants/${r.id}/menu`);
    const { acknowledged, refused, why } = await steadyLoad(2, 70, { atSecond: 5, run: outage });
    // Placement needs no Postgres (restaurant, menu and delivery areas come from KV): nothing refused.
    expect(why).toEqual({});
    expect(refused).toBe(0);
    expect(acknowledged.length).toBe(140);
    const health = await fetch(`${base}/v1/health`).then((r) => r.json() as Promise<{ status: string }>);
    console.log(`outage: health right after restore: ${health.status}`);
    const ms = await converged(acknowledged);
    console.log(
      `outage: ${acknowledged.length} acknowledged, in step ${ms} ms after the load, ${Date.now() - restoredAt} ms after Postgres came back`,
    );
  });
});
