// The kitchen's pace: how many orders it can prepare at once (or start per 15
// minutes), what happens when it is full (a longer quote, or a refusal), and
// busy mode by hand. The Restaurant DO decides admissions; this screen shows
// what it would quote the next customer, straight from it.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { numberOrNull, useLoaded } from "./loaded.ts";
import "./kitchen.css";

type KitchenState = Schemas["KitchenState"];
type Capacity = Schemas["KitchenCapacity"];
const BUSY_FOR = [15, 30, 60, 120] as const;

export function KitchenScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const id = props.restaurant.id;
  const kitchen = useLoaded(
    () => unwrap(api.http.GET("/v1/restaurants/{id}/kitchen", { params: { path: { id } }, cache: "no-cache" })),
    id,
    t("kitchen.loadFailed"),
  );

  return (
    <section className="kitchen-screen" aria-labelledby="kitchen-title">
      <header className="screen-header">
        <h1 id="kitchen-title">{t("kitchen.title")}</h1>
        <button type="button" className="ghost" onClick={() => void kitchen.reload()}>
          {t("board.refresh")}
        </button>
      </header>
      {kitchen.error ? (
        <p className="error" role="alert">
          {kitchen.error}
        </p>
      ) : !kitchen.data ? (
        <p className="muted">{t("app.loading")}</p>
      ) : (
        <>
          <KitchenNow restaurant={props.restaurant} state={kitchen.data} onChanged={kitchen.set} />
          <CapacityForm
            key={JSON.stringify(kitchen.data.capacity)}
            restaurant={props.restaurant}
            capacity={kitchen.data.capacity}
            onSaved={kitchen.set}
          />
        </>
      )}
    </section>
  );
}

function KitchenNow(props: { restaurant: Restaurant; state: KitchenState; onChanged(state: KitchenState): void }) {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const [minutes, setMinutes] = useState<number | null>(30);
  const [busy, setBusy] = useState(false);
  const { state } = props;
  const path = { params: { path: { id: props.restaurant.id } } };

  async function run(action: () => Promise<KitchenState>, done: string) {
    setBusy(true);
    try {
      props.onChanged(await action());
      announce(done);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="kitchen-now">
      <h2 id="kitchen-now">{t("kitchen.now")}</h2>
      <dl className="facts">
        <div>
          <dt>{t("kitchen.state")}</dt>
          <dd data-testid="kitchen-state" className={state.busy ? "state state-closed" : "state state-open"}>
            {state.busy
              ? t(state.reason === "manual" ? "kitchen.busyManual" : "kitchen.busyFull")
              : t("kitchen.notBusy")}
            {state.busy && state.busyUntil ? ` · ${t("kitchen.until", { time: fmt.clock(state.busyUntil) })}` : ""}
          </dd>
        </div>
        <div>
          <dt>{t("kitchen.quote")}</dt>
          <dd data-testid="kitchen-quote">
            {state.acceptingOrders && state.quotedPrepMinutes !== null
              ? t("kitchen.minutes", { minutes: state.quotedPrepMinutes })
              : t("kitchen.refusing")}
          </dd>
        </div>
        <div>
          <dt>{t("kitchen.active")}</dt>
          <dd>{state.activeOrders}</dd>
        </div>
        <div>
          <dt>{t("kitchen.started15")}</dt>
          <dd>{state.startedLast15Min}</dd>
        </div>
      </dl>
      {state.busy && state.reason === "manual" ? (
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() =>
            void run(() => unwrap(api.http.DELETE("/v1/restaurants/{id}/kitchen/busy", path)), t("kitchen.busyOff"))
          }
        >
          {t("kitchen.endBusy")}
        </button>
      ) : (
        <form
          className="row wrap"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void run(
              () => unwrap(api.http.PUT("/v1/restaurants/{id}/kitchen/busy", { ...path, body: { minutes } })),
              t("kitchen.busyOn"),
            );
          }}
        >
          <div className="field">
            <label htmlFor="busy-for">{t("kitchen.busyFor")}</label>
            <select
              id="busy-for"
              value={minutes ?? ""}
              onChange={(e) => setMinutes(e.target.value === "" ? null : Number(e.target.value))}
            >
              {BUSY_FOR.map((m) => (
                <option key={m} value={m}>
                  {t("kitchen.minutes", { minutes: m })}
                </option>
              ))}
              <option value="">{t("kitchen.untilOff")}</option>
            </select>
          </div>
          <button type="submit" className="danger" disabled={busy}>
            {t("kitchen.setBusy")}
          </button>
        </form>
      )}
    </section>
  );
}

function CapacityForm(props: { restaurant: Restaurant; capacity: Capacity; onSaved(state: KitchenState): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const c = props.capacity;
  const [atOnce, setAtOnce] = useState(c.maxActiveOrders?.toString() ?? "");
  const [per15, setPer15] = useState(c.maxOrdersPer15Min?.toString() ?? "");
  const [whenFull, setWhenFull] = useState(c.whenFull);
  const [extra, setExtra] = useState(String(c.busyExtraPrepMinutes ?? 15));
  const [longest, setLongest] = useState(String(c.maxQuotedPrepMinutes ?? 90));
  const [saving, setSaving] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    try {
      const state = await unwrap(
        api.http.PUT("/v1/restaurants/{id}/kitchen/capacity", {
          params: { path: { id: props.restaurant.id } },
          body: {
            maxActiveOrders: numberOrNull(atOnce),
            maxOrdersPer15Min: numberOrNull(per15),
            whenFull,
            busyExtraPrepMinutes: Number(extra),
            maxQuotedPrepMinutes: Number(longest),
          },
        }),
      );
      props.onSaved(state);
      announce(t("kitchen.capacitySaved"));
    } catch (error) {
      fail(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="panel" aria-labelledby="kitchen-capacity" onSubmit={save}>
      <h2 id="kitchen-capacity">{t("kitchen.capacity")}</h2>
      <p className="muted">{t("kitchen.capacityHelp")}</p>
      <div className="grid-fields">
        <div className="field">
          <label htmlFor="cap-at-once">{t("kitchen.atOnce")}</label>
          <input
            id="cap-at-once"
            type="number"
            min={1}
            max={500}
            placeholder={t("kitchen.noLimit")}
            value={atOnce}
            onChange={(e) => setAtOnce(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="cap-per-15">{t("kitchen.per15")}</label>
          <input
            id="cap-per-15"
            type="number"
            min={1}
            max={500}
            placeholder={t("kitchen.noLimit")}
            value={per15}
            onChange={(e) => setPer15(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="cap-when-full">{t("kitchen.whenFull")}</label>
          <select
            id="cap-when-full"
            value={whenFull}
            onChange={(e) => setWhenFull(e.target.value as Capacity["whenFull"])}
          >
            <option value="quote_longer">{t("kitchen.quoteLonger")}</option>
            <option value="refuse">{t("kitchen.refuse")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="cap-extra">{t("kitchen.extra")}</label>
          <input
            id="cap-extra"
            type="number"
            min={0}
            max={120}
            required
            value={extra}
            onChange={(e) => setExtra(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="cap-longest">{t("kitchen.longest")}</label>
          <input
            id="cap-longest"
            type="number"
            min={5}
            max={240}
            required
            value={longest}
            onChange={(e) => setLongest(e.target.value)}
          />
        </div>
      </div>
      <button type="submit" className="primary" disabled={saving}>
        {t("kitchen.saveCapacity")}
      </button>
    </form>
  );
}
