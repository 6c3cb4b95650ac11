// Menu availability: when the kitchen runs out of something, one switch takes
// it off the menu customers see (and out of carts the server will price).
// Switches move at once and roll back if the API refuses, with its reason.
// Prices are edited in place.
import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, failureText, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import "./menu.css";

type Menu = Schemas["Menu"];
type MenuItem = Schemas["MenuItem"];
type MenuOption = Schemas["MenuOption"];

export function MenuScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const [menu, setMenu] = useState<Menu | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [search, setSearch] = useState("");
  const [onlyOff, setOnlyOff] = useState(false);
  const restaurantId = props.restaurant.id;
  const loadFailed = t("menu.loadFailed");

  useEffect(() => {
    let current = true;
    // The menu is cached by ETag; "no-cache" revalidates, so an edit shows at once.
    unwrap(api.http.GET("/v1/restaurants/{id}/menu", { params: { path: { id: restaurantId } }, cache: "no-cache" }))
      .then((loaded) => {
        if (current) setMenu(loaded);
      })
      .catch((error: unknown) => {
        if (current) setLoadError(failureText(error, loadFailed));
      });
    return () => {
      current = false;
    };
  }, [restaurantId, loadFailed]);

  /** Applies a saved change to the menu shown. */
  function changeItem(itemId: string, change: (item: MenuItem) => MenuItem): void {
    setMenu(
      (m) =>
        m && {
          ...m,
          categories: m.categories.map((c) => ({ ...c, items: c.items.map((i) => (i.id === itemId ? change(i) : i)) })),
        },
    );
  }

  const needle = search.trim().toLowerCase();
  const sections = (menu?.categories ?? [])
    .map((category) => ({
      category,
      items: category.items.filter(
        (i) =>
          (!needle || i.name.toLowerCase().includes(needle)) &&
          (!onlyOff || !i.available || i.groups.some((g) => g.options.some((o) => !o.available))),
      ),
    }))
    .filter((s) => s.items.length > 0);

  let content: ReactNode;
  if (loadError) {
    content = (
      <p className="error" role="alert">
        {loadError}
      </p>
    );
  } else if (!menu) {
    content = <p className="muted">{t("menu.loading")}</p>;
  } else if (sections.length === 0) {
    content = <p className="muted empty">{t("menu.noMatch")}</p>;
  } else {
    content = sections.map(({ category, items }) => (
      <section key={category.id} className="category" aria-labelledby={`category-${category.id}`}>
        <h2 id={`category-${category.id}`}>{category.name}</h2>
        <ul className="items">
          {items.map((item) => (
            <ItemRow key={item.id} item={item} restaurant={props.restaurant} onChange={changeItem} />
          ))}
        </ul>
      </section>
    ));
  }

  return (
    <section className="menu" aria-labelledby="menu-title">
      <header className="screen-header">
        <h1 id="menu-title">{t("menu.title")}</h1>
        <div className="menu-filters">
          <label htmlFor="menu-search" className="visually-hidden">
            {t("menu.find")}
          </label>
          <input
            id="menu-search"
            type="search"
            placeholder={t("menu.find")}
            autoComplete="off"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <label className="check">
            <input
              id="menu-only-off"
              type="checkbox"
              checked={onlyOff}
              onChange={(e) => setOnlyOff(e.target.checked)}
            />{" "}
            {t("menu.onlyOff")}
          </label>
        </div>
      </header>
      <div className="menu-content" aria-busy={!menu && !loadError}>
        {content}
      </div>
    </section>
  );
}

function ItemRow(props: {
  item: MenuItem;
  restaurant: Restaurant;
  onChange(itemId: string, change: (item: MenuItem) => MenuItem): void;
}) {
  const { t } = useI18n();
  const { item, restaurant } = props;
  const optionCount = item.groups.reduce((n, g) => n + g.options.length, 0);
  const setOption = (optionId: string, available: boolean) =>
    props.onChange(item.id, (i) => ({
      ...i,
      groups: i.groups.map((g) => ({
        ...g,
        options: g.options.map((o) => (o.id === optionId ? { ...o, available } : o)),
      })),
    }));

  return (
    <li className={item.available ? "item" : "item is-off"} data-item-id={item.id}>
      <div className="item-main">
        <h3 className="item-name">{item.name}</h3>
        <p className="muted item-desc">{item.description}</p>
      </div>
      <PriceEditor
        item={item}
        restaurant={restaurant}
        onSaved={(priceMinor) => props.onChange(item.id, (i) => ({ ...i, priceMinor }))}
      />
      <Switch
        name={item.name}
        label={t("menu.switchLabel", { name: item.name })}
        checked={item.available}
        save={async (available) => {
          await unwrap(
            api.http.PATCH("/v1/restaurants/{id}/menu/items/{itemId}", {
              params: { path: { id: restaurant.id, itemId: item.id } },
              body: { available },
            }),
          );
          props.onChange(item.id, (i) => ({ ...i, available }));
        }}
      />
      {optionCount > 0 ? (
        <details className="item-options">
          <summary>{t("menu.options", { count: optionCount })}</summary>
          {item.groups.map((group) => (
            <div key={group.id} className="group">
              <h4>
                {group.name}
                <span className="muted">{` · ${t("menu.choose", { count: choice(t, group.minChoices, group.maxChoices) })}`}</span>
              </h4>
              <ul className="options">
                {group.options.map((option) => (
                  <OptionRow
                    key={option.id}
                    item={item}
                    option={option}
                    restaurant={restaurant}
                    onSaved={(available) => setOption(option.id, available)}
                  />
                ))}
              </ul>
            </div>
          ))}
        </details>
      ) : null}
    </li>
  );
}

function OptionRow(props: {
  item: MenuItem;
  option: MenuOption;
  restaurant: Restaurant;
  onSaved(available: boolean): void;
}) {
  const { t, fmt } = useI18n();
  const { option, restaurant } = props;
  return (
    <li className={option.available ? "option" : "option is-off"}>
      <span className="option-name">{option.name}</span>
      {option.priceDeltaMinor !== 0 ? (
        <span className="muted">{`+${fmt.money(option.priceDeltaMinor, restaurant.currency)}`}</span>
      ) : (
        <span />
      )}
      <Switch
        name={option.name}
        label={t("menu.optionSwitchLabel", { name: option.name, item: props.item.name })}
        checked={option.available}
        save={async (available) => {
          await unwrap(
            api.http.PATCH("/v1/restaurants/{id}/menu/options/{optionId}", {
              params: { path: { id: restaurant.id, optionId: option.id } },
              body: { available },
            }),
          );
          props.onSaved(available);
        }}
      />
    </li>
  );
}

/** A checkbox drawn as a switch: it flips at once, saves, and flips back with the API's reason if the save fails. */
function Switch(props: { name: string; label: string; checked: boolean; save(available: boolean): Promise<void> }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const [pending, setPending] = useState<boolean | null>(null);
  const shown = pending ?? props.checked;

  async function change(wanted: boolean) {
    setPending(wanted);
    try {
      await props.save(wanted);
      announce(t(wanted ? "menu.nowAvailable" : "menu.nowUnavailable", { name: props.name }));
    } catch (error) {
      fail(error);
    } finally {
      setPending(null);
    }
  }

  return (
    <label className="switch">
      <input
        type="checkbox"
        role="switch"
        checked={shown}
        aria-checked={shown}
        aria-label={props.label}
        disabled={pending !== null}
        onChange={(e) => void change(e.target.checked)}
      />
      <span className="track" aria-hidden="true" />
      <span className="switch-text">{shown ? t("menu.available") : t("menu.unavailable")}</span>
    </label>
  );
}

/** The price, with an inline editor: staff fix a typo or follow a supplier's price without leaving the list. */
function PriceEditor(props: { item: MenuItem; restaurant: Restaurant; onSaved(priceMinor: number): void }) {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const { item, restaurant } = props;
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Whole minor units: 12.345 typed becomes 1235, never a float sent to the API.
    const priceMinor = Math.round(Number(input.current?.value) * 100);
    setBusy(true);
    try {
      const change = await unwrap(
        api.http.PATCH("/v1/restaurants/{id}/menu/items/{itemId}", {
          params: { path: { id: restaurant.id, itemId: item.id } },
          body: { priceMinor },
        }),
      );
      props.onSaved(change.item.priceMinor);
      announce(t("menu.nowCosts", { name: item.name, price: fmt.money(change.item.priceMinor, restaurant.currency) }));
      setEditing(false);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  if (!editing) {
    return (
      <div className="price-cell">
        <span className="item-price">{fmt.money(item.priceMinor, restaurant.currency)}</span>
        <button
          type="button"
          className="ghost small"
          aria-label={t("menu.changePrice", { name: item.name })}
          onClick={() => setEditing(true)}
        >
          {t("menu.edit")}
        </button>
      </div>
    );
  }
  return (
    <form
      className="price-form"
      onSubmit={save}
      onKeyDown={(event) => {
        if (event.key === "Escape") setEditing(false);
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        {t("menu.priceOf", { name: item.name, currency: restaurant.currency })}
      </label>
      <input
        ref={input}
        id={id}
        type="number"
        inputMode="decimal"
        min={0}
        step="0.01"
        required
        defaultValue={(item.priceMinor / 100).toFixed(2)}
      />
      <button type="submit" className="primary small" disabled={busy}>
        {t("menu.save")}
      </button>
      <button type="button" className="ghost small" onClick={() => setEditing(false)}>
        {t("menu.cancel")}
      </button>
    </form>
  );
}

function choice(t: ReturnType<typeof useI18n>["t"], min: number, max: number): string {
  if (min === max) return `${min}`;
  if (min === 0) return t("menu.upTo", { max });
  return t("menu.range", { min, max });
}
