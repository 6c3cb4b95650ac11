// Restaurants that deliver to the chosen point: filters, a list with each
// one's delivery fee and time for that point, and the same on a map.
import { useEffect, useMemo, useState } from "react";
import { customerApi, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { RatingChip, RatingFilter } from "../ratings/rating-filter.tsx";
import { useErrorText, useShared } from "../state.tsx";
import { type MapArea, type MapPoint, LazyPointsMap as PointsMap } from "./lazy-map.tsx";
import { PlacePicker } from "./place-picker.tsx";

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function DiscoverScreen() {
  const { t, fmt } = useI18n();
  const errorText = useErrorText();
  const { place } = useShared();
  const [text, setText] = useState("");
  const [cuisine, setCuisine] = useState("");
  const [openNow, setOpenNow] = useState(false);
  const [minRating, setMinRating] = useState<number | undefined>(undefined);
  const [restaurants, setRestaurants] = useState<Restaurant[] | null>(null);
  const [areas, setAreas] = useState<MapArea[]>([]);
  const [cuisines, setCuisines] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const q = useDebounced(text.trim(), 300);

  useEffect(() => {
    let live = true;
    setError(null);
    customerApi
      .nearby({ lat: place.lat, lng: place.lng, cuisine, q, openNow, minRating })
      .then(({ restaurants: list, deliveryAreas }) => {
        if (!live) return;
        setRestaurants(list);
        setAreas(deliveryAreas.map((a) => ({ id: a.id, label: a.name, coordinates: a.coordinates })));
        // The cuisine choices grow with what has been seen, so picking one does not hide the others.
        setCuisines((known) => [...new Set([...known, ...list.flatMap((r) => r.cuisines)])].sort());
      })
      .catch((err: unknown) => {
        if (live) setError(errorText(err));
      });
    return () => {
      live = false;
    };
  }, [place.lat, place.lng, cuisine, q, openNow, minRating, errorText]);

  const points = useMemo<MapPoint[]>(
    () => [
      { id: "you", lat: place.lat, lng: place.lng, kind: "you", label: t("map.you") },
      ...(restaurants ?? []).map((r) => ({
        id: r.id,
        lat: r.lat,
        lng: r.lng,
        kind: "restaurant" as const,
        label: r.name,
        radiusM: r.deliveryRadiusM,
        href: `#/r/${r.id}`,
      })),
    ],
    [restaurants, place.lat, place.lng, t],
  );

  return (
    <div className="discover">
      <h1>{t("discover.title")}</h1>
      <PlacePicker />
      <div className="filters">
        <div className="field">
          <label htmlFor="search">{t("discover.search")}</label>
          <input id="search" type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="cuisine">{t("discover.cuisine")}</label>
          <select id="cuisine" value={cuisine} onChange={(e) => setCuisine(e.target.value)}>
            <option value="">{t("discover.anyCuisine")}</option>
            {cuisines.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <RatingFilter value={minRating} onChange={setMinRating} />
        <label className="check">
          <input type="checkbox" checked={openNow} onChange={(e) => setOpenNow(e.target.checked)} />
          {t("discover.openNow")}
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="discover-body">
        <section aria-labelledby="results" className="results">
          <h2 id="results" className="small-heading" aria-live="polite">
            {restaurants === null ? t("app.loading") : t("discover.count", { count: restaurants.length })}
          </h2>
          {restaurants?.length === 0 && <p className="muted">{t("discover.none")}</p>}
          <ul className="restaurant-list">
            {(restaurants ?? []).map((r) => (
              <li key={r.id}>
                <a href={`#/r/${r.id}`} className="restaurant-card">
                  <span className="restaurant-name">{r.name}</span>
                  <span className="muted">{r.cuisines.join(" · ")}</span>
                  <span className="facts">
                    <RatingChip restaurant={r} />
                    <span>
                      {t("discover.eta", {
                        from: r.deliveryWindowMinutes.earliest,
                        to: r.deliveryWindowMinutes.latest,
                      })}
                    </span>
                    <span>
                      {r.deliveryFeeMinor === null
                        ? t("discover.noFee")
                        : t("discover.fee", { fee: fmt.money(r.deliveryFeeMinor, r.currency) })}
                    </span>
                    <span>{t("discover.away", { km: (r.distanceM / 1000).toFixed(1) })}</span>
                    {!r.openNow && (
                      <span className="tag closed">
                        {r.opensAt ? t("discover.opensAt", { time: fmt.clock(r.opensAt) }) : t("discover.closed")}
                      </span>
                    )}
                    {r.openNow && r.busy && <span className="tag busy">{t("discover.busy")}</span>}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
        <PointsMap
          points={points}
          label={t("map.label")}
          legend={{ restaurant: t("map.restaurant"), you: t("map.you"), courier: t("order.courier") }}
          className="discover-map"
          areas={areas}
          areaLegend={t("map.areas")}
        />
      </div>
    </div>
  );
}
