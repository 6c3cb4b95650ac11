// Editing one delivery area from the live map: its fees, whether it is
// active, and its outline (corner handles on the map, see map-canvas.ts).
// Orders already placed keep the fees they were quoted; the server audits
// the change with the values before and after.
import { type FormEvent, useState } from "react";
import { unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { Field } from "./common.tsx";
import { type Ring, ringOf, type Zone } from "./map-canvas.ts";

/**
 * Draws a new delivery area: a square in the middle of the map, inactive so
 * nobody is quoted its fees before its outline is right; then it is edited
 * like any other.
 */
export function NewZoneForm(props: { square(): Ring; currency: string; onCreated(zone: Zone): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  async function create(event: FormEvent) {
    event.preventDefault();
    const ring = props.square();
    const first = ring[0];
    if (!first) return;
    setBusy(true);
    try {
      const zone = await unwrap(
        api.http.POST("/v1/admin/zones", {
          body: {
            name: name.trim(),
            polygon: { type: "Polygon", coordinates: [[...ring, first]] },
            currency: props.currency,
            baseDeliveryFeeMinor: 199,
            perKmFeeMinor: 50,
            serviceFeeBps: 500,
            taxBps: 0,
            taxIncluded: false,
            smallOrderMinimumMinor: 0,
            smallOrderFeeMinor: 0,
            active: false,
          },
        }),
      );
      announce(t("zone.created", { name: zone.name }));
      setName("");
      props.onCreated(zone);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="inline-form new-zone" onSubmit={(e) => void create(e)}>
      <Field id="zone-new-name" label={t("zone.newName")}>
        <input id="zone-new-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <button type="submit" className="small" disabled={busy || name.trim() === ""}>
        {t("zone.new")}
      </button>
    </form>
  );
}

export function ZoneEditor(props: {
  zone: Zone;
  outline: Ring | null;
  onOutline(ring: Ring | null): void;
  onSaved(zone: Zone): void;
  onClose(): void;
}) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const { zone } = props;
  const [fees, setFees] = useState({
    base: String(zone.baseDeliveryFeeMinor),
    perKm: String(zone.perKmFeeMinor),
    service: String(zone.serviceFeeBps),
    tax: String(zone.taxBps),
    active: zone.active,
  });
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const ring = props.outline;
      const first = ring?.[0];
      const saved = await unwrap(
        api.http.PATCH("/v1/admin/zones/{id}", {
          params: { path: { id: zone.id } },
          body: {
            baseDeliveryFeeMinor: Number(fees.base),
            perKmFeeMinor: Number(fees.perKm),
            serviceFeeBps: Number(fees.service),
            taxBps: Number(fees.tax),
            active: fees.active,
            ...(ring && first ? { polygon: { type: "Polygon" as const, coordinates: [[...ring, first]] } } : {}),
          },
        }),
      );
      announce(t("zone.saved", { name: saved.name }));
      props.onSaved(saved);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  const number = (name: "base" | "perKm" | "service" | "tax", label: string) => (
    <Field id={`zone-${name}`} label={label}>
      <input
        id={`zone-${name}`}
        type="number"
        min={0}
        value={fees[name]}
        onChange={(e) => setFees({ ...fees, [name]: e.target.value })}
      />
    </Field>
  );

  return (
    <form className="panel map-detail zone-editor" aria-labelledby="zone-title" onSubmit={(e) => void save(e)}>
      <h2 id="zone-title">{t("zone.edit", { name: zone.name })}</h2>
      {number("base", t("zone.base"))}
      {number("perKm", t("zone.perKm"))}
      {number("service", t("zone.service"))}
      {number("tax", t("zone.tax"))}
      <label className="check">
        <input type="checkbox" checked={fees.active} onChange={(e) => setFees({ ...fees, active: e.target.checked })} />{" "}
        {t("ops.active")}
      </label>
      {props.outline ? (
        <>
          <p className="muted small-text">{t("zone.outlineHint")}</p>
          <p className="small-text" data-testid="zone-corners">
            {t("zone.points", { count: props.outline.length })}
          </p>
          <button type="button" className="ghost small" onClick={() => props.onOutline(null)}>
            {t("zone.stopOutline")}
          </button>
        </>
      ) : (
        <button type="button" className="small" onClick={() => props.onOutline(ringOf(zone))}>
          {t("zone.outline")}
        </button>
      )}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("ops.saving") : t("ops.save")}
        </button>
        <button type="button" className="ghost" onClick={props.onClose}>
          {t("map.close")}
        </button>
      </div>
    </form>
  );
}
