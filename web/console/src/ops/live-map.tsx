// The live city map: every online courier by state, every active order from
// restaurant to drop-off, the delivery areas; kept current by the region's
// WebSocket (a snapshot, then changes), never by polling dispatch cells.
// Everything on the map is also in the side lists, so it works by keyboard
// and screen reader; selecting shows details, and a delivery area can be
// edited (zone-editor.tsx).
import { useEffect, useMemo, useRef, useState } from "react";
import { LiveSocket, type Schemas, unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { api, statusLabel } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { useLoad, useZones } from "./common.tsx";
import {
  areasBounds,
  MapCanvas,
  type MapCourier,
  type MapOrder,
  type Ring,
  ringOf,
  type Selection,
  stateColour,
} from "./map-canvas.ts";
import { NewZoneForm, ZoneEditor } from "./zone-editor.tsx";

type ServerMessage = Schemas["CityMapServerMessage"];
type ClientMessage = Schemas["CityMapClientMessage"];
type Connection = "connecting" | "live" | { retryInMs: number };
const STATES: MapCourier["state"][] = ["available", "offered", "on_job", "stale", "break"];

/** The region's couriers and orders, as the socket last described them. */
function useRegion(region: string | null) {
  const [couriers, setCouriers] = useState(new Map<string, MapCourier>());
  const [orders, setOrders] = useState(new Map<string, MapOrder>());
  const [connection, setConnection] = useState<Connection>("connecting");
  useEffect(() => {
    if (!region) return;
    const live = new LiveSocket<ServerMessage, ClientMessage>({
      url: () => api.socketUrl(`/v1/admin/live-map/${region}/live`),
      onConnection: (c) => {
        if (c.state === "live" || c.state === "connecting") setConnection(c.state);
        else if (c.state === "waiting") setConnection({ retryInMs: c.retryInMs });
      },
      onMessage: (message) => {
        if (message.type === "snapshot") {
          setCouriers(new Map(message.couriers.map((c) => [c.courierId, c])));
          setOrders(new Map(message.orders.map((o) => [o.orderId, o])));
        } else if (message.type === "changes") {
          setCouriers((current) => {
            const next = new Map(current);
            for (const id of message.removedCouriers) next.delete(id);
            for (const c of message.couriers) next.set(c.courierId, c);
            return next;
          });
          setOrders((current) => {
            const next = new Map(current);
            for (const id of message.removedOrders) next.delete(id);
            for (const o of message.orders) next.set(o.orderId, o);
            return next;
          });
        }
      },
      onReopen: (send) => send({ type: "resync" }),
    });
    live.start();
    return () => live.stop();
  }, [region]);
  return { couriers: [...couriers.values()], orders: [...orders.values()], connection };
}

export function LiveMapScreen() {
  const { t, fmt, maybe } = useI18n();
  const regions = useLoad(async () => (await unwrap(api.http.GET("/v1/admin/live-map/regions"))).regions, []);
  const zones = useZones();
  const [regionName, setRegionName] = useState<string | null>(null);
  const region = regions.data?.find((r) => r.region === regionName) ?? regions.data?.[0] ?? null;
  const { couriers, orders, connection } = useRegion(region?.region ?? null);
  const [selected, setSelected] = useState<Selection>(null);
  const [editing, setEditing] = useState<{ id: string; ring: Ring } | null>(null);
  const element = useRef<HTMLDivElement>(null);
  const canvas = useRef<MapCanvas | null>(null);

  useEffect(() => {
    if (!element.current) return;
    const map = new MapCanvas(element.current, setSelected);
    canvas.current = map;
    return () => {
      map.destroy();
      canvas.current = null;
    };
  }, []);
  // Framed on the delivery areas inside the region (a region is a whole geohash cell, ~150 km wide).
  useEffect(() => {
    if (!region || !zones.data) return;
    canvas.current?.fit(region.region, areasBounds(zones.data, region.bounds) ?? region.bounds);
  }, [region, zones.data]);
  useEffect(() => canvas.current?.drawZones(zones.data ?? [], selected, editing), [zones.data, selected, editing]);
  useEffect(() => canvas.current?.drawOrders(orders, selected), [orders, selected]);
  useEffect(() => canvas.current?.drawCouriers(couriers, selected), [couriers, selected]);
  useEffect(
    () => canvas.current?.drawHandles(editing?.ring ?? null, (ring) => setEditing((e) => (e ? { ...e, ring } : e))),
    [editing],
  );

  const counts = useMemo(() => {
    const byState = new Map<string, number>();
    for (const c of couriers) byState.set(c.state, (byState.get(c.state) ?? 0) + 1);
    return byState;
  }, [couriers]);
  const select = (next: Selection) => {
    setSelected(next);
    if (next?.kind !== "zone") setEditing(null);
  };
  const zone = selected?.kind === "zone" ? zones.data?.find((z) => z.id === selected.id) : undefined;
  const courier = selected?.kind === "courier" ? couriers.find((c) => c.courierId === selected.id) : undefined;
  const order = selected?.kind === "order" ? orders.find((o) => o.orderId === selected.id) : undefined;
  const connectionText =
    typeof connection === "object"
      ? t("map.retrying", { seconds: Math.ceil(connection.retryInMs / 1000) })
      : t(connection === "live" ? "map.live" : "map.connecting");

  return (
    <section aria-labelledby="map-title" className="map-screen">
      <header className="screen-header">
        <h1 id="map-title">{t("map.title")}</h1>
        {regions.data && regions.data.length > 1 ? (
          <>
            <label htmlFor="map-region">{t("map.region")}</label>
            <select id="map-region" value={region?.region ?? ""} onChange={(e) => setRegionName(e.target.value)}>
              {regions.data.map((r) => (
                <option key={r.region} value={r.region}>
                  {r.region}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <span className="connection" data-state={typeof connection === "object" ? "waiting" : connection} role="status">
          {connectionText}
        </span>
      </header>
      {regions.data?.length === 0 ? <p className="muted">{t("map.noRegions")}</p> : null}
      <div className="map-layout">
        <div ref={element} className="map-canvas" role="application" aria-label={t("map.label")} />
        <aside className="map-side">
          <h2 className="visually-hidden">{t("map.legend")}</h2>
          <ul className="legend" aria-label={t("map.legend")}>
            {STATES.map((state) => (
              <li key={state} data-state={state}>
                <span className="dot" style={{ background: stateColour(state) }} aria-hidden="true" />
                {t(`map.state.${state}` as MessageKey)}: <strong>{counts.get(state) ?? 0}</strong>
              </li>
            ))}
          </ul>
          <p className="muted">
            {t("map.orders", { count: orders.length, escalated: orders.filter((o) => o.escalated).length })}
          </p>
          {zone ? (
            <ZoneEditor
              key={zone.id}
              zone={zone}
              outline={editing?.id === zone.id ? editing.ring : null}
              onOutline={(ring) => setEditing(ring ? { id: zone.id, ring } : null)}
              onSaved={(saved) => {
                zones.set((list) => list?.map((z) => (z.id === saved.id ? saved : z)) ?? list);
                setEditing(null);
              }}
              onClose={() => select(null)}
            />
          ) : courier ? (
            <div className="panel map-detail" aria-live="polite">
              <h2>{t("map.courier", { id: shortId(courier.courierId) })}</h2>
              <p>
                <span className="badge" data-state={courier.state}>
                  {t(`map.state.${courier.state}` as MessageKey)}
                </span>{" "}
                {maybe(`cour.vehicle.${courier.vehicle}`) ?? courier.vehicle}
              </p>
              <p className="muted">
                {courier.lastFixAt ? t("map.lastFix", { time: fmt.relative(courier.lastFixAt) }) : t("map.noFix")}
              </p>
              {courier.offerOrderId ? <p>{t("map.offer", { order: shortId(courier.offerOrderId) })}</p> : null}
              {courier.activeOrders.length > 0 ? (
                <p>{t("map.jobs", { orders: courier.activeOrders.map(shortId).join(", ") })}</p>
              ) : null}
              <button type="button" className="ghost small" onClick={() => select(null)}>
                {t("map.close")}
              </button>
            </div>
          ) : order ? (
            <div className="panel map-detail" aria-live="polite">
              <h2>{t("map.order", { id: shortId(order.orderId) })}</h2>
              <p>
                {statusLabel(t, order.state)}{" "}
                {order.escalated ? <span className="badge status-failed">{t("map.escalated")}</span> : null}
              </p>
              <p>{t("map.from", { restaurant: order.restaurantName ?? order.restaurantId })}</p>
              <p className="muted">{t("map.placed", { time: fmt.relative(order.placedAt) })}</p>
              {order.courierId ? <p>{t("map.courier", { id: shortId(order.courierId) })}</p> : null}
              <a href={`#/exceptions/${order.orderId}`}>{t("map.openException")}</a>{" "}
              <button type="button" className="ghost small" onClick={() => select(null)}>
                {t("map.close")}
              </button>
            </div>
          ) : (
            <p className="muted">{t("map.select")}</p>
          )}
          <details className="map-list">
            <summary>{t("map.areas")}</summary>
            <ul>
              {(zones.data ?? []).map((z) => (
                <li key={z.id}>
                  <button type="button" className="link" onClick={() => select({ kind: "zone", id: z.id })}>
                    {z.name}
                  </button>
                </li>
              ))}
            </ul>
            <NewZoneForm
              square={() => canvas.current?.squareAtCentre() ?? []}
              currency={zones.data?.[0]?.currency ?? "EUR"}
              onCreated={(created) => {
                zones.set((list) => [...(list ?? []), created]);
                setSelected({ kind: "zone", id: created.id });
                setEditing({ id: created.id, ring: ringOf(created) });
              }}
            />
          </details>
          <details className="map-list" open>
            <summary>{t("map.couriersList", { count: couriers.length })}</summary>
            <ul>
              {couriers.map((c) => (
                <li
                  key={c.courierId}
                  data-courier={c.courierId}
                  data-lat={c.lat ?? ""}
                  data-lng={c.lng ?? ""}
                  data-state={c.state}
                >
                  <button type="button" className="link" onClick={() => select({ kind: "courier", id: c.courierId })}>
                    <span className="dot" style={{ background: stateColour(c.state) }} aria-hidden="true" />
                    {shortId(c.courierId)} · {t(`map.state.${c.state}` as MessageKey)}
                  </button>
                </li>
              ))}
            </ul>
          </details>
          <details className="map-list">
            <summary>{t("map.ordersList", { count: orders.length })}</summary>
            <ul>
              {orders.map((o) => (
                <li key={o.orderId} data-order={o.orderId}>
                  <button type="button" className="link" onClick={() => select({ kind: "order", id: o.orderId })}>
                    {shortId(o.orderId)} · {statusLabel(t, o.state)}
                    {o.escalated ? ` · ${t("map.escalated")}` : ""}
                  </button>
                </li>
              ))}
            </ul>
          </details>
        </aside>
      </div>
    </section>
  );
}
