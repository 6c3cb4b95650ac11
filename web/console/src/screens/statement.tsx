// The restaurant's money: what the platform owes it now (and what an open
// dispute holds back), its ledger lines for the last 30 days and its payouts
// (GET /v1/restaurants/{id}/statement), and the way to set up payouts: a
// Stripe Connect onboarding link (POST /v1/restaurants/{id}/payout-account).
import { type ReactNode, useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { shortId } from "../../../shared/ui/format.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { MonthlyCsv } from "./monthly-csv.tsx";

type Statement = Schemas["Statement"];

const KIND_LABELS: Record<string, MessageKey> = {
  order_delivered: "money.kind.delivered",
  delivery_failed: "money.kind.deliveryFailed",
  refund: "money.kind.refund",
  payout: "money.kind.payout",
};

export function StatementScreen(props: { restaurant: Restaurant }) {
  const { t, fmt } = useI18n();
  const { fail } = useNotices();
  const [statement, setStatement] = useState<Statement | null>(null);
  const [failed, setFailed] = useState(false);
  const [opening, setOpening] = useState(false);
  const restaurantId = props.restaurant.id;

  useEffect(() => {
    let current = true;
    unwrap(api.http.GET("/v1/restaurants/{id}/statement", { params: { path: { id: restaurantId }, query: {} } }))
      .then((loaded) => {
        if (current) setStatement(loaded);
      })
      .catch((error: unknown) => {
        if (!current) return;
        fail(error);
        setFailed(true);
      });
    return () => {
      current = false;
    };
  }, [restaurantId, fail]);

  const setUpPayouts = () => {
    setOpening(true);
    const here = `${location.origin}${location.pathname}#/money`;
    unwrap(
      api.http.POST("/v1/restaurants/{id}/payout-account", {
        params: { path: { id: restaurantId } },
        body: { returnUrl: here, refreshUrl: here },
      }),
    )
      .then((account) => {
        location.assign(account.onboardingUrl);
      })
      .catch((error: unknown) => {
        fail(error);
        setOpening(false);
      });
  };

  let body: ReactNode = <p className="muted">{t("app.loading")}</p>;
  if (failed) body = <p className="error">{t("money.loadFailed")}</p>;
  else if (statement) {
    const balances = statement.balances.length
      ? statement.balances
      : [{ currency: props.restaurant.currency, owedMinor: 0, heldForDisputesMinor: 0 }];
    body = (
      <>
        <div className="money-balances">
          {balances.map((b) => (
            <div key={b.currency} className="money-balance">
              <span className="muted">{t("money.owed")}</span>
              <strong className="money-amount">{fmt.money(b.owedMinor, b.currency)}</strong>
              {b.heldForDisputesMinor > 0 ? (
                <span className="muted">
                  {t("money.held", { amount: fmt.money(b.heldForDisputesMinor, b.currency) })}
                </span>
              ) : null}
            </div>
          ))}
        </div>
        <h2 id="money-lines">{t("money.lines")}</h2>
        {statement.lines.length === 0 ? (
          <p className="muted empty">{t("money.noLines")}</p>
        ) : (
          <div className="table-wrap">
            <table aria-labelledby="money-lines">
              <thead>
                <tr>
                  <th scope="col">{t("money.when")}</th>
                  <th scope="col">{t("money.what")}</th>
                  <th scope="col">{t("history.order")}</th>
                  <th scope="col" className="num">
                    {t("money.amount")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {statement.lines.map((line) => (
                  <tr key={line.id}>
                    <td>
                      <time dateTime={line.at}>{fmt.dateTime(line.at)}</time>
                    </td>
                    <td>{KIND_LABELS[line.kind] ? t(KIND_LABELS[line.kind] as MessageKey) : line.memo}</td>
                    <td>{line.orderId ? <a href={`#/orders/${line.orderId}`}>{shortId(line.orderId)}</a> : "—"}</td>
                    <td className={`num ${line.amountMinor < 0 ? "negative" : ""}`}>
                      {fmt.money(line.amountMinor, line.currency)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h2 id="money-payouts">{t("money.payouts")}</h2>
        {statement.payouts.length === 0 ? (
          <p className="muted empty">{t("money.noPayouts")}</p>
        ) : (
          <div className="table-wrap">
            <table aria-labelledby="money-payouts">
              <thead>
                <tr>
                  <th scope="col">{t("money.period")}</th>
                  <th scope="col">{t("money.status")}</th>
                  <th scope="col" className="num">
                    {t("money.amount")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {statement.payouts.map((p) => (
                  <tr key={`${p.period}-${p.currency}`}>
                    <td>{p.period}</td>
                    <td>{p.status === "paid" ? t("money.paid") : t("money.pending")}</td>
                    <td className="num">{fmt.money(p.amountMinor, p.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    );
  }

  return (
    <section className="money" aria-labelledby="money-title">
      <header className="screen-header">
        <h1 id="money-title">{t("money.title")}</h1>
        <MonthlyCsv restaurantId={restaurantId} />
        <button type="button" onClick={setUpPayouts} disabled={opening}>
          {opening ? t("money.opening") : t("money.setUp")}
        </button>
      </header>
      <p className="muted">{t("money.explain")}</p>
      {body}
    </section>
  );
}
