// Restaurants as operators manage them: the list with its flags (outside
// every delivery area, outside its own, none), and links to onboard a new one
// or edit one (restaurant-form.tsx).
import { useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { api } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { useLoad } from "./common.tsx";

type Flags = Schemas["RestaurantFlags"];

export function flagKeys(flags: Flags): MessageKey[] {
  const keys: MessageKey[] = [];
  if (flags.outsideEveryDeliveryArea) keys.push("rest.flag.outsideEvery");
  else if (flags.outsideOwnDeliveryArea) keys.push("rest.flag.outsideOwn");
  if (flags.noDeliveryArea) keys.push("rest.flag.noArea");
  return keys;
}

export function FlagBadges(props: { flags: Flags }) {
  const { t } = useI18n();
  return (
    <>
      {flagKeys(props.flags).map((key) => (
        <span key={key} className="badge status-failed flag">
          {t(key)}
        </span>
      ))}
    </>
  );
}

export function RestaurantsScreen() {
  const { t } = useI18n();
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [flagged, setFlagged] = useState(false);
  const list = useLoad(
    () =>
      unwrap(
        api.http.GET("/v1/admin/restaurants", {
          params: { query: { limit: 200, ...(query ? { q: query } : {}), ...(flagged ? { flagged: "true" } : {}) } },
        }),
      ),
    [query, flagged],
  );

  return (
    <section aria-labelledby="rest-title">
      <header className="screen-header">
        <h1 id="rest-title">{t("rest.title")}</h1>
        <a className="button primary" href="#/restaurants/new">
          {t("rest.new")}
        </a>
      </header>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <label className="visually-hidden" htmlFor="rest-q">
          {t("ops.search")}
        </label>
        <input
          id="rest-q"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t("ops.search")}
        />
        <button type="submit">{t("ops.search")}</button>
        <label className="check">
          <input type="checkbox" checked={flagged} onChange={(e) => setFlagged(e.target.checked)} />{" "}
          {t("rest.flaggedOnly")}
        </label>
      </form>
      <div className="table-wrap" aria-busy={list.busy}>
        {list.failed ? <p className="error">{t("ops.loadFailed")}</p> : null}
        {list.data && list.data.restaurants.length === 0 ? <p className="muted empty">{t("ops.empty")}</p> : null}
        {list.data && list.data.restaurants.length > 0 ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("ops.name")}</th>
                <th scope="col">{t("rest.area")}</th>
                <th scope="col" className="num">
                  {t("rest.commission")}
                </th>
                <th scope="col" className="num">
                  {t("rest.staff")}
                </th>
                <th scope="col">{t("ops.status")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.restaurants.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`#/restaurants/${r.id}`} aria-label={t("rest.edit", { name: r.name })}>
                      {r.name}
                    </a>
                    <div className="muted small-text">{r.address}</div>
                  </td>
                  <td>{r.deliveryAreaName ?? t("ops.none")}</td>
                  <td className="num">{(r.commissionBps / 100).toFixed(1)} %</td>
                  <td className="num">{r.staffCount}</td>
                  <td>
                    <span className={r.active ? "badge status-delivered" : "badge"}>
                      {r.active ? t("ops.active") : t("ops.inactive")}
                    </span>{" "}
                    <FlagBadges flags={r.flags} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}
