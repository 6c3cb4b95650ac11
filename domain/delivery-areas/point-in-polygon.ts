// Which operator-drawn zone a point falls in. Zones are GeoJSON polygons
// ([lng, lat] pairs; the first ring is the outline, later rings are holes).
export type Polygon = { type: "Polygon"; coordinates: number[][][] };

function inRing(lat: number, lng: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    // Ray casting along the latitude line; the half-open test avoids double-counting vertices.
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function pointInPolygon(lat: number, lng: number, polygon: Polygon): boolean {
  const [outline, ...holes] = polygon.coordinates;
  if (!outline || !inRing(lat, lng, outline)) return false;
  return !holes.some((hole) => inRing(lat, lng, hole));
}
