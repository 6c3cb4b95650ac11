// The kitchen's live board: every open order of the restaurant, in columns by
// what the kitchen has to do next, kept current by the Restaurant DO's
// WebSocket. Selecting an order opens its details beside the board, so the
// board (and its socket) stays up while staff work an order.
import { useEffect, useRef, useState } from "react";
import {
  type BoardClientMessage,
  type BoardServerMessage,
  type LiveConnection,
  LiveSocket,
  type Schemas,
} from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { navigate, useNow } from "../../../shared/ui/hooks.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant, statusLabel, TERMINAL_STATES } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { useOrderAlerts } from "./board-alerts.ts";
import { CourierLine, summaryIsNewer } from "./board-courier.tsx";
import { OrderDetail } from "./order-detail.tsx";

type BoardOrder = Schemas["BoardOrder"];

interface Column {
  key: "new" | "accepted" | "preparing" | "ready";
  states: readonly string[];
}

const COLUMNS: readonly Column[] = [
  { key: "new", states: ["paid", "placed"] },
  { key: "accepted", states: ["accepted"] },
  { key: "preparing", states: ["preparing"] },
  { key: "ready", states: ["ready", "picked_up"] },
];

/** How long a newly arrived order stays highlighted. */
const NEW_HIGHLIGHT_MS = 60_000;

function connectionText(t: (key: MessageKey, p?: Record<string, number>) => string, c: LiveConnection): string {
  if (c.state === "live") return t("board.live");
  if (c.state === "connecting") return t("board.connecting");
  if (c.state === "waiting") return t("board.retrying", { seconds: Math.ceil(c.retryInMs / 1000) });
  return t("board.disconnected");
}

export function BoardScreen(props: { restaurant: Restaurant; selected: string | undefined }) {
  const { restaurant, selected } = props;
  const i18n = useI18n();
  const { t, fmt } = i18n;
  const notices = useNotices();
  const alerts = useOrderAlerts();
  const now = useNow();
  const [orders, setOrders] = useState<ReadonlyMap<string, BoardOrder>>(new Map());
  const [connection, setConnection] = useState<LiveConnection>({ state: "connecting" });
  /** The newest event sequence heard per order, including orders that have left the board. */
  const [seqs, setSeqs] = useState<ReadonlyMap<string, number>>(new Map());
  const arrivedAt = useRef(new Map<string, number>());
  const socket = useRef<LiveSocket<BoardServerMessage, BoardClientMessage> | null>(null);
  // The socket lives as long as the screen; it reads the current language and notices through these.
  const latest = useRef({ i18n, notices, alerts });
  useEffect(() => {
    latest.current = { i18n, notices, alerts };
  });

  useEffect(() => {
    let firstBoard = true;
    let current = new Map<string, BoardOrder>();
    const announceArrival = (order: BoardOrder, previous: BoardOrder | undefined) => {
      if (order.status !== "paid" || previous?.status === "paid") return;
      arrivedAt.current.set(order.id, Date.now());
      const { i18n: l, notices: n, alerts: a } = latest.current;
      const text = l.t("board.newOrder", {
        ref: shortId(order.id),
        total: l.fmt.money(order.totalMinor, restaurant.currency),
      });
      n.announce(text);
      a.alert(text, (order.items ?? []).map((i) => `${i.quantity}× ${i.name}`).join(", "));
    };
    const heard = (list: readonly BoardOrder[]) =>
      setSeqs((before) => {
        const next = new Map(before);
        for (const order of list) next.set(order.id, Math.max(order.lastSeq, before.get(order.id) ?? 0));
        return next;
      });

    const onMessage = (message: BoardServerMessage) => {
      if (message.type === "error") {
        latest.current.notices.fail(
          new Error(latest.current.i18n.t("board.socketError", { message: message.message })),
        );
        return;
      }
      if (message.type === "board") {
        const previous = current;
        current = new Map(message.orders.map((o) => [o.id, o]));
        // The first snapshot is what was already there; only later ones can bring news.
        if (!firstBoard) for (const order of message.orders) announceArrival(order, previous.get(order.id));
        firstBoard = false;
        heard(message.orders);
      } else {
        const order = message.order;
        const previous = current.get(order.id);
        // Pushes can overtake each other; the order's event sequence (then the courier estimate) says which is newer.
        if (previous && !summaryIsNewer(previous, order)) return;
        current = new Map(current);
        if (TERMINAL_STATES.has(order.status)) current.delete(order.id);
        else current.set(order.id, order);
        announceArrival(order, previous);
        heard([order]);
      }
      setOrders(current);
    };

    const live = new LiveSocket<BoardServerMessage, BoardClientMessage>({
      url: () => api.socketUrl(`/v1/restaurants/${encodeURIComponent(restaurant.id)}/board/live`),
      onMessage,
      onConnection: setConnection,
      // The server sends a fresh board on every connect; asking again after a
      // reconnect also covers a board message lost in the reconnect's first frames.
      onReopen: (send) => send({ type: "refresh" }),
    });
    socket.current = live;
    live.start();
    const online = () => live.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      live.stop();
      socket.current = null;
    };
  }, [restaurant.id, restaurant.currency]);

  const sorted = [...orders.values()].sort((a, b) => a.placedAt.localeCompare(b.placedAt));
  const fresh = sorted.filter((o) => o.status === "paid").length;
  useEffect(() => {
    document.title =
      fresh > 0 ? `(${fresh}) ${restaurant.name} · ${t("app.title")}` : `${restaurant.name} · ${t("app.title")}`;
  }, [fresh, restaurant.name, t]);

  function card(order: BoardOrder) {
    const isNew = order.status === "paid" && now - (arrivedAt.current.get(order.id) ?? 0) < NEW_HIGHLIGHT_MS;
    const done = order.status === "ready" || order.status === "picked_up";
    const eta =
      order.readyAt === null
        ? null
        : t(done ? "board.readySince" : "board.readyBy", { time: fmt.clock(order.readyAt) });
    const isSelected = order.id === selected;
    return (
      <li key={order.id}>
        <a
          href={`#/board/${order.id}`}
          className={["order-card", isNew ? "is-new" : "", isSelected ? "is-selected" : ""].join(" ").trim()}
          aria-current={isSelected ? "true" : undefined}
          data-order-id={order.id}
          data-status={order.status}
        >
          <span className="card-top">
            <span className="order-ref">{shortId(order.id)}</span>
            <span className={`badge status-${order.status}`}>{statusLabel(t, order.status)}</span>
          </span>
          <span className="card-total">{fmt.money(order.totalMinor, restaurant.currency)}</span>
          <span className="card-meta">
            <time dateTime={order.placedAt}>{t("board.placed", { time: fmt.clock(order.placedAt) })}</time>
            {` · ${fmt.relative(order.placedAt, now)}`}
          </span>
          {order.items && order.items.length > 0 ? (
            <ul className="card-items">
              {order.items.map((item, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the same dish may be two lines with other options.
                <li key={i}>
                  {`${item.quantity}× ${item.name}`}
                  {item.options.length > 0 ? <span className="muted">{` (${item.options.join(", ")})`}</span> : null}
                </li>
              ))}
            </ul>
          ) : null}
          {order.scheduledFor && order.released === false ? (
            <span className="badge scheduled">
              {t("board.scheduledFor", { time: fmt.dateTime(order.scheduledFor) })}
            </span>
          ) : null}
          <CourierLine order={order} now={now} />
          {eta ? (
            <span className="card-eta">
              {eta}
              {order.prepTimeMinutes !== null ? ` · ${t("board.prep", { minutes: order.prepTimeMinutes })}` : ""}
            </span>
          ) : null}
        </a>
      </li>
    );
  }

  return (
    <section className="board" aria-labelledby="board-title">
      <header className="screen-header">
        <h1 id="board-title">{t("board.title")}</h1>
        <p className="connection" role="status" data-state={connection.state}>
          {connectionText(t, connection)}
        </p>
        <button
          type="button"
          className="ghost"
          aria-pressed={alerts.on}
          onClick={() => void alerts.toggle()}
          data-testid="order-alerts"
        >
          {alerts.on ? t("board.alertsOn") : t("board.alertsOff")}
        </button>
        <button type="button" className="ghost" onClick={() => socket.current?.send({ type: "refresh" })}>
          {t("board.refresh")}
        </button>
      </header>
      <div className="board-layout">
        <div className="columns">
          {COLUMNS.map((column) => {
            const list = sorted.filter((o) => column.states.includes(o.status));
            const id = `column-${column.key}`;
            return (
              <section key={column.key} className="column" aria-labelledby={id}>
                <h2 id={id}>
                  {t(`board.column.${column.key}`)}
                  <span className="count">{list.length}</span>
                </h2>
                {list.length > 0 ? (
                  <ul className="cards">{list.map(card)}</ul>
                ) : (
                  <p className="muted empty">{t(`board.empty.${column.key}`)}</p>
                )}
              </section>
            );
          })}
        </div>
        <div className={selected ? "board-side open" : "board-side"}>
          {selected ? (
            <OrderDetail
              key={selected}
              orderId={selected}
              seenSeq={seqs.get(selected)}
              onClose={() => navigate("#/board")}
            />
          ) : (
            <p className="muted side-hint">{t("board.selectHint")}</p>
          )}
        </div>
      </div>
    </section>
  );
}
