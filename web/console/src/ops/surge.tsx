// Operators' surge screen (decision 40): each delivery area's surge now,
// with the counts behind it, and its settings: on or off, the demand ratio
// where surge starts and where it reaches its cap, the cap, the smoothing.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { Field, useLoad } from "./common.tsx";

type AreaSurge = Schemas["AreaSurge"];
type Policy = Schemas["SurgePolicy"];

const times = (bps: number) => `${(bps / 10_000).toFixed(2)}×`;

export function SurgeScreen() {
  const { t } = useI18n();
  const list = useLoad(() => unwrap(api.http.GET("/v1/admin/surge")), []);
  return (
    <section aria-labelledby="surge-title">
      <header className="screen-header">
        <h1 id="surge-title">{t("surge.title")}</h1>
        <button type="button" className="ghost" onClick={list.reload}>
          {t("ops.reload")}
        </button>
      </header>
      <p className="muted">{t("surge.intro")}</p>
      {list.data === null && !list.failed && <p className="muted">{t("app.loading")}</p>}
      {(list.data?.areas ?? []).map((area) => (
        <AreaPanel key={area.zoneId} area={area} onSaved={list.reload} />
      ))}
    </section>
  );
}

function AreaPanel(props: { area: AreaSurge; onSaved(): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const { area } = props;
  const [draft, setDraft] = useState<Policy>(area.policy);
  const [busy, setBusy] = useState(false);
  const id = (field: string) => `surge-${area.zoneId}-${field}`;

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await unwrap(api.http.PUT("/v1/admin/zones/{id}/surge", { params: { path: { id: area.zoneId } }, body: draft }));
      announce(t("surge.saved", { name: area.name }));
      props.onSaved();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  const number = (field: "startRatio" | "fullRatio" | "capBps" | "halfLifeSeconds", step: string) => (
    <input
      id={id(field)}
      type="number"
      step={step}
      required
      value={draft[field]}
      onChange={(e) => setDraft({ ...draft, [field]: Number(e.target.value) })}
    />
  );

  return (
    <article className="panel" aria-labelledby={id("name")}>
      <h2 id={id("name")}>
        {area.name} {!area.active && <span className="tag">{t("surge.inactive")}</span>}
      </h2>
      <p data-testid={`surge-now-${area.zoneId}`}>
        <strong>{times(area.surge.multiplierBps)}</strong>{" "}
        {t(`surge.reason.${area.surge.reason.code}`, {
          waiting: area.surge.reason.waitingOrders,
          couriers: area.surge.reason.availableCouriers,
        })}
      </p>
      <form className="ops-form" onSubmit={(e) => void save(e)}>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(e) => setDraft({ ...draft, enabled: e.target.checked })}
          />{" "}
          {t("surge.enabled")}
        </label>
        <Field id={id("startRatio")} label={t("surge.startRatio")}>
          {number("startRatio", "0.1")}
        </Field>
        <Field id={id("fullRatio")} label={t("surge.fullRatio")}>
          {number("fullRatio", "0.1")}
        </Field>
        <Field id={id("capBps")} label={t("surge.cap", { cap: times(draft.capBps) })}>
          {number("capBps", "500")}
        </Field>
        <Field id={id("halfLifeSeconds")} label={t("surge.halfLife")}>
          {number("halfLifeSeconds", "10")}
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t("surge.save")}
        </button>
      </form>
    </article>
  );
}
