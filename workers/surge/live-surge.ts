// The thin side of surge: operators' policies from Postgres (cached in KV),
// an area's load from the City Map DO(s) covering it, the smoothed level kept
// in KV between reads, and the per-customer lock that holds a quoted price.
// The arithmetic is domain/surge/surge.ts.
import type { Database } from "../../db/client.ts";
import { surgePolicies } from "../../db/schema-surge.ts";
import { boundingBoxOf, regionsCovering } from "../../domain/citymap/region.ts";
import type { Polygon } from "../../domain/delivery-areas/point-in-polygon.ts";
import {
  DEFAULT_SURGE_POLICY,
  lockedMultiplierBps,
  NO_SURGE_BPS,
  nextState,
  QUOTE_VALIDITY_MS,
  type Surge,
  type SurgeLoad,
  type SurgeLock,
  type SurgePolicy,
  type SurgeState,
  surgeOf,
} from "../../domain/surge/surge.ts";
import { cityMapStub } from "../../durable-objects/city-map/stub.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { IsolateMemo } from "../api/cache/isolate-memo.ts";

const POLICIES_KEY = "surge:policies:v1";
/** Edits invalidate at once; the TTL bounds a missed invalidation. */
const POLICIES_TTL_SECONDS = 300;
/** The level is re-read from the map at most this often per area (KV's own minimum TTL is 60 s). */
export const REFRESH_EVERY_MS = 10_000;
const STATE_TTL_SECONDS = 3600;

const stateKey = (areaId: string) => `surge:state:v1:${areaId}`;
const lockKey = (customerId: string, areaId: string) => `surge:lock:v1:${customerId}:${areaId}`;

export type PolicyMap = Record<string, SurgePolicy>;

export async function loadPolicies(db: Database): Promise<PolicyMap> {
  const rows = await db.select().from(surgePolicies);
  return Object.fromEntries(
    rows.map((r) => [
      r.zoneId,
      {
        enabled: r.enabled,
        startRatio: r.startRatio,
        fullRatio: r.fullRatio,
        capBps: r.capBps,
        halfLifeSeconds: r.halfLifeSeconds,
      },
    ]),
  );
}

/**
 * Placement takes orders through a Postgres outage (decision 10), and it reads
 * these policies: on a KV miss, a read slower than this gives way to the
 * caller's fallback (no surge) instead of holding the order until the driver
 * gives up.
 */
export const POLICY_READ_BUDGET_MS = 1_000;

function withinBudget<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`surge policies: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * The isolate's copy of the policies, as for menus and delivery areas (decision 0047): within
 * MEMO_FRESH_MS of the last KV read no KV read at all (decision 0062). An operator's edit is seen at
 * once by the isolate that made it (it forgets the copy) and by the others within that window of KV
 * having it; KV itself takes up to 60 s to reach other locations.
 */
const policiesMemo = new IsolateMemo<PolicyMap>();

/** The policies from KV, else from `load` (Postgres: `() => loadPolicies(db)`) within the budget. */
export async function cachedSurgePolicies(
  kv: KVNamespace,
  load: () => Promise<PolicyMap>,
  budgetMs = POLICY_READ_BUDGET_MS,
): Promise<PolicyMap> {
  const now = Date.now();
  const memo = policiesMemo.fresh(POLICIES_KEY, now);
  if (memo) return memo;
  const raw = await kv.get(POLICIES_KEY, "text");
  if (raw !== null) return policiesMemo.resolve(POLICIES_KEY, raw, now, (text) => JSON.parse(text) as PolicyMap);
  const fresh = await withinBudget(load(), budgetMs);
  const text = JSON.stringify(fresh);
  await kv.put(POLICIES_KEY, text, { expirationTtl: POLICIES_TTL_SECONDS });
  policiesMemo.set(POLICIES_KEY, text, fresh, Date.now());
  return fresh;
}

export async function invalidateSurgePolicies(kv: KVNamespace): Promise<void> {
  policiesMemo.forget(POLICIES_KEY);
  await kv.delete(POLICIES_KEY);
  // A read racing the delete may have put the old copy back meanwhile.
  policiesMemo.forget(POLICIES_KEY);
}

export function policyOf(policies: PolicyMap, areaId: string): SurgePolicy {
  return policies[areaId] ?? DEFAULT_SURGE_POLICY;
}

/** Summed over every map region the area touches (usually one). */
export async function areaLoad(env: Env, polygon: Polygon): Promise<SurgeLoad> {
  const box = boundingBoxOf([polygon]);
  const regions = box ? regionsCovering(box) : [];
  const loads = await Promise.all(regions.map((r) => cityMapStub(env, r).areaLoad(polygon)));
  return loads.reduce(
    (sum, l) => ({
      waitingOrders: sum.waitingOrders + l.waitingOrders,
      availableCouriers: sum.availableCouriers + l.availableCouriers,
    }),
    { waitingOrders: 0, availableCouriers: 0 },
  );
}

export async function readSurgeState(kv: KVNamespace, areaId: string): Promise<SurgeState | null> {
  return kv.get<SurgeState>(stateKey(areaId), "json");
}

/**
 * The area's surge now. Reads the smoothed state; when it is older than
 * REFRESH_EVERY_MS, counts the load again and advances it. If the map cannot
 * be read the last state stands (a surge never jumps because a read failed).
 */
export async function currentSurge(
  env: Env,
  area: { id: string; polygon: Polygon },
  policy: SurgePolicy,
  now: number,
): Promise<Surge> {
  if (!policy.enabled) return surgeOf(null, policy);
  const prev = await readSurgeState(env.MENU_CACHE, area.id);
  if (prev && now - prev.at < REFRESH_EVERY_MS) return surgeOf(prev, policy);
  try {
    const next = nextState(prev, await areaLoad(env, area.polygon), policy, now);
    await env.MENU_CACHE.put(stateKey(area.id), JSON.stringify(next), { expirationTtl: STATE_TTL_SECONDS });
    return surgeOf(next, policy);
  } catch (err) {
    logLine("warn", "surge.load_failed", { areaId: area.id, error: String(err) });
    return surgeOf(prev, policy);
  }
}

/** A quote holds its multiplier for this customer and area until it expires. */
export async function lockQuotedSurge(
  kv: KVNamespace,
  customerId: string,
  areaId: string,
  multiplierBps: number,
  now: number,
): Promise<SurgeLock> {
  const lock: SurgeLock = { multiplierBps, expiresAt: now + QUOTE_VALIDITY_MS };
  await kv.put(lockKey(customerId, areaId), JSON.stringify(lock), {
    expirationTtl: Math.ceil(QUOTE_VALIDITY_MS / 1000),
  });
  return lock;
}

/** What placement charges: the current multiplier, or less if this customer was quoted less and the quote holds. */
export async function placementMultiplierBps(
  kv: KVNamespace,
  customerId: string,
  areaId: string,
  currentBps: number,
  now: number,
): Promise<number> {
  // No surge now: a quote's lock could only lower the fee to this, so it need not be read.
  if (currentBps <= NO_SURGE_BPS) return currentBps;
  const lock = await kv.get<SurgeLock>(lockKey(customerId, areaId), "json");
  return lockedMultiplierBps(currentBps, lock, now);
}
