// A restaurant's reviews on its menu page, newest first, ten at a time: the
// stars, the customer's words (or a note that moderation hid them) and the
// restaurant's reply beneath (decision 51).
import { useEffect, useState } from "react";
import { customerApi, type Review } from "../api.ts";
import { useI18n } from "../i18n.ts";

export function ReviewsList(props: { restaurantId: string }) {
  const { t, fmt } = useI18n();
  const [reviews, setReviews] = useState<Review[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    customerApi
      .reviews(props.restaurantId)
      .then((page) => {
        if (!live) return;
        setReviews(page.reviews);
        setNext(page.nextCursor);
      })
      .catch(() => {
        if (live) setReviews([]);
      });
    return () => {
      live = false;
    };
  }, [props.restaurantId]);

  async function more() {
    if (!next) return;
    setBusy(true);
    try {
      const page = await customerApi.reviews(props.restaurantId, next);
      setReviews((shown) => [...(shown ?? []), ...page.reviews]);
      setNext(page.nextCursor);
    } finally {
      setBusy(false);
    }
  }

  if (reviews === null) return null;
  return (
    <section className="reviews" aria-labelledby="reviews-title">
      <h2 id="reviews-title">{t("reviews.title")}</h2>
      {reviews.length === 0 ? <p className="muted">{t("reviews.empty")}</p> : null}
      <ul className="review-list">
        {reviews.map((review) => (
          <li key={review.orderId} className="review">
            <p className="review-head">
              <span className="stars" role="img" aria-label={t("reviews.stars", { stars: review.stars })}>
                {"★".repeat(review.stars)}
                <span className="stars-off">{"★".repeat(5 - review.stars)}</span>
              </span>
              <time dateTime={review.createdAt} className="muted">
                {fmt.dateTime(review.createdAt)}
              </time>
            </p>
            {review.hidden ? (
              <p className="muted review-hidden">{t("reviews.hidden")}</p>
            ) : review.comment ? (
              <p className="review-text">{review.comment}</p>
            ) : (
              <p className="muted">{t("reviews.noText")}</p>
            )}
            {review.reply ? (
              <blockquote className="review-reply">
                <p className="review-reply-title">{t("reviews.reply")}</p>
                <p>{review.reply.text}</p>
              </blockquote>
            ) : null}
          </li>
        ))}
      </ul>
      {next ? (
        <button type="button" className="ghost" onClick={more} disabled={busy}>
          {t("reviews.more")}
        </button>
      ) : null}
    </section>
  );
}
