// Menu availability: when the kitchen runs out of something, one switch takes
// it off the menu customers see (and out of carts the server will price).
// Switches move at once and roll back if the API refuses, with its reason.
import { ApiError } from "../api.ts";
import type { ConsoleContext, Restaurant } from "../context.ts";
import { h, replaceChildren, type View } from "../dom.ts";
import { money } from "../format.ts";
import type { Menu, MenuItem, MenuOption } from "../types.ts";

export function menuView(ctx: ConsoleContext, restaurant: Restaurant): View {
  let disposed = false;
  let menu: Menu | null = null;
  const search = h("input", {
    id: "menu-search",
    type: "search",
    placeholder: "Find an item",
    autocomplete: "off",
  });
  const onlyOff = h("input", { id: "menu-only-off", type: "checkbox" });
  const content = h(
    "div",
    { class: "menu-content", "aria-busy": "true" },
    h("p", { class: "muted" }, "Loading the menu…"),
  );
  const el = h(
    "section",
    { class: "menu", "aria-labelledby": "menu-title" },
    h(
      "header",
      { class: "screen-header" },
      h("h1", { id: "menu-title" }, "Menu availability"),
      h(
        "div",
        { class: "menu-filters" },
        h("label", { for: "menu-search", class: "visually-hidden" }, "Find an item"),
        search,
        h("label", { class: "check" }, onlyOff, " Only unavailable"),
      ),
    ),
    content,
  );
  search.addEventListener("input", () => render());
  onlyOff.addEventListener("change", () => render());

  /** A switch that flips at once, saves, and flips back with the API's reason if the save fails. */
  function toggle(
    label: string,
    available: boolean,
    save: (available: boolean) => Promise<unknown>,
    onSaved: (available: boolean) => void,
  ): HTMLElement {
    const input = h("input", { type: "checkbox", role: "switch", checked: available, "aria-label": label });
    const text = h("span", { class: "switch-text" }, available ? "Available" : "Unavailable");
    input.addEventListener("change", async () => {
      const wanted = input.checked;
      text.textContent = wanted ? "Available" : "Unavailable";
      input.disabled = true;
      try {
        await save(wanted);
        onSaved(wanted);
        ctx.announce(`${label.replace(/ available$/, "")} is now ${wanted ? "available" : "unavailable"}.`);
      } catch (error) {
        input.checked = !wanted;
        text.textContent = !wanted ? "Available" : "Unavailable";
        ctx.fail(error);
      } finally {
        input.disabled = false;
      }
    });
    return h("label", { class: "switch" }, input, h("span", { class: "track", "aria-hidden": "true" }), text);
  }

  function optionRow(item: MenuItem, option: MenuOption): HTMLElement {
    return h(
      "li",
      { class: ["option", option.available ? "" : "is-off"].join(" ") },
      h("span", { class: "option-name" }, option.name),
      option.priceDeltaMinor !== 0
        ? h("span", { class: "muted" }, `+${money(option.priceDeltaMinor, restaurant.currency)}`)
        : null,
      toggle(
        `${option.name} (${item.name}) available`,
        option.available,
        (available) => ctx.api.updateMenuOption(restaurant.id, option.id, { available }),
        (available) => {
          option.available = available;
        },
      ),
    );
  }

  /** The price, with an inline editor: staff fix a typo or follow a supplier's price without leaving the list. */
  function priceEditor(item: MenuItem): HTMLElement {
    const cell = h("div", { class: "price-cell" });
    const showPrice = () => {
      const edit = h(
        "button",
        { type: "button", class: "ghost small", "aria-label": `Change the price of ${item.name}` },
        "Edit",
      );
      edit.addEventListener("click", showForm);
      replaceChildren(cell, h("span", { class: "item-price" }, money(item.priceMinor, restaurant.currency)), edit);
    };
    const showForm = () => {
      const id = `price-${item.id}`;
      const input = h("input", {
        id,
        type: "number",
        inputmode: "decimal",
        min: 0,
        step: "0.01",
        required: true,
        value: (item.priceMinor / 100).toFixed(2),
      });
      const save = h("button", { type: "submit", class: "primary small" }, "Save");
      const cancel = h("button", { type: "button", class: "ghost small", onclick: () => showPrice() }, "Cancel");
      const form = h(
        "form",
        { class: "price-form" },
        h("label", { for: id, class: "visually-hidden" }, `Price of ${item.name} in ${restaurant.currency}`),
        input,
        save,
        cancel,
      );
      form.addEventListener("keydown", (event) => {
        if ((event as KeyboardEvent).key === "Escape") showPrice();
      });
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        if (!form.reportValidity()) return;
        // Whole minor units: 12.345 typed becomes 1235, never a float sent to the API.
        const priceMinor = Math.round(Number(input.value) * 100);
        save.disabled = true;
        try {
          const change = await ctx.api.updateMenuItem(restaurant.id, item.id, { priceMinor });
          item.priceMinor = change.item.priceMinor;
          ctx.announce(`${item.name} now costs ${money(item.priceMinor, restaurant.currency)}.`);
          showPrice();
        } catch (error) {
          ctx.fail(error);
          save.disabled = false;
        }
      });
      replaceChildren(cell, form);
      input.focus();
      input.select();
    };
    showPrice();
    return cell;
  }

  function itemRow(item: MenuItem): HTMLElement {
    const row = h(
      "li",
      { class: ["item", item.available ? "" : "is-off"].join(" "), "data-item-id": item.id },
      h(
        "div",
        { class: "item-main" },
        h("h3", { class: "item-name" }, item.name),
        h("p", { class: "muted item-desc" }, item.description),
      ),
      priceEditor(item),
      toggle(
        `${item.name} available`,
        item.available,
        (available) => ctx.api.updateMenuItem(restaurant.id, item.id, { available }),
        (available) => {
          item.available = available;
          row.classList.toggle("is-off", !available);
        },
      ),
    );
    const optionCount = item.groups.reduce((n, g) => n + g.options.length, 0);
    if (optionCount > 0) {
      row.appendChild(
        h(
          "details",
          { class: "item-options" },
          h("summary", {}, `Options (${optionCount})`),
          ...item.groups.map((group) =>
            h(
              "div",
              { class: "group" },
              h(
                "h4",
                {},
                group.name,
                h("span", { class: "muted" }, ` · choose ${choice(group.minChoices, group.maxChoices)}`),
              ),
              h("ul", { class: "options" }, ...group.options.map((o) => optionRow(item, o))),
            ),
          ),
        ),
      );
    }
    return row;
  }

  function render(): void {
    if (!menu) return;
    const needle = search.value.trim().toLowerCase();
    const sections = menu.categories
      .map((category) => {
        const items = category.items.filter(
          (i) =>
            (!needle || i.name.toLowerCase().includes(needle)) &&
            (!onlyOff.checked || !i.available || i.groups.some((g) => g.options.some((o) => !o.available))),
        );
        if (items.length === 0) return null;
        const id = `category-${category.id}`;
        return h(
          "section",
          { class: "category", "aria-labelledby": id },
          h("h2", { id }, category.name),
          h("ul", { class: "items" }, ...items.map(itemRow)),
        );
      })
      .filter((s) => s !== null);
    replaceChildren(
      content,
      ...(sections.length > 0 ? sections : [h("p", { class: "muted empty" }, "No items match.")]),
    );
  }

  async function load(): Promise<void> {
    try {
      const loaded = await ctx.api.menu(restaurant.id);
      if (disposed) return;
      menu = loaded;
      render();
    } catch (error) {
      if (disposed) return;
      const message = error instanceof ApiError ? error.describe() : "The menu could not be loaded.";
      replaceChildren(content, h("p", { class: "error", role: "alert" }, message));
    } finally {
      content.setAttribute("aria-busy", "false");
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

function choice(min: number, max: number): string {
  if (min === max) return `${min}`;
  if (min === 0) return `up to ${max}`;
  return `${min} to ${max}`;
}
