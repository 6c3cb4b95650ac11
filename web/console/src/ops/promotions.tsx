// The operators' promotion codes (GET/POST /v1/admin/promotions): every code
// on the platform, restaurant-funded ones included, with use and spend
// against budget; a form for a platform-funded code with its own currency and
// validity window; and a button to disable any code. The table and form are
// the restaurant screen's (screens/promotion-parts.tsx).
import { useCallback, useEffect, useState } from "react";
import { unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { type Promotion, PromotionForm, type PromotionRequest, PromotionTable } from "../screens/promotion-parts.tsx";

export function PlatformPromotionsScreen() {
  const { t } = useI18n();
  const { fail, announce } = useNotices();
  const [promotions, setPromotions] = useState<Promotion[] | null>(null);
  const [failed, setFailed] = useState(false);

  const load = useCallback(() => {
    unwrap(api.http.GET("/v1/admin/promotions"))
      .then((loaded) => setPromotions(loaded.promotions))
      .catch((error: unknown) => {
        fail(error);
        setFailed(true);
      });
  }, [fail]);
  useEffect(load, [load]);

  async function create(body: PromotionRequest): Promise<boolean> {
    try {
      const created = await unwrap(
        api.http.POST("/v1/admin/promotions", { body: { ...body, fundedBy: "platform", restaurantId: null } }),
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
        api.http.POST("/v1/admin/promotions/{promotionId}/disable", {
          params: { path: { promotionId: promotion.id } },
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
        <h1 id="promo-title">{t("promo.platformTitle")}</h1>
      </header>
      <p className="muted">{t("promo.platformExplain")}</p>
      <PromotionTable
        promotions={promotions}
        failed={failed}
        labelledBy="promo-title"
        showFunding
        onDisable={(p) => void disable(p)}
      />
      <PromotionForm onCreate={create}>
        <p className="muted">{t("promo.platformFunded")}</p>
      </PromotionForm>
    </section>
  );
}
