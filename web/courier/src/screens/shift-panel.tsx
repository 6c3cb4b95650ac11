// Going online, on a break or offline, and what the app knows about the
// connection, the GPS and the fixes still waiting to go up.
import { clock } from "../format.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import type { Shift, ShiftState } from "../shift/shift.ts";

const CONNECTION: Record<ShiftState["link"], MessageKey> = {
  idle: "linkIdle",
  connecting: "connectionTrying",
  reconnecting: "connectionTrying",
  live: "connectionLive",
  no_network: "connectionNoNetwork",
  replaced: "connectionReplaced",
};

export function ShiftPanel({ shift, state }: { shift: Shift; state: ShiftState }) {
  const { t, lang } = useI18n();
  const statusText = { online: t("statusOnline"), break: t("statusBreak"), offline: t("statusOffline") }[state.desired];
  const hint =
    state.desired === "online"
      ? t("waitingForOffers")
      : state.desired === "break"
        ? t("onBreakHint")
        : t("offlineHint");
  const gpsText =
    state.gps === "ok" && state.reading
      ? t("gpsOk", { m: Math.round(state.reading.accuracyM) })
      : state.gps === "denied"
        ? t("gpsDenied")
        : state.gps === "unavailable"
          ? t("gpsUnavailable")
          : state.gps === "waiting"
            ? t("gpsWaiting")
            : null;

  return (
    <>
      <div className="status-card" data-status={state.desired}>
        <h1 id="shift-heading" className="status-title">
          <span className="status-dot" aria-hidden="true" />
          {statusText}
        </h1>
        <p className="status-hint">
          {state.desired === "online" && <span className="radar" aria-hidden="true" />}
          {hint}
        </p>
        <div className="status-actions">
          {state.desired !== "online" && (
            <button type="button" className="primary wide" onClick={() => shift.goOnline()}>
              {state.desired === "break" ? t("backOnline") : t("goOnline")}
            </button>
          )}
          {state.desired === "online" && (
            <button type="button" className="secondary wide" onClick={() => shift.takeBreak()}>
              {t("takeBreak")}
            </button>
          )}
          {state.desired !== "offline" && (
            <button type="button" className="ghost wide" onClick={() => void shift.goOffline()}>
              {t("goOffline")}
            </button>
          )}
        </div>
      </div>

      <dl className="facts">
        <div data-link={state.link}>
          <dt>{t("connection")}</dt>
          <dd>{t(CONNECTION[state.link])}</dd>
        </div>
        {gpsText && (
          <div data-gps={state.gps}>
            <dt>GPS</dt>
            <dd>{gpsText}</dd>
          </div>
        )}
        {state.cell && (
          <div>
            <dt>{t("zoneCell", { cell: "" }).trim()}</dt>
            <dd className="mono">{state.cell}</dd>
          </div>
        )}
        <div className="buffer" data-buffered={state.buffered}>
          <dt>{t("positions")}</dt>
          <dd>
            {state.buffered === 0
              ? t("allUploaded")
              : state.buffered === 1
                ? t("bufferedOne")
                : t("buffered", { n: state.buffered })}
            <br />
            <small>{state.accepted === 1 ? t("uploadedCountOne") : t("uploadedCount", { n: state.accepted })}</small>
          </dd>
        </div>
      </dl>

      {state.missed.length > 0 && (
        <div className="missed">
          <h2>{t("missedOffers")}</h2>
          <ul>
            {state.missed.map((m) => (
              <li key={`${m.orderId}-${m.at}`} className="missed-offer" data-order-id={m.orderId}>
                <strong>{m.restaurantName ?? t("unknownRestaurant")}</strong>
                <span className="missed-when">{t("missedAt", { time: clock(m.at, lang) })}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}
