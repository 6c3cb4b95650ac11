// The pieces both promotion screens share: the table of codes with their
// use and spend, and the form for a new code. The restaurant's screen and the
// operators' screen differ only in which endpoint they call and in what the
// form asks (a restaurant's codes are in its own currency and start now; an
// operator picks the currency and the validity window).
import { type FormEvent, type ReactNode, useState } from "react";
import type { Schemas } from "../../../shared/api/index.ts";
import { useI18n } from "../i18n.ts";

export type Promotion = Schemas["Promotion"];
export type PromotionRequest = Schemas["PromotionRequest"];

export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "12,50" in EUR is 1250; in JPY "1250" is 1250: minor units follow the currency. */
export const toMinor = (text: string, currency: string) =>
  Math.round(Number(text.replace(",", ".")) * 10 ** minorDigits(currency));

export function PromotionTable(props: {
  promotions: Promotion[] | null;
  failed: boolean;
  labelledBy: string;
  showFunding?: boolean;
  onDisable(promotion: Promotion): void;
}) {
  const { t, fmt } = useI18n();
  const { promotions } = props;
  if (props.failed) return <p className="error">{t("promo.loadFailed")}</p>;
  if (!promotions) return <p className="muted">{t("app.loading")}</p>;
  if (promotions.length === 0) return <p className="muted empty">{t("promo.none")}</p>;
  return (
    <div className="table-wrap">
      <table aria-labelledby={props.labelledBy}>
        <thead>
          <tr>
            <th scope="col">{t("promo.code")}</th>
            <th scope="col">{t("promo.kind")}</th>
            {props.showFunding ? <th scope="col">{t("promo.fundedBy")}</th> : null}
            <th scope="col" className="num">
              {t("promo.uses")}
            </th>
            <th scope="col" className="num">
              {t("promo.spent")}
            </th>
            <th scope="col">{t("promo.until")}</th>
            <th scope="col">{t("promo.status")}</th>
          </tr>
        </thead>
        <tbody>
          {promotions.map((p) => (
            <tr key={p.id} data-code={p.code}>
              <td>
                <code>{p.code}</code>
              </td>
              <td>
                {p.kind === "percent" ? `${(p.percentBps ?? 0) / 100}%` : fmt.money(p.amountMinor ?? 0, p.currency)}
              </td>
              {props.showFunding ? (
                <td>{p.fundedBy === "platform" ? t("promo.fundedPlatform") : t("promo.fundedRestaurant")}</td>
              ) : null}
              <td className="num">{p.redemptions}</td>
              <td className="num">
                {fmt.money(p.spentMinor, p.currency)}
                {p.budgetMinor !== null ? ` / ${fmt.money(p.budgetMinor, p.currency)}` : ""}
              </td>
              <td>
                <time dateTime={p.endsAt}>{fmt.dateTime(p.endsAt)}</time>
              </td>
              <td>
                {p.disabledAt ? (
                  t("promo.disabled")
                ) : (
                  <button
                    type="button"
                    aria-label={t("promo.disableLabel", { code: p.code })}
                    onClick={() => props.onDisable(p)}
                  >
                    {t("promo.disable")}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type TextField = "code" | "value" | "minOrder" | "budget" | "perCustomer" | "days" | "currency" | "starts" | "ends";

const localInput = (at: number) => {
  const d = new Date(at - new Date(at).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/**
 * The new-code form. With `currency` given, the code is in that currency and
 * valid from now for a number of days; without it, the form asks for the
 * currency and a start and end (an operator's platform-wide code).
 */
export function PromotionForm(props: {
  currency?: string;
  children?: ReactNode;
  onCreate(body: PromotionRequest): Promise<boolean>;
}) {
  const { t } = useI18n();
  const now = Date.now();
  const [form, setForm] = useState({
    code: "",
    kind: "percent" as "percent" | "fixed",
    value: "10",
    minOrder: "0",
    budget: "",
    perCustomer: "1",
    firstOrder: false,
    days: "30",
    currency: "EUR",
    starts: localInput(now),
    ends: localInput(now + 30 * 86_400_000),
  });
  const [saving, setSaving] = useState(false);
  const pickWindow = props.currency === undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    const currency = props.currency ?? form.currency.trim().toUpperCase();
    const start = pickWindow ? new Date(form.starts).getTime() : Date.now();
    const end = pickWindow ? new Date(form.ends).getTime() : start + Number(form.days || "30") * 86_400_000;
    const created = await props.onCreate({
      code: form.code.trim(),
      kind: form.kind,
      ...(form.kind === "percent"
        ? { percentBps: Math.round(Number(form.value.replace(",", ".")) * 100) }
        : { amountMinor: toMinor(form.value, currency) }),
      currency,
      minOrderMinor: toMinor(form.minOrder || "0", currency),
      budgetMinor: form.budget.trim() ? toMinor(form.budget, currency) : null,
      perCustomerLimit: Number(form.perCustomer) || null,
      firstOrderOnly: form.firstOrder,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(end).toISOString(),
    });
    if (created) setForm({ ...form, code: "" });
    setSaving(false);
  }

  const field = (name: TextField, label: string, type = "text") => (
    <div className="field">
      <label htmlFor={`promo-${name}`}>{label}</label>
      <input
        id={`promo-${name}`}
        type={type}
        value={form[name]}
        inputMode={type === "text" && name !== "code" && name !== "currency" ? "decimal" : undefined}
        required={name === "code" || name === "value" || name === "starts" || name === "ends"}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
    </div>
  );

  const validWindow = !pickWindow || (!Number.isNaN(Date.parse(form.starts)) && form.ends > form.starts);
  return (
    <form className="promo-form" onSubmit={submit}>
      <h2>{t("promo.new")}</h2>
      {field("code", t("promo.code"))}
      <div className="field">
        <label htmlFor="promo-kind">{t("promo.kind")}</label>
        <select
          id="promo-kind"
          value={form.kind}
          onChange={(e) => setForm({ ...form, kind: e.target.value === "fixed" ? "fixed" : "percent" })}
        >
          <option value="percent">{t("promo.percent")}</option>
          <option value="fixed">{t("promo.fixed")}</option>
        </select>
      </div>
      {field("value", t("promo.value"))}
      {pickWindow ? field("currency", t("promo.currency")) : null}
      {field("minOrder", t("promo.minOrder"))}
      {field("budget", t("promo.budget"))}
      {field("perCustomer", t("promo.perCustomer"))}
      {pickWindow ? (
        <>
          {field("starts", t("promo.starts"), "datetime-local")}
          {field("ends", t("promo.ends"), "datetime-local")}
        </>
      ) : (
        field("days", t("promo.days"))
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={form.firstOrder}
          onChange={(e) => setForm({ ...form, firstOrder: e.target.checked })}
        />
        {t("promo.firstOrder")}
      </label>
      {props.children}
      <button type="submit" className="primary" disabled={saving || !form.code.trim() || !validWindow}>
        {t("promo.create")}
      </button>
    </form>
  );
}
