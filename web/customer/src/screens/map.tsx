// A Leaflet map of points: restaurants (with their delivery radius), the
// delivery point and the courier. Tiles come from VITE_MAP_TILES when set
// (e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png); without it, or
// offline, the points still draw on a plain background. The courier's marker
// glides from fix to fix instead of jumping. The platform's delivery areas
// (polygons) are drawn under the points, tiles or not.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { useEffect, useRef } from "react";

export interface MapPoint {
  id: string;
  lat: number;
  lng: number;
  kind: "restaurant" | "you" | "courier";
  label: string;
  radiusM?: number | undefined;
  href?: string | undefined;
}

/** A delivery area's outline: GeoJSON rings of [lng, lat]. */
export interface MapArea {
  id: string;
  label: string;
  coordinates: number[][][];
}

const TILES = import.meta.env.VITE_MAP_TILES ?? "";
const AREA_COLOUR = "#7c3aed";
const COLOURS = { restaurant: "#c2410c", you: "#1a56db", courier: "#146c2e" } as const;
const GLIDE_MS = 1_000;

function glide(map: L.Map, marker: L.CircleMarker, to: L.LatLng): void {
  const from = marker.getLatLng();
  const start = performance.now();
  const step = (now: number) => {
    // The page may have moved on: a removed map has no panes to move a marker in.
    if (!map.hasLayer(marker)) return;
    const k = Math.min(1, (now - start) / GLIDE_MS);
    marker.setLatLng([from.lat + (to.lat - from.lat) * k, from.lng + (to.lng - from.lng) * k]);
    if (k < 1) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}

export function PointsMap(props: {
  points: MapPoint[];
  label: string;
  legend: Record<MapPoint["kind"], string>;
  className?: string;
  follow?: boolean;
  areas?: MapArea[] | undefined;
  areaLegend?: string | undefined;
}) {
  const box = useRef<HTMLElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef(new Map<string, { marker: L.CircleMarker; area?: L.Circle }>());
  /** What the view was last fitted to: the still points (restaurants, the delivery point). */
  const fittedTo = useRef("");
  const areaLayer = useRef<L.LayerGroup | null>(null);

  useEffect(() => {
    if (!box.current) return;
    const created = L.map(box.current, {
      zoomControl: true,
      attributionControl: Boolean(TILES),
      zoomAnimation: false,
      markerZoomAnimation: false,
    }).setView([38.7115, -9.1365], 13);
    if (TILES) L.tileLayer(TILES, { maxZoom: 19, attribution: "© OpenStreetMap contributors" }).addTo(created);
    map.current = created;
    areaLayer.current = L.layerGroup().addTo(created);
    const current = layers.current;
    return () => {
      created.remove();
      map.current = null;
      areaLayer.current = null;
      current.clear();
      fittedTo.current = "";
    };
  }, []);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    const seen = new Set<string>();
    for (const p of props.points) {
      seen.add(p.id);
      const at = L.latLng(p.lat, p.lng);
      const existing = layers.current.get(p.id);
      if (existing) {
        if (!existing.marker.getLatLng().equals(at)) {
          if (p.kind === "courier") glide(m, existing.marker, at);
          else existing.marker.setLatLng(at);
        }
        continue;
      }
      const colour = COLOURS[p.kind];
      const marker = L.circleMarker(at, {
        radius: p.kind === "restaurant" ? 9 : 11,
        color: "#fff",
        weight: 3,
        fillColor: colour,
        fillOpacity: 1,
      })
        .bindTooltip(p.label)
        .addTo(m);
      if (p.href) {
        const href = p.href;
        marker.on("click", () => {
          location.hash = href;
        });
      }
      const area =
        p.radiusM !== undefined
          ? L.circle(at, {
              radius: p.radiusM,
              color: colour,
              weight: 1,
              opacity: 0.35,
              dashArray: "4 6",
              fill: false,
              interactive: false,
            }).addTo(m)
          : undefined;
      layers.current.set(p.id, area ? { marker, area } : { marker });
    }
    // The delivery point and the courier stay on top of the restaurants.
    for (const p of props.points) if (p.kind !== "restaurant") layers.current.get(p.id)?.marker.bringToFront();
    for (const [id, layer] of layers.current) {
      if (seen.has(id)) continue;
      layer.marker.remove();
      layer.area?.remove();
      layers.current.delete(id);
    }
    // Refitted when the still points change (a new place, other filters), and to keep a moving courier in view.
    const still = props.points
      .filter((p) => p.kind !== "courier")
      .map((p) => `${p.id}@${p.lat.toFixed(5)},${p.lng.toFixed(5)}`)
      .join("|");
    const courierOut = props.points.some((p) => p.kind === "courier" && !m.getBounds().contains([p.lat, p.lng]));
    if (props.points.length > 0 && (still !== fittedTo.current || (props.follow && courierOut))) {
      const bounds = L.latLngBounds(props.points.map((p) => [p.lat, p.lng] as [number, number]));
      // Not animated: a zoom still running when the screen changes throws inside Leaflet.
      m.fitBounds(bounds.pad(0.25), { maxZoom: 16, animate: false });
      fittedTo.current = still;
    }
  }, [props.points, props.follow]);

  // Areas redrawn only when their outlines change; under the points (added to their own group first).
  const areaKey = (props.areas ?? []).map((a) => `${a.id}:${a.coordinates.flat().length}`).join("|");
  // biome-ignore lint/correctness/useExhaustiveDependencies: areaKey stands for the outlines.
  useEffect(() => {
    const group = areaLayer.current;
    if (!group) return;
    group.clearLayers();
    for (const area of props.areas ?? []) {
      const rings = area.coordinates.map((ring) => ring.map(([lng = 0, lat = 0]) => L.latLng(lat, lng)));
      L.polygon(rings, {
        color: AREA_COLOUR,
        weight: 2,
        opacity: 0.7,
        fillColor: AREA_COLOUR,
        fillOpacity: 0.06,
        interactive: false,
      }).addTo(group);
    }
    group.eachLayer((layer) => (layer as L.Polygon).bringToBack());
  }, [areaKey]);

  const kinds = [...new Set(props.points.map((p) => p.kind))];
  return (
    <figure className={`map-figure ${props.className ?? ""}`}>
      <section ref={box} className="points-map" aria-label={props.label} />
      <figcaption className="map-legend">
        {kinds.map((kind) => (
          <span key={kind}>
            <span className="dot" style={{ background: COLOURS[kind] }} aria-hidden="true" /> {props.legend[kind]}
          </span>
        ))}
        {props.areas && props.areas.length > 0 && props.areaLegend && (
          <span>
            <span className="area-swatch" style={{ borderColor: AREA_COLOUR }} aria-hidden="true" /> {props.areaLegend}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
