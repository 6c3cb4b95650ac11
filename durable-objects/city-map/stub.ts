import { regionOfCell } from "../../domain/citymap/region.ts";
import type { Env } from "../../platform/env.ts";

/** Typed through the generated Env, so callers need not import the class. */
export type CityMapRpc = ReturnType<Env["CITY_MAP"]["get"]>;

/** One City Map DO per region; `region` is a precision-3 geohash. */
export function cityMapStub(env: Env, region: string): CityMapRpc {
  return env.CITY_MAP.get(env.CITY_MAP.idFromName(`region:${region}`));
}

export function cityMapOfCell(env: Env, cell: string): CityMapRpc {
  return cityMapStub(env, regionOfCell(cell));
}
