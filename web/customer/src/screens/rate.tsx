// After delivery: rate the restaurant (stars and words) and the courier
// (stars and thumbs), once. An order already rated shows what was given.
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, customerApi, type Rating } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { useErrorText } from "../state.tsx";

type Thumb = "up" | "down" | "";
const THUMBS = ["punctuality", "care", "friendliness"] as const;

function Stars(props: { name: string; legend: string; value: number; onChange(stars: number): void }) {
  const { t } = useI18n();
  return (
    <fieldset className="stars">
      <legend>{props.legend}</legend>
      {[1, 2, 3, 4, 5].map((n) => (
        <label key={n} className={n <= props.value ? "star on" : "star"}>
          <input
            type="radio"
            name={props.name}
            value={n}
            checked={props.value === n}
            onChange={() => props.onChange(n)}
            aria-label={t("rate.stars", { count: n })}
          />
          <span aria-hidden="true">★</span>
        </label>
      ))}
    </fieldset>
  );
}

export function RateOrder(props: { orderId: string; hasCourier: boolean }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const [existing, setExisting] = useState<Rating | null | undefined>(undefined);
  const [food, setFood] = useState(0);
  const [comment, setComment] = useState("");
  const [rider, setRider] = useState(0);
  const [thumbs, setThumbs] = useState<Record<(typeof THUMBS)[number], Thumb>>({
    punctuality: "",
    care: "",
    friendliness: "",
  });
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    customerApi
      .rating(props.orderId)
      .then((r) => {
        if (live) setExisting(r);
      })
      .catch((err: unknown) => {
        if (live) setExisting(err instanceof ApiError && err.code === "rating_not_found" ? null : null);
      });
    return () => {
      live = false;
    };
  }, [props.orderId]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (food === 0) {
      setError(t("rate.pickStars"));
      return;
    }
    setError(null);
    try {
      const courier =
        props.hasCourier && rider > 0
          ? {
              stars: rider,
              ...Object.fromEntries(Object.entries(thumbs).filter(([, v]) => v !== "")),
            }
          : undefined;
      setExisting(
        await customerApi.rate(props.orderId, {
          restaurant: { stars: food, ...(comment.trim() ? { comment: comment.trim() } : {}) },
          ...(courier ? { courier } : {}),
        }),
      );
    } catch (err) {
      setError(errorText(err));
    }
  }

  if (existing === undefined) return null;
  if (existing) {
    return (
      <section className="panel rating" aria-labelledby="rate-title">
        <h2 id="rate-title">{t("rate.thanks")}</h2>
        <p>
          {t("rate.restaurant")}: {"★".repeat(existing.restaurant.stars)}
          {existing.courier && ` · ${t("rate.courier")}: ${"★".repeat(existing.courier.stars)}`}
        </p>
      </section>
    );
  }
  return (
    <form className="panel rating" onSubmit={submit} aria-labelledby="rate-title">
      <h2 id="rate-title">{t("rate.title")}</h2>
      <Stars name="food" legend={t("rate.restaurant")} value={food} onChange={setFood} />
      <div className="field">
        <label htmlFor="rate-comment">{t("rate.comment")}</label>
        <textarea
          id="rate-comment"
          rows={2}
          maxLength={1000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </div>
      {props.hasCourier && (
        <>
          <Stars name="rider" legend={t("rate.courier")} value={rider} onChange={setRider} />
          <div className="thumbs">
            {THUMBS.map((aspect) => (
              <div className="field" key={aspect}>
                <label htmlFor={`thumb-${aspect}`}>{t(`rate.${aspect}` as MessageKey)}</label>
                <select
                  id={`thumb-${aspect}`}
                  value={thumbs[aspect]}
                  onChange={(e) => setThumbs({ ...thumbs, [aspect]: e.target.value as Thumb })}
                >
                  <option value="">—</option>
                  <option value="up">👍 {t("rate.up")}</option>
                  <option value="down">👎 {t("rate.down")}</option>
                </select>
              </div>
            ))}
          </div>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary">
        {t("rate.send")}
      </button>
    </form>
  );
}
