// Geohash cells. We use geohash instead of H3 to keep the Worker bundle small
// and dependency-free, at ONE platform-wide precision for zones (see DESIGN.md
// "Couriers and zones"): every Zone DO is exactly one precision-5 cell, so a
// cell string is also the Zone DO name.
//
// Internally a cell is a pair of integer indices (row from the south pole,
// column from the antimeridian). Neighbours and radius searches work on those
// integers, which makes wrapping at ±180° and stopping at the poles exact
// instead of relying on nudging floating-point coordinates across an edge.

import { haversineMeters, type LatLng } from "./distance.ts";

/** ~4.9 km × 4.9 km at the equator; narrower east-west towards the poles. */
export const ZONE_PRECISION = 5;
export const MIN_PRECISION = 1;
/** 12 characters = 60 bits, 30 per axis, which still fits exactly in a JS number. */
export const MAX_PRECISION = 12;
/**
 * Upper bound on cells a radius search may touch. A zone search that would need
 * more is a caller bug (radius in km passed as m, or a query at a pole), and
 * failing loudly beats fanning out to thousands of Zone DOs.
 */
export const MAX_RADIUS_SEARCH_CELLS = 10_000;

const BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz";
const BASE32_INDEX: ReadonlyMap<string, number> = new Map([...BASE32].map((c, i) => [c, i]));

export interface GeohashBounds {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

interface CellIndex {
  row: number;
  col: number;
}

interface Grid {
  precision: number;
  latBits: number;
  lngBits: number;
  rows: number;
  cols: number;
  cellHeight: number;
  cellWidth: number;
}

function gridFor(precision: number): Grid {
  if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
    throw new RangeError(`geohash precision must be an integer in [${MIN_PRECISION}, ${MAX_PRECISION}]: ${precision}`);
  }
  const bits = precision * 5;
  // Geohash interleaves starting with longitude, so longitude gets the odd bit.
  const lngBits = Math.ceil(bits / 2);
  const latBits = Math.floor(bits / 2);
  const rows = 2 ** latBits;
  const cols = 2 ** lngBits;
  return { precision, latBits, lngBits, rows, cols, cellHeight: 180 / rows, cellWidth: 360 / cols };
}

function assertLatLng(lat: number, lng: number): void {
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || lat < -90 || lat > 90 || lng < -180 || lng > 180) {
    throw new RangeError(`invalid coordinates: ${lat}, ${lng}`);
  }
}

/** Bisection exactly as the reference algorithm does it, so our cells match every other geohash library at edges. */
function bisect(value: number, min: number, max: number, bits: number): number {
  let lo = min;
  let hi = max;
  let index = 0;
  for (let i = 0; i < bits; i++) {
    const mid = (lo + hi) / 2;
    if (value >= mid) {
      index = index * 2 + 1;
      lo = mid;
    } else {
      index = index * 2;
      hi = mid;
    }
  }
  return index;
}

function cellIndexOf(lat: number, lng: number, grid: Grid): CellIndex {
  return { row: bisect(lat, -90, 90, grid.latBits), col: bisect(lng, -180, 180, grid.lngBits) };
}

function hashOf(row: number, col: number, grid: Grid): string {
  let out = "";
  let chunk = 0;
  let chunkBits = 0;
  let lngBit = grid.lngBits - 1;
  let latBit = grid.latBits - 1;
  for (let k = 0; k < grid.precision * 5; k++) {
    let bit: number;
    if (k % 2 === 0) {
      bit = Math.floor(col / 2 ** lngBit) % 2;
      lngBit--;
    } else {
      bit = Math.floor(row / 2 ** latBit) % 2;
      latBit--;
    }
    chunk = chunk * 2 + bit;
    chunkBits++;
    if (chunkBits === 5) {
      out += BASE32[chunk];
      chunk = 0;
      chunkBits = 0;
    }
  }
  return out;
}

function parseHash(hash: string): { grid: Grid; row: number; col: number } {
  const grid = gridFor(hash.length);
  let row = 0;
  let col = 0;
  for (let i = 0; i < hash.length; i++) {
    const value = BASE32_INDEX.get(hash.charAt(i));
    if (value === undefined) throw new RangeError(`invalid geohash: ${JSON.stringify(hash)}`);
    for (let b = 4; b >= 0; b--) {
      const bit = Math.floor(value / 2 ** b) % 2;
      if ((i * 5 + (4 - b)) % 2 === 0) col = col * 2 + bit;
      else row = row * 2 + bit;
    }
  }
  return { grid, row, col };
}

function boundsOf(row: number, col: number, grid: Grid): GeohashBounds {
  const minLat = -90 + row * grid.cellHeight;
  const minLng = -180 + col * grid.cellWidth;
  return { minLat, maxLat: minLat + grid.cellHeight, minLng, maxLng: minLng + grid.cellWidth };
}

export function encodeGeohash(lat: number, lng: number, precision: number): string {
  const grid = gridFor(precision);
  assertLatLng(lat, lng);
  const { row, col } = cellIndexOf(lat, lng, grid);
  return hashOf(row, col, grid);
}

/** Hashes are case-sensitive lowercase, as produced by encodeGeohash; Zone DO names must be canonical. */
export function decodeGeohashBounds(hash: string): GeohashBounds {
  const { grid, row, col } = parseHash(hash);
  return boundsOf(row, col, grid);
}

export function zoneCellOf(lat: number, lng: number): string {
  return encodeGeohash(lat, lng, ZONE_PRECISION);
}

export type Direction = "n" | "ne" | "e" | "se" | "s" | "sw" | "w" | "nw";

const DIRECTIONS: ReadonlyArray<readonly [Direction, number, number]> = [
  ["n", 1, 0],
  ["ne", 1, 1],
  ["e", 0, 1],
  ["se", -1, 1],
  ["s", -1, 0],
  ["sw", -1, -1],
  ["w", 0, -1],
  ["nw", 1, -1],
];

function wrapCol(col: number, grid: Grid): number {
  return ((col % grid.cols) + grid.cols) % grid.cols;
}

/**
 * The adjacent cell of the same precision, or null beyond a pole. East and
 * west wrap across the antimeridian. We do not wrap over a pole: the cell
 * "north" of a polar cell would be half a world away in longitude and only
 * touches it at a single point, so it is not a useful neighbour.
 */
export function geohashAdjacent(hash: string, direction: Direction): string | null {
  const { grid, row, col } = parseHash(hash);
  const step = DIRECTIONS.find(([d]) => d === direction);
  if (!step) throw new RangeError(`invalid direction: ${direction}`);
  const nextRow = row + step[1];
  if (nextRow < 0 || nextRow >= grid.rows) return null;
  return hashOf(nextRow, wrapCol(col + step[2], grid), grid);
}

/**
 * The 8 surrounding cells in the order n, ne, e, se, s, sw, w, nw. In the
 * northernmost or southernmost row there is nothing beyond the pole, so those
 * three entries are omitted and 5 cells are returned.
 */
export function geohashNeighbours(hash: string): string[] {
  const out: string[] = [];
  for (const [direction] of DIRECTIONS) {
    const cell = geohashAdjacent(hash, direction);
    if (cell !== null) out.push(cell);
  }
  return out;
}

function angularLngGap(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return d > 180 ? 360 - d : d;
}

/** Shortest distance from p to any point on the meridian `lng` between minLat and maxLat. */
function distanceToMeridianSegment(p: LatLng, lng: number, minLat: number, maxLat: number): number {
  let best = Math.min(haversineMeters(p, { lat: minLat, lng }), haversineMeters(p, { lat: maxLat, lng }));
  const gapRad = (angularLngGap(p.lng, lng) * Math.PI) / 180;
  const cosGap = Math.cos(gapRad);
  // Within 90° of longitude the meridian's nearest point is the foot of the
  // perpendicular great circle; beyond it, distance only falls toward a pole,
  // i.e. toward an endpoint, which is already covered above.
  if (cosGap > 0) {
    const footLat = (Math.atan(Math.tan((p.lat * Math.PI) / 180) / cosGap) * 180) / Math.PI;
    const clamped = Math.min(maxLat, Math.max(minLat, footLat));
    best = Math.min(best, haversineMeters(p, { lat: clamped, lng }));
  }
  return best;
}

/**
 * Shortest great-circle distance from a point to a lat/lng rectangle (0 when
 * inside or on the edge). If the point's longitude is inside the rectangle's
 * span the nearest point is straight north or south; otherwise it lies on one
 * of the two bounding meridians, since along any parallel distance only grows
 * with longitude difference.
 */
export function distanceToBoundsMeters(p: LatLng, b: GeohashBounds): number {
  if (p.lng >= b.minLng && p.lng <= b.maxLng) {
    const lat = Math.min(b.maxLat, Math.max(b.minLat, p.lat));
    return haversineMeters(p, { lat, lng: p.lng });
  }
  return Math.min(
    distanceToMeridianSegment(p, b.minLng, b.minLat, b.maxLat),
    distanceToMeridianSegment(p, b.maxLng, b.minLat, b.maxLat),
  );
}

/**
 * Every cell whose bounds come within radiusM (inclusive) of the point, nearest
 * first (ties by hash), so the containing cell is always first. Used to find
 * which neighbouring Zone DOs to ask when a search circle crosses a zone edge.
 *
 * Implemented as a flood fill over adjacent cells instead of a lat/lng bounding
 * box: the cells meeting a disc form one connected patch, so expanding only
 * from cells that are themselves within range finds all of them for any radius,
 * and crossing the antimeridian or touching a pole needs no special cases.
 */
export function cellsWithinRadius(lat: number, lng: number, radiusM: number, precision = ZONE_PRECISION): string[] {
  const grid = gridFor(precision);
  assertLatLng(lat, lng);
  if (!(radiusM >= 0) || !Number.isFinite(radiusM)) throw new RangeError(`invalid radius: ${radiusM}`);
  const p = { lat, lng };
  const start = cellIndexOf(lat, lng, grid);
  const seen = new Set<string>([`${start.row}:${start.col}`]);
  const queue: CellIndex[] = [start];
  const found: Array<{ hash: string; distanceM: number }> = [];
  for (let i = 0; i < queue.length; i++) {
    const cell = queue[i] as CellIndex;
    const distanceM = i === 0 ? 0 : distanceToBoundsMeters(p, boundsOf(cell.row, cell.col, grid));
    if (distanceM > radiusM) continue;
    found.push({ hash: hashOf(cell.row, cell.col, grid), distanceM });
    for (const [, dRow, dCol] of DIRECTIONS) {
      const row = cell.row + dRow;
      if (row < 0 || row >= grid.rows) continue;
      const col = wrapCol(cell.col + dCol, grid);
      const key = `${row}:${col}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (seen.size > MAX_RADIUS_SEARCH_CELLS) {
        throw new RangeError(`radius ${radiusM} m at precision ${precision} touches too many cells`);
      }
      queue.push({ row, col });
    }
  }
  found.sort((a, b) => a.distanceM - b.distanceM || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return found.map((f) => f.hash);
}
