// One order, live: the status timeline, the restaurant's prep estimate, the
// courier on the map with the ETA counting down, the hand-off PIN, cancel
// while the restaurant has not accepted, and the receipt with reorder.
// The socket resumes after the last event seen (`since`), so a reload or a
// dropped connection shows every event once, with no gap.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type LiveConnection, LiveSocket, type OrderServerMessage } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { navigate, useNow } from "../../../shared/ui/hooks.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { customerApi, type Order, type OrderEvent, type Restaurant } from "../api.ts";
import type { Cart } from "../cart.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { PayPrompt } from "../payment/pay-prompt.tsx";
import { awaitsSupport } from "../problems/outcome.ts";
import { ProblemStatus } from "../problems/problem-status.tsx";
import { useErrorText, useShared } from "../state.tsx";
import { OrderWhen } from "./delivery-time.tsx";
import { type MapPoint, LazyPointsMap as PointsMap } from "./lazy-map.tsx";
import { RateOrder } from "./rate.tsx";

const HAPPY_PATH = ["placed", "paid", "accepted", "preparing", "ready", "picked_up", "delivered"] as const;
const TERMINAL = new Set(["delivered", "rejected", "cancelled", "failed"]);
const CANCELLABLE = new Set(["placed", "paid"]);

interface Courier {
  lat: number;
  lng: number;
  dropoffAt: number;
}

export function TrackScreen(props: { orderId: string }) {
  const { t, fmt, maybe } = useI18n();
  const errorText = useErrorText();
  const { announce, fail } = useNotices();
  const { setCart } = useShared();
  const [order, setOrder] = useState<Order | null>(null);
  const [events, setEvents] = useState<OrderEvent[]>([]);
  const [courier, setCourier] = useState<Courier | null>(null);
  // The delivery estimate: from the order view, then from the socket (positions, and prep changes before a courier moves).
  const [dropoffAt, setDropoffAt] = useState<number | null>(null);
  const [restaurant, setRestaurant] = useState<Restaurant | null>(null);
  const [connection, setConnection] = useState<LiveConnection["state"]>("connecting");
  const [error, setError] = useState<string | null>(null);
  const lastSeq = useRef(0);
  const now = useNow(15_000);

  const refresh = useCallback(async () => {
    const { order: fresh, timeline } = await customerApi.order(props.orderId);
    setOrder(fresh);
    if (fresh.liveEta) setDropoffAt(Date.parse(fresh.liveEta.dropoffAt));
    setEvents((known) => mergeEvents(known, timeline));
    lastSeq.current = Math.max(lastSeq.current, ...timeline.map((e) => e.seq));
    return { fresh, timeline };
  }, [props.orderId]);

  useEffect(() => {
    let live = true;
    let socket: LiveSocket<OrderServerMessage> | null = null;
    refresh()
      .then(({ fresh, timeline }) => {
        if (!live) return;
        customerApi
          .restaurants({ lat: fresh.deliveryAddress.lat, lng: fresh.deliveryAddress.lng })
          .then((list) => {
            if (live) setRestaurant(list.find((r) => r.id === fresh.restaurantId) ?? null);
          })
          .catch(() => undefined);
        // An ended order stays live while a problem report awaits support, so its outcome shows up.
        if (TERMINAL.has(fresh.status) && !awaitsSupport(timeline)) {
          setConnection("stopped");
          return;
        }
        socket = new LiveSocket<OrderServerMessage>({
          url: () => customerApi.orderSocketUrl(props.orderId, lastSeq.current),
          onConnection: (c) => setConnection(c.state),
          onMessage: (message) => {
            if (message.type === "event") {
              if (message.event.seq <= lastSeq.current) return;
              lastSeq.current = message.event.seq;
              setEvents((known) => mergeEvents(known, [message.event]));
              // The view carries what events do not: the PIN, the prep estimate, the money.
              void refresh().catch(() => undefined);
            } else if (message.type === "courier_position") {
              setCourier({ lat: message.lat, lng: message.lng, dropoffAt: message.eta.dropoffAt });
              setDropoffAt(message.eta.dropoffAt);
            } else if (message.type === "eta") {
              setDropoffAt(message.eta.dropoffAt);
            }
          },
        });
        socket.start();
      })
      .catch((err: unknown) => {
        if (live) setError(errorText(err));
      });
    return () => {
      live = false;
      socket?.stop();
    };
  }, [props.orderId, refresh, errorText]);

  const status = order?.status ?? "placed";
  const points = useMemo<MapPoint[]>(() => {
    if (!order) return [];
    const list: MapPoint[] = [
      { id: "you", kind: "you", lat: order.deliveryAddress.lat, lng: order.deliveryAddress.lng, label: t("map.you") },
    ];
    if (restaurant)
      list.push({
        id: "restaurant",
        kind: "restaurant",
        lat: restaurant.lat,
        lng: restaurant.lng,
        label: restaurant.name,
      });
    if (courier && !TERMINAL.has(status))
      list.push({ id: "courier", kind: "courier", lat: courier.lat, lng: courier.lng, label: t("order.courier") });
    return list;
  }, [order, restaurant, courier, status, t]);

  if (error) {
    return (
      <div>
        <a href="#/orders" className="back">
          {t("order.back")}
        </a>
        <p className="error" role="alert">
          {error}
        </p>
      </div>
    );
  }
  // The frame paints before the order arrives (the reference is in the URL); the same nodes then fill in.
  if (!order) {
    return (
      <div className="track-page">
        <a href="#/orders" className="back">
          {t("order.back")}
        </a>
        <div className="track-head">
          <h1>{t("order.title", { ref: shortId(props.orderId) })}</h1>
        </div>
        <p className="muted" role="status">
          {t("app.loading")}
        </p>
      </div>
    );
  }

  async function cancel() {
    if (!order || !window.confirm(t("order.cancelConfirm"))) return;
    try {
      setOrder(await customerApi.cancel(order.id, t("order.cancelReason")));
      announce(t("order.cancelled"));
    } catch (err) {
      fail(err);
    }
  }

  function reorder() {
    if (!order) return;
    const cart: Cart = {
      restaurantId: order.restaurantId,
      restaurantName: restaurant?.name ?? "",
      currency: order.currency,
      note: "",
      lines: order.lines.map((l) => {
        const optionIds = l.options.map((o) => o.optionId).sort();
        return {
          key: `${l.itemId}:${optionIds.join(",")}`,
          itemId: l.itemId,
          name: l.name,
          quantity: l.quantity,
          optionIds,
          optionNames: l.options.map((o) => o.name),
          unitPriceMinor: l.unitPriceMinor + l.options.reduce((s, o) => s + o.priceDeltaMinor, 0),
        };
      }),
    };
    setCart(cart);
    announce(t("orders.reordered"));
    navigate("#/cart");
  }

  const reached = new Set(events.map((e) => e.state));
  const failedState = TERMINAL.has(status) && status !== "delivered" ? status : null;
  const etaMinutes = dropoffAt !== null ? Math.max(0, Math.round((dropoffAt - now) / 60_000)) : null;
  const address = [order.deliveryAddress.line1, order.deliveryAddress.line2, order.deliveryAddress.city]
    .filter(Boolean)
    .join(", ");

  return (
    <div className="track-page">
      <a href="#/orders" className="back">
        {t("order.back")}
      </a>
      <div className="track-head">
        <h1>{t("order.title", { ref: shortId(order.id) })}</h1>
        <span className={`badge status-${status}`}>{maybe(`step.${status}`) ?? status}</span>
        {!TERMINAL.has(status) && (
          <span className={`connection ${connection}`} role="status">
            {connection === "live" ? t("order.live") : t("order.reconnecting")}
          </span>
        )}
      </div>
      <p className="muted">{restaurant?.name}</p>
      <OrderWhen order={order} />

      <div className="track-body">
        <div className="track-info">
          {dropoffAt !== null && !TERMINAL.has(status) && (
            <p className="eta" aria-live="polite">
              {t("order.eta", { time: fmt.clock(dropoffAt) })}{" "}
              <span className="muted">{t("order.etaIn", { minutes: etaMinutes ?? 0 })}</span>
            </p>
          )}
          {!courier && !TERMINAL.has(status) && order.prepTimeMinutes && (
            <p className="muted">{t("order.prep", { minutes: order.prepTimeMinutes })}</p>
          )}
          {order.handoffPin && !TERMINAL.has(status) && (
            <section className="pin-card" aria-labelledby="pin-title">
              <h2 id="pin-title">{t("order.pin")}</h2>
              <p className="pin" data-testid="handoff-pin">
                {order.handoffPin}
              </p>
              <p className="muted small">{t("order.pinHelp")}</p>
            </section>
          )}
          {status === "placed" && <PayPrompt orderId={order.id} events={events} />}
          <h2>{t("order.timeline")}</h2>
          <ol className="timeline">
            {HAPPY_PATH.filter((step) => !failedState || reached.has(step)).map((step) => {
              const at = events.find((e) => e.state === step)?.at;
              return (
                <li key={step} className={reached.has(step) || status === step ? "done" : "todo"}>
                  <span>{t(`step.${step}` as MessageKey)}</span>
                  {at && <span className="muted small">{fmt.clock(at)}</span>}
                </li>
              );
            })}
            {failedState && (
              <li className="done failed">
                <span>{t(`step.${failedState}` as MessageKey)}</span>
              </li>
            )}
          </ol>
          {CANCELLABLE.has(status) && (
            <button type="button" className="danger" onClick={cancel}>
              {t("order.cancel")}
            </button>
          )}
        </div>
        <PointsMap
          points={points}
          label={t("order.mapLabel")}
          legend={{ restaurant: t("map.restaurant"), you: t("map.you"), courier: t("order.courier") }}
          className="track-map"
          follow
        />
      </div>

      {status === "delivered" && <RateOrder orderId={order.id} hasCourier={order.courierId !== null} />}
      <ProblemStatus order={order} events={events} />

      <section className="receipt" aria-labelledby="receipt-title">
        <h2 id="receipt-title">{t("order.receipt")}</h2>
        <p className="muted small">
          {fmt.dateTime(order.placedAt)} · {t("order.deliveredTo", { address })}
        </p>
        <ul className="cart-lines">
          {order.lines.map((line) => (
            <li key={line.lineNo}>
              <div>
                <strong>
                  {line.quantity} × {line.name}
                </strong>
                {line.options.length > 0 && (
                  <div className="muted small">{line.options.map((o) => o.name).join(", ")}</div>
                )}
              </div>
              <span className="amount">{fmt.money(line.lineTotalMinor, order.currency)}</span>
            </li>
          ))}
        </ul>
        <dl className="totals">
          <dt>{t("cart.subtotal")}</dt>
          <dd>{fmt.money(order.subtotalMinor, order.currency)}</dd>
          <dt>{t("cart.deliveryFee")}</dt>
          <dd>{fmt.money(order.deliveryFeeMinor, order.currency)}</dd>
          <dt>{t("cart.serviceFee")}</dt>
          <dd>{fmt.money(order.serviceFeeMinor, order.currency)}</dd>
          {order.smallOrderFeeMinor > 0 && (
            <>
              <dt>{t("cart.smallOrderFee")}</dt>
              <dd data-testid="small-order-fee">{fmt.money(order.smallOrderFeeMinor, order.currency)}</dd>
            </>
          )}
          {!order.taxIncluded && (
            <>
              <dt>{t("cart.tax")}</dt>
              <dd>{fmt.money(order.taxMinor, order.currency)}</dd>
            </>
          )}
          <dt>{t("cart.tip")}</dt>
          <dd>{fmt.money(order.tipMinor, order.currency)}</dd>
          {order.discountMinor > 0 && (
            <>
              <dt>{t("cart.discount", { code: order.promotionCode ?? "" })}</dt>
              <dd>−{fmt.money(order.discountMinor, order.currency)}</dd>
            </>
          )}
          {order.roundingMinor !== 0 && (
            <>
              <dt>{t("cart.rounding")}</dt>
              <dd>
                {order.roundingMinor < 0 ? "−" : "+"}
                {fmt.money(Math.abs(order.roundingMinor), order.currency)}
              </dd>
            </>
          )}
          <dt className="total">{t("cart.total")}</dt>
          <dd className="total">{fmt.money(order.totalMinor, order.currency)}</dd>
          {order.taxIncluded && (
            <>
              <dt className="muted">{t("cart.vatIncluded")}</dt>
              <dd className="muted">{fmt.money(order.taxMinor, order.currency)}</dd>
            </>
          )}
        </dl>
        {TERMINAL.has(status) && (
          <button type="button" onClick={reorder}>
            {t("order.reorder")}
          </button>
        )}
      </section>
    </div>
  );
}

function mergeEvents(known: OrderEvent[], more: OrderEvent[]): OrderEvent[] {
  const bySeq = new Map(known.map((e) => [e.seq, e]));
  for (const e of more) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
