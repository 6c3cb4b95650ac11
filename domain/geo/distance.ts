// Great-circle helpers on a spherical Earth. A sphere is off from the WGS84
// ellipsoid by up to ~0.5 %, far below GPS noise at city scale, and keeps every
// distance in the platform (index, scoring, ETA, geofence) on one formula so
// results computed in different places agree exactly.

export interface LatLng {
  lat: number;
  lng: number;
}

/** IUGG mean Earth radius. */
export const EARTH_RADIUS_M = 6_371_008.8;

const DEG = Math.PI / 180;
const METERS_PER_DEGREE = EARTH_RADIUS_M * DEG;

export function toRadians(deg: number): number {
  return deg * DEG;
}

export function toDegrees(rad: number): number {
  return rad / DEG;
}

/** Haversine rather than the spherical law of cosines: it stays accurate for the metre-scale distances we mostly compute. */
export function haversineMeters(a: LatLng, b: LatLng): number {
  const dLat = (b.lat - a.lat) * DEG;
  const dLng = (b.lng - a.lng) * DEG;
  const s1 = Math.sin(dLat / 2);
  const s2 = Math.sin(dLng / 2);
  const h = s1 * s1 + Math.cos(a.lat * DEG) * Math.cos(b.lat * DEG) * s2 * s2;
  // Rounding can push h a hair past 1 for antipodal points; asin would return NaN.
  return 2 * EARTH_RADIUS_M * Math.asin(Math.sqrt(Math.min(1, h)));
}

/** Initial bearing from a to b, degrees clockwise from true north in [0, 360). */
export function bearingDeg(a: LatLng, b: LatLng): number {
  const phi1 = a.lat * DEG;
  const phi2 = b.lat * DEG;
  const dLng = (b.lng - a.lng) * DEG;
  const y = Math.sin(dLng) * Math.cos(phi2);
  const x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLng);
  return (toDegrees(Math.atan2(y, x)) + 360) % 360;
}

/** Point reached by travelling distanceM from `from` on initial bearing `bearing` (degrees). */
export function destinationPoint(from: LatLng, bearing: number, distanceM: number): LatLng {
  const delta = distanceM / EARTH_RADIUS_M;
  const theta = bearing * DEG;
  const phi1 = from.lat * DEG;
  const lambda1 = from.lng * DEG;
  const sinPhi2 = Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(theta);
  const phi2 = Math.asin(Math.max(-1, Math.min(1, sinPhi2)));
  const y = Math.sin(theta) * Math.sin(delta) * Math.cos(phi1);
  const x = Math.cos(delta) - Math.sin(phi1) * sinPhi2;
  const lambda2 = lambda1 + Math.atan2(y, x);
  return { lat: toDegrees(phi2), lng: normalizeLng(toDegrees(lambda2)) };
}

/** Wraps any longitude into [-180, 180). */
export function normalizeLng(lng: number): number {
  const wrapped = (((lng + 180) % 360) + 360) % 360;
  return wrapped - 180;
}

export function metersToLatDegrees(meters: number): number {
  return meters / METERS_PER_DEGREE;
}

export function latDegreesToMeters(degrees: number): number {
  return degrees * METERS_PER_DEGREE;
}

/**
 * Longitude span covering `meters` east-west at latitude `atLat`. Near the poles
 * a parallel is shorter than `meters`, so the answer is capped at the full 360°.
 */
export function metersToLngDegrees(meters: number, atLat: number): number {
  const circumference = 2 * Math.PI * EARTH_RADIUS_M * Math.cos(atLat * DEG);
  if (circumference <= meters) return 360;
  return (meters / circumference) * 360;
}

export function isValidLatLng(lat: number, lng: number): boolean {
  return Number.isFinite(lat) && Number.isFinite(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180;
}
