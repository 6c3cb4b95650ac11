// Review moderation for operators (#/moderation): every review with words,
// newest first; hiding one withholds its words from everyone but operators
// (its stars still count), showing it again undoes that, and both need a
// reason that goes to the audit log (decision 51).
import { useState } from "react";
import { unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { ReplyQuote, type Review, ReviewCard } from "../screens/review-card.tsx";
import { useLoad } from "./common.tsx";

type Filter = "" | "true" | "false";

export function ModerationScreen() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<Filter>("");
  const [restaurantId, setRestaurantId] = useState("");
  const list = useLoad(
    () =>
      unwrap(
        api.http.GET("/v1/admin/reviews", {
          params: {
            query: { limit: 50, ...(filter ? { hidden: filter } : {}), ...(restaurantId ? { restaurantId } : {}) },
          },
        }),
      ),
    [filter, restaurantId],
  );
  // The restaurants to pick from by name (the platform's, active or not: old reviews outlive a pause).
  const restaurants = useLoad(
    () =>
      unwrap(api.http.GET("/v1/admin/restaurants", { params: { query: { limit: 200 } } })).then((page) =>
        page.restaurants.map((r) => ({ id: r.id, name: r.name })).sort((a, b) => a.name.localeCompare(b.name)),
      ),
    [],
  );
  // The moderation answer is a plain review: the name the list had stays.
  const replaced = (review: Review) =>
    list.set((page) =>
      page
        ? { ...page, reviews: page.reviews.map((r) => (r.orderId === review.orderId ? { ...r, ...review } : r)) }
        : page,
    );

  return (
    <section aria-labelledby="moderation-title" className="reviews-screen">
      <header className="screen-header">
        <h1 id="moderation-title">{t("moderation.title")}</h1>
        <button type="button" className="ghost" onClick={list.reload}>
          {t("ops.reload")}
        </button>
      </header>
      <p className="muted">{t("moderation.help")}</p>
      <div className="filters">
        <label htmlFor="moderation-filter">{t("moderation.filter")}</label>
        <select id="moderation-filter" value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
          <option value="">{t("moderation.all")}</option>
          <option value="false">{t("moderation.visible")}</option>
          <option value="true">{t("moderation.hiddenOnly")}</option>
        </select>
        <label htmlFor="moderation-restaurant">{t("moderation.restaurant")}</label>
        <select id="moderation-restaurant" value={restaurantId} onChange={(e) => setRestaurantId(e.target.value)}>
          <option value="">{t("moderation.anyRestaurant")}</option>
          {(restaurants.data ?? []).map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      {list.data && list.data.reviews.length === 0 ? <p className="muted empty">{t("reviews.empty")}</p> : null}
      <ul className="review-cards" aria-busy={list.busy}>
        {(list.data?.reviews ?? []).map((review) => (
          <ReviewCard
            key={review.orderId}
            review={review}
            restaurantName={review.restaurantName}
            extra={
              <a className="small-text" href={`#/audit/review/${review.orderId}`}>
                {t("moderation.audit")}
              </a>
            }
          >
            {review.reply ? <ReplyQuote text={review.reply.text} /> : null}
            <Moderate review={review} onDone={replaced} />
          </ReviewCard>
        ))}
      </ul>
    </section>
  );
}

function Moderate(props: { review: Review; onDone(review: Review): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const id = `reason-${props.review.orderId}`;
  const hide = !props.review.hidden;

  async function act() {
    if (!reason.trim()) return fail(new Error(t("moderation.needReason")));
    setBusy(true);
    try {
      const review = await unwrap(
        api.http.PUT("/v1/admin/reviews/{orderId}/moderation", {
          params: { path: { orderId: props.review.orderId } },
          body: { hidden: hide, reason: reason.trim() },
        }),
      );
      props.onDone(review);
      setReason("");
      announce(hide ? t("moderation.hiddenDone") : t("moderation.shownDone"));
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="moderate-row">
      <label htmlFor={id} className="visually-hidden">
        {t("moderation.reasonFor", { ref: shortId(props.review.orderId) })}
      </label>
      <input
        id={id}
        maxLength={300}
        placeholder={t("moderation.reason")}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="button" className={hide ? "danger small" : "small"} disabled={busy} onClick={() => void act()}>
        {hide ? t("moderation.hide") : t("moderation.unhide")}
      </button>
    </div>
  );
}
