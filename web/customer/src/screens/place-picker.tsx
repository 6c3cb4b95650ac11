// Where to deliver: the device's location, a saved address, or the city centre.
import { useEffect, useState } from "react";
import { customerApi, type SavedAddress } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { CITY_CENTRE, useShared } from "../state.tsx";

export function PlacePicker() {
  const { t } = useI18n();
  const { place, setPlace } = useShared();
  const [saved, setSaved] = useState<SavedAddress[]>([]);
  const [locating, setLocating] = useState(false);
  const [denied, setDenied] = useState(false);

  useEffect(() => {
    let live = true;
    customerApi
      .addresses()
      .then((list) => {
        if (live) setSaved(list);
      })
      .catch(() => {
        // Without saved addresses the other choices still work.
      });
    return () => {
      live = false;
    };
  }, []);

  function locate() {
    if (!("geolocation" in navigator)) {
      setDenied(true);
      return;
    }
    setLocating(true);
    setDenied(false);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        setPlace({ lat: position.coords.latitude, lng: position.coords.longitude, kind: "here", label: "here" });
      },
      () => {
        setLocating(false);
        setDenied(true);
      },
      { enableHighAccuracy: false, timeout: 10_000, maximumAge: 60_000 },
    );
  }

  const selected = place.address ? `saved:${place.address.id}` : place.kind === "here" ? "here" : "centre";
  return (
    <section className="place-picker" aria-labelledby="where-title">
      <h2 id="where-title" className="visually-hidden">
        {t("where.title")}
      </h2>
      <div className="field inline">
        <label htmlFor="where">{t("where.title")}</label>
        <select
          id="where"
          value={selected}
          onChange={(event) => {
            const value = event.target.value;
            if (value === "centre") setPlace(CITY_CENTRE);
            const address = saved.find((a) => `saved:${a.id}` === value);
            if (address) setPlace({ lat: address.lat, lng: address.lng, kind: "saved", label: address.label, address });
          }}
        >
          {selected === "here" && <option value="here">{t("where.myLocation")}</option>}
          <option value="centre">{t("where.centre")}</option>
          {saved.length > 0 && (
            <optgroup label={t("where.saved")}>
              {saved.map((a) => (
                <option key={a.id} value={`saved:${a.id}`}>
                  {a.label} · {a.line1}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <button type="button" onClick={locate} disabled={locating}>
          {locating ? t("where.locating") : t("where.useLocation")}
        </button>
      </div>
      {denied && (
        <p className="muted" role="status">
          {t("where.denied")}
        </p>
      )}
    </section>
  );
}
