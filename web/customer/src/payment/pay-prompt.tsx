// On the order page while the order awaits payment: a way back to the payment
// step, and the last decline, if any (a decline keeps the order payable).
import type { OrderEvent } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { STRIPE_PUBLISHABLE_KEY } from "./stripe-js.ts";

export function PayPrompt(props: { orderId: string; events: readonly OrderEvent[] }) {
  const { t } = useI18n();
  const last = props.events.at(-1);
  const declined = last?.type === "order.payment_failed";
  return (
    <section className="pay-prompt" aria-labelledby="pay-prompt-title">
      <h2 id="pay-prompt-title">{t("pay.needed")}</h2>
      {declined && (
        <p className="error" data-testid="payment-declined">
          {t("pay.lastDeclined")}
        </p>
      )}
      {STRIPE_PUBLISHABLE_KEY && (
        <a className="button-link primary" href={`#/pay/${props.orderId}`}>
          {t("pay.now")}
        </a>
      )}
    </section>
  );
}
