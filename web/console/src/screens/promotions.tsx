// A restaurant's promotion codes (GET/POST /v1/restaurants/{id}/promotions):
// the codes it funds, what each has spent and how often it was used, a form
// for a new one and a button to disable one. The discount rules are the
// server's; this screen only collects the fields.
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";

type Promotion = Schemas["Promotion"];

const toMinor = (text: string) => Math.round(Number(text.replace(",", ".")) * 100);

export function PromotionsScreen(props: { restaurant: Restaurant }) {
  const { t, fmt } = useI18n();
  const { fail, announce } = useNotices();
  const restaurantId = props.restaurant.id;
  const currency = props.restaurant.currency;
  const [promotions, setPromotions] = useState<Promotion[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [form, setForm] = useState({
    code: "",
    kind: "percent" as "percent" | "fixed",
    value: "10",
    minOrder: "0",
    budget: "",
    perCustomer: "1",
    firstOrder: false,
    days: "30",
  });
  const [saving, setSaving] = useState(false);

  const load = useCallback(() => {
    unwrap(api.http.GET("/v1/restaurants/{id}/promotions", { params: { path: { id: restaurantId } } }))
      .then((loaded) => setPromotions(loaded.promotions))
      .catch((error: unknown) => {
        fail(error);
        setFailed(true);
      });
  }, [restaurantId, fail]);
  useEffect(load, [load]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    const now = Date.now();
    try {
      const created = await unwrap(
        api.http.POST("/v1/restaurants/{id}/promotions", {
          params: { path: { id: restaurantId } },
          body: {
            code: form.code.trim(),
            kind: form.kind,
            ...(form.kind === "percent"
              ? { percentBps: Math.round(Number(form.value) * 100) }
              : { amountMinor: toMinor(form.value) }),
            currency,
            minOrderMinor: toMinor(form.minOrder || "0"),
            budgetMinor: form.budget.trim() ? toMinor(form.budget) : null,
            perCustomerLimit: Number(form.perCustomer) || null,
            firstOrderOnly: form.firstOrder,
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + Number(form.days || "30") * 86_400_000).toISOString(),
          },
        }),
      );
      announce(t("promo.created", { code: created.code }));
      setForm({ ...form, code: "" });
      load();
    } catch (error) {
      fail(error);
    } finally {
      setSaving(false);
    }
  }

  async function disable(promotion: Promotion) {
    try {
      await unwrap(
        api.http.POST("/v1/restaurants/{id}/promotions/{promotionId}/disable", {
          params: { path: { id: restaurantId, promotionId: promotion.id } },
        }),
      );
      load();
    } catch (error) {
      fail(error);
    }
  }

  const field = (name: "code" | "value" | "minOrder" | "budget" | "perCustomer" | "days", label: string) => (
    <div className="field">
      <label htmlFor={`promo-${name}`}>{label}</label>
      <input
        id={`promo-${name}`}
        value={form[name]}
        inputMode={name === "code" ? "text" : "decimal"}
        required={name === "code" || name === "value"}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
    </div>
  );

  let list: ReactNode = <p className="muted">{t("app.loading")}</p>;
  if (failed) list = <p className="error">{t("promo.loadFailed")}</p>;
  else if (promotions && promotions.length === 0) list = <p className="muted empty">{t("promo.none")}</p>;
  else if (promotions) {
    list = (
      <div className="table-wrap">
        <table aria-labelledby="promo-title">
          <thead>
            <tr>
              <th scope="col">{t("promo.code")}</th>
              <th scope="col">{t("promo.kind")}</th>
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
              <tr key={p.id}>
                <td>
                  <code>{p.code}</code>
                </td>
                <td>
                  {p.kind === "percent" ? `${(p.percentBps ?? 0) / 100}%` : fmt.money(p.amountMinor ?? 0, p.currency)}
                </td>
                <td className="num">{p.redemptions}</td>
                <td className="num">{fmt.money(p.spentMinor, p.currency)}</td>
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
                      onClick={() => void disable(p)}
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

  return (
    <section className="money" aria-labelledby="promo-title">
      <header className="screen-header">
        <h1 id="promo-title">{t("promo.title")}</h1>
      </header>
      <p className="muted">{t("promo.explain")}</p>
      {list}
      <form className="promo-form" onSubmit={create}>
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
        {field("minOrder", t("promo.minOrder"))}
        {field("budget", t("promo.budget"))}
        {field("perCustomer", t("promo.perCustomer"))}
        {field("days", t("promo.days"))}
        <label className="check">
          <input
            type="checkbox"
            checked={form.firstOrder}
            onChange={(e) => setForm({ ...form, firstOrder: e.target.checked })}
          />
          {t("promo.firstOrder")}
        </label>
        <button type="submit" className="primary" disabled={saving || !form.code.trim()}>
          {t("promo.create")}
        </button>
      </form>
    </section>
  );
}
