// The live city map is split into regions: precision-3 geohash cells (about
// 156 km × 156 km at the equator), each one City Map DO. A dispatch cell
// (precision 5) belongs to exactly one region, the prefix of its name, so a
// Zone DO knows where to report without asking anyone.
import { decodeGeohashBounds, encodeGeohash, type GeohashBounds, geohashAdjacent } from "../geo/geohash.ts";

export const REGION_PRECISION = 3;
/** More regions than this in one view means the caller asked for a continent, not a city. */
export const MAX_REGIONS = 16;

export const REGION_PATTERN = /^[0-9b-hjkmnp-z]{3}$/;

export function regionOfCell(cell: string): string {
  return cell.slice(0, REGION_PRECISION);
}

export function regionOf(lat: number, lng: number): string {
  return encodeGeohash(lat, lng, REGION_PRECISION);
}

export interface BoundingBox {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

/** The bounding box of GeoJSON polygons ([lng, lat] pairs), or null for none. */
export function boundingBoxOf(polygons: ReadonlyArray<{ coordinates: number[][][] }>): BoundingBox | null {
  let box: BoundingBox | null = null;
  for (const polygon of polygons) {
    for (const [lng, lat] of polygon.coordinates[0] ?? []) {
      if (lng === undefined || lat === undefined) continue;
      box = box
        ? {
            minLat: Math.min(box.minLat, lat),
            maxLat: Math.max(box.maxLat, lat),
            minLng: Math.min(box.minLng, lng),
            maxLng: Math.max(box.maxLng, lng),
          }
        : { minLat: lat, maxLat: lat, minLng: lng, maxLng: lng };
    }
  }
  return box;
}

/**
 * Regions a box touches, south-west first, at most MAX_REGIONS. A city is
 * usually one region; one that straddles a region edge is two or four.
 */
export function regionsCovering(box: BoundingBox): string[] {
  const out: string[] = [];
  let rowStart: string | null = regionOf(box.minLat, box.minLng);
  while (rowStart !== null && decodeGeohashBounds(rowStart).minLat <= box.maxLat) {
    let cell: string | null = rowStart;
    while (cell !== null && decodeGeohashBounds(cell).minLng <= box.maxLng) {
      out.push(cell);
      if (out.length >= MAX_REGIONS) return out;
      const next = geohashAdjacent(cell, "e");
      // Wrapped round the antimeridian: the box does not continue that way.
      cell = next !== null && decodeGeohashBounds(next).minLng > decodeGeohashBounds(cell).minLng ? next : null;
    }
    rowStart = geohashAdjacent(rowStart, "n");
  }
  return out;
}

export function regionBounds(region: string): GeohashBounds {
  return decodeGeohashBounds(region);
}
