// One order: its lines and options, money, address, timeline (GET
// /v1/orders/{id}, live from the Order DO), and the kitchen's actions that
// the order's current state allows. The server decides; these buttons only
// offer what it would accept, and show its refusal when it does not.
import { ApiError } from "../api.ts";
import type { ConsoleContext } from "../context.ts";
import { type Child, h, replaceChildren, type View } from "../dom.ts";
import { clock, dateTime, eventLabel, money, relative, STATE_LABELS, shortId } from "../format.ts";
import type { OrderDetail, OrderLine, OrderView } from "../types.ts";

export interface OrderDetailView extends View {
  /** Re-reads the order if the board saw a newer event than the one shown. */
  seen(lastSeq: number): void;
}

const PREP_MIN = 1;
const PREP_MAX = 120;

export function orderDetail(ctx: ConsoleContext, orderId: string, options: { onClose?: () => void } = {}) {
  const body = h("div", { class: "detail-body" }, h("p", { class: "muted" }, "Loading the order…"));
  const heading = h("h2", { id: `order-${orderId}-title`, tabindex: "-1" }, `Order ${shortId(orderId)}`);
  const el = h(
    "section",
    { class: "detail", "aria-labelledby": heading.id },
    h(
      "header",
      { class: "detail-header" },
      heading,
      options.onClose
        ? h("button", { type: "button", class: "ghost", onclick: () => options.onClose?.() }, "Close")
        : null,
    ),
    body,
  );

  let shownSeq = -1;
  let loading: Promise<void> | null = null;
  let disposed = false;

  async function load(): Promise<void> {
    try {
      const detail = await ctx.api.order(orderId);
      if (disposed) return;
      shownSeq = detail.order.lastSeq;
      render(detail);
    } catch (error) {
      if (disposed) return;
      const message = error instanceof ApiError ? error.describe() : "The order could not be loaded.";
      replaceChildren(body, h("p", { class: "error", role: "alert" }, message));
    }
  }

  function reload(): Promise<void> {
    loading ??= load().finally(() => {
      loading = null;
    });
    return loading;
  }

  /** Runs one command; on success the order is re-read so state and timeline agree with the server. */
  async function run(button: HTMLButtonElement, action: () => Promise<OrderView>, done: string) {
    const form = button.closest("form");
    const controls = form ? Array.from(form.elements) : [button];
    for (const c of controls) c.setAttribute("disabled", "");
    try {
      const order = await action();
      ctx.announce(`Order ${shortId(order.id)}: ${done}.`);
      await reload();
    } catch (error) {
      ctx.fail(error);
      for (const c of controls) c.removeAttribute("disabled");
    }
  }

  function prepInput(name: string, label: string, value: number): Child {
    const id = `${name}-${orderId}`;
    return h(
      "div",
      { class: "field inline" },
      h("label", { for: id }, label),
      h("input", {
        id,
        name,
        type: "number",
        inputmode: "numeric",
        min: PREP_MIN,
        max: PREP_MAX,
        step: 1,
        required: true,
        value,
      }),
      h("span", { class: "unit" }, "min"),
    );
  }

  function reasonInput(name: string, label: string, placeholder: string): Child {
    const id = `${name}-${orderId}`;
    return h(
      "div",
      { class: "field" },
      h("label", { for: id }, label),
      h("input", { id, name, type: "text", required: true, maxlength: 300, placeholder, autocomplete: "off" }),
    );
  }

  /** A form whose submit runs `action` with the form's fields. */
  function actionForm(
    title: string,
    fields: Child[],
    submit: string,
    tone: "primary" | "danger" | "plain",
    action: (data: FormData) => Promise<OrderView>,
    done: string,
  ): HTMLFormElement {
    const button = h("button", { type: "submit", class: tone }, submit);
    const form = h("form", { class: "action", "aria-label": title }, ...fields, button) as HTMLFormElement;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      // Read before run() disables the fields: disabled fields are left out of FormData.
      const data = new FormData(form);
      void run(button, () => action(data), done);
    });
    return form;
  }

  function actionsFor(order: OrderView): Child[] {
    const api = ctx.api;
    const prep = order.prepTimeMinutes ?? 15;
    const num = (data: FormData, name: string) => Number(data.get(name));
    const text = (data: FormData, name: string) => String(data.get(name) ?? "").trim();
    const cancel = () =>
      actionForm(
        "Cancel order",
        [reasonInput("cancel-reason", "Reason for cancelling", "e.g. Ran out of an ingredient")],
        "Cancel order",
        "danger",
        (d) => api.cancel(order.id, text(d, "cancel-reason")),
        "cancelled",
      );
    const adjust = () =>
      actionForm(
        "Adjust prep time",
        [prepInput("new-prep-time", "New prep time", prep)],
        "Adjust",
        "plain",
        (d) => api.adjustPrepTime(order.id, num(d, "new-prep-time")),
        "prep time adjusted",
      );
    switch (order.status) {
      case "placed":
        return [h("p", { class: "muted" }, "Waiting for the customer's payment; nothing to do yet.")];
      case "paid":
        return [
          actionForm(
            "Accept order",
            [prepInput("prep-time", "Prep time", prep)],
            "Accept",
            "primary",
            (d) => api.accept(order.id, num(d, "prep-time")),
            "accepted",
          ),
          actionForm(
            "Reject order",
            [reasonInput("reject-reason", "Reason for rejecting", "e.g. Kitchen closing")],
            "Reject",
            "danger",
            (d) => api.reject(order.id, text(d, "reject-reason")),
            "rejected, the customer is refunded",
          ),
        ];
      case "accepted":
        return [
          actionForm(
            "Start preparing",
            [],
            "Start preparing",
            "primary",
            () => api.startPreparing(order.id),
            "preparing",
          ),
          adjust(),
          cancel(),
        ];
      case "preparing":
        return [
          actionForm("Mark ready", [], "Mark ready", "primary", () => api.markReady(order.id), "ready for pickup"),
          adjust(),
          cancel(),
        ];
      case "ready":
        return [h("p", { class: "muted" }, "Ready and waiting for the courier.")];
      default:
        return [h("p", { class: "muted" }, `This order is ${STATE_LABELS[order.status].toLowerCase()}.`)];
    }
  }

  function line(l: OrderLine, currency: string): Child {
    return h(
      "li",
      { class: "line" },
      h("span", { class: "qty" }, `${l.quantity}×`),
      h(
        "div",
        { class: "line-main" },
        h("span", { class: "line-name" }, l.name),
        l.options.length > 0 ? h("ul", { class: "line-options" }, ...l.options.map((o) => h("li", {}, o.name))) : null,
      ),
      h("span", { class: "amount" }, money(l.lineTotalMinor, currency)),
    );
  }

  function render(detail: OrderDetail): void {
    const { order, timeline } = detail;
    const cur = order.currency;
    const address = order.deliveryAddress;
    const eta =
      order.readyAt === null
        ? null
        : order.status === "ready" || order.status === "picked_up"
          ? `Ready since ${clock(order.readyAt)}`
          : `Ready by ${clock(order.readyAt)} (${relative(order.readyAt)})`;
    replaceChildren(
      body,
      h(
        "p",
        { class: "detail-status" },
        h("span", { class: `badge status-${order.status}` }, STATE_LABELS[order.status]),
        h("span", {}, `Placed ${clock(order.placedAt)} (${relative(order.placedAt)})`),
        order.prepTimeMinutes !== null ? h("span", {}, `Prep ${order.prepTimeMinutes} min`) : null,
        eta ? h("span", { class: "eta" }, eta) : null,
      ),
      h("div", { class: "actions", "aria-label": "Actions" }, ...actionsFor(order)),
      h("h3", {}, "Items"),
      h("ul", { class: "lines" }, ...order.lines.map((l) => line(l, cur))),
      h(
        "dl",
        { class: "totals" },
        ...[
          ["Subtotal", order.subtotalMinor],
          ["Delivery fee", order.deliveryFeeMinor],
          ["Service fee", order.serviceFeeMinor],
          ["Tax", order.taxMinor],
          ["Tip", order.tipMinor],
        ].flatMap(([label, value]) => [h("dt", {}, String(label)), h("dd", {}, money(Number(value), cur))]),
        h("dt", { class: "grand" }, "Total"),
        h("dd", { class: "grand" }, money(order.totalMinor, cur)),
        order.refundedMinor > 0 ? h("dt", {}, "Refunded") : null,
        order.refundedMinor > 0 ? h("dd", {}, money(order.refundedMinor, cur)) : null,
      ),
      h("h3", {}, "Delivery"),
      h(
        "p",
        { class: "address" },
        [address.line1, address.line2, `${address.postcode} ${address.city}`].filter(Boolean).join(", "),
        address.instructions ? h("span", { class: "muted block" }, `“${address.instructions}”`) : null,
        h("span", { class: "muted block" }, `Courier: ${order.delivery.replace(/_/g, " ")}`),
      ),
      h("h3", {}, "Timeline"),
      h(
        "ol",
        { class: "timeline" },
        ...timeline.map((e) =>
          h(
            "li",
            {},
            h("time", { datetime: new Date(e.at).toISOString(), title: dateTime(e.at) }, clock(e.at)),
            h("span", { class: "event" }, eventLabel(e.type)),
            h("span", { class: "muted" }, e.actorRole.replace(/_/g, " ")),
          ),
        ),
      ),
    );
  }

  void reload();

  const view: OrderDetailView = {
    el,
    seen(lastSeq) {
      if (lastSeq > shownSeq) void reload();
    },
    dispose() {
      disposed = true;
    },
  };
  return view;
}
