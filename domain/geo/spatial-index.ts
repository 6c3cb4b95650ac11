// In-memory index of courier positions for one Zone DO. The DO ingests
// thousands of fixes per second and answers "k nearest available couriers
// within r", so the layout favours cheap updates: a uniform grid of fine
// buckets (~250 m) keyed by one integer per bucket. A position update that
// stays in its bucket (the common case at 1 fix/s) is a few field writes with
// no allocation; crossing into another bucket is an O(1) swap-remove and push.
//
// Searches expand ring by ring around the query bucket and stop once the k-th
// best distance is strictly closer than anything outside the rings could be,
// so results equal a brute-force scan exactly (same distance function, ties
// broken by id). When the rings would cost more than scanning every occupied
// bucket (sparse, spread-out data or a query near a pole) it does that scan.

import { EARTH_RADIUS_M, haversineMeters, isValidLatLng, metersToLatDegrees, metersToLngDegrees } from "./distance.ts";

export interface IndexedEntry<T> {
  readonly id: string;
  readonly lat: number;
  readonly lng: number;
  readonly data: T;
}

export interface Neighbour<T> {
  id: string;
  distanceM: number;
  /** Live view of the stored entry: later upserts of the same id change it. Copy it if you keep it. */
  entry: IndexedEntry<T>;
}

export interface SpatialIndexOptions {
  /** Bucket edge length. Smaller buckets mean fewer distance checks per query but more buckets to visit. */
  bucketSizeM?: number;
  /**
   * Latitude at which buckets are square, normally the centre of the Zone DO's
   * cell. Elsewhere buckets are narrower or wider east-west, which only affects
   * speed, never results.
   */
  referenceLat?: number;
}

interface Slot<T> {
  id: string;
  lat: number;
  lng: number;
  data: T;
  bucket: number;
  pos: number;
}

const DEG = Math.PI / 180;
const METERS_PER_LAT_DEGREE = EARTH_RADIUS_M * DEG;
/**
 * Slack subtracted from the "nothing outside is closer than" bound, so that
 * floating-point rounding in bucket assignment can never make the search stop
 * before a point that ties or beats the k-th. Costs at most an extra ring.
 */
const BOUND_SLACK_M = 1e-3;

function before(aDist: number, aId: string, bDist: number, bId: string): boolean {
  return aDist < bDist || (aDist === bDist && aId < bId);
}

export class SpatialIndex<T> {
  readonly bucketSizeM: number;
  private readonly rows: number;
  private readonly cols: number;
  private readonly latStep: number;
  private readonly lngStep: number;
  private readonly entries = new Map<string, Slot<T>>();
  private readonly buckets = new Map<number, Slot<T>[]>();
  private lastRings = 0;
  private lastFullScan = false;

  constructor(options: SpatialIndexOptions = {}) {
    const bucketSizeM = options.bucketSizeM ?? 250;
    const referenceLat = options.referenceLat ?? 0;
    if (!(bucketSizeM > 0) || !Number.isFinite(bucketSizeM))
      throw new RangeError(`invalid bucket size: ${bucketSizeM}`);
    if (!(referenceLat >= -90 && referenceLat <= 90))
      throw new RangeError(`invalid reference latitude: ${referenceLat}`);
    // Whole numbers of rows and columns make the grid tile the globe exactly,
    // so column arithmetic wraps cleanly at the antimeridian.
    this.rows = Math.ceil(180 / metersToLatDegrees(bucketSizeM));
    this.cols = Math.ceil(360 / metersToLngDegrees(bucketSizeM, referenceLat));
    if (this.rows * this.cols > Number.MAX_SAFE_INTEGER) throw new RangeError(`bucket size too small: ${bucketSizeM}`);
    this.latStep = 180 / this.rows;
    this.lngStep = 360 / this.cols;
    this.bucketSizeM = bucketSizeM;
  }

  get size(): number {
    return this.entries.size;
  }

  get(id: string): IndexedEntry<T> | undefined {
    return this.entries.get(id);
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  upsert(id: string, lat: number, lng: number, data: T): void {
    if (!isValidLatLng(lat, lng)) throw new RangeError(`invalid coordinates for ${id}: ${lat}, ${lng}`);
    const bucket = this.rowOf(lat) * this.cols + this.colOf(lng);
    const slot = this.entries.get(id);
    if (slot === undefined) {
      const fresh: Slot<T> = { id, lat, lng, data, bucket, pos: 0 };
      this.entries.set(id, fresh);
      this.addToBucket(fresh);
      return;
    }
    slot.lat = lat;
    slot.lng = lng;
    slot.data = data;
    if (slot.bucket !== bucket) {
      this.removeFromBucket(slot);
      slot.bucket = bucket;
      this.addToBucket(slot);
    }
  }

  remove(id: string): boolean {
    const slot = this.entries.get(id);
    if (slot === undefined) return false;
    this.removeFromBucket(slot);
    this.entries.delete(id);
    return true;
  }

  /** How the most recent `nearest` call searched; for tests and metrics on whether the grid suits the load. */
  lastSearch(): { rings: number; fullScan: boolean } {
    return { rings: this.lastRings, fullScan: this.lastFullScan };
  }

  clear(): void {
    this.entries.clear();
    this.buckets.clear();
  }

  /**
   * Up to k entries within radiusM (inclusive) of the point that pass the
   * filter, nearest first; equal distances are ordered by id (code-unit order)
   * so every replica of a zone offers couriers in the same order.
   */
  nearest(
    lat: number,
    lng: number,
    k: number,
    radiusM: number,
    filter?: (entry: IndexedEntry<T>) => boolean,
  ): Neighbour<T>[] {
    if (!isValidLatLng(lat, lng)) throw new RangeError(`invalid query coordinates: ${lat}, ${lng}`);
    const limit = Math.floor(k);
    this.lastRings = 0;
    this.lastFullScan = false;
    if (!(limit > 0) || !(radiusM >= 0) || this.entries.size === 0) return [];
    const query = { lat, lng };
    const best: Slot<T>[] = [];
    const bestDist: number[] = [];

    const consider = (slot: Slot<T>): void => {
      const d = haversineMeters(query, slot);
      if (d > radiusM) return;
      const n = best.length;
      if (n === limit) {
        const lastDist = bestDist[n - 1] as number;
        const last = best[n - 1] as Slot<T>;
        if (!before(d, slot.id, lastDist, last.id)) return;
      }
      if (filter !== undefined && !filter(slot)) return;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(bestDist[mid] as number, (best[mid] as Slot<T>).id, d, slot.id)) lo = mid + 1;
        else hi = mid;
      }
      best.splice(lo, 0, slot);
      bestDist.splice(lo, 0, d);
      if (best.length > limit) {
        best.pop();
        bestDist.pop();
      }
    };

    const r0 = this.rowOf(lat);
    const rawCol = (lng + 180) / this.lngStep;
    const c0 = this.colOf(lng);
    // Position of the query inside the column frame c0 lives in, so lng = 180 (column 0) measures from 0.
    const q = rawCol >= this.cols ? lng + 180 - 360 : lng + 180;
    const cosLat = Math.cos(lat * DEG);
    let examined = 0;
    let fullScan = false;

    for (let ring = 0; ; ring++) {
      if (ring > 0 && (2 * ring + 1 > this.cols || 8 * ring > this.buckets.size)) {
        fullScan = true;
        break;
      }
      this.lastRings = ring + 1;
      for (let row = r0 - ring; row <= r0 + ring; row++) {
        if (row < 0 || row >= this.rows) continue;
        const edgeRow = row === r0 - ring || row === r0 + ring;
        const step = edgeRow || ring === 0 ? 1 : 2 * ring;
        for (let dc = -ring; dc <= ring; dc += step) {
          const col = (((c0 + dc) % this.cols) + this.cols) % this.cols;
          const bucket = this.buckets.get(row * this.cols + col);
          if (bucket === undefined) continue;
          examined += bucket.length;
          for (let i = 0; i < bucket.length; i++) consider(bucket[i] as Slot<T>);
        }
      }
      if (examined === this.entries.size) break;
      const outside = this.lowerBoundOutside(lat, q, cosLat, r0, c0, ring) - BOUND_SLACK_M;
      if (outside > radiusM) break;
      if (best.length === limit && (bestDist[limit - 1] as number) < outside) break;
    }

    if (fullScan) {
      this.lastFullScan = true;
      best.length = 0;
      bestDist.length = 0;
      for (const slot of this.entries.values()) consider(slot);
    }
    return best.map((slot, i) => ({ id: slot.id, distanceM: bestDist[i] as number, entry: slot }));
  }

  /** Smallest distance from the query to any point whose bucket lies outside rings 0..ring. */
  private lowerBoundOutside(lat: number, q: number, cosLat: number, r0: number, c0: number, ring: number): number {
    let bound = Number.POSITIVE_INFINITY;
    // Along a meridian, great-circle distance is at least the latitude difference.
    if (r0 - ring > 0) bound = Math.min(bound, (lat + 90 - (r0 - ring) * this.latStep) * METERS_PER_LAT_DEGREE);
    if (r0 + ring < this.rows - 1) {
      bound = Math.min(bound, ((r0 + ring + 1) * this.latStep - (lat + 90)) * METERS_PER_LAT_DEGREE);
    }
    if (2 * ring + 1 < this.cols) {
      // Points beyond a longitude gap g are at least as far as the great circle
      // through the bounding meridian: sin(d / R) = cos(lat) · sin(g), for g ≤ 90°.
      const west = q - (c0 - ring) * this.lngStep;
      const east = (c0 + ring + 1) * this.lngStep - q;
      const gap = Math.min(90, Math.max(0, Math.min(west, east))) * DEG;
      bound = Math.min(bound, EARTH_RADIUS_M * Math.asin(Math.min(1, cosLat * Math.sin(gap))));
    }
    return bound;
  }

  private rowOf(lat: number): number {
    return Math.min(this.rows - 1, Math.floor((lat + 90) / this.latStep));
  }

  private colOf(lng: number): number {
    return Math.floor((lng + 180) / this.lngStep) % this.cols;
  }

  private addToBucket(slot: Slot<T>): void {
    let bucket = this.buckets.get(slot.bucket);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(slot.bucket, bucket);
    }
    slot.pos = bucket.length;
    bucket.push(slot);
  }

  private removeFromBucket(slot: Slot<T>): void {
    const bucket = this.buckets.get(slot.bucket);
    if (bucket === undefined) return;
    const last = bucket.pop() as Slot<T>;
    if (last !== slot) {
      bucket[slot.pos] = last;
      last.pos = slot.pos;
    }
    // Empty buckets are dropped so buckets.size stays the count of occupied ones, which decides when to full-scan.
    if (bucket.length === 0) this.buckets.delete(slot.bucket);
  }
}
