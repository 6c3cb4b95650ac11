// The payment step (#/pay/<orderId>): the order's PaymentIntent client secret
// from checkout, Stripe.js's card field, and the outcome. A declined card or a
// failed 3-D Secure step leaves the order payable (the state machine keeps it
// `placed` until the payment deadline), so the customer tries another card on
// the same page. Paid, the live order page takes over.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { navigate } from "../../../shared/ui/hooks.ts";
import { ApiError, customerApi } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useErrorText } from "../state.tsx";
import {
  loadStripe,
  STRIPE_PUBLISHABLE_KEY,
  STRIPE_TEST_MODE,
  type StripeCardElement,
  type StripeError,
  type StripeJs,
} from "./stripe-js.ts";

interface Checkout {
  clientSecret: string;
  amountMinor: number;
  currency: string;
}

type Stage = "loading" | "ready" | "paying" | "paid" | "unavailable";

const TEST_CARDS = [
  ["4242 4242 4242 4242", "pay.testPays"],
  ["4000 0000 0000 0002", "pay.testDeclined"],
  ["4000 0027 6000 3184", "pay.testAuth"],
] as const;

export function PayScreen(props: { orderId: string }) {
  const { orderId } = props;
  const { t, fmt, locale } = useI18n();
  const errorText = useErrorText();
  const [checkout, setCheckout] = useState<Checkout | null>(null);
  const [stage, setStage] = useState<Stage>("loading");
  const [failure, setFailure] = useState<string | null>(null);
  const [complete, setComplete] = useState(false);
  const cardHost = useRef<HTMLDivElement>(null);
  const stripe = useRef<StripeJs | null>(null);
  const card = useRef<StripeCardElement | null>(null);
  const track = `#/orders/${orderId}`;

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const answer = await customerApi.checkout(orderId);
        if (!live) return;
        setCheckout(answer);
        if (!STRIPE_PUBLISHABLE_KEY) {
          // No Stripe.js configured: locally the stand-in confirms the PaymentIntent itself.
          navigate(track);
          return;
        }
        const js = await loadStripe(locale);
        const current = await js.retrievePaymentIntent(answer.clientSecret);
        if (!live) return;
        if (!current.error && current.paymentIntent.status === "succeeded") {
          setStage("paid");
          navigate(track);
          return;
        }
        stripe.current = js;
        const element = js.elements().create("card", { hidePostalCode: true });
        element.on("change", (e) => {
          setComplete(e.complete);
          setFailure(e.error?.message ?? null);
        });
        if (cardHost.current) element.mount(cardHost.current);
        card.current = element;
        setStage("ready");
      } catch (err) {
        if (!live) return;
        // Already paid (or closed): the order page says which.
        if (err instanceof ApiError && err.status === 409) navigate(track);
        else {
          setFailure(errorText(err));
          setStage("unavailable");
        }
      }
    })();
    return () => {
      live = false;
      card.current?.destroy();
      card.current = null;
    };
  }, [orderId, track, locale, errorText]);

  function describe(error: StripeError): string {
    if (error.code === "payment_intent_authentication_failure") return t("pay.authFailed");
    if (error.type === "card_error") return t("pay.declined", { reason: error.message ?? error.code ?? "" });
    return error.message ?? t("app.somethingWrong");
  }

  async function pay(event: FormEvent) {
    event.preventDefault();
    if (!stripe.current || !card.current || !checkout || stage === "paying") return;
    setStage("paying");
    setFailure(null);
    const result = await stripe.current.confirmCardPayment(checkout.clientSecret, {
      payment_method: { card: card.current },
    });
    if (!result.error || result.error.payment_intent?.status === "succeeded") {
      setStage("paid");
      navigate(track);
      return;
    }
    setFailure(describe(result.error));
    setStage("ready");
  }

  const amount = checkout ? fmt.money(checkout.amountMinor, checkout.currency) : "…";
  return (
    <form className="pay-page" onSubmit={pay} noValidate aria-busy={stage === "loading" || stage === "paying"}>
      <p>
        <a href={track}>{t("pay.back")}</a>
      </p>
      <h1>{t("pay.title")}</h1>
      <p className="pay-amount" data-testid="pay-amount">
        {t("pay.amount", { total: amount })}
      </p>
      <p className="muted small">{t("pay.window")}</p>
      <fieldset className="card-fieldset">
        <legend>{t("pay.card")}</legend>
        {/* Stripe.js owns this element's children: React renders none into it. */}
        <div ref={cardHost} className="card-field" data-testid="card-field" />
        {stage === "loading" && <p className="muted small">{t("app.loading")}</p>}
      </fieldset>
      {failure && (
        <p className="error" role="alert" data-testid="pay-failure">
          {failure}
        </p>
      )}
      {stage === "unavailable" ? (
        <a className="button-link" href={track}>
          {t("pay.later")}
        </a>
      ) : (
        <button type="submit" className="primary wide" disabled={stage !== "ready" || !complete}>
          {stage === "paying" ? t("cart.paying") : t("cart.pay", { total: amount })}
        </button>
      )}
      {STRIPE_TEST_MODE && (
        <details className="test-cards">
          <summary>{t("pay.testCards")}</summary>
          <ul>
            {TEST_CARDS.map(([number, label]) => (
              <li key={number}>
                <code>{number}</code> · {t(label)}
              </li>
            ))}
          </ul>
          <p className="muted small">{t("pay.testAny")}</p>
        </details>
      )}
    </form>
  );
}
