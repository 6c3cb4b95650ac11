// Stubs for the calls dispatch makes between Durable Objects. Their types are
// the runtime's DurableObjectStub<T> of each class, read from the generated
// Env's namespaces rather than by importing the classes, so the objects can
// call each other without importing each other.
import {
  isLocationHint,
  type LocationHint,
  locationHintForCell,
  parseLocationHints,
} from "../../domain/dispatch/location-hints.ts";
import type { Env } from "../../platform/env.ts";

export type ZoneRpc = ReturnType<Env["ZONE"]["get"]>;

export type OrderDispatchRpc = ReturnType<Env["ORDER"]["get"]>;

/** Where new Zone DOs are created unless ZONE_LOCATION_HINT(S) say otherwise; couriers of one city share a region. */
export const DEFAULT_ZONE_LOCATION_HINT: DurableObjectLocationHint = "weur";

/** Optional variables: one hint for every cell, and a per-city table by geohash prefix (domain/dispatch/location-hints.ts). */
export interface ZoneConfig {
  ZONE_LOCATION_HINT?: string;
  ZONE_LOCATION_HINTS?: string;
}

export function zoneLocationHint(env: Env & ZoneConfig, cell = ""): DurableObjectLocationHint {
  const wanted = env.ZONE_LOCATION_HINT;
  const fallback = isLocationHint(wanted) ? wanted : DEFAULT_ZONE_LOCATION_HINT;
  if (!env.ZONE_LOCATION_HINTS) return fallback;
  let table = parsedHints.get(env.ZONE_LOCATION_HINTS);
  if (!table) {
    table = parseLocationHints(env.ZONE_LOCATION_HINTS);
    parsedHints.set(env.ZONE_LOCATION_HINTS, table);
  }
  return locationHintForCell(cell, table, fallback as LocationHint);
}

/** The parsed table per configured string, once per isolate. */
const parsedHints = new Map<string, Map<string, LocationHint>>();

/** One Zone DO per geohash cell; the hint only matters the first time a cell's object is created (Miniflare ignores hints). */
export function zoneStub(env: Env, cell: string): ZoneRpc {
  return env.ZONE.get(env.ZONE.idFromName(cell), { locationHint: zoneLocationHint(env, cell) });
}

export function orderDispatchStub(env: Env, orderId: string): OrderDispatchRpc {
  return env.ORDER.get(env.ORDER.idFromName(orderId));
}
