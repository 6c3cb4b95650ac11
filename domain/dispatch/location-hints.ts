// Where a zone cell's Durable Object should live: near its city's couriers
// and orders, not in one region for the world (docs/sizing.md). Operators
// configure `ZONE_LOCATION_HINTS` as "prefix:hint" pairs, a geohash prefix
// covering a city or region (for example "eyc:weur,dr5:enam,6gy:sam"); the
// longest prefix of the cell that is listed wins, else the single
// `ZONE_LOCATION_HINT`. A hint only matters when the cell's object is first
// created, so changing the table moves no existing object.

export const LOCATION_HINTS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type LocationHint = (typeof LOCATION_HINTS)[number];

const GEOHASH = /^[0-9b-hjkmnp-z]{1,12}$/;

export function isLocationHint(value: string | undefined): value is LocationHint {
  return (LOCATION_HINTS as readonly string[]).includes(value ?? "");
}

/** Parses "prefix:hint,prefix:hint"; malformed pairs are ignored (a typo must not stop dispatch). */
export function parseLocationHints(configured: string | undefined): Map<string, LocationHint> {
  const table = new Map<string, LocationHint>();
  for (const pair of (configured ?? "").split(",")) {
    const [prefix, hint] = pair.split(":").map((s) => s.trim().toLowerCase());
    if (prefix && GEOHASH.test(prefix) && isLocationHint(hint)) table.set(prefix, hint);
  }
  return table;
}

export function locationHintForCell(
  cell: string,
  table: ReadonlyMap<string, LocationHint>,
  fallback: LocationHint,
): LocationHint {
  for (let length = Math.min(cell.length, 12); length > 0; length--) {
    const hint = table.get(cell.slice(0, length));
    if (hint) return hint;
  }
  return fallback;
}
