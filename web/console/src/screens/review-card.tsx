// One review as the console shows it, to a restaurant's staff (with the reply
// box) and to operators (with moderation): the stars, the words, the reply.
import type { ReactNode } from "react";
import type { Schemas } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useI18n } from "../i18n.ts";

export type Review = Schemas["Review"];
export type ReviewPage = Schemas["ReviewPage"];

export function ReviewCard(props: {
  review: Review;
  children?: ReactNode;
  extra?: ReactNode;
  /** The reviewed restaurant's name, where reviews of many are listed (moderation). */
  restaurantName?: string | undefined;
}) {
  const { t, fmt } = useI18n();
  const { review } = props;
  return (
    <li className="review-card panel" data-review={review.orderId}>
      <header className="review-card-head">
        {props.restaurantName ? <strong className="review-restaurant">{props.restaurantName}</strong> : null}
        <span className="review-stars" role="img" aria-label={t("reviews.stars", { stars: review.stars })}>
          {"★".repeat(review.stars)}
          <span className="review-stars-off">{"★".repeat(5 - review.stars)}</span>
        </span>
        <span className="muted small-text">
          {t("reviews.order", { ref: shortId(review.orderId) })} ·{" "}
          <time dateTime={review.createdAt}>{fmt.dateTime(review.createdAt)}</time>
        </span>
        {props.extra}
      </header>
      {review.comment !== null ? (
        <p className={review.hidden ? "review-words is-hidden" : "review-words"}>{review.comment}</p>
      ) : review.hidden ? (
        <p className="muted review-words">
          <em>{t("reviews.hidden")}</em>
        </p>
      ) : (
        <p className="muted review-words">{t("reviews.noText")}</p>
      )}
      {review.hidden && review.hiddenReason ? (
        <p className="badge status-failed">{t("reviews.hiddenAdmin", { reason: review.hiddenReason })}</p>
      ) : null}
      {props.children}
    </li>
  );
}

export function ReplyQuote(props: { text: string }) {
  const { t } = useI18n();
  return (
    <blockquote className="review-reply">
      <strong>{t("reviews.replyFrom")}</strong>
      <p>{props.text}</p>
    </blockquote>
  );
}
