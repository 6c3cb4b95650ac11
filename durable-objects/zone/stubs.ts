// Typed stubs for the calls dispatch makes between Durable Objects. Workers'
// generated stub types drop results whose payloads are not provably
// serialisable (Record<string, unknown> in order events), though structured
// clone carries them fine; these Picks name the real signatures.
import type { Env } from "../../workers/env.ts";
import type { OrderDO } from "../order/order-do.ts";
import type { ZoneDO } from "./zone-do.ts";

export type ZoneRpc = Pick<
  ZoneDO,
  | "fetch"
  | "adopt"
  | "candidates"
  | "nearestAvailable"
  | "requestCourier"
  | "redispatch"
  | "deliverOffer"
  | "offerClosed"
  | "offerResponse"
  | "cancelDispatch"
  | "releaseOrder"
  | "courier"
  | "couriersOnMap"
  | "stats"
  | "disconnectCourier"
  | "assignDirect"
  | "operatorOffer"
  | "restartDispatch"
>;

export type OrderDispatchRpc = Pick<OrderDO, "system" | "command" | "courierPosition" | "dispatchEscalated">;

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
  return env.ZONE.get(env.ZONE.idFromName(cell), { locationHint: zoneLocationHint(env) }) as unknown as ZoneRpc;
}

export function orderDispatchStub(env: Env, orderId: string): OrderDispatchRpc {
  return env.ORDER.get(env.ORDER.idFromName(orderId)) as unknown as OrderDispatchRpc;
}
