// Stubs for the calls dispatch makes between Durable Objects. Their types are
// the runtime's DurableObjectStub<T> of each class, read from the generated
// Env's namespaces rather than by importing the classes, so the objects can
// call each other without importing each other.
import type { Env } from "../../platform/env.ts";

export type ZoneRpc = ReturnType<Env["ZONE"]["get"]>;

export type OrderDispatchRpc = ReturnType<Env["ORDER"]["get"]>;

const LOCATION_HINTS: readonly DurableObjectLocationHint[] = [
  "wnam",
  "enam",
  "sam",
  "weur",
  "eeur",
  "apac",
  "oc",
  "afr",
  "me",
];

/** Where new Zone DOs are created unless ZONE_LOCATION_HINT says otherwise; couriers of one city share a region. */
export const DEFAULT_ZONE_LOCATION_HINT: DurableObjectLocationHint = "weur";

/** Optional variable: a location hint for Zone DOs (Miniflare ignores hints). */
export interface ZoneConfig {
  ZONE_LOCATION_HINT?: string;
}

export function zoneLocationHint(env: Env & ZoneConfig): DurableObjectLocationHint {
  const wanted = env.ZONE_LOCATION_HINT;
  return LOCATION_HINTS.find((hint) => hint === wanted) ?? DEFAULT_ZONE_LOCATION_HINT;
}

/** One Zone DO per geohash cell; the hint only matters the first time a cell's object is created. */
export function zoneStub(env: Env, cell: string): ZoneRpc {
  return env.ZONE.get(env.ZONE.idFromName(cell), { locationHint: zoneLocationHint(env) });
}

export function orderDispatchStub(env: Env, orderId: string): OrderDispatchRpc {
  return env.ORDER.get(env.ORDER.idFromName(orderId));
}
