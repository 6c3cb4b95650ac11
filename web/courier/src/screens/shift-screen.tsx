// Signed in: the header with the connection state, the four tabs (shift,
// job, today's earnings, the month's money), and the offer card over everything when one arrives.
import { useEffect, useState, useSyncExternalStore } from "react";
import type { CourierApi, User } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { Shift, type ShiftState } from "../shift/shift.ts";
import { EarningsPanel } from "./earnings.tsx";
import { JobPanel } from "./job.tsx";
import { LanguageSwitch } from "./language-switch.tsx";
import { MoneyPanel } from "./money.tsx";
import { OfferCard } from "./offer-card.tsx";
import { ShiftPanel } from "./shift-panel.tsx";

type Tab = "shift" | "job" | "earnings" | "money";

const LINK_TEXT: Record<ShiftState["link"], MessageKey> = {
  idle: "linkIdle",
  connecting: "linkConnecting",
  live: "linkLive",
  reconnecting: "linkReconnecting",
  no_network: "linkNoNetwork",
  replaced: "linkIdle",
};

export function ShiftScreen({ api, user, onSignOut }: { api: CourierApi; user: User; onSignOut(): void }) {
  const [shift, setShift] = useState<Shift | null>(null);
  useEffect(() => {
    let disposed = false;
    let opened: Shift | null = null;
    void Shift.open(api, user.id).then((s) => {
      if (disposed) s.dispose();
      else {
        opened = s;
        setShift(s);
      }
    });
    return () => {
      disposed = true;
      opened?.dispose();
    };
  }, [api, user.id]);
  if (!shift) return null;
  return <ShiftFrame api={api} user={user} shift={shift} onSignOut={onSignOut} />;
}

function ShiftFrame({ api, user, shift, onSignOut }: { api: CourierApi; user: User; shift: Shift; onSignOut(): void }) {
  const { t } = useI18n();
  const state = useSyncExternalStore(shift.subscribe, shift.snapshot);
  const [tab, setTab] = useState<Tab>("shift");

  // A new job takes the courier straight to it.
  useEffect(() => {
    if (state.jobId) setTab("job");
  }, [state.jobId]);

  const linkState = state.desired === "offline" && state.link === "idle" ? "idle" : state.link;
  const tabs: Array<[Tab, MessageKey]> = [
    ["shift", "tabShift"],
    ["job", "tabJob"],
    ["earnings", "tabEarnings"],
    ["money", "tabMoney"],
  ];

  return (
    <div className="app" data-status={state.desired}>
      <header className="top">
        <div className="brand">
          <img src="/icon.svg" alt="" width="28" height="28" />
          <span>{t("appName")}</span>
        </div>
        <output className="link" data-state={linkState} aria-live="polite">
          <span className="dot" aria-hidden="true" />
          {t(LINK_TEXT[linkState])}
        </output>
        <div className="top-actions">
          <LanguageSwitch compact />
        </div>
      </header>

      <nav className="tabs" aria-label="Sections">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            className="tab"
            aria-current={tab === id ? "page" : undefined}
            onClick={() => setTab(id)}
          >
            {t(label)}
            {id === "job" && state.jobId && <span className="badge" aria-hidden="true" />}
          </button>
        ))}
      </nav>

      <main className="panels" data-tab={tab}>
        <section className="panel panel-shift" aria-labelledby="shift-heading">
          <ShiftPanel shift={shift} state={state} />
          <p className="account">
            <span>{t("signedInAs", { email: user.email })}</span>
            <button type="button" className="ghost small" onClick={onSignOut}>
              {t("signOut")}
            </button>
          </p>
        </section>
        <section className="panel panel-job" aria-labelledby="job-heading">
          <JobPanel api={api} shift={shift} state={state} />
        </section>
        <section className="panel panel-earnings" aria-labelledby="earnings-heading">
          <EarningsPanel api={api} visible={tab === "earnings"} refreshKey={state.jobId} />
        </section>
        <section className="panel panel-money" aria-labelledby="money-heading">
          <MoneyPanel api={api} visible={tab === "money"} />
        </section>
      </main>

      {state.notice && (
        <div className="toast" role="status">
          <span>{t(state.notice)}</span>
          <button type="button" className="ghost small" onClick={() => shift.dismissNotice()} aria-label="OK">
            ✕
          </button>
        </div>
      )}

      {state.offer && <OfferCard offer={state.offer} answering={state.answering} shift={shift} />}
    </div>
  );
}
