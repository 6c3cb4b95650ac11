// Partner webhooks: the endpoints a restaurant (or, for operators, the
// platform) sends signed order events to. Register one with the event types
// it wants, see whether it is healthy, rotate its signing secret, disable or
// enable it, and open its delivery log. A secret is shown once, when it is
// made; the API never returns it again.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useLoaded } from "./loaded.ts";
import { WebhookDeliveries } from "./webhook-deliveries.tsx";
import { ALL_ORDER_EVENTS, COMMON, SUBSCRIBABLE } from "./webhook-events.ts";
import "./kitchen.css";
import "./webhooks.css";

type Endpoint = Schemas["WebhookEndpoint"];

export function WebhooksScreen(props: { restaurant: Restaurant | null; endpointId: string | undefined }) {
  const { t } = useI18n();
  const loaded = useLoaded(
    async () => (await unwrap(api.http.GET("/v1/webhook-endpoints", { cache: "no-cache" }))).endpoints,
    props.restaurant?.id ?? "platform",
    t("hooks.loadFailed"),
  );
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const open = props.endpointId ? loaded.data?.find((e) => e.id === props.endpointId) : undefined;

  if (props.endpointId && open) {
    return <WebhookDeliveries endpoint={open} />;
  }
  return (
    <section className="kitchen-screen webhooks" aria-labelledby="hooks-title">
      <header className="screen-header">
        <h1 id="hooks-title">{t("hooks.title")}</h1>
      </header>
      <p className="muted">{props.restaurant ? t("hooks.introStaff") : t("hooks.introAdmin")}</p>
      {secret ? <SecretShown url={secret.url} secret={secret.secret} onDone={() => setSecret(null)} /> : null}
      <section className="panel" aria-labelledby="hooks-list">
        <h2 id="hooks-list">{t("hooks.endpoints")}</h2>
        {loaded.error ? (
          <p className="error" role="alert">
            {loaded.error}
          </p>
        ) : !loaded.data ? (
          <p className="muted">{t("app.loading")}</p>
        ) : loaded.data.length === 0 ? (
          <p className="muted">{t("hooks.none")}</p>
        ) : (
          <ul className="plain endpoint-list">
            {loaded.data.map((endpoint) => (
              <EndpointCard
                key={endpoint.id}
                endpoint={endpoint}
                onChanged={() => void loaded.reload()}
                onSecret={(s) => setSecret({ url: endpoint.url, secret: s })}
              />
            ))}
          </ul>
        )}
      </section>
      <RegisterForm
        onCreated={(created) => {
          setSecret({ url: created.url, secret: created.secret });
          void loaded.reload();
        }}
      />
    </section>
  );
}

function SecretShown(props: { url: string; secret: string; onDone(): void }) {
  const { t } = useI18n();
  return (
    <section className="panel secret-panel" aria-labelledby="hooks-secret" role="status">
      <h2 id="hooks-secret">{t("hooks.secretTitle")}</h2>
      <p>{t("hooks.secretFor", { url: props.url })}</p>
      <code className="secret" data-testid="webhook-secret">
        {props.secret}
      </code>
      <p className="muted">{t("hooks.secretOnce")}</p>
      <button type="button" className="ghost" onClick={props.onDone}>
        {t("hooks.secretDone")}
      </button>
    </section>
  );
}

function EndpointCard(props: { endpoint: Endpoint; onChanged(): void; onSecret(secret: string): void }) {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const [busy, setBusy] = useState(false);
  const { endpoint } = props;
  const path = { params: { path: { id: endpoint.id } } };
  const disabled = endpoint.disabledAt !== null;

  async function act(run: () => Promise<unknown>, done: string) {
    setBusy(true);
    try {
      await run();
      announce(done);
      props.onChanged();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  const rotate = () =>
    act(async () => {
      const rotated = await unwrap(api.http.POST("/v1/webhook-endpoints/{id}/rotate-secret", path));
      props.onSecret(rotated.secret);
    }, t("hooks.rotated"));
  const toggle = () =>
    act(
      () => unwrap(api.http.PATCH("/v1/webhook-endpoints/{id}", { ...path, body: { enabled: disabled } })),
      disabled ? t("hooks.enabled") : t("hooks.disabledNow"),
    );
  const remove = () => {
    if (!window.confirm(t("hooks.confirmDelete", { url: endpoint.url }))) return;
    void act(() => unwrap(api.http.DELETE("/v1/webhook-endpoints/{id}", path)), t("hooks.deleted"));
  };

  const events = endpoint.eventTypes.includes(ALL_ORDER_EVENTS)
    ? t("hooks.allEvents")
    : t("hooks.eventCount", { count: endpoint.eventTypes.length });
  return (
    <li className="endpoint-card" data-endpoint-id={endpoint.id}>
      <div className="endpoint-head">
        <code className="endpoint-url">{endpoint.url}</code>
        <span className={disabled ? "badge status-cancelled" : "badge status-delivered"}>
          {disabled ? t("hooks.stateDisabled") : t("hooks.stateEnabled")}
        </span>
      </div>
      {endpoint.description ? <p>{endpoint.description}</p> : null}
      <p className="muted small">
        {events}
        {endpoint.ordered ? ` · ${t("hooks.orderedShort")}` : ""}
        {endpoint.restaurantId === null ? ` · ${t("hooks.everyRestaurant")}` : ""}
        {` · ${t("hooks.created", { time: fmt.dateTime(endpoint.createdAt) })}`}
      </p>
      {disabled ? (
        <p className="error small">
          {t("hooks.disabledSince", {
            time: fmt.dateTime(endpoint.disabledAt ?? ""),
            reason: endpoint.disabledReason ?? t("hooks.byHand"),
          })}
        </p>
      ) : endpoint.consecutiveFailures > 0 ? (
        <p className="error small">{t("hooks.failing", { count: endpoint.consecutiveFailures })}</p>
      ) : null}
      <div className="row wrap">
        <a className="button-link" href={`#/webhooks/${endpoint.id}`}>
          {t("hooks.openLog")}
        </a>
        <button type="button" className="ghost" disabled={busy} onClick={() => void rotate()}>
          {t("hooks.rotate")}
        </button>
        <button type="button" className="ghost" disabled={busy} onClick={() => void toggle()}>
          {disabled ? t("hooks.enable") : t("hooks.disable")}
        </button>
        <button type="button" className="ghost danger" disabled={busy} onClick={remove}>
          {t("hooks.delete")}
        </button>
      </div>
    </li>
  );
}

function RegisterForm(props: { onCreated(created: Schemas["WebhookEndpointWithSecret"]): void }) {
  const { t } = useI18n();
  const { fail } = useNotices();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [all, setAll] = useState(false);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(["order.paid", "order.ready"]));
  const [ordered, setOrdered] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const others = SUBSCRIBABLE.filter((type) => !COMMON.includes(type));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const eventTypes = all ? [ALL_ORDER_EVENTS] : [...chosen];
    if (!url.trim() || eventTypes.length === 0) {
      setProblem(t("hooks.needUrlAndEvents"));
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      const created = await unwrap(
        api.http.POST("/v1/webhook-endpoints", {
          body: {
            url: url.trim(),
            eventTypes,
            ordered,
            ...(description.trim() ? { description: description.trim() } : {}),
          },
        }),
      );
      setUrl("");
      setDescription("");
      props.onCreated(created);
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  const box = (type: string) => (
    <label key={type} className="check event-type">
      <input
        type="checkbox"
        disabled={all}
        checked={all || chosen.has(type)}
        onChange={(e) => {
          const next = new Set(chosen);
          if (e.target.checked) next.add(type);
          else next.delete(type);
          setChosen(next);
        }}
      />
      <code>{type}</code>
    </label>
  );

  return (
    <form className="panel" aria-labelledby="hooks-new" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="hooks-new">{t("hooks.register")}</h2>
      <div className="field">
        <label htmlFor="hook-url">{t("hooks.url")}</label>
        <input
          id="hook-url"
          type="url"
          inputMode="url"
          placeholder="https://pos.example.com/hooks/orders"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="hook-description">{t("hooks.description")}</label>
        <input id="hook-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <fieldset className="event-types">
        <legend>{t("hooks.events")}</legend>
        <label className="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
          {t("hooks.allEvents")} (<code>{ALL_ORDER_EVENTS}</code>)
        </label>
        <div className="event-grid">{COMMON.map(box)}</div>
        <details>
          <summary>{t("hooks.moreEvents", { count: others.length })}</summary>
          <div className="event-grid">{others.map(box)}</div>
        </details>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={ordered} onChange={(e) => setOrdered(e.target.checked)} />
        {t("hooks.ordered")}
      </label>
      {problem ? (
        <p className="error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={busy}>
        {t("hooks.registerButton")}
      </button>
    </form>
  );
}
