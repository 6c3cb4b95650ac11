// One order: its lines and options, money, address and timeline (GET
// /v1/orders/{id}, live from the Order DO), and the kitchen's actions that
// the order's current state allows. The server decides; these buttons only
// offer what it would accept, and show its refusal when it does not.
import { type FormEvent, type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, failureText, statusLabel } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { ProblemPhotos, photoKeysOf } from "../ops/problem-photos.tsx";

type Order = Schemas["Order"];
type Detail = { order: Order; timeline: Schemas["OrderEvent"][] };

const PREP_MIN = 1;
const PREP_MAX = 120;

/** The order's state changes the kitchen can ask for, each through its own endpoint. */
const commands = {
  accept: (id: string, prepTimeMinutes: number) =>
    unwrap(api.http.POST("/v1/orders/{id}/accept", { params: { path: { id } }, body: { prepTimeMinutes } })),
  reject: (id: string, reason: string) =>
    unwrap(api.http.POST("/v1/orders/{id}/reject", { params: { path: { id } }, body: { reason } })),
  preparing: (id: string) => unwrap(api.http.POST("/v1/orders/{id}/preparing", { params: { path: { id } }, body: {} })),
  prepTime: (id: string, prepTimeMinutes: number) =>
    unwrap(api.http.POST("/v1/orders/{id}/prep-time", { params: { path: { id } }, body: { prepTimeMinutes } })),
  ready: (id: string) => unwrap(api.http.POST("/v1/orders/{id}/ready", { params: { path: { id } }, body: {} })),
  cancel: (id: string, reason: string) =>
    unwrap(api.http.POST("/v1/orders/{id}/cancel", { params: { path: { id } }, body: { reason } })),
};

export interface OrderDetailProps {
  orderId: string;
  /** The newest event sequence the board heard for this order: a newer one than shown re-reads it. */
  seenSeq?: number | undefined;
  onClose?: () => void;
  /** An operator reads it: the customer's problem photos show, the kitchen's buttons do not. */
  operator?: boolean | undefined;
}

export function OrderDetail(props: OrderDetailProps) {
  const { orderId, seenSeq } = props;
  const { t } = useI18n();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const loading = useRef<Promise<void> | null>(null);
  const mounted = useRef(true);
  const loadFailed = t("order.loadFailed");

  const reload = useCallback((): Promise<void> => {
    loading.current ??= unwrap(api.http.GET("/v1/orders/{id}", { params: { path: { id: orderId } } }))
      .then((loaded) => {
        if (!mounted.current) return;
        setDetail(loaded);
        setLoadError(null);
      })
      .catch((error: unknown) => {
        if (mounted.current) setLoadError(failureText(error, loadFailed));
      })
      .finally(() => {
        loading.current = null;
      });
    return loading.current;
  }, [orderId, loadFailed]);

  useEffect(() => {
    mounted.current = true;
    void reload();
    return () => {
      mounted.current = false;
    };
  }, [reload]);

  const shownSeq = detail?.order.lastSeq ?? -1;
  useEffect(() => {
    if (detail && seenSeq !== undefined && seenSeq > shownSeq) void reload();
  }, [detail, seenSeq, shownSeq, reload]);

  // Opened beside the board: take the focus, so keyboard and screen-reader users land on it.
  const focusOnOpen = props.onClose !== undefined;
  useEffect(() => {
    if (focusOnOpen) heading.current?.focus();
  }, [focusOnOpen]);

  const ref = shortId(orderId);
  let body: ReactNode;
  if (loadError) {
    body = (
      <p className="error" role="alert">
        {loadError}
      </p>
    );
  } else if (!detail) {
    body = <p className="muted">{t("order.loading")}</p>;
  } else {
    body = <OrderBody detail={detail} reload={reload} operator={props.operator === true} />;
  }

  return (
    <section className="detail" aria-labelledby={`order-${orderId}-title`}>
      <header className="detail-header">
        <h2 id={`order-${orderId}-title`} tabIndex={-1} ref={heading}>
          {t("order.title", { ref })}
        </h2>
        {props.onClose ? (
          <button type="button" className="ghost" onClick={props.onClose}>
            {t("order.close")}
          </button>
        ) : null}
      </header>
      {body}
    </section>
  );
}

function OrderBody(p: { detail: Detail; reload(): Promise<void>; operator: boolean }) {
  const { t, fmt, maybe } = useI18n();
  const { order, timeline } = p.detail;
  const cur = order.currency;
  const address = order.deliveryAddress;
  const done = order.status === "ready" || order.status === "picked_up";
  const eta =
    order.readyAt === null
      ? null
      : done
        ? t("order.readySince", { time: fmt.clock(order.readyAt) })
        : t("order.readyBy", { time: fmt.clock(order.readyAt), in: fmt.relative(order.readyAt) });
  const money: Array<[MessageKey, number]> = [
    ["order.subtotal", order.subtotalMinor],
    ["order.deliveryFee", order.deliveryFeeMinor],
    ["order.serviceFee", order.serviceFeeMinor],
    ["order.tax", order.taxMinor],
    ["order.tip", order.tipMinor],
  ];
  return (
    <div className="detail-body">
      <p className="detail-status">
        <span className={`badge status-${order.status}`}>{statusLabel(t, order.status)}</span>
        <span>{t("order.placed", { time: fmt.clock(order.placedAt), ago: fmt.relative(order.placedAt) })}</span>
        {order.prepTimeMinutes !== null ? <span>{t("order.prep", { minutes: order.prepTimeMinutes })}</span> : null}
        {eta ? <span className="eta">{eta}</span> : null}
      </p>
      {p.operator ? null : (
        <fieldset className="actions">
          <legend className="visually-hidden">{t("order.actions")}</legend>
          <Actions order={order} reload={p.reload} />
        </fieldset>
      )}
      <div className="items-head">
        <h3>{t("order.items")}</h3>
        <button type="button" className="ghost small" onClick={() => window.print()}>
          {t("order.printTicket")}
        </button>
      </div>
      <KitchenTicket order={order} />
      <ul className="lines">
        {order.lines.map((line) => (
          <li key={line.lineNo} className="line">
            <span className="qty">{`${line.quantity}×`}</span>
            <div className="line-main">
              <span className="line-name">{line.name}</span>
              {line.options.length > 0 ? (
                <ul className="line-options">
                  {line.options.map((o) => (
                    <li key={o.optionId}>{o.name}</li>
                  ))}
                </ul>
              ) : null}
            </div>
            <span className="amount">{fmt.money(line.lineTotalMinor, cur)}</span>
          </li>
        ))}
      </ul>
      <dl className="totals">
        {money.map(([label, value]) => (
          <div key={label} className="total-row">
            <dt>{t(label)}</dt>
            <dd>{fmt.money(value, cur)}</dd>
          </div>
        ))}
        <div className="total-row grand">
          <dt>{t("order.total")}</dt>
          <dd>{fmt.money(order.totalMinor, cur)}</dd>
        </div>
        {order.refundedMinor > 0 ? (
          <div className="total-row">
            <dt>{t("order.refunded")}</dt>
            <dd>{fmt.money(order.refundedMinor, cur)}</dd>
          </div>
        ) : null}
      </dl>
      <h3>{t("order.delivery")}</h3>
      <p className="address">
        {[address.line1, address.line2, `${address.postcode} ${address.city}`].filter(Boolean).join(", ")}
        {address.instructions ? <span className="muted block">{`“${address.instructions}”`}</span> : null}
        <span className="muted block">{t("order.courier", { state: spoken(maybe, "delivery", order.delivery) })}</span>
      </p>
      {p.operator ? <ProblemPhotos orderId={order.id} keys={problemPhotoKeys(timeline)} /> : null}
      <h3>{t("order.timeline")}</h3>
      <ol className="timeline">
        {timeline.map((e) => (
          <li key={e.id}>
            <time dateTime={new Date(e.at).toISOString()} title={fmt.dateTime(e.at)}>
              {fmt.clock(e.at)}
            </time>
            <span className="event">{spoken(maybe, "event", e.type)}</span>
            <span className="muted">{spoken(maybe, "role", e.actorRole)}</span>
            <DispatchReasons payload={e.payload} />
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Every photo the customer attached to a problem report on this order, oldest report first. */
function problemPhotoKeys(timeline: Detail["timeline"]): string[] {
  const keys = timeline.filter((e) => e.type === "order.problem_reported").flatMap((e) => photoKeysOf(e.payload));
  return [...new Set(keys)];
}

/**
 * Why dispatch did what it did (decisions 37 and 38): the plan behind a search's start, the
 * scoring behind an offer. The lines come from the server in English, as operators' logs do.
 */
function DispatchReasons({ payload }: { payload: Record<string, unknown> }) {
  const note = (payload.choice ?? payload.plan) as { reasons?: unknown } | undefined;
  const reasons = Array.isArray(note?.reasons) ? note.reasons.filter((r): r is string => typeof r === "string") : [];
  if (reasons.length === 0) return null;
  return (
    <ul className="muted dispatch-reasons">
      {reasons.map((reason) => (
        <li key={reason}>{reason}</li>
      ))}
    </ul>
  );
}

/** A word from the server (an event type, a role) in the current language; unknown ones as they are, readable. */
function spoken(maybe: (key: string) => string | undefined, prefix: string, word: string): string {
  const plain = word.replace(/^order\./, "");
  const known = maybe(`${prefix}.${plain}`);
  if (known) return known;
  const text = plain.replace(/_/g, " ");
  return prefix === "event" ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

function Actions(props: { order: Order; reload(): Promise<void> }) {
  const { t } = useI18n();
  const { order } = props;
  const id = order.id;
  const prep = order.prepTimeMinutes ?? 15;
  const ref = shortId(id);
  const num = (data: FormData, name: string) => Number(data.get(name));
  const text = (data: FormData, name: string) => String(data.get(name) ?? "").trim();
  const form = (key: string, p: Omit<ActionFormProps, "reload">) => (
    <ActionForm key={key} {...p} reload={props.reload} />
  );

  const cancel = form("cancel", {
    title: t("order.cancel"),
    fields: (
      <ReasonField
        name="cancel-reason"
        orderId={id}
        label={t("order.cancelReason")}
        placeholder={t("order.cancelPlaceholder")}
      />
    ),
    submit: t("order.cancel"),
    tone: "danger",
    run: (d) => commands.cancel(id, text(d, "cancel-reason")),
    done: t("order.done.cancelled", { ref }),
  });
  const adjust = form("adjust", {
    title: t("order.adjustTitle"),
    fields: <PrepField name="new-prep-time" orderId={id} label={t("order.newPrepTime")} value={prep} />,
    submit: t("order.adjust"),
    tone: "plain",
    run: (d) => commands.prepTime(id, num(d, "new-prep-time")),
    done: t("order.done.prepTime", { ref }),
  });

  switch (order.status) {
    case "placed":
      return <p className="muted">{t("order.waitingPayment")}</p>;
    case "paid":
      return (
        <>
          {form("accept", {
            title: t("order.acceptTitle"),
            fields: <PrepField name="prep-time" orderId={id} label={t("order.prepTime")} value={prep} />,
            submit: t("order.accept"),
            tone: "primary",
            run: (d) => commands.accept(id, num(d, "prep-time")),
            done: t("order.done.accepted", { ref }),
          })}
          {form("reject", {
            title: t("order.rejectTitle"),
            fields: (
              <ReasonField
                name="reject-reason"
                orderId={id}
                label={t("order.rejectReason")}
                placeholder={t("order.rejectPlaceholder")}
              />
            ),
            submit: t("order.reject"),
            tone: "danger",
            run: (d) => commands.reject(id, text(d, "reject-reason")),
            done: t("order.done.rejected", { ref }),
          })}
        </>
      );
    case "accepted":
      return (
        <>
          {form("preparing", {
            title: t("order.startPreparing"),
            fields: null,
            submit: t("order.startPreparing"),
            tone: "primary",
            run: () => commands.preparing(id),
            done: t("order.done.preparing", { ref }),
          })}
          {adjust}
          {cancel}
        </>
      );
    case "preparing":
      return (
        <>
          {form("ready", {
            title: t("order.markReady"),
            fields: null,
            submit: t("order.markReady"),
            tone: "primary",
            run: () => commands.ready(id),
            done: t("order.done.ready", { ref }),
          })}
          {adjust}
          {cancel}
        </>
      );
    case "ready":
      return <p className="muted">{t("order.waitingCourier")}</p>;
    default:
      return <p className="muted">{t("order.isFinal", { state: statusLabel(t, order.status).toLowerCase() })}</p>;
  }
}

interface ActionFormProps {
  title: string;
  fields: ReactNode;
  submit: string;
  tone: "primary" | "danger" | "plain";
  run(data: FormData): Promise<unknown>;
  /** Announced when the server accepted the change. */
  done: string;
  reload(): Promise<void>;
}

/** One command as a form; on success the order is re-read, so state and timeline agree with the server. */
function ActionForm(props: ActionFormProps) {
  const notices = useNotices();
  const [busy, setBusy] = useState(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    // Read before disabling: disabled fields are left out of FormData.
    const data = new FormData(event.currentTarget);
    setBusy(true);
    try {
      await props.run(data);
      notices.announce(props.done);
      await props.reload();
    } catch (error) {
      notices.fail(error);
    } finally {
      if (mounted.current) setBusy(false);
    }
  }

  return (
    <form className="action" aria-label={props.title} onSubmit={submit}>
      <fieldset disabled={busy}>
        {props.fields}
        <button type="submit" className={props.tone}>
          {props.submit}
        </button>
      </fieldset>
    </form>
  );
}

function PrepField(props: { name: string; orderId: string; label: string; value: number }) {
  const { t } = useI18n();
  const id = `${props.name}-${props.orderId}`;
  return (
    <div className="field inline">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="number"
        inputMode="numeric"
        min={PREP_MIN}
        max={PREP_MAX}
        step={1}
        required
        defaultValue={props.value}
      />
      <span className="unit">{t("order.minutes")}</span>
    </div>
  );
}

function ReasonField(props: { name: string; orderId: string; label: string; placeholder: string }) {
  const id = `${props.name}-${props.orderId}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="text"
        required
        maxLength={300}
        placeholder={props.placeholder}
        autoComplete="off"
      />
    </div>
  );
}

/**
 * What the kitchen printer gets: reference, time, lines with options, the
 * customer's note. Shown only in print; kept outside the order panel so the
 * panel's own text is said (and found) once.
 */
function KitchenTicket(p: { order: Order }) {
  const { t, fmt } = useI18n();
  const { order } = p;
  const note = order.deliveryAddress.instructions;
  return createPortal(
    <div className="kitchen-ticket" aria-hidden="true">
      <p className="ticket-ref">{shortId(order.id)}</p>
      <p>{t("order.ticketPlaced", { time: fmt.dateTime(order.placedAt) })}</p>
      {order.scheduledFor ? (
        <p className="ticket-for">{t("board.scheduledFor", { time: fmt.dateTime(order.scheduledFor) })}</p>
      ) : null}
      <ul>
        {order.lines.map((line) => (
          <li key={line.lineNo}>
            <strong>{`${line.quantity}× ${line.name}`}</strong>
            {line.options.map((o) => (
              <span key={o.optionId} className="block">{`  + ${o.name}`}</span>
            ))}
          </li>
        ))}
      </ul>
      {note ? <p>{`“${note}”`}</p> : null}
    </div>,
    document.body,
  );
}
