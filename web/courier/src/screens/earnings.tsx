// Today's finished jobs and what they paid, from the local midnight.
import { useCallback, useEffect, useState } from "react";
import type { CourierApi, Earnings } from "../api.ts";
import { clock, money } from "../format.ts";
import { useI18n } from "../i18n.ts";

function localMidnight(): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

export function EarningsPanel({
  api,
  visible,
  refreshKey,
}: {
  api: CourierApi;
  visible: boolean;
  refreshKey: unknown;
}) {
  const { t, lang } = useI18n();
  const [earnings, setEarnings] = useState<Earnings | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setEarnings(await api.earnings(localMidnight()));
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [api]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey changes when a job ends, which is when totals move.
  useEffect(() => {
    if (visible) void load();
  }, [visible, load, refreshKey]);

  const totals = earnings?.totals[0];
  return (
    <>
      <div className="earnings-head">
        <h1 id="earnings-heading">{t("earningsTitle")}</h1>
        <button type="button" className="ghost small" onClick={() => void load()}>
          {t("refresh")}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!earnings && !error && <p className="muted">{t("loading")}</p>}
      {earnings && (
        <>
          <div className="totals">
            <div>
              <span className="caption">{t("total")}</span>
              <strong className="total-amount">{totals ? money(totals.totalMinor, totals.currency, lang) : "—"}</strong>
              <small className="caption">
                {totals?.jobs === 1 ? t("jobsTodayOne") : t("jobsToday", { n: totals?.jobs ?? 0 })}
              </small>
            </div>
            <div>
              <span className="caption">{t("pay")}</span>
              <strong>{totals ? money(totals.payMinor, totals.currency, lang) : "—"}</strong>
            </div>
            <div>
              <span className="caption">{t("tips")}</span>
              <strong>{totals ? money(totals.tipMinor, totals.currency, lang) : "—"}</strong>
            </div>
          </div>
          {earnings.jobs.length === 0 ? (
            <p className="muted">{t("noEarnings")}</p>
          ) : (
            <ul className="earning-jobs">
              {earnings.jobs.map((job) => (
                <li key={job.orderId} data-order-id={job.orderId}>
                  <div>
                    <strong>{job.restaurantName}</strong>
                    <small>
                      {clock(job.endedAt, lang)}
                      {job.outcome === "failed" ? ` · ${t("outcomeFailed")}` : ""}
                    </small>
                  </div>
                  <div className="amounts">
                    <strong>{money(job.totalMinor, job.currency, lang)}</strong>
                    <small>
                      {money(job.payMinor, job.currency, lang)} + {money(job.tipMinor, job.currency, lang)}
                    </small>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
