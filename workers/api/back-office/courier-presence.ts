// Where couriers are right now, for operators acting on one: the live city
// map knows each courier's dispatch cell, so the Worker asks the map regions
// the platform serves (those covering the active delivery areas) instead of
// any cell by name.
import { eq } from "drizzle-orm";
import { deliveryAreas } from "../../../db/schema.ts";
import type { MapCourier } from "../../../domain/citymap/couriers.ts";
import { boundingBoxOf, regionOf, regionsCovering } from "../../../domain/citymap/region.ts";
import { cityMapStub } from "../../../durable-objects/city-map/stub.ts";
import { zoneStub } from "../../../durable-objects/zone/stubs.ts";
import type { Env } from "../../env.ts";
import type { Executor } from "../audit/audit.ts";
import { logLine } from "../http/log.ts";

/**
 * The map regions covering the active delivery areas: where operators look,
 * and where couriers can be. Area by area, so cities far apart do not make
 * one box spanning a continent.
 */
export async function servedRegions(db: Executor): Promise<string[]> {
  const areas = await db
    .select({ polygon: deliveryAreas.polygon })
    .from(deliveryAreas)
    .where(eq(deliveryAreas.active, true));
  const regions = new Set<string>();
  for (const area of areas) {
    const box = boundingBoxOf([area.polygon]);
    if (box) for (const region of regionsCovering(box)) regions.add(region);
  }
  return [...regions].sort();
}

export async function locateCourier(
  env: Env,
  db: Executor,
  courierId: string,
  near?: { lat: number; lng: number },
): Promise<MapCourier | null> {
  const regions = [...new Set([...(near ? [regionOf(near.lat, near.lng)] : []), ...(await servedRegions(db))])];
  const sightings = await Promise.all(
    regions.map(async (region) => {
      try {
        return await cityMapStub(env, region).locateCourier(courierId);
      } catch (err) {
        logLine("warn", "map.locate_failed", { region, courierId, error: String(err) });
        return null;
      }
    }),
  );
  // During a hand-over across a region edge two regions may know them: the newer fix wins.
  const seen: MapCourier[] = [];
  for (const sighting of sightings) if (sighting !== null) seen.push(sighting);
  return seen.sort((a, b) => (b.lastFixAt ?? 0) - (a.lastFixAt ?? 0))[0] ?? null;
}

/** Cuts a deactivated courier's app off at their zone. False when the map does not see them online. */
export async function disconnectCourier(env: Env, db: Executor, courierId: string, reason: string): Promise<boolean> {
  const where = await locateCourier(env, db, courierId);
  if (!where) return false;
  try {
    return (await zoneStub(env, where.cell).disconnectCourier(courierId, reason)).known;
  } catch (err) {
    logLine("warn", "zone.disconnect_failed", { courierId, cell: where.cell, error: String(err) });
    return false;
  }
}
