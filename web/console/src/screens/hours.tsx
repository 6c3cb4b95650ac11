// Opening hours: the weekly slots (several a day; a close before the open runs
// past midnight), special days (closed, or other hours, on a date) and a
// pause ("closed for the next 30 minutes"). The API rewrites discovery and the
// ordering profile before it answers, so what is saved here is what customers
// see on their next search.
import { type FormEvent, useId, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { useLoaded } from "./loaded.ts";
import "./kitchen.css";

type Hours = Schemas["RestaurantHours"];
type DaySlot = Schemas["DaySlot"];
type SpecialDay = Schemas["SpecialDay"];

/** Monday first, as a kitchen's week is written; the API counts from Sunday (0). */
const WEEK = [1, 2, 3, 4, 5, 6, 0] as const;
const PAUSES = [15, 30, 60, 120] as const;

function dayName(locale: string, day: number): string {
  // 7 January 2024 was a Sunday.
  return new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" }).format(Date.UTC(2024, 0, 7 + day));
}

function byDay(weekly: Hours["weekly"]): DaySlot[][] {
  const days: DaySlot[][] = [[], [], [], [], [], [], []];
  for (const slot of weekly) days[slot.day]?.push({ open: slot.open, close: slot.close });
  for (const slots of days) slots.sort((a, b) => a.open.localeCompare(b.open));
  return days;
}

export function HoursScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const id = props.restaurant.id;
  const hours = useLoaded(
    () => unwrap(api.http.GET("/v1/restaurants/{id}/hours", { params: { path: { id } }, cache: "no-cache" })),
    id,
    t("hours.loadFailed"),
  );

  return (
    <section className="kitchen-screen" aria-labelledby="hours-title">
      <header className="screen-header">
        <h1 id="hours-title">{t("hours.title")}</h1>
      </header>
      {hours.error ? (
        <p className="error" role="alert">
          {hours.error}
        </p>
      ) : !hours.data ? (
        <p className="muted">{t("app.loading")}</p>
      ) : (
        <>
          <NowPanel restaurant={props.restaurant} hours={hours.data} onChanged={hours.reload} />
          <HoursEditor
            key={JSON.stringify(hours.data.weekly)}
            restaurant={props.restaurant}
            hours={hours.data}
            onSaved={hours.reload}
          />
        </>
      )}
    </section>
  );
}

/** Open or closed now, and the pause: the one control staff reach for in a rush. */
function NowPanel(props: { restaurant: Restaurant; hours: Hours; onChanged(): Promise<void> }) {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const [minutes, setMinutes] = useState<number>(30);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const { availability, pausedUntil } = props.hours;
  const path = { params: { path: { id: props.restaurant.id } } };

  async function run(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await action();
      await props.onChanged();
      announce(done);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  const reasonKey: MessageKey | null = availability.reason ? `hours.reason.${availability.reason}` : null;
  return (
    <section className="panel" aria-labelledby="hours-now">
      <h2 id="hours-now">{t("hours.now")}</h2>
      <p className={availability.open ? "state state-open" : "state state-closed"} data-testid="hours-state">
        {availability.open ? t("hours.openNow") : t("hours.closedNow")}
        {reasonKey ? ` · ${t(reasonKey)}` : ""}
        {availability.open && availability.closesAt
          ? ` · ${t("hours.closesAt", { time: fmt.dateTime(availability.closesAt) })}`
          : ""}
        {!availability.open && availability.opensAt
          ? ` · ${t("hours.opensAt", { time: fmt.dateTime(availability.opensAt) })}`
          : ""}
      </p>
      {pausedUntil && new Date(pausedUntil).getTime() > Date.now() ? (
        <div className="row">
          <p>{t("hours.pausedUntil", { time: fmt.clock(pausedUntil) })}</p>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() =>
              void run(() => unwrap(api.http.DELETE("/v1/restaurants/{id}/pause", path)), t("hours.resumed"))
            }
          >
            {t("hours.resume")}
          </button>
        </div>
      ) : (
        <form
          className="row wrap"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void run(
              () =>
                unwrap(
                  api.http.PUT("/v1/restaurants/{id}/pause", {
                    ...path,
                    body: reason.trim() ? { minutes, reason: reason.trim() } : { minutes },
                  }),
                ),
              t("hours.paused", { minutes }),
            );
          }}
        >
          <div className="field">
            <label htmlFor="pause-minutes">{t("hours.pauseFor")}</label>
            <select id="pause-minutes" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
              {PAUSES.map((m) => (
                <option key={m} value={m}>
                  {t("hours.minutes", { minutes: m })}
                </option>
              ))}
            </select>
          </div>
          <div className="field grow">
            <label htmlFor="pause-reason">{t("hours.pauseReason")}</label>
            <input id="pause-reason" maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="danger" disabled={busy}>
            {t("hours.pause")}
          </button>
        </form>
      )}
    </section>
  );
}

function HoursEditor(props: { restaurant: Restaurant; hours: Hours; onSaved(): Promise<void> }) {
  const { t, locale } = useI18n();
  const { announce, fail } = useNotices();
  const [days, setDays] = useState(() => byDay(props.hours.weekly));
  const [special, setSpecial] = useState<SpecialDay[]>(props.hours.specialDays);
  const [saving, setSaving] = useState(false);

  const setDay = (day: number, slots: DaySlot[]) => setDays((d) => d.map((s, i) => (i === day ? slots : s)));

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    try {
      const weekly = days.flatMap((slots, day) => slots.map((s) => ({ day, ...s })));
      await unwrap(
        api.http.PUT("/v1/restaurants/{id}/hours", {
          params: { path: { id: props.restaurant.id } },
          body: { weekly, specialDays: special.map((s) => (s.note ? s : { date: s.date, slots: s.slots })) },
        }),
      );
      await props.onSaved();
      announce(t("hours.saved"));
    } catch (error) {
      fail(error);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form onSubmit={save} className="hours-form">
      <section className="panel" aria-labelledby="hours-weekly">
        <h2 id="hours-weekly">{t("hours.weekly")}</h2>
        <p className="muted">{t("hours.weeklyHelp")}</p>
        <ul className="plain days">
          {WEEK.map((day) => (
            <li key={day} className="day" data-day={day}>
              <h3 className="day-name">{dayName(locale, day)}</h3>
              <SlotList label={dayName(locale, day)} slots={days[day] ?? []} onChange={(slots) => setDay(day, slots)} />
            </li>
          ))}
        </ul>
      </section>
      <section className="panel" aria-labelledby="hours-special">
        <h2 id="hours-special">{t("hours.special")}</h2>
        <p className="muted">{t("hours.specialHelp")}</p>
        <ul className="plain special-days">
          {special.map((s, index) => (
            <SpecialDayRow
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; the date itself is being edited.
              key={index}
              day={s}
              onChange={(next) => setSpecial((all) => all.map((x, i) => (i === index ? next : x)))}
              onRemove={() => setSpecial((all) => all.filter((_, i) => i !== index))}
            />
          ))}
        </ul>
        <button
          type="button"
          className="ghost"
          onClick={() => setSpecial((all) => [...all, { date: tomorrow(props.hours.timeZone), slots: [] }])}
        >
          {t("hours.addSpecial")}
        </button>
      </section>
      <div className="sticky-actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? t("hours.saving") : t("hours.save")}
        </button>
      </div>
    </form>
  );
}

function SlotList(props: { label: string; slots: DaySlot[]; onChange(slots: DaySlot[]): void }) {
  const { t } = useI18n();
  const { slots } = props;
  return (
    <div className="slots">
      {slots.length === 0 ? <span className="muted closed-all-day">{t("hours.closedAllDay")}</span> : null}
      {slots.map((slot, index) => (
        <SlotRow
          // biome-ignore lint/suspicious/noArrayIndexKey: a slot has no identity but its place while being edited.
          key={index}
          label={`${props.label} ${index + 1}`}
          slot={slot}
          onChange={(next) => props.onChange(slots.map((s, i) => (i === index ? next : s)))}
          onRemove={() => props.onChange(slots.filter((_, i) => i !== index))}
        />
      ))}
      <button
        type="button"
        className="ghost small"
        aria-label={t("hours.addSlotTo", { day: props.label })}
        onClick={() =>
          props.onChange([
            ...slots,
            slots.length ? { open: "19:00", close: "23:00" } : { open: "12:00", close: "15:00" },
          ])
        }
        disabled={slots.length >= 6}
      >
        {t("hours.addSlot")}
      </button>
    </div>
  );
}

function SlotRow(props: { label: string; slot: DaySlot; onChange(slot: DaySlot): void; onRemove(): void }) {
  const { t } = useI18n();
  const id = useId();
  const { slot } = props;
  const overnight = slot.close < slot.open;
  const allDay = slot.close === slot.open;
  return (
    <div className="slot">
      <label htmlFor={`${id}-open`} className="visually-hidden">
        {t("hours.opensLabel", { slot: props.label })}
      </label>
      <input
        id={`${id}-open`}
        type="time"
        required
        value={slot.open}
        onChange={(e) => props.onChange({ ...slot, open: e.target.value })}
      />
      <span aria-hidden="true">–</span>
      <label htmlFor={`${id}-close`} className="visually-hidden">
        {t("hours.closesLabel", { slot: props.label })}
      </label>
      <input
        id={`${id}-close`}
        type="time"
        required
        value={slot.close}
        onChange={(e) => props.onChange({ ...slot, close: e.target.value })}
      />
      {overnight ? <span className="badge">{t("hours.pastMidnight")}</span> : null}
      {allDay ? <span className="badge">{t("hours.allDay")}</span> : null}
      <button
        type="button"
        className="ghost small"
        aria-label={t("hours.removeSlot", { slot: props.label })}
        onClick={props.onRemove}
      >
        {t("hours.remove")}
      </button>
    </div>
  );
}

function SpecialDayRow(props: { day: SpecialDay; onChange(day: SpecialDay): void; onRemove(): void }) {
  const { t } = useI18n();
  const id = useId();
  const { day } = props;
  const closed = day.slots.length === 0;
  return (
    <li className="special-day">
      <div className="row wrap">
        <div className="field">
          <label htmlFor={`${id}-date`}>{t("hours.date")}</label>
          <input
            id={`${id}-date`}
            type="date"
            required
            value={day.date}
            onChange={(e) => props.onChange({ ...day, date: e.target.value })}
          />
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={closed}
            onChange={(e) =>
              props.onChange({ ...day, slots: e.target.checked ? [] : [{ open: "12:00", close: "16:00" }] })
            }
          />{" "}
          {t("hours.closedThatDay")}
        </label>
        <div className="field grow">
          <label htmlFor={`${id}-note`}>{t("hours.note")}</label>
          <input
            id={`${id}-note`}
            maxLength={120}
            value={day.note ?? ""}
            onChange={(e) => props.onChange({ ...day, note: e.target.value })}
          />
        </div>
        <button
          type="button"
          className="ghost small"
          aria-label={t("hours.removeSpecial", { date: day.date })}
          onClick={props.onRemove}
        >
          {t("hours.remove")}
        </button>
      </div>
      {closed ? null : (
        <SlotList label={day.date} slots={day.slots} onChange={(slots) => props.onChange({ ...day, slots })} />
      )}
    </li>
  );
}

/** Tomorrow's date where the restaurant is: a special day for today is rarely planned in advance. */
function tomorrow(timeZone: string): string {
  const date = new Date(Date.now() + 24 * 3600_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}
