// A restaurant's reviews for its staff (#/reviews), newest first, each with
// one public reply they can write and later edit (decision 51). The reply is
// a PUT: pressing twice, or retrying after a dropped answer, changes nothing.
import { type FormEvent, useState } from "react";
import { unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useLoad } from "../ops/common.tsx";
import { ReplyQuote, type Review, ReviewCard } from "./review-card.tsx";

const MAX_REPLY = 1000;

export function ReviewsScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const [older, setOlder] = useState<Review[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const page = useLoad(async () => {
    const first = await unwrap(
      api.http.GET("/v1/restaurants/{id}/reviews", {
        params: { path: { id: props.restaurant.id }, query: { limit: 20 } },
      }),
    );
    setOlder([]);
    setCursor(first.nextCursor);
    return first.reviews;
  }, [props.restaurant.id]);
  const reviews = [...(page.data ?? []), ...older];

  async function more() {
    if (!cursor) return;
    const next = await unwrap(
      api.http.GET("/v1/restaurants/{id}/reviews", {
        params: { path: { id: props.restaurant.id }, query: { limit: 20, cursor } },
      }),
    );
    setOlder((shown) => [...shown, ...next.reviews]);
    setCursor(next.nextCursor);
  }

  const replaced = (review: Review) => {
    page.set((current) => current?.map((r) => (r.orderId === review.orderId ? review : r)) ?? null);
    setOlder((shown) => shown.map((r) => (r.orderId === review.orderId ? review : r)));
  };

  return (
    <section aria-labelledby="reviews-title" className="reviews-screen">
      <header className="screen-header">
        <h1 id="reviews-title">{t("reviews.title")}</h1>
        <button type="button" className="ghost" onClick={page.reload}>
          {t("ops.reload")}
        </button>
      </header>
      <p className="muted">{t("reviews.help")}</p>
      {page.data && reviews.length === 0 ? <p className="muted empty">{t("reviews.empty")}</p> : null}
      <ul className="review-cards" aria-busy={page.busy}>
        {reviews.map((review) => (
          <ReviewCard key={review.orderId} review={review}>
            <ReplyBox restaurantId={props.restaurant.id} review={review} onSaved={replaced} />
          </ReviewCard>
        ))}
      </ul>
      {cursor ? (
        <button type="button" className="ghost" onClick={() => void more()}>
          {t("reviews.more")}
        </button>
      ) : null}
    </section>
  );
}

function ReplyBox(props: { restaurantId: string; review: Review; onSaved(review: Review): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const current = props.review.reply?.text ?? "";
  const [editing, setEditing] = useState(current === "");
  const [text, setText] = useState(current);
  const [busy, setBusy] = useState(false);
  const id = `reply-${props.review.orderId}`;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    try {
      const saved = await unwrap(
        api.http.PUT("/v1/restaurants/{id}/reviews/{orderId}/reply", {
          params: { path: { id: props.restaurantId, orderId: props.review.orderId } },
          body: { text: text.trim() },
        }),
      );
      props.onSaved(saved);
      setEditing(false);
      announce(t("reviews.sent"));
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  if (!editing && props.review.reply) {
    return (
      <>
        <ReplyQuote text={props.review.reply.text} />
        <button type="button" className="ghost small" onClick={() => setEditing(true)}>
          {t("reviews.edit")}
        </button>
      </>
    );
  }
  return (
    <form className="reply-form" onSubmit={save}>
      <label htmlFor={id} className="visually-hidden">
        {t("reviews.replyLabel", { ref: shortId(props.review.orderId) })}
      </label>
      <textarea
        id={id}
        rows={3}
        maxLength={MAX_REPLY}
        placeholder={t("reviews.reply")}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="reply-actions">
        <span className="muted small-text">{t("reviews.chars", { n: text.length, max: MAX_REPLY })}</span>
        {props.review.reply ? (
          <button
            type="button"
            className="ghost small"
            onClick={() => {
              setText(current);
              setEditing(false);
            }}
          >
            {t("reviews.cancel")}
          </button>
        ) : null}
        <button type="submit" className="primary small" disabled={busy || !text.trim()}>
          {props.review.reply ? t("reviews.update") : t("reviews.send")}
        </button>
      </div>
    </form>
  );
}
