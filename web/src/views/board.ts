// The kitchen's live board: every open order of the restaurant, in columns
// by what the kitchen has to do next, kept current by the Restaurant DO's
// WebSocket. Selecting an order opens its details beside the board, so the
// board (and its socket) stays up while staff work an order.
import { type BoardConnection, BoardSocket } from "../board-socket.ts";
import type { ConsoleContext, Restaurant } from "../context.ts";
import { h, replaceChildren, type View } from "../dom.ts";
import { clock, money, relative, STATE_LABELS, shortId, TERMINAL_STATES } from "../format.ts";
import type { BoardMessage, BoardOrder, OrderState } from "../types.ts";
import { type OrderDetailView, orderDetail } from "./order-detail.ts";

interface Column {
  title: string;
  states: readonly OrderState[];
  empty: string;
}

const COLUMNS: readonly Column[] = [
  { title: "New", states: ["paid", "placed"], empty: "No new orders." },
  { title: "Accepted", states: ["accepted"], empty: "Nothing waiting to start." },
  { title: "Preparing", states: ["preparing"], empty: "Nothing on the stove." },
  { title: "Ready", states: ["ready", "picked_up"], empty: "Nothing waiting for a courier." },
];

/** How long a newly arrived order stays highlighted. */
const NEW_HIGHLIGHT_MS = 60_000;

export function boardView(ctx: ConsoleContext, restaurant: Restaurant, selected: string | undefined): View {
  const orders = new Map<string, BoardOrder>();
  const arrivedAt = new Map<string, number>();
  let selectedId = selected;
  let detail: OrderDetailView | null = null;
  let firstBoard = true;

  const connection = h("p", { class: "connection", role: "status" }, "Connecting…");
  const columns = h("div", { class: "columns" });
  const side = h("div", { class: "board-side" });
  const el = h(
    "section",
    { class: "board", "aria-labelledby": "board-title" },
    h(
      "header",
      { class: "screen-header" },
      h("h1", { id: "board-title" }, "Live board"),
      connection,
      h("button", { type: "button", class: "ghost", onclick: () => socket.refresh() }, "Refresh"),
    ),
    h("div", { class: "board-layout" }, columns, side),
  );

  function card(order: BoardOrder): HTMLElement {
    const isNew = order.status === "paid" && Date.now() - (arrivedAt.get(order.id) ?? 0) < NEW_HIGHLIGHT_MS;
    const eta =
      order.readyAt === null
        ? null
        : order.status === "ready" || order.status === "picked_up"
          ? `Ready since ${clock(order.readyAt)}`
          : `Ready by ${clock(order.readyAt)}`;
    return h(
      "li",
      {},
      h(
        "a",
        {
          href: `#/board/${order.id}`,
          class: ["order-card", isNew ? "is-new" : "", order.id === selectedId ? "is-selected" : ""].join(" "),
          "aria-current": order.id === selectedId ? "true" : undefined,
          "data-order-id": order.id,
          "data-status": order.status,
        },
        h(
          "span",
          { class: "card-top" },
          h("span", { class: "order-ref" }, shortId(order.id)),
          h("span", { class: `badge status-${order.status}` }, STATE_LABELS[order.status]),
        ),
        h("span", { class: "card-total" }, money(order.totalMinor, restaurant.currency)),
        h(
          "span",
          { class: "card-meta" },
          h("time", { datetime: order.placedAt }, `Placed ${clock(order.placedAt)}`),
          ` · ${relative(order.placedAt)}`,
        ),
        eta
          ? h(
              "span",
              { class: "card-eta" },
              eta,
              order.prepTimeMinutes !== null ? ` · ${order.prepTimeMinutes} min prep` : "",
            )
          : null,
      ),
    );
  }

  function render(): void {
    const sorted = [...orders.values()].sort((a, b) => a.placedAt.localeCompare(b.placedAt));
    replaceChildren(
      columns,
      ...COLUMNS.map((column) => {
        const list = sorted.filter((o) => column.states.includes(o.status));
        const id = `column-${column.title.toLowerCase()}`;
        return h(
          "section",
          { class: "column", "aria-labelledby": id },
          h("h2", { id }, column.title, h("span", { class: "count" }, String(list.length))),
          list.length > 0
            ? h("ul", { class: "cards" }, ...list.map(card))
            : h("p", { class: "muted empty" }, column.empty),
        );
      }),
    );
    const fresh = sorted.filter((o) => o.status === "paid").length;
    document.title = fresh > 0 ? `(${fresh}) ${restaurant.name} · Console` : `${restaurant.name} · Console`;
  }

  function arrived(order: BoardOrder, previous: BoardOrder | undefined): void {
    if (order.status !== "paid" || previous?.status === "paid") return;
    arrivedAt.set(order.id, Date.now());
    ctx.announce(`New order ${shortId(order.id)}, ${money(order.totalMinor, restaurant.currency)}.`);
  }

  function onMessage(message: BoardMessage): void {
    if (message.type === "error") {
      ctx.fail(new Error(`The board said: ${message.message}`));
      return;
    }
    if (message.type === "board") {
      const previous = new Map(orders);
      orders.clear();
      for (const order of message.orders) {
        orders.set(order.id, order);
        // The first snapshot is what was already there; only later ones can bring news.
        if (!firstBoard) arrived(order, previous.get(order.id));
      }
      firstBoard = false;
    } else {
      const order = message.order;
      const previous = orders.get(order.id);
      // Pushes can overtake each other; the order's event sequence says which is newer.
      if (previous && previous.lastSeq >= order.lastSeq) return;
      if (TERMINAL_STATES.has(order.status)) orders.delete(order.id);
      else orders.set(order.id, order);
      arrived(order, previous);
    }
    render();
    const shown = selectedId ? orders.get(selectedId) : undefined;
    if (shown) detail?.seen(shown.lastSeq);
    else if (selectedId && message.type === "order" && message.order.id === selectedId) {
      // It just left the board (rejected, cancelled, delivered): the panel shows its final state.
      detail?.seen(message.order.lastSeq);
    }
  }

  function onConnection(state: BoardConnection): void {
    connection.dataset.state = state.state;
    connection.textContent =
      state.state === "live"
        ? "Live"
        : state.state === "connecting"
          ? "Connecting…"
          : state.state === "waiting"
            ? `Connection lost; retrying in ${Math.ceil(state.retryInMs / 1000)} s`
            : "Disconnected";
  }

  function select(orderId: string | undefined): void {
    selectedId = orderId;
    detail?.dispose?.();
    detail = null;
    if (orderId) {
      detail = orderDetail(ctx, orderId, { onClose: () => ctx.navigate("#/board") });
      replaceChildren(side, detail.el);
      side.classList.add("open");
      detail.el.querySelector<HTMLElement>("h2")?.focus();
    } else {
      replaceChildren(side, h("p", { class: "muted side-hint" }, "Select an order to see its items and act on it."));
      side.classList.remove("open");
    }
    render();
  }

  const socket = new BoardSocket({
    url: () => ctx.api.boardSocketUrl(restaurant.id),
    onMessage,
    onConnection,
  });
  socket.start();

  const online = () => socket.reconnectNow();
  window.addEventListener("online", online);
  // Relative times ("4 min ago") and the new-order highlight age without any message.
  const tick = setInterval(render, 30_000);

  select(selectedId);

  return {
    el,
    update(param) {
      if (param !== selectedId) select(param);
    },
    dispose() {
      socket.stop();
      clearInterval(tick);
      window.removeEventListener("online", online);
      detail?.dispose?.();
      document.title = "Edge Delivery · Console";
    },
  };
}
