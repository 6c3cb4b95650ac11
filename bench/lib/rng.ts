// Seeded randomness: every benchmark derives its data from BENCH_SEED, so our
// system and each peer receive the same rows in the same order.
export { pick, seededRandom } from "../../domain/random/seeded-random.ts";

/** A v4-shaped UUID drawn from the seeded generator (reproducible, unlike crypto.randomUUID). */
export function seededUuid(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A point at a uniformly random distance up to `radiusM` and bearing from (lat, lng). */
export function pointNear(
  random: () => number,
  lat: number,
  lng: number,
  radiusM: number,
): { lat: number; lng: number } {
  const r = radiusM * Math.sqrt(random());
  const theta = random() * 2 * Math.PI;
  const dLat = (r * Math.cos(theta)) / 111_320;
  const dLng = (r * Math.sin(theta)) / (111_320 * Math.cos((lat * Math.PI) / 180));
  return { lat: lat + dLat, lng: lng + dLng };
}
