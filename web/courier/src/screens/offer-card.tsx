// A new offer, full screen: where, how far, what it pays, and a countdown.
// Accept or decline; if the countdown runs out the offer is shown as missed.
import { useEffect, useRef, useState } from "react";
import { distance, money } from "../format.ts";
import { useI18n } from "../i18n.ts";
import type { HeldOffer, Shift } from "../shift/shift.ts";

export function OfferCard({ offer, answering, shift }: { offer: HeldOffer; answering: boolean; shift: Shift }) {
  const { t, lang } = useI18n();
  const total = Math.max(1, offer.expiresAt - offer.receivedAt);
  const [now, setNow] = useState(Date.now());
  const acceptRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    acceptRef.current?.focus();
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);

  const left = Math.max(0, offer.expiresAt - now);
  useEffect(() => {
    if (left === 0) shift.offerLapsed(offer.orderId);
  }, [left, offer.orderId, shift]);

  const seconds = Math.ceil(left / 1000);
  const fraction = Math.min(1, left / total);
  const radius = 44;
  const circumference = 2 * Math.PI * radius;

  return (
    <div className="offer-backdrop">
      <div
        className="offer"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="offer-title"
        aria-describedby="offer-details"
        data-order-id={offer.orderId}
      >
        <div className="offer-head">
          <p className="offer-kicker">{t("newOffer")}</p>
          <svg className="countdown" viewBox="0 0 100 100" role="img" aria-label={t("secondsLeft", { s: seconds })}>
            <circle cx="50" cy="50" r={radius} className="countdown-track" />
            <circle
              cx="50"
              cy="50"
              r={radius}
              className="countdown-left"
              strokeDasharray={circumference}
              strokeDashoffset={circumference * (1 - fraction)}
            />
            <text x="50" y="58" textAnchor="middle">
              {seconds}
            </text>
          </svg>
        </div>
        <h2 id="offer-title" className="offer-restaurant">
          {offer.restaurantName ?? t("unknownRestaurant")}
        </h2>
        {offer.payoutMinor !== null && offer.currency && (
          <p className="offer-pay">
            <span className="label">{t("payout")}</span>
            <strong>{money(offer.payoutMinor, offer.currency, lang)}</strong>
            <small>{t("tipIncluded")}</small>
          </p>
        )}
        {offer.foodReadyAt !== null && (
          <p className="offer-ready">
            {offer.foodReadyAt - now > 60_000
              ? t("foodReadyIn", { n: Math.round((offer.foodReadyAt - now) / 60_000) })
              : t("foodReadyNow")}
          </p>
        )}
        {offer.stackedWith && (
          <p className="offer-stacked" data-stacked-with={offer.stackedWith}>
            <b>{t("stackedOffer")}</b>{" "}
            {t("stackedOfferDelay", { n: Math.max(0, Math.round((offer.firstDelayMs ?? 0) / 60_000)) })}
          </p>
        )}
        <ul id="offer-details" className="offer-legs">
          <li>
            <span className="leg-icon pickup" aria-hidden="true" />
            <span>
              <b>{t("pickup")}</b> · {t("toRestaurant", { d: distance(offer.distanceM, lang) })}
            </span>
          </li>
          <li>
            <span className="leg-icon dropoff" aria-hidden="true" />
            <span>
              <b>{t("dropoff")}</b> · {t("toCustomer", { d: distance(offer.dropoffDistanceM, lang) })}
            </span>
          </li>
        </ul>
        <div className="offer-actions">
          <button type="button" className="ghost-light" disabled={answering} onClick={() => shift.answer(false)}>
            {t("decline")}
          </button>
          <button
            type="button"
            className="accept"
            ref={acceptRef}
            disabled={answering}
            onClick={() => shift.answer(true)}
          >
            {t("accept")}
          </button>
        </div>
      </div>
    </div>
  );
}
