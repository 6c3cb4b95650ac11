// Where the learned ETA model lives: computed from Postgres (the last 28 days
// of completed deliveries) by the Worker's scheduled handler when the cached
// one is older than REFRESH_AFTER_MS, read from KV by discovery, quotes and
// the Order DO. Without one (a new city, KV flushed) every estimate falls back
// to the fixed model, so nothing waits on Postgres to show an ETA.
import { sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { type Polygon, pointInPolygon } from "../../domain/delivery-areas/point-in-polygon.ts";
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import { calibrate, type EtaCalibration, parseCalibration, type RideSample } from "../../domain/eta/calibration.ts";
import { haversineMeters } from "../../domain/geo/distance.ts";

const KEY = "eta:calibration:v1";
export const REFRESH_AFTER_MS = 15 * 60_000;
const TTL_SECONDS = 7 * 24 * 3600;
const HISTORY_DAYS = 28;
/** Enough to fit every area and band; the newest rides first. */
const MAX_RIDES = 20_000;

export async function readCalibration(kv: KVNamespace): Promise<EtaCalibration | null> {
  try {
    return parseCalibration(await kv.get(KEY, "json"));
  } catch {
    return null;
  }
}

/**
 * One formatter per time zone for the isolate's life: building an Intl.DateTimeFormat costs far more than
 * formatting with it, and the Order DO asks on every courier position it broadcasts (decision 65: 12 % of
 * workerd's CPU in the fan-out's profile). null: a zone the runtime does not know.
 */
const hourFormats = new Map<string, Intl.DateTimeFormat | null>();
/** Time zones are a few hundred at most; the bound only guards against a stream of garbage names. */
const MAX_HOUR_FORMATS = 1_000;

function hourFormat(timeZone: string): Intl.DateTimeFormat | null {
  let format = hourFormats.get(timeZone);
  if (format !== undefined) return format;
  try {
    format = new Intl.DateTimeFormat("en-GB", { hour: "numeric", hourCycle: "h23", timeZone });
  } catch {
    format = null;
  }
  if (hourFormats.size >= MAX_HOUR_FORMATS) hourFormats.clear();
  hourFormats.set(timeZone, format);
  return format;
}

/** The local hour in a time zone; an unknown zone counts as UTC rather than failing an estimate. */
export function localHour(at: number, timeZone: string): number {
  const format = hourFormat(timeZone);
  if (!format) return new Date(at).getUTCHours();
  return Number(format.format(at)) % 24;
}

// A type alias, not an interface: drizzle's execute<T> wants a Record<string, unknown>.
type RideRow = {
  rlat: number;
  rlng: number;
  dlat: number;
  dlng: number;
  time_zone: string;
  vehicle: Vehicle;
  picked_up_at: string | Date;
  delivered_at: string | Date;
};

/** Completed rides, pickup to delivery, with the delivery area of each drop-off. */
export async function loadRides(
  db: Database,
  areas: ReadonlyArray<{ id: string; polygon: Polygon }>,
  now: number,
): Promise<RideSample[]> {
  const since = new Date(now - HISTORY_DAYS * 24 * 3600_000).toISOString();
  const result = await db.execute<RideRow>(sql`
    select r.lat as rlat, r.lng as rlng, r.time_zone, c.vehicle,
           (o.delivery_address->>'lat')::float8 as dlat, (o.delivery_address->>'lng')::float8 as dlng,
           p.occurred_at as picked_up_at, d.occurred_at as delivered_at
      from orders o
      join restaurants r on r.id = o.restaurant_id
      join couriers c on c.user_id = o.courier_id
      join order_events p on p.order_id = o.id and p.type = 'order.picked_up'
      join order_events d on d.order_id = o.id and d.type = 'order.delivered'
     where o.status = 'delivered' and d.occurred_at > ${since}
     order by d.occurred_at desc
     limit ${MAX_RIDES}`);
  const rows = result.rows;
  return rows.map((row) => {
    const pickedUp = new Date(row.picked_up_at).getTime();
    const dropoff = { lat: Number(row.dlat), lng: Number(row.dlng) };
    return {
      areaId: areas.find((a) => pointInPolygon(dropoff.lat, dropoff.lng, a.polygon))?.id ?? null,
      localHour: localHour(pickedUp, row.time_zone),
      vehicle: row.vehicle,
      distanceM: haversineMeters({ lat: Number(row.rlat), lng: Number(row.rlng) }, dropoff),
      rideMs: new Date(row.delivered_at).getTime() - pickedUp,
    };
  });
}

/** Recomputes and stores the model when the cached one is missing or stale; returns it either way. */
export async function refreshCalibration(
  kv: KVNamespace,
  db: Database,
  areas: ReadonlyArray<{ id: string; polygon: Polygon }>,
  now: number,
  force = false,
): Promise<{ calibration: EtaCalibration; refreshed: boolean }> {
  const cached = await readCalibration(kv);
  if (!force && cached && now - cached.computedAt < REFRESH_AFTER_MS) return { calibration: cached, refreshed: false };
  const calibration = calibrate(await loadRides(db, areas, now), now);
  await kv.put(KEY, JSON.stringify(calibration), { expirationTtl: TTL_SECONDS });
  return { calibration, refreshed: true };
}
