// Past orders, newest first, from the Postgres projection
// (GET /v1/restaurants/{id}/orders), a page at a time. The API pages with an
// opaque cursor that only goes older, so "Newer" walks back a stack of the
// cursors already used.
import type { ConsoleContext, Restaurant } from "../context.ts";
import { h, replaceChildren, type View } from "../dom.ts";
import { dateTime, money, STATE_LABELS, shortId } from "../format.ts";
import type { OrderState } from "../types.ts";

const PAGE_SIZE = 20;

const FILTERS: ReadonlyArray<{ label: string; states: OrderState[] }> = [
  { label: "All orders", states: [] },
  { label: "Delivered", states: ["delivered"] },
  { label: "Open", states: ["placed", "paid", "accepted", "preparing", "ready", "picked_up"] },
  { label: "Rejected or cancelled", states: ["rejected", "cancelled"] },
  { label: "Failed", states: ["failed"] },
];

export function historyView(ctx: ConsoleContext, restaurant: Restaurant): View {
  // cursors[i] fetched page i; undefined is the newest page.
  let cursors: Array<string | undefined> = [undefined];
  let nextCursor: string | null = null;
  let filter = 0;
  let disposed = false;

  const filterSelect = h(
    "select",
    { id: "history-filter" },
    ...FILTERS.map((f, i) => h("option", { value: i }, f.label)),
  );
  filterSelect.addEventListener("change", () => {
    filter = Number(filterSelect.value);
    cursors = [undefined];
    void load();
  });
  const table = h("div", { class: "table-wrap", "aria-live": "polite", "aria-busy": "true" });
  const newer = h("button", { type: "button", class: "plain", disabled: true }, "← Newer");
  const older = h("button", { type: "button", class: "plain", disabled: true }, "Older →");
  const pageLabel = h("span", { class: "muted" });
  newer.addEventListener("click", () => {
    if (cursors.length > 1) {
      cursors.pop();
      void load();
    }
  });
  older.addEventListener("click", () => {
    if (nextCursor) {
      cursors.push(nextCursor);
      void load();
    }
  });

  const el = h(
    "section",
    { class: "history", "aria-labelledby": "history-title" },
    h(
      "header",
      { class: "screen-header" },
      h("h1", { id: "history-title" }, "Past orders"),
      h("div", { class: "field inline" }, h("label", { for: "history-filter" }, "Show"), filterSelect),
    ),
    table,
    h("nav", { class: "pager", "aria-label": "Pages" }, newer, pageLabel, older),
  );

  async function load(): Promise<void> {
    table.setAttribute("aria-busy", "true");
    newer.disabled = true;
    older.disabled = true;
    try {
      const page = await ctx.api.restaurantOrders(restaurant.id, {
        cursor: cursors[cursors.length - 1],
        limit: PAGE_SIZE,
        status: FILTERS[filter]?.states ?? [],
      });
      if (disposed) return;
      nextCursor = page.nextCursor;
      newer.disabled = cursors.length <= 1;
      older.disabled = nextCursor === null;
      pageLabel.textContent = `Page ${cursors.length}`;
      if (page.orders.length === 0) {
        replaceChildren(table, h("p", { class: "muted empty" }, "No orders here yet."));
        return;
      }
      replaceChildren(
        table,
        h(
          "table",
          {},
          h("caption", { class: "visually-hidden" }, `Orders, page ${cursors.length}, newest first`),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Placed"),
              h("th", { scope: "col" }, "Order"),
              h("th", { scope: "col" }, "Status"),
              h("th", { scope: "col" }, "Prep"),
              h("th", { scope: "col", class: "num" }, "Total"),
            ),
          ),
          h(
            "tbody",
            {},
            ...page.orders.map((o) =>
              h(
                "tr",
                {},
                h("td", {}, h("time", { datetime: o.placedAt }, dateTime(o.placedAt))),
                h("td", {}, h("a", { href: `#/orders/${o.id}` }, shortId(o.id))),
                h("td", {}, h("span", { class: `badge status-${o.status}` }, STATE_LABELS[o.status])),
                h("td", {}, o.prepTimeMinutes === null ? "—" : `${o.prepTimeMinutes} min`),
                h("td", { class: "num" }, money(o.totalMinor, o.currency)),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      if (disposed) return;
      ctx.fail(error);
      replaceChildren(table, h("p", { class: "error" }, "The orders could not be loaded."));
      newer.disabled = cursors.length <= 1;
    } finally {
      table.setAttribute("aria-busy", "false");
    }
  }

  void load();
  return {
    el,
    dispose() {
      disposed = true;
    },
  };
}
