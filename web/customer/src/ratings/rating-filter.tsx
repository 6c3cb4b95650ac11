// Customers' ratings in discovery: the minimum-rating filter (the server
// filters and ranks, see domain/discovery/rating-rank.ts) and each
// restaurant's average on its card.
import type { Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";

const MINIMUMS = [4.5, 4, 3.5, 3] as const;

/** 4.5 → "4.5" or "4,5": one decimal in the app's language. */
function useStars(): (value: number) => string {
  const { locale } = useI18n();
  const format = new Intl.NumberFormat(locale === "pt" ? "pt-PT" : "en-GB", {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });
  return (value) => format.format(value);
}

export function RatingFilter(props: { value: number | undefined; onChange(value: number | undefined): void }) {
  const { t } = useI18n();
  const stars = useStars();
  return (
    <div className="field">
      <label htmlFor="min-rating">{t("discover.minRating")}</label>
      <select
        id="min-rating"
        value={props.value ?? ""}
        onChange={(e) => props.onChange(e.target.value ? Number(e.target.value) : undefined)}
      >
        <option value="">{t("discover.anyRating")}</option>
        {MINIMUMS.map((min) => (
          <option key={min} value={min}>
            {t("discover.ratingAtLeast", { stars: stars(min) })}
          </option>
        ))}
      </select>
    </div>
  );
}

export function RatingChip(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const stars = useStars();
  const { ratingAverage, ratingCount } = props.restaurant;
  if (ratingAverage === null || ratingCount === 0) return <span className="tag new">{t("discover.new")}</span>;
  const average = stars(ratingAverage);
  return (
    <span className="rating-chip" role="img" aria-label={t("discover.ratingLabel", { average, count: ratingCount })}>
      {t("discover.rating", { average, count: ratingCount })}
    </span>
  );
}
