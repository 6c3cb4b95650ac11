// A restaurant's promotion codes (GET/POST /v1/restaurants/{id}/promotions):
// the codes it funds, what each has spent and how often it was used, a form
// for a new one and a button to disable one. The discount rules are the
// server's; this screen only collects the fields.
import { useCallback, useEffect, useState } from "react";
import { unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { type Promotion, PromotionForm, type PromotionRequest, PromotionTable } from "./promotion-parts.tsx";

export function PromotionsScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const { fail, announce } = useNotices();
  const restaurantId = props.restaurant.id;
  const [promotions, setPromotions] = useState<Promotion[] | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(() => {
    unwrap(api.http.GET("/v1/restaurants/{id}/promotions", { params: { path: { id: restaurantId } } }))
      .then((loaded) => setPromotions(loaded.promotions))
      .catch((error: unknown) => {
        fail(error);
        setFailed(true);
      });
  }, [restaurantId, fail]);
  useEffect(load, [load]);

  async function create(body: PromotionRequest): Promise<boolean> {
    try {
      const created = await unwrap(
        api.http.POST("/v1/restaurants/{id}/promotions", { params: { path: { id: restaurantId } }, body }),
      );
      announce(t("promo.created", { code: created.code }));
      load();
      return true;
    } catch (error) {
      fail(error);
      return false;
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

  return (
    <section className="money" aria-labelledby="promo-title">
      <header className="screen-header">
        <h1 id="promo-title">{t("promo.title")}</h1>
      </header>
      <p className="muted">{t("promo.explain")}</p>
      <PromotionTable
        promotions={promotions}
        failed={failed}
        labelledBy="promo-title"
        onDisable={(p) => void disable(p)}
      />
      <PromotionForm currency={props.restaurant.currency} onCreate={create} />
    </section>
  );
}
