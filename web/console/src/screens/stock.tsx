// Stock and delivery slots, for a grocery-style merchant: how many units of
// an item are left to sell (placement reserves them; zero takes the item off),
// and the weekly delivery windows with a capacity each.
import { type FormEvent, useId, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useLoaded } from "./loaded.ts";
import "./kitchen.css";

type StockLevel = Schemas["StockLevel"];
type SlotSettings = NonNullable<Schemas["DeliverySlotSettings"]>;
type Template = SlotSettings["templates"][number];

export function StockScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  return (
    <section className="kitchen-screen" aria-labelledby="stock-title">
      <header className="screen-header">
        <h1 id="stock-title">{t("stock.title")}</h1>
      </header>
      <StockPanel restaurant={props.restaurant} />
      <SlotsPanel restaurant={props.restaurant} />
    </section>
  );
}

function StockPanel(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const id = props.restaurant.id;
  const loaded = useLoaded(
    async () => {
      const path = { params: { path: { id } }, cache: "no-cache" as const };
      const [menu, stock] = await Promise.all([
        unwrap(api.http.GET("/v1/restaurants/{id}/menu/manage", path)),
        unwrap(api.http.GET("/v1/restaurants/{id}/stock", path)),
      ]);
      return { items: menu.categories.flatMap((c) => c.items), levels: stock.items };
    },
    id,
    t("stock.loadFailed"),
  );
  const [filter, setFilter] = useState("");
  const needle = filter.trim().toLowerCase();

  return (
    <section className="panel" aria-labelledby="stock-items">
      <h2 id="stock-items">{t("stock.items")}</h2>
      <p className="muted">{t("stock.help")}</p>
      {loaded.error ? (
        <p className="error" role="alert">
          {loaded.error}
        </p>
      ) : !loaded.data ? (
        <p className="muted">{t("app.loading")}</p>
      ) : (
        <>
          <label htmlFor="stock-find" className="visually-hidden">
            {t("menu.find")}
          </label>
          <input
            id="stock-find"
            type="search"
            placeholder={t("menu.find")}
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <ul className="plain stock-list">
            {loaded.data.items
              .filter((i) => !needle || i.name.toLowerCase().includes(needle))
              .map((item) => (
                <StockRow
                  key={item.id}
                  restaurant={props.restaurant}
                  item={item}
                  level={loaded.data?.levels.find((l) => l.itemId === item.id) ?? null}
                  onSaved={(level) =>
                    loaded.data &&
                    loaded.set({
                      ...loaded.data,
                      levels: [...loaded.data.levels.filter((l) => l.itemId !== item.id), ...(level ? [level] : [])],
                    })
                  }
                />
              ))}
          </ul>
        </>
      )}
    </section>
  );
}

function StockRow(props: {
  restaurant: Restaurant;
  item: { id: string; name: string };
  level: StockLevel | null;
  onSaved(level: StockLevel | null): void;
}) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const id = useId();
  const [count, setCount] = useState(props.level?.remaining.toString() ?? "");
  const [saving, setSaving] = useState(false);
  const { item, level } = props;

  async function save(remaining: number | null) {
    setSaving(true);
    try {
      const result = await unwrap(
        api.http.PUT("/v1/restaurants/{id}/stock", {
          params: { path: { id: props.restaurant.id } },
          body: { items: [{ itemId: item.id, remaining }] },
        }),
      );
      props.onSaved(result.items.find((l) => l.itemId === item.id) ?? null);
      if (remaining === null) setCount("");
      announce(
        remaining === null
          ? t("stock.notCounted", { name: item.name })
          : t("stock.saved", { name: item.name, count: remaining }),
      );
    } catch (error) {
      fail(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <li className="stock-row" data-item-id={item.id}>
      <span className="stock-name">{item.name}</span>
      <span className={level && level.remaining === 0 ? "badge status-rejected" : "muted"}>
        {level ? t("stock.left", { count: level.remaining }) : t("stock.uncounted")}
      </span>
      <form
        className="row"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void save(Number(count));
        }}
      >
        <label htmlFor={id} className="visually-hidden">
          {t("stock.countOf", { name: item.name })}
        </label>
        <input
          id={id}
          type="number"
          min={0}
          max={1_000_000}
          required
          value={count}
          onChange={(e) => setCount(e.target.value)}
        />
        <button
          type="submit"
          className="primary small"
          disabled={saving}
          aria-label={t("stock.setOf", { name: item.name })}
        >
          {t("stock.set")}
        </button>
        {level ? (
          <button
            type="button"
            className="ghost small"
            disabled={saving}
            aria-label={t("stock.stopOf", { name: item.name })}
            onClick={() => void save(null)}
          >
            {t("stock.stop")}
          </button>
        ) : null}
      </form>
    </li>
  );
}

const EMPTY_TEMPLATE: Template = { day: 1, start: "10:00", end: "12:00", capacity: 10 };
const WEEK = [1, 2, 3, 4, 5, 6, 0] as const;

function SlotsPanel(props: { restaurant: Restaurant }) {
  const { t, locale, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const id = props.restaurant.id;
  const slots = useLoaded(
    () => unwrap(api.http.GET("/v1/restaurants/{id}/slots", { params: { path: { id } }, cache: "no-cache" })),
    id,
    t("slots.loadFailed"),
  );
  const [templates, setTemplates] = useState<Template[]>([]);
  const [cutoff, setCutoff] = useState("60");
  const [daysAhead, setDaysAhead] = useState("7");
  const [saving, setSaving] = useState(false);
  const weekday = (day: number) =>
    new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" }).format(Date.UTC(2024, 0, 7 + day));

  async function save(settings: SlotSettings | null) {
    setSaving(true);
    try {
      await unwrap(
        api.http.PUT("/v1/restaurants/{id}/delivery-slots", { params: { path: { id } }, body: { settings } }),
      );
      await slots.reload();
      announce(settings ? t("slots.saved") : t("slots.onDemand"));
    } catch (error) {
      fail(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="slots-title">
      <h2 id="slots-title">{t("slots.title")}</h2>
      {slots.error ? (
        <p className="error" role="alert">
          {slots.error}
        </p>
      ) : !slots.data ? (
        <p className="muted">{t("app.loading")}</p>
      ) : slots.data.fulfilment === "on_demand" ? (
        <p data-testid="fulfilment">{t("slots.isOnDemand")}</p>
      ) : (
        <>
          <p data-testid="fulfilment">{t("slots.isSlots")}</p>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t("slots.upcoming")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("slots.when")}</th>
                  <th scope="col">{t("slots.left")}</th>
                </tr>
              </thead>
              <tbody>
                {slots.data.slots.map((s) => (
                  <tr key={s.id}>
                    <td>{`${fmt.dateTime(s.startsAt)} – ${fmt.clock(s.endsAt)}`}</td>
                    <td>
                      {`${s.remaining} / ${s.capacity}`}
                      {s.bookable ? "" : ` · ${t("slots.closed")}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <button type="button" className="ghost" disabled={saving} onClick={() => void save(null)}>
            {t("slots.backToOnDemand")}
          </button>
        </>
      )}
      <form
        className="slot-templates"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void save({ templates, cutoffMinutes: Number(cutoff), daysAhead: Number(daysAhead) });
        }}
      >
        <h3>{t("slots.weekly")}</h3>
        <p className="muted">{t("slots.help")}</p>
        <ul className="plain">
          {templates.map((tpl, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place.
            <li key={index} className="row wrap template">
              <label className="visually-hidden" htmlFor={`tpl-day-${index}`}>
                {t("slots.day")}
              </label>
              <select
                id={`tpl-day-${index}`}
                value={tpl.day}
                onChange={(e) =>
                  setTemplates((all) => all.map((x, i) => (i === index ? { ...x, day: Number(e.target.value) } : x)))
                }
              >
                {WEEK.map((d) => (
                  <option key={d} value={d}>
                    {weekday(d)}
                  </option>
                ))}
              </select>
              <label className="visually-hidden" htmlFor={`tpl-start-${index}`}>
                {t("slots.start")}
              </label>
              <input
                id={`tpl-start-${index}`}
                type="time"
                required
                value={tpl.start}
                onChange={(e) =>
                  setTemplates((all) => all.map((x, i) => (i === index ? { ...x, start: e.target.value } : x)))
                }
              />
              <label className="visually-hidden" htmlFor={`tpl-end-${index}`}>
                {t("slots.end")}
              </label>
              <input
                id={`tpl-end-${index}`}
                type="time"
                required
                value={tpl.end}
                onChange={(e) =>
                  setTemplates((all) => all.map((x, i) => (i === index ? { ...x, end: e.target.value } : x)))
                }
              />
              <label htmlFor={`tpl-cap-${index}`}>{t("slots.capacity")}</label>
              <input
                id={`tpl-cap-${index}`}
                type="number"
                min={1}
                max={1000}
                required
                value={tpl.capacity}
                onChange={(e) =>
                  setTemplates((all) =>
                    all.map((x, i) => (i === index ? { ...x, capacity: Number(e.target.value) } : x)),
                  )
                }
              />
              <button
                type="button"
                className="ghost small"
                onClick={() => setTemplates((all) => all.filter((_, i) => i !== index))}
              >
                {t("hours.remove")}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" className="ghost" onClick={() => setTemplates((all) => [...all, { ...EMPTY_TEMPLATE }])}>
          {t("slots.add")}
        </button>
        <div className="row wrap">
          <div className="field">
            <label htmlFor="slot-cutoff">{t("slots.cutoff")}</label>
            <input
              id="slot-cutoff"
              type="number"
              min={0}
              max={1440}
              value={cutoff}
              onChange={(e) => setCutoff(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="slot-days">{t("slots.daysAhead")}</label>
            <input
              id="slot-days"
              type="number"
              min={1}
              max={14}
              value={daysAhead}
              onChange={(e) => setDaysAhead(e.target.value)}
            />
          </div>
        </div>
        <button type="submit" className="primary" disabled={saving || templates.length === 0}>
          {t("slots.save")}
        </button>
      </form>
    </section>
  );
}
