// What an operator can do about one stuck order: offer it to a courier (who
// must accept), force an assignment (a reason is required), search again,
// cancel with a full or partial refund, resolve with a note, or write down a
// contact. Each call carries an idempotency key so a double click acts once.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { navigate } from "../../../shared/ui/hooks.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { useLoad } from "./common.tsx";
import { ProblemPhotos, photoKeysOf } from "./problem-photos.tsx";

// Named from the contract here rather than imported from exceptions.tsx, which imports this file.
type OrderException = Schemas["OrderException"];

type Action = "offer" | "assign" | "redispatch" | "cancelFull" | "cancelPartial" | "resolve" | "note";

const key = () => `console-${crypto.randomUUID()}`;

export function ExceptionActions(props: { exception: OrderException; onDone(): void }) {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const { exception } = props;
  const { order } = exception;
  const [reason, setReason] = useState("");
  const [courierId, setCourierId] = useState("");
  const [refund, setRefund] = useState("");
  const [busy, setBusy] = useState(false);
  const couriers = useLoad(async () => {
    const [nearest, registered] = await Promise.all([
      unwrap(
        api.http.GET("/v1/admin/nearest-couriers", {
          params: { query: { lat: order.restaurantLat, lng: order.restaurantLng, k: 10, radiusM: 10_000 } },
        }),
      ).catch(() => ({ couriers: [] })),
      unwrap(api.http.GET("/v1/admin/couriers", { params: { query: { active: "true", limit: 200 } } })),
    ]);
    const distance = new Map(nearest.couriers.map((c) => [c.courierId, c.distanceM]));
    return registered.couriers
      .filter((c) => c.deactivatedAt === null)
      .map((c) => ({ id: c.id, name: c.name, distanceM: distance.get(c.id) ?? null }))
      .sort((a, b) => (a.distanceM ?? Number.POSITIVE_INFINITY) - (b.distanceM ?? Number.POSITIVE_INFINITY));
  }, [order.restaurantLat, order.restaurantLng]);
  const ref = shortId(exception.orderId);
  const open = exception.resolvedAt === null;

  async function act(action: Action) {
    const text = reason.trim();
    if (!text) return fail(new Error(t("exc.needReason")));
    if ((action === "offer" || action === "assign") && !courierId) return fail(new Error(t("exc.needCourier")));
    const params = { path: { id: exception.orderId }, header: { "idempotency-key": key() } };
    setBusy(true);
    try {
      if (action === "offer")
        await unwrap(api.http.POST("/v1/admin/orders/{id}/offer", { params, body: { courierId, reason: text } }));
      else if (action === "assign")
        await unwrap(api.http.POST("/v1/admin/orders/{id}/assign", { params, body: { courierId, reason: text } }));
      else if (action === "redispatch")
        await unwrap(api.http.POST("/v1/admin/orders/{id}/redispatch", { params, body: { reason: text } }));
      else if (action === "cancelFull")
        await unwrap(api.http.POST("/v1/admin/orders/{id}/cancel", { params, body: { reason: text } }));
      else if (action === "cancelPartial") {
        const refundMinor = Number(refund);
        await unwrap(api.http.POST("/v1/admin/orders/{id}/cancel", { params, body: { reason: text, refundMinor } }));
      } else if (action === "resolve")
        await unwrap(api.http.POST("/v1/admin/orders/{id}/resolve", { params, body: { note: text } }));
      else await unwrap(api.http.POST("/v1/admin/orders/{id}/notes", { params, body: { note: text } }));
      announce(t("exc.done", { ref, action: t(`exc.${action}` as MessageKey) }));
      setReason("");
      props.onDone();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }
  const submit = (event: FormEvent) => event.preventDefault();

  return (
    <aside className="panel exception-detail" aria-labelledby="exc-detail-title">
      <header className="detail-header">
        <h2 id="exc-detail-title">{t("exc.details", { ref })}</h2>
        <button type="button" className="ghost small" onClick={() => navigate("#/exceptions")}>
          {t("map.close")}
        </button>
      </header>
      <ul className="facts">
        {typeof exception.details.note === "string" ? (
          <li>{t("exc.customerSaid", { note: exception.details.note })}</li>
        ) : null}
        <li>{t("exc.restaurant", { name: order.restaurantName })}</li>
        <li>{t("exc.customer", { name: order.customerName })}</li>
        <li>
          {t("exc.courier", { name: order.courierName ?? t("ops.none") })}{" "}
          {order.courierPhone ? (
            <a href={`tel:${order.courierPhone}`}>{t("exc.call", { phone: order.courierPhone })}</a>
          ) : null}
        </li>
        <li>{t("exc.total", { total: fmt.money(order.totalMinor, order.currency) })}</li>
        <li>{t("map.placed", { time: fmt.dateTime(order.placedAt) })}</li>
      </ul>
      <ProblemPhotos orderId={exception.orderId} keys={photoKeysOf(exception.details)} />
      {open ? (
        <form className="exception-form" onSubmit={submit}>
          <div className="field">
            <label htmlFor="exc-reason">{t("exc.reasonLabel")}</label>
            <textarea
              id="exc-reason"
              rows={2}
              value={reason}
              maxLength={500}
              onChange={(e) => setReason(e.target.value)}
            />
          </div>
          <fieldset>
            <div className="field">
              <label htmlFor="exc-courier">{t("exc.pickCourier")}</label>
              <select id="exc-courier" value={courierId} onChange={(e) => setCourierId(e.target.value)}>
                <option value="">—</option>
                {(couriers.data ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                    {c.distanceM === null ? "" : ` (${t("exc.nearest", { distance: Math.round(c.distanceM) })})`}
                  </option>
                ))}
              </select>
            </div>
            <div className="button-row">
              <button type="button" className="primary" disabled={busy} onClick={() => void act("offer")}>
                {t("exc.offer")}
              </button>
              <button type="button" disabled={busy} onClick={() => void act("assign")}>
                {t("exc.assign")}
              </button>
              <button type="button" disabled={busy} onClick={() => void act("redispatch")}>
                {t("exc.redispatch")}
              </button>
            </div>
          </fieldset>
          <fieldset>
            <div className="button-row">
              <button type="button" className="danger" disabled={busy} onClick={() => void act("cancelFull")}>
                {t("exc.cancelFull")}
              </button>
            </div>
            <div className="field inline">
              <label htmlFor="exc-refund">{t("exc.refundAmount", { currency: order.currency })}</label>
              <input id="exc-refund" type="number" min={0} value={refund} onChange={(e) => setRefund(e.target.value)} />
              <button
                type="button"
                className="danger"
                disabled={busy || refund === ""}
                onClick={() => void act("cancelPartial")}
              >
                {t("exc.cancelPartial")}
              </button>
            </div>
          </fieldset>
          <div className="button-row">
            <button type="button" disabled={busy} onClick={() => void act("resolve")}>
              {t("exc.resolve")}
            </button>
            <button type="button" className="ghost" disabled={busy} onClick={() => void act("note")}>
              {t("exc.note")}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">{exception.resolutionNote}</p>
      )}
      <p className="button-row">
        <a href={`#/orders/${exception.orderId}`}>{t("exc.orderDetail")}</a>
        <a href={`#/audit/order/${exception.orderId}`}>{t("nav.audit")}</a>
      </p>
    </aside>
  );
}
