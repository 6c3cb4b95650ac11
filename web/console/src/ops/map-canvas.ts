// The Leaflet side of the live map, kept out of React: one map, three layers
// (delivery areas, active orders as restaurant → drop-off lines, couriers as
// dots coloured by state) redrawn from plain data, and the corner handles
// used to edit a delivery area's outline. Tiles come from VITE_MAP_TILES when
// set; without it (offline, CI) the map draws on a plain background.
import "leaflet/dist/leaflet.css";
import * as L from "leaflet";
import type { Schemas } from "../../../shared/api/index.ts";

export type MapCourier = Schemas["MapCourier"];
export type MapOrder = Schemas["MapOrder"];
export type Zone = Schemas["Zone"];
export type Ring = [number, number][]; // [lng, lat], GeoJSON order, not closed

export type Selection =
  | { kind: "courier"; id: string }
  | { kind: "order"; id: string }
  | { kind: "zone"; id: string }
  | null;

export interface Bounds {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
}

const STATE_COLOURS: Record<MapCourier["state"], string> = {
  available: "#146c2e",
  offered: "#b45309",
  on_job: "#1a56db",
  stale: "#6b7280",
  break: "#7c3aed",
};

export function stateColour(state: MapCourier["state"]): string {
  return STATE_COLOURS[state];
}

/** The zone's outline without GeoJSON's closing point. */
export function ringOf(zone: Zone): Ring {
  const ring = (zone.polygon.coordinates[0] ?? []).map(([lng, lat]) => [lng ?? 0, lat ?? 0] as [number, number]);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first && last && ring.length > 1 && first[0] === last[0] && first[1] === last[1]) ring.pop();
  return ring;
}

/** The box around the active areas' corners that lie inside `within`; null when there are none. */
export function areasBounds(zones: Zone[], within: Bounds): Bounds | null {
  const inside = zones
    .filter((zone) => zone.active)
    .flatMap(ringOf)
    .filter(
      ([lng, lat]) => lat >= within.minLat && lat <= within.maxLat && lng >= within.minLng && lng <= within.maxLng,
    );
  if (inside.length === 0) return null;
  const lats = inside.map(([, lat]) => lat);
  const lngs = inside.map(([lng]) => lng);
  return { minLat: Math.min(...lats), maxLat: Math.max(...lats), minLng: Math.min(...lngs), maxLng: Math.max(...lngs) };
}

export class MapCanvas {
  readonly map: L.Map;
  private readonly zones = L.layerGroup();
  private readonly orders = L.layerGroup();
  private readonly couriers = L.layerGroup();
  private readonly handles = L.layerGroup();
  private fitted = "";

  constructor(
    element: HTMLElement,
    private readonly onSelect: (selection: Selection) => void,
  ) {
    this.map = L.map(element, { zoomControl: true, attributionControl: Boolean(import.meta.env.VITE_MAP_TILES) });
    const tiles = import.meta.env.VITE_MAP_TILES;
    if (tiles)
      L.tileLayer(tiles, { maxZoom: 19, attribution: import.meta.env.VITE_MAP_ATTRIBUTION ?? "" }).addTo(this.map);
    for (const layer of [this.zones, this.orders, this.couriers, this.handles]) layer.addTo(this.map);
    this.map.setView([38.72, -9.14], 13);
  }

  /** A square about `sideM` metres across around the middle of the view, as a new area's first outline. */
  squareAtCentre(sideM = 2000): Ring {
    const c = this.map.getCenter();
    const dLat = sideM / 2 / 111_320;
    const dLng = dLat / Math.cos((c.lat * Math.PI) / 180);
    return [
      [round(c.lng - dLng), round(c.lat - dLat)],
      [round(c.lng + dLng), round(c.lat - dLat)],
      [round(c.lng + dLng), round(c.lat + dLat)],
      [round(c.lng - dLng), round(c.lat + dLat)],
    ];
  }

  destroy(): void {
    this.map.remove();
  }

  /** Frames the region once per region (later updates must not move the operator's view). */
  fit(region: string, bounds: Bounds): void {
    if (this.fitted === region) return;
    this.fitted = region;
    this.map.fitBounds(
      [
        [bounds.minLat, bounds.minLng],
        [bounds.maxLat, bounds.maxLng],
      ],
      { padding: [8, 8] },
    );
  }

  drawZones(zones: Zone[], selected: Selection, editing: { id: string; ring: Ring } | null): void {
    this.zones.clearLayers();
    for (const zone of zones) {
      const ring = editing?.id === zone.id ? editing.ring : ringOf(zone);
      const isSelected = selected?.kind === "zone" && selected.id === zone.id;
      L.polygon(
        ring.map(([lng, lat]) => [lat, lng] as [number, number]),
        {
          color: zone.active ? "#c2410c" : "#6b7280",
          weight: isSelected ? 3 : 1.5,
          fillOpacity: isSelected ? 0.12 : 0.05,
          dashArray: zone.active ? undefined : "4 4",
          className: `zone-outline zone-${zone.id}`,
        },
      )
        .bindTooltip(zone.name)
        .on("click", () => this.onSelect({ kind: "zone", id: zone.id }))
        .addTo(this.zones);
    }
  }

  drawOrders(orders: MapOrder[], selected: Selection): void {
    this.orders.clearLayers();
    for (const order of orders) {
      const isSelected = selected?.kind === "order" && selected.id === order.orderId;
      const from: [number, number] = [order.restaurant.lat, order.restaurant.lng];
      const to: [number, number] = [order.dropoff.lat, order.dropoff.lng];
      const colour = order.escalated ? "#b42318" : "#1d1d1b";
      const select = () => this.onSelect({ kind: "order", id: order.orderId });
      L.polyline([from, to], {
        color: colour,
        weight: isSelected ? 4 : 2,
        dashArray: order.courierId ? undefined : "6 6",
        className: `order-line order-${order.orderId}`,
      })
        .on("click", select)
        .addTo(this.orders);
      L.circleMarker(from, { radius: 5, color: colour, fillColor: "#ffffff", fillOpacity: 1, weight: 2 })
        .on("click", select)
        .addTo(this.orders);
      L.circleMarker(to, { radius: 4, color: colour, fillColor: colour, fillOpacity: 1, weight: 1 })
        .on("click", select)
        .addTo(this.orders);
    }
  }

  drawCouriers(couriers: MapCourier[], selected: Selection): void {
    this.couriers.clearLayers();
    for (const courier of couriers) {
      if (courier.lat === null || courier.lng === null) continue;
      const isSelected = selected?.kind === "courier" && selected.id === courier.courierId;
      L.circleMarker([courier.lat, courier.lng], {
        radius: isSelected ? 9 : 7,
        color: isSelected ? "#1d1d1b" : "#ffffff",
        weight: 2,
        fillColor: stateColour(courier.state),
        fillOpacity: 0.95,
        className: `courier-dot courier-${courier.courierId} state-${courier.state}`,
      })
        .on("click", () => this.onSelect({ kind: "courier", id: courier.courierId }))
        .addTo(this.couriers);
    }
  }

  /**
   * Corner handles for the outline being edited: drag a corner to move it,
   * double-click one to remove it (three stay), click an edge's midpoint to add one.
   */
  drawHandles(ring: Ring | null, onChange: (ring: Ring) => void): void {
    this.handles.clearLayers();
    if (!ring) return;
    ring.forEach(([lng, lat], index) => {
      const handle = L.marker([lat, lng], {
        draggable: true,
        keyboard: false,
        icon: L.divIcon({ className: "zone-vertex", iconSize: [14, 14] }),
      });
      handle.on("dragend", () => {
        const at = handle.getLatLng();
        onChange(ring.map((p, i) => (i === index ? [round(at.lng), round(at.lat)] : p)));
      });
      handle.on("dblclick", (event) => {
        L.DomEvent.stop(event);
        if (ring.length > 3) onChange(ring.filter((_, i) => i !== index));
      });
      handle.addTo(this.handles);
      const next = ring[(index + 1) % ring.length];
      if (!next) return;
      const mid: [number, number] = [(lat + next[1]) / 2, (lng + next[0]) / 2];
      L.marker(mid, { keyboard: false, icon: L.divIcon({ className: "zone-midpoint", iconSize: [10, 10] }) })
        .on("click", () => {
          const copy = [...ring];
          copy.splice(index + 1, 0, [round(mid[1]), round(mid[0])]);
          onChange(copy);
        })
        .addTo(this.handles);
    });
  }
}

/** Six decimals: about 10 cm, plenty for a delivery area. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
