// Couriers as operators manage them: register one (vehicle, documents
// checked, active, home area; they get an invitation link), switch their
// documents check and activity, and deactivate the account.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { AccountSwitch, Field, InvitationLink, useLoad, useZones } from "./common.tsx";

type Courier = Schemas["ManagedCourier"];
type Vehicle = Courier["vehicle"];
const VEHICLES: Vehicle[] = ["foot", "bicycle", "scooter", "car"];
const vehicleKey = (v: string) => `cour.vehicle.${v}` as MessageKey;

export function CouriersScreen() {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const zones = useZones();
  const list = useLoad(() => unwrap(api.http.GET("/v1/admin/couriers", { params: { query: { limit: 200 } } })), []);
  const [draft, setDraft] = useState({
    name: "",
    email: "",
    phone: "",
    vehicle: "bicycle" as Vehicle,
    documentsChecked: false,
    active: true,
    home: "",
  });
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{ name: string; invitation: Schemas["IssuedInvitation"] } | null>(null);

  async function register(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const result = await unwrap(
        api.http.POST("/v1/admin/couriers", {
          body: {
            name: draft.name.trim(),
            email: draft.email.trim(),
            phone: draft.phone.trim(),
            vehicle: draft.vehicle,
            documentsChecked: draft.documentsChecked,
            active: draft.active,
            homeDeliveryAreaId: draft.home || null,
          },
        }),
      );
      setIssued({ name: result.courier.name, invitation: result.invitation });
      announce(t("cour.registered", { name: result.courier.name }));
      setDraft((d) => ({ ...d, name: "", email: "", phone: "" }));
      list.reload();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  async function change(courier: Courier, changes: Schemas["CourierChanges"]) {
    try {
      const saved = await unwrap(
        api.http.PATCH("/v1/admin/couriers/{id}", { params: { path: { id: courier.id } }, body: changes }),
      );
      list.set((current) =>
        current ? { ...current, couriers: current.couriers.map((c) => (c.id === saved.id ? saved : c)) } : current,
      );
      announce(t("cour.updated", { name: saved.name }));
    } catch (error) {
      fail(error);
    }
  }

  return (
    <section aria-labelledby="cour-title">
      <header className="screen-header">
        <h1 id="cour-title">{t("cour.title")}</h1>
        <button type="button" className="ghost" onClick={list.reload}>
          {t("ops.reload")}
        </button>
      </header>
      <details className="panel">
        <summary>{t("cour.register")}</summary>
        <form className="ops-form" onSubmit={(e) => void register(e)}>
          <Field id="c-name" label={t("ops.name")}>
            <input
              id="c-name"
              required
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </Field>
          <Field id="c-email" label={t("ops.email")}>
            <input
              id="c-email"
              type="email"
              required
              value={draft.email}
              onChange={(e) => setDraft({ ...draft, email: e.target.value })}
            />
          </Field>
          <Field id="c-phone" label={t("ops.phone")}>
            <input
              id="c-phone"
              type="tel"
              required
              value={draft.phone}
              onChange={(e) => setDraft({ ...draft, phone: e.target.value })}
            />
          </Field>
          <Field id="c-vehicle" label={t("cour.vehicle")}>
            <select
              id="c-vehicle"
              value={draft.vehicle}
              onChange={(e) => setDraft({ ...draft, vehicle: e.target.value as Vehicle })}
            >
              {VEHICLES.map((v) => (
                <option key={v} value={v}>
                  {t(vehicleKey(v))}
                </option>
              ))}
            </select>
          </Field>
          <Field id="c-home" label={t("cour.home")}>
            <select id="c-home" value={draft.home} onChange={(e) => setDraft({ ...draft, home: e.target.value })}>
              <option value="">{t("ops.none")}</option>
              {(zones.data ?? []).map((zone) => (
                <option key={zone.id} value={zone.id}>
                  {zone.name}
                </option>
              ))}
            </select>
          </Field>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.documentsChecked}
              onChange={(e) => setDraft({ ...draft, documentsChecked: e.target.checked })}
            />{" "}
            {t("cour.documents")}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.active}
              onChange={(e) => setDraft({ ...draft, active: e.target.checked })}
            />{" "}
            {t("ops.active")}
          </label>
          <div className="form-actions wide">
            <button type="submit" className="primary" disabled={busy}>
              {t("cour.register")}
            </button>
          </div>
        </form>
        {issued ? <InvitationLink name={issued.name} invitation={issued.invitation} /> : null}
      </details>
      <div className="table-wrap" aria-busy={list.busy}>
        {list.failed ? <p className="error">{t("ops.loadFailed")}</p> : null}
        {list.data ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t("ops.name")}</th>
                <th scope="col">{t("cour.vehicle")}</th>
                <th scope="col">{t("cour.documents")}</th>
                <th scope="col">{t("ops.active")}</th>
                <th scope="col">{t("cour.account")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.couriers.map((c) => (
                <tr key={c.id} data-courier={c.email}>
                  <td>
                    {c.name}
                    <div className="muted small-text">
                      {c.email} · {c.phone}
                    </div>
                  </td>
                  <td>{t(vehicleKey(c.vehicle))}</td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t("cour.documentsLabel", { name: c.name })}
                      checked={c.documentsChecked}
                      onChange={(e) => void change(c, { documentsChecked: e.target.checked })}
                    />
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={t("cour.activeLabel", { name: c.name })}
                      checked={c.active}
                      onChange={(e) => void change(c, { active: e.target.checked })}
                    />
                  </td>
                  <td>
                    {c.deactivatedAt ? <span className="badge status-failed">{t("ops.deactivated")}</span> : null}
                    {c.invited ? <span className="badge">{t("ops.invited")}</span> : null}{" "}
                    <AccountSwitch account={c} onChanged={list.reload} />
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
