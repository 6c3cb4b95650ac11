// Operators' tax-and-fees screen (decision 0052 and its addendum): per
// delivery area, whether prices include VAT, the area's VAT rate and the
// small-order fee with its minimum. It sends only those fields to
// PATCH /v1/admin/zones/{id} (the server audits the change); the rate is
// shown in percent and sent in basis points, money in the area's currency and
// sent in its minor units. A refusal is shown in the area's own panel, each
// field the API named marked invalid beside its label.
import { type FormEvent, useId, useState } from "react";
import { ApiError, unwrap } from "../../../shared/api/index.ts";
import { describeError, useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { minorDigits, toMinor } from "../screens/promotion-parts.tsx";
import { Field, useZones, type Zone } from "./common.tsx";

export function PricingScreen() {
  const { t } = useI18n();
  const zones = useZones();
  return (
    <section aria-labelledby="pricing-title">
      <header className="screen-header">
        <h1 id="pricing-title">{t("pricing.title")}</h1>
        <button type="button" className="ghost" onClick={zones.reload}>
          {t("ops.reload")}
        </button>
      </header>
      <p className="muted">{t("pricing.intro")}</p>
      {zones.data === null && !zones.failed && <p className="muted">{t("app.loading")}</p>}
      {zones.data?.length === 0 && <p className="muted empty">{t("pricing.none")}</p>}
      {(zones.data ?? []).map((zone) => (
        <AreaPricing
          key={zone.id}
          zone={zone}
          onSaved={(saved) => zones.set((all) => all?.map((z) => (z.id === saved.id ? saved : z)) ?? null)}
        />
      ))}
    </section>
  );
}

type FieldName = "taxBps" | "smallOrderMinimumMinor" | "smallOrderFeeMinor";

/** Minor units as the decimal an operator types: 1250 EUR → "12.50", 500 JPY → "500". */
function majorText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

function draftOf(zone: Zone) {
  return {
    included: zone.taxIncluded,
    rate: String(zone.taxBps / 100),
    minimum: majorText(zone.smallOrderMinimumMinor, zone.currency),
    fee: majorText(zone.smallOrderFeeMinor, zone.currency),
  };
}

function AreaPricing(props: { zone: Zone; onSaved(zone: Zone): void }) {
  const { t, fmt } = useI18n();
  const { announce } = useNotices();
  const { zone } = props;
  const [draft, setDraft] = useState(() => draftOf(zone));
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ message: string; fields: Map<FieldName, string> } | null>(null);
  const uid = useId();
  const id = (field: string) => `pricing-${zone.id}-${field}`;
  const errorId = `${uid}-error`;
  const step = (1 / 10 ** minorDigits(zone.currency)).toFixed(minorDigits(zone.currency));

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setRefusal(null);
    try {
      const saved = await unwrap(
        api.http.PATCH("/v1/admin/zones/{id}", {
          params: { path: { id: zone.id } },
          body: {
            taxIncluded: draft.included,
            // Percent to basis points without floating-point residue: 23.5 → 2350.
            taxBps: Math.round(Number(draft.rate.replace(",", ".")) * 100),
            smallOrderMinimumMinor: toMinor(draft.minimum, zone.currency),
            smallOrderFeeMinor: toMinor(draft.fee, zone.currency),
          },
        }),
      );
      setDraft(draftOf(saved));
      announce(t("pricing.saved", { name: saved.name }));
      props.onSaved(saved);
    } catch (error) {
      const fields = new Map<FieldName, string>();
      if (error instanceof ApiError) {
        for (const issue of error.details) {
          const name = issue.path.split(".")[0] as FieldName;
          if (name === "taxBps" || name === "smallOrderMinimumMinor" || name === "smallOrderFeeMinor") {
            fields.set(name, name === "taxBps" ? `${issue.message} ${t("pricing.bpsHint")}` : issue.message);
          }
        }
      }
      const message = error instanceof ApiError ? error.message : describeError(error, t("app.somethingWrong"));
      setRefusal({ message, fields });
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: FieldName) =>
    refusal?.fields.has(field) ? { "aria-invalid": true, "aria-describedby": errorId } : {};
  const fieldError = (field: FieldName, label: string) =>
    refusal?.fields.has(field) ? (
      <li>
        <strong>{label}</strong>: {refusal.fields.get(field)}
      </li>
    ) : null;

  const labels = {
    rate: t("pricing.rate"),
    minimum: t("pricing.minimum", { currency: zone.currency }),
    fee: t("pricing.fee", { currency: zone.currency }),
  };

  return (
    <article className="panel pricing-area" aria-labelledby={id("name")} data-testid={`pricing-${zone.id}`}>
      <h2 id={id("name")}>
        {zone.name} <span className="badge">{zone.currency}</span>{" "}
        {!zone.active && <span className="badge">{t("pricing.inactive")}</span>}
      </h2>
      <p className="muted" data-testid={`pricing-now-${zone.id}`}>
        {t("pricing.now", {
          mode: zone.taxIncluded ? t("pricing.nowIncluded") : t("pricing.nowAdded"),
          rate: `${zone.taxBps / 100} %`,
          smallOrder:
            zone.smallOrderMinimumMinor > 0 && zone.smallOrderFeeMinor > 0
              ? t("pricing.smallOrder", {
                  fee: fmt.money(zone.smallOrderFeeMinor, zone.currency),
                  minimum: fmt.money(zone.smallOrderMinimumMinor, zone.currency),
                })
              : t("pricing.noSmallOrder"),
        })}
      </p>
      <form className="ops-form" onSubmit={(e) => void save(e)}>
        <fieldset className="wide pricing-mode">
          <legend>{t("pricing.mode")}</legend>
          <label className="check">
            <input
              type="radio"
              name={id("mode")}
              checked={!draft.included}
              onChange={() => setDraft({ ...draft, included: false })}
            />{" "}
            {t("pricing.added")}
          </label>
          <label className="check">
            <input
              type="radio"
              name={id("mode")}
              checked={draft.included}
              onChange={() => setDraft({ ...draft, included: true })}
            />{" "}
            {t("pricing.included")}
          </label>
        </fieldset>
        <Field id={id("rate")} label={labels.rate}>
          <input
            id={id("rate")}
            type="number"
            inputMode="decimal"
            min={0}
            step="0.01"
            required
            value={draft.rate}
            onChange={(e) => setDraft({ ...draft, rate: e.target.value })}
            {...invalid("taxBps")}
          />
        </Field>
        <Field id={id("minimum")} label={labels.minimum}>
          <input
            id={id("minimum")}
            type="number"
            inputMode="decimal"
            min={0}
            step={step}
            required
            value={draft.minimum}
            aria-describedby={refusal?.fields.has("smallOrderMinimumMinor") ? errorId : id("minimum-help")}
            aria-invalid={refusal?.fields.has("smallOrderMinimumMinor") || undefined}
            onChange={(e) => setDraft({ ...draft, minimum: e.target.value })}
          />
          <small id={id("minimum-help")} className="muted">
            {t("pricing.minimumHelp")}
          </small>
        </Field>
        <Field id={id("fee")} label={labels.fee}>
          <input
            id={id("fee")}
            type="number"
            inputMode="decimal"
            min={0}
            step={step}
            required
            value={draft.fee}
            onChange={(e) => setDraft({ ...draft, fee: e.target.value })}
            {...invalid("smallOrderFeeMinor")}
          />
        </Field>
        {refusal && (
          <div className="wide form-error" role="alert" id={errorId} data-testid={`pricing-error-${zone.id}`}>
            <p>{t("pricing.refused", { message: refusal.message })}</p>
            {refusal.fields.size > 0 && (
              <ul>
                {fieldError("taxBps", labels.rate)}
                {fieldError("smallOrderMinimumMinor", labels.minimum)}
                {fieldError("smallOrderFeeMinor", labels.fee)}
              </ul>
            )}
          </div>
        )}
        <div className="wide form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t("pricing.saving") : t("pricing.save", { name: zone.name })}
          </button>
        </div>
      </form>
    </article>
  );
}
