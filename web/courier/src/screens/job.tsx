// The current job: where to go (with links that open the phone's maps app),
// what to carry, and the next step. Refusals are explained in the courier's
// terms: how far they are from where they must be, how many PIN attempts are
// left. Before pickup the job can be handed back; at the door, a customer who
// does not answer starts a wait, after which the delivery can be reported failed.
import { type FormEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  ApiError,
  type CourierApi,
  type CourierJob,
  type CourierStep,
  type FailReason,
  type HandBackReason,
} from "../api.ts";
import { clock, distance, mapsLink, minutesSeconds, money } from "../format.ts";
import { type MessageKey, type Translate, useI18n } from "../i18n.ts";
import { downscalePhoto } from "../photo.ts";
import type { Shift, ShiftState } from "../shift/shift.ts";
import { ScreenWakeLock } from "../shift/wake-lock.ts";

const NEXT: Record<string, { step: CourierStep; label: MessageKey } | undefined> = {
  assigned: { step: "arrived-at-pickup", label: "stepArrivedPickup" },
  at_pickup: { step: "picked-up", label: "stepPickedUp" },
  picked_up: { step: "arrived-at-dropoff", label: "stepArrivedDropoff" },
  at_dropoff: { step: "delivered", label: "stepDelivered" },
};

const PROGRESS: Array<[string, MessageKey]> = [
  ["at_pickup", "progressAtPickup"],
  ["picked_up", "progressPickedUp"],
  ["at_dropoff", "progressAtDropoff"],
  ["delivered", "progressDelivered"],
];
const ORDER = ["assigned", "at_pickup", "picked_up", "at_dropoff", "delivered"];

const HAND_BACK_REASONS: readonly HandBackReason[] = [
  "cannot_find_restaurant",
  "restaurant_closed",
  "order_not_ready",
  "vehicle_problem",
  "personal_emergency",
  "other",
];
const FAIL_REASONS: readonly FailReason[] = ["customer_unreachable", "address_not_found"];

function ended(job: CourierJob): boolean {
  return job.status === "delivered" || job.delivery === "failed" || job.status === "cancelled";
}

function explain(error: unknown, t: Translate, lang: "en" | "pt", step?: CourierStep): string {
  if (!(error instanceof ApiError)) return t("somethingWrong", { m: String(error) });
  switch (error.code) {
    case "outside_geofence": {
      const pickupStep = step === "arrived-at-pickup" || step === "picked-up";
      return t("tooFar", {
        d: distance(Number(error.extra.distanceM ?? 0), lang),
        r: distance(Number(error.extra.radiusM ?? 0), lang),
        place: t(pickupStep ? "placeRestaurant" : "placeDropoff"),
      });
    }
    case "order_not_ready":
      return t("foodNotReady");
    case "pin_mismatch":
      return typeof error.extra.attemptsLeft === "number"
        ? error.extra.attemptsLeft === 0
          ? t("pinLocked")
          : `${t("wrongPin")} ${t("attemptsLeft", { n: error.extra.attemptsLeft })}.`
        : t("pinHint");
    case "pin_locked":
      return t("pinLocked");
    default:
      return error.message;
  }
}

export function JobPanel({ api, shift, state }: { api: CourierApi; shift: Shift; state: ShiftState }) {
  const { t, lang } = useI18n();
  const jobId = state.jobId;
  const [job, setJob] = useState<CourierJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pin, setPin] = useState("");
  const [dialog, setDialog] = useState<"hand-back" | "fail" | null>(null);
  const [now, setNow] = useState(Date.now());
  const wakeLock = useMemo(() => new ScreenWakeLock(), []);

  const load = useCallback(async () => {
    if (!jobId) {
      setJob(null);
      return;
    }
    try {
      setJob(await api.job(jobId));
    } catch (err) {
      // No longer ours (released after going dark, or handed back elsewhere).
      if (err instanceof ApiError && err.status === 404) shift.closeJob("releasedByDispatch");
      else setError(explain(err, t, lang));
    }
  }, [api, jobId, shift, t, lang]);

  useEffect(() => {
    setJob(null);
    setError(null);
    setPin("");
    setDialog(null);
    void load();
  }, [load]);

  // The zone took the job off the courier's list: find out why.
  const listed = jobId !== null && state.activeOrders.includes(jobId);
  useEffect(() => {
    if (job && !ended(job) && !listed) void load();
  }, [listed, job, load]);

  const active = job !== null && !ended(job);
  useEffect(() => {
    if (active) void wakeLock.enable();
    else void wakeLock.disable();
  }, [active, wakeLock]);
  useEffect(() => () => void wakeLock.disable(), [wakeLock]);

  const waiting = job?.customerWaitUntil ?? null;
  useEffect(() => {
    if (waiting === null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waiting]);

  async function act(action: () => Promise<unknown>, step?: CourierStep) {
    setBusy(true);
    setError(null);
    try {
      await action();
      await load();
    } catch (err) {
      setError(explain(err, t, lang, step));
      if (err instanceof ApiError && err.code.startsWith("pin")) await load();
    } finally {
      setBusy(false);
    }
  }

  function doStep(step: CourierStep) {
    const at = shift.position();
    if (!at) {
      setError(t("noPosition"));
      return;
    }
    const position = { lat: at.lat, lng: at.lng, accuracyM: Math.min(at.accuracyM, 10_000) };
    void act(() => api.step(job?.orderId ?? "", step, step === "delivered" ? { ...position, pin } : position), step);
  }

  const switcher = state.activeOrders.length > 1 && (
    <nav className="job-switch" aria-label={t("yourJobs", { n: state.activeOrders.length })}>
      <p className="job-switch-note">{t("stackedJobsNote")}</p>
      <div className="job-switch-tabs">
        {state.activeOrders.map((id, i) => (
          <button
            key={id}
            type="button"
            className="job-switch-tab"
            aria-pressed={id === jobId}
            data-order-id={id}
            onClick={() => shift.selectJob(id)}
          >
            {t("jobNumber", { n: i + 1 })} · #{id.slice(0, 6)}
          </button>
        ))}
      </div>
    </nav>
  );

  if (!jobId) {
    return (
      <div className="empty">
        <h1 id="job-heading">{t("noJob")}</h1>
        <p>{t("noJobHint")}</p>
      </div>
    );
  }
  if (!job) {
    return (
      <div className="empty">
        <h1 id="job-heading">{t("jobTitle")}</h1>
        <p>{error ?? t("loading")}</p>
      </div>
    );
  }

  const next = NEXT[job.delivery];
  const stage = ORDER.indexOf(job.delivery);
  const pickupPhase = job.delivery === "assigned" || job.delivery === "at_pickup";

  if (ended(job)) {
    return (
      <div className="done" data-outcome={job.status}>
        <h1 id="job-heading">{job.status === "delivered" ? t("deliveredDone") : t("failedDone")}</h1>
        <p className="done-pay">{money(job.pay.totalMinor, job.pay.currency, lang)}</p>
        <button type="button" className="primary wide" onClick={() => shift.closeJob()}>
          {t("backToShift")}
        </button>
      </div>
    );
  }

  return (
    <div className="job" data-delivery={job.delivery} data-order-id={job.orderId}>
      <h1 id="job-heading" className="visually-hidden">
        {t("jobTitle")}
      </h1>
      {switcher}
      <ol className="progress" aria-label={t("jobTitle")}>
        {PROGRESS.map(([delivery, label]) => {
          const index = ORDER.indexOf(delivery);
          const status = index <= stage ? "done" : index === stage + 1 ? "current" : "todo";
          return (
            <li key={delivery} data-state={status} aria-current={status === "current" ? "step" : undefined}>
              {t(label)}
            </li>
          );
        })}
      </ol>

      <article className={`stop ${pickupPhase ? "focus" : ""}`}>
        <p className="stop-kind">{t("pickup")}</p>
        <h2>{job.restaurant.name ?? t("unknownRestaurant")}</h2>
        {job.restaurant.address && <p>{job.restaurant.address}</p>}
        {job.readyAt && pickupPhase && <p className="muted">{t("foodReadyAt", { time: clock(job.readyAt, lang) })}</p>}
        <a className="maps" href={mapsLink(job.restaurant.lat, job.restaurant.lng)} target="_blank" rel="noreferrer">
          {t("openInMaps")}
        </a>
        <details open={pickupPhase}>
          <summary>
            {t("items")} ({job.items.reduce((n, i) => n + i.quantity, 0)})
          </summary>
          <ul className="items">
            {job.items.map((item, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the lines of an order are fixed and never reorder.
              <li key={i}>
                <b>{item.quantity}×</b> {item.name}
                {item.options.length > 0 && <small> · {item.options.join(", ")}</small>}
              </li>
            ))}
          </ul>
        </details>
      </article>

      <article className={`stop ${pickupPhase ? "" : "focus"}`}>
        <p className="stop-kind">{t("dropoff")}</p>
        <h2>{job.dropoff.line1}</h2>
        <p>
          {job.dropoff.line2 ? `${job.dropoff.line2}, ` : ""}
          {job.dropoff.postcode} {job.dropoff.city}
        </p>
        {job.dropoff.instructions && (
          <p className="instructions">
            <b>{t("instructions")}:</b> {job.dropoff.instructions}
          </p>
        )}
        <a className="maps" href={mapsLink(job.dropoff.lat, job.dropoff.lng)} target="_blank" rel="noreferrer">
          {t("openInMaps")}
        </a>
      </article>

      {state.link === "no_network" && (
        <p className="offline-banner" role="status">
          {t("bufferedOnJob", { n: state.buffered })}
        </p>
      )}

      <div className="action-bar">
        {job.delivery === "at_dropoff" && (
          <div className="pin">
            <label htmlFor="pin">{t("pinLabel")}</label>
            <input
              id="pin"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{4}"
              maxLength={4}
              value={pin}
              onChange={(e) => setPin(e.target.value.replace(/\D/g, "").slice(0, 4))}
              disabled={job.pinAttemptsLeft === 0}
              aria-describedby="pin-hint"
            />
            <p id="pin-hint" className="muted">
              {job.pinAttemptsLeft === 0 ? t("pinLocked") : t("pinHint")}
            </p>
          </div>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        {next && (
          <button
            type="button"
            className="primary wide step"
            disabled={busy || (next.step === "delivered" && (pin.length !== 4 || job.pinAttemptsLeft === 0))}
            onClick={() => doStep(next.step)}
          >
            {t(next.label)}
          </button>
        )}
      </div>

      <div className="job-more">
        <p className="pay-line">
          {t("payout")}: <b>{money(job.pay.totalMinor, job.pay.currency, lang)}</b>
        </p>
        {pickupPhase && (
          <button type="button" className="ghost wide" onClick={() => setDialog("hand-back")}>
            {t("handBack")}
          </button>
        )}
        {job.delivery === "at_dropoff" && (
          <CustomerWait
            waitUntil={waiting}
            now={now}
            busy={busy}
            onStart={() => void act(() => api.startWait(job.orderId))}
            onFail={() => setDialog("fail")}
          />
        )}
      </div>

      {dialog === "hand-back" && (
        <ReasonDialog
          title={t("handBackTitle")}
          reasons={HAND_BACK_REASONS.map((r): [HandBackReason, string] => [r, t(`reason_${r}`)])}
          confirm={t("handBackConfirm")}
          busy={busy}
          onCancel={() => setDialog(null)}
          onConfirm={async ({ reason, note }) => {
            setBusy(true);
            try {
              await api.handBack(job.orderId, reason, note);
              setDialog(null);
              shift.closeJob("handedBack");
            } catch (err) {
              setError(explain(err, t, lang));
              setDialog(null);
            } finally {
              setBusy(false);
            }
          }}
        />
      )}
      {dialog === "fail" && (
        <ReasonDialog
          title={t("failTitle")}
          reasons={FAIL_REASONS.map((r): [FailReason, string] => [r, t(`fail_${r}`)])}
          confirm={t("sendReport")}
          withPhoto
          busy={busy}
          onCancel={() => setDialog(null)}
          onConfirm={async ({ reason, note, photo }) => {
            setDialog(null);
            await act(async () => {
              const photoKey = photo ? await api.uploadPhoto(job.orderId, await downscalePhoto(photo)) : undefined;
              await api.failDelivery(job.orderId, reason, note, photoKey);
            });
          }}
        />
      )}
    </div>
  );
}

function CustomerWait(props: {
  waitUntil: number | null;
  now: number;
  busy: boolean;
  onStart(): void;
  onFail(): void;
}) {
  const { t } = useI18n();
  if (props.waitUntil === null) {
    return (
      <div className="wait">
        <span>{t("customerNotThere")}</span>
        <button type="button" className="secondary small" disabled={props.busy} onClick={props.onStart}>
          {t("startWaiting")}
        </button>
      </div>
    );
  }
  const left = props.waitUntil - props.now;
  if (left > 0) {
    return (
      <p className="wait" role="timer">
        {t("waitingForCustomer", { t: minutesSeconds(left) })}
      </p>
    );
  }
  return (
    <div className="wait over">
      <span>{t("waitOver")}</span>
      <button type="button" className="danger small" onClick={props.onFail}>
        {t("failDelivery")}
      </button>
    </div>
  );
}

function ReasonDialog<R extends string>(props: {
  title: string;
  reasons: Array<[R, string]>;
  confirm: string;
  withPhoto?: boolean;
  busy: boolean;
  onCancel(): void;
  onConfirm(choice: { reason: R; note?: string; photo?: File }): Promise<void>;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState<R | undefined>(props.reasons[0]?.[0]);
  const [note, setNote] = useState("");
  const [photo, setPhoto] = useState<File | undefined>(undefined);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (reason === undefined) return;
    void props.onConfirm({ reason, ...(note.trim() ? { note: note.trim() } : {}), ...(photo ? { photo } : {}) });
  }

  return (
    <dialog ref={ref} className="sheet" aria-labelledby="sheet-title" onCancel={props.onCancel}>
      <form onSubmit={submit}>
        <h2 id="sheet-title">{props.title}</h2>
        <fieldset>
          <legend className="visually-hidden">{props.title}</legend>
          {props.reasons.map(([value, label]) => (
            <label key={value} className="choice">
              <input
                type="radio"
                name="reason"
                value={value}
                checked={reason === value}
                onChange={() => setReason(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        <label htmlFor="sheet-note">{t("note")}</label>
        <textarea id="sheet-note" rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
        {props.withPhoto && (
          <>
            <label htmlFor="sheet-photo">{t("photo")}</label>
            <input
              id="sheet-photo"
              type="file"
              accept="image/*"
              capture="environment"
              onChange={(e) => setPhoto(e.target.files?.[0])}
            />
          </>
        )}
        <div className="sheet-actions">
          <button type="button" className="ghost" onClick={props.onCancel}>
            {t("cancel")}
          </button>
          <button type="submit" className="danger" disabled={props.busy}>
            {props.confirm}
          </button>
        </div>
      </form>
    </dialog>
  );
}
