// Past and current orders, newest first, each opening its live page (where reorder is).
import { useEffect, useState } from "react";
import { shortId } from "../../../shared/ui/format.ts";
import { customerApi, type OrderSummary } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useErrorText } from "../state.tsx";

export function OrdersScreen() {
  const { t, fmt, maybe } = useI18n();
  const errorText = useErrorText();
  const [orders, setOrders] = useState<OrderSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load(after?: string) {
    try {
      const page = await customerApi.myOrders(after);
      setOrders((known) => [...(after ? (known ?? []) : []), ...page.orders]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(errorText(err));
    }
  }

  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page, once.
  useEffect(() => {
    void load();
  }, []);

  return (
    <div className="orders-page">
      <h1>{t("orders.title")}</h1>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {orders === null && !error && <p className="muted">{t("app.loading")}</p>}
      {orders?.length === 0 && <p className="muted">{t("orders.none")}</p>}
      <ul className="order-list">
        {(orders ?? []).map((o) => (
          <li key={o.id}>
            <a href={`#/orders/${o.id}`} className="order-card">
              <span>
                <strong>{o.restaurantName}</strong>
                <span className="muted small">
                  {" "}
                  {shortId(o.id)} · {fmt.dateTime(o.placedAt)}
                </span>
              </span>
              <span className={`badge status-${o.status}`}>{maybe(`step.${o.status}`) ?? o.status}</span>
              <span className="amount">{fmt.money(o.totalMinor, o.currency)}</span>
            </a>
          </li>
        ))}
      </ul>
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          {t("orders.more")}
        </button>
      )}
    </div>
  );
}
