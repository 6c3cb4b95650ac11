// Beside the dead letters: is Postgres in step with the Order DOs? Orders
// whose events Postgres has not acknowledged within the window are listed
// here (durable-objects/projection-lag), so the screen never says "all
// delivered" while some order lags. Refreshes itself every 10 s.
import { useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";

type ProjectionStatus = Schemas["ProjectionStatus"];

const REFRESH_MS = 10_000;

export function ProjectionStatusPanel(props: { generation: number }) {
  const { t, fmt } = useI18n();
  const [status, setStatus] = useState<ProjectionStatus | null>(null);
  const [failed, setFailed] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the screen's Reload button
  useEffect(() => {
    let current = true;
    const load = () =>
      unwrap(api.http.GET("/v1/admin/projection"))
        .then((loaded) => {
          if (!current) return;
          setStatus(loaded);
          setFailed(false);
        })
        .catch(() => {
          if (current) setFailed(true);
        });
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      current = false;
      clearInterval(timer);
    };
  }, [props.generation]);

  if (failed) {
    return (
      <p className="projection-status lagging" role="status">
        {t("proj.unknown")}
      </p>
    );
  }
  if (!status) return null;
  const { laggingOrders: count, oldestUnacknowledgedAgeMs, ackWindowMs } = status.projection;
  if (count === 0) {
    return (
      <p className="projection-status in-step" role="status">
        {t("proj.inStep", { seconds: Math.round(ackWindowMs / 1000) })}
      </p>
    );
  }
  return (
    <div className="projection-status lagging" role="status">
      <p>
        <strong>{t("proj.lagging", { count })}</strong>{" "}
        {t("proj.oldest", { seconds: Math.round(oldestUnacknowledgedAgeMs / 1000) })}
      </p>
      <ul className="lagging-orders">
        {status.laggingOrders.slice(0, 20).map((o) => (
          <li key={o.orderId}>
            <code>{o.orderId}</code> · {t("proj.pendingEvents", { count: o.pendingEvents })} ·{" "}
            <time dateTime={o.oldestAt}>{fmt.dateTime(o.oldestAt)}</time>
          </li>
        ))}
      </ul>
    </div>
  );
}
