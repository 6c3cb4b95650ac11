// On the order page, once it is paid: the way to report a problem, and what
// became of each report (open, refund on its way, refunded, resolved).
import type { Order, OrderEvent } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { problemOutcomes } from "./outcome.ts";

const REPORTABLE = new Set(["delivered", "failed", "picked_up"]);

export function ProblemStatus(props: { order: Order; events: readonly OrderEvent[] }) {
  const { t, fmt, maybe } = useI18n();
  const { order } = props;
  const reports = problemOutcomes(props.events);
  // Reports are about what arrived (or did not); a paid order that ended unpaid has none to make.
  const canReport = REPORTABLE.has(order.status) && order.paidMinor > 0;
  if (!canReport && reports.length === 0) return null;

  function outcome(state: string, refundMinor: number): string {
    const amount = fmt.money(refundMinor, order.currency);
    if (state === "refunded") return t("problem.refunded", { amount });
    if (state === "refund_pending") return t("problem.refundPending", { amount });
    if (state === "resolved") return t("problem.resolved");
    return t("problem.open");
  }

  return (
    <section className="problems" aria-labelledby="problems-title">
      <h2 id="problems-title">{reports.length > 0 ? t("problem.yours") : t("problem.report")}</h2>
      {reports.length > 0 && (
        <ul className="problem-list" data-testid="problem-outcomes">
          {reports.map((r) => (
            <li key={r.seq} className={`problem-${r.state}`}>
              <strong>{maybe(`problem.${r.problem}`) ?? r.problem}</strong>
              <span className="muted small">{t("problem.reportedAt", { time: fmt.clock(r.at) })}</span>
              <span className={`badge outcome-${r.state}`}>{outcome(r.state, r.refundMinor)}</span>
            </li>
          ))}
        </ul>
      )}
      {canReport && (
        <a className="button-link" href={`#/problem/${order.id}`}>
          {t("problem.report" satisfies MessageKey)}
        </a>
      )}
    </section>
  );
}
