// When the order is to arrive, chosen at checkout. A restaurant delivers as
// soon as possible, or at a time the customer picks ("deliver at", within its
// hours: the server checks and says when it could instead). A slot-based
// merchant (a grocery) delivers only in its slots: the list shows each with
// what is left, full and closed ones greyed out; a slot that fills up between
// listing and paying is refused by the server with its own message.
import { useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { api, type Order } from "../api.ts";
import { useI18n } from "../i18n.ts";
import "./delivery-time.css";

type Slot = Schemas["DeliverySlot"];

export type DeliveryTime = { kind: "now" } | { kind: "later"; at: string } | { kind: "slot"; slotId: string };

/** The placement fields for a choice: nothing for now, scheduledFor or slotId otherwise. */
export function timingFields(time: DeliveryTime): { scheduledFor?: string; slotId?: string } {
  if (time.kind === "later") return { scheduledFor: time.at };
  if (time.kind === "slot") return { slotId: time.slotId };
  return {};
}

/** A datetime-local value for `ms` in the browser's zone (the field has no zone of its own). */
function localValue(ms: number): string {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

const HOUR = 3_600_000;

export function DeliveryTimePicker(props: {
  restaurantId: string;
  value: DeliveryTime;
  onChange(time: DeliveryTime): void;
  /** How the merchant delivers, once known; the cart holds payment until it is. */
  onFulfilment?(fulfilment: "on_demand" | "slots"): void;
  /** Bumped by the cart after a refused payment: what is left in each slot may have changed. */
  refresh?: number;
}) {
  const { t, fmt, locale } = useI18n();
  const { restaurantId, value, onChange, onFulfilment } = props;
  const [listing, setListing] = useState<{ fulfilment: "on_demand" | "slots"; slots: Slot[] } | null>(null);
  const [failed, setFailed] = useState(false);
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the refresh link.
  useEffect(() => {
    let live = true;
    unwrap(api.http.GET("/v1/restaurants/{id}/slots", { params: { path: { id: restaurantId } }, cache: "no-cache" }))
      .then((found) => {
        if (!live) return;
        setListing(found);
        setFailed(false);
        onFulfilment?.(found.fulfilment);
      })
      .catch(() => {
        if (live) setFailed(true);
      });
    return () => {
      live = false;
    };
  }, [restaurantId, generation, props.refresh]);

  // A slot merchant needs a slot: the first one open is chosen until the customer picks another.
  useEffect(() => {
    if (listing?.fulfilment !== "slots") return;
    const chosen = value.kind === "slot" && listing.slots.some((s) => s.id === value.slotId && s.bookable);
    if (chosen) return;
    const first = listing.slots.find((s) => s.bookable);
    if (first) onChange({ kind: "slot", slotId: first.id });
  }, [listing, value, onChange]);

  if (failed) {
    return (
      <fieldset className="delivery-time">
        <legend>{t("when.title")}</legend>
        <p className="error" role="alert">
          {t("when.loadFailed")}{" "}
          <button type="button" className="link" onClick={() => setGeneration((g) => g + 1)}>
            {t("when.retry")}
          </button>
        </p>
      </fieldset>
    );
  }
  if (!listing) return null;

  if (listing.fulfilment === "slots") {
    const days = new Map<string, Slot[]>();
    const dayName = new Intl.DateTimeFormat(locale === "pt" ? "pt-PT" : "en-GB", {
      weekday: "long",
      day: "numeric",
      month: "long",
    });
    for (const slot of listing.slots) {
      const day = dayName.format(Date.parse(slot.startsAt));
      days.set(day, [...(days.get(day) ?? []), slot]);
    }
    return (
      <fieldset className="delivery-time" data-testid="slot-picker">
        <legend>{t("when.slotTitle")}</legend>
        <p className="muted small">{t("when.slotHelp")}</p>
        {listing.slots.length === 0 ? <p className="error">{t("when.noSlots")}</p> : null}
        {listing.slots.length > 0 && !listing.slots.some((s) => s.bookable) ? (
          <p className="error" role="alert">
            {t("when.allFull")}
          </p>
        ) : null}
        {[...days.entries()].map(([day, slots]) => (
          <div key={day} className="slot-day">
            <h3>{day}</h3>
            <div className="slot-choices">
              {slots.map((slot) => {
                const chosen = value.kind === "slot" && value.slotId === slot.id;
                const state = slot.bookable
                  ? t("when.left", { count: slot.remaining })
                  : slot.remaining <= 0
                    ? t("when.full")
                    : t("when.closed");
                return (
                  <label
                    key={slot.id}
                    className={["slot", chosen ? "chosen" : "", slot.bookable ? "" : "off"].join(" ")}
                  >
                    <input
                      type="radio"
                      name="slot"
                      value={slot.id}
                      checked={chosen}
                      disabled={!slot.bookable}
                      onChange={() => onChange({ kind: "slot", slotId: slot.id })}
                    />
                    <span className="slot-time">{`${fmt.clock(slot.startsAt)}–${fmt.clock(slot.endsAt)}`}</span>
                    <span className="slot-left">{state}</span>
                  </label>
                );
              })}
            </div>
          </div>
        ))}
        <button type="button" className="link" onClick={() => setGeneration((g) => g + 1)}>
          {t("when.refresh")}
        </button>
      </fieldset>
    );
  }

  const now = Date.now();
  const earliest = localValue(now + HOUR);
  return (
    <fieldset className="delivery-time" data-testid="when-picker">
      <legend>{t("when.title")}</legend>
      <div className="tip-choices">
        <label className={value.kind === "now" ? "tip chosen" : "tip"}>
          <input type="radio" name="when" checked={value.kind === "now"} onChange={() => onChange({ kind: "now" })} />
          {t("when.asap")}
        </label>
        <label className={value.kind === "later" ? "tip chosen" : "tip"}>
          <input
            type="radio"
            name="when"
            checked={value.kind === "later"}
            onChange={() => onChange({ kind: "later", at: new Date(now + 2 * HOUR).toISOString() })}
          />
          {t("when.later")}
        </label>
      </div>
      {value.kind === "later" ? (
        <div className="field">
          <label htmlFor="deliver-at">{t("when.deliverAt")}</label>
          <input
            id="deliver-at"
            type="datetime-local"
            min={earliest}
            max={localValue(now + 7 * 24 * HOUR)}
            value={localValue(Date.parse(value.at))}
            onChange={(e) => {
              const at = Date.parse(e.target.value);
              if (Number.isFinite(at)) onChange({ kind: "later", at: new Date(at).toISOString() });
            }}
          />
          <p className="muted small">{t("when.laterHelp")}</p>
        </div>
      ) : null}
    </fieldset>
  );
}

/** On the order's page: the slot or the time it was ordered for, when it is not "as soon as possible". */
export function OrderWhen(props: { order: Pick<Order, "scheduledFor" | "deliverySlot"> }) {
  const { t, fmt, locale } = useI18n();
  const { deliverySlot, scheduledFor } = props.order;
  if (deliverySlot) {
    const day = new Intl.DateTimeFormat(locale === "pt" ? "pt-PT" : "en-GB", {
      weekday: "long",
      day: "numeric",
      month: "long",
    }).format(Date.parse(deliverySlot.startsAt));
    return (
      <p className="order-when" data-testid="order-when">
        {t("when.inSlot", { day, from: fmt.clock(deliverySlot.startsAt), to: fmt.clock(deliverySlot.endsAt) })}
      </p>
    );
  }
  if (scheduledFor) {
    return (
      <p className="order-when" data-testid="order-when">
        {t("when.scheduledFor", { time: fmt.dateTime(scheduledFor) })}
      </p>
    );
  }
  return null;
}
