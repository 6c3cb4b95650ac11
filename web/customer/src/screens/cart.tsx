// The cart and checkout: lines and quantities, the delivery address, the tip,
// the server's quote (priced exactly as placement will be), and payment: the
// order is placed, its PaymentIntent created, and the card confirmed (locally
// by the Stripe stand-in), then the live order page takes over.
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { navigate } from "../../../shared/ui/hooks.ts";
import { customerApi, type DeliveryAddress, type PlaceOrder, type Quote } from "../api.ts";
import { cartSubtotal, setQuantity } from "../cart.ts";
import { useI18n } from "../i18n.ts";
import { STRIPE_PUBLISHABLE_KEY } from "../payment/stripe-js.ts";
import { useErrorText, usePlaceName, useShared } from "../state.tsx";
import { type DeliveryTime, DeliveryTimePicker, timingFields } from "./delivery-time.tsx";

const TIP_PERCENTS = [0, 5, 10, 15] as const;

interface AddressForm {
  line1: string;
  line2: string;
  city: string;
  postcode: string;
  instructions: string;
}

export function CartScreen() {
  const { t, fmt } = useI18n();
  const errorText = useErrorText();
  const { cart, setCart, place } = useShared();
  const placeName = usePlaceName();
  const saved = place.address;
  const [form, setForm] = useState<AddressForm>(() => ({
    line1: saved?.line1 ?? "",
    line2: saved?.line2 ?? "",
    city: saved?.city ?? "Lisboa",
    postcode: saved?.postcode ?? "",
    instructions: saved?.instructions ?? "",
  }));
  const [saveIt, setSaveIt] = useState(false);
  const [tipPercent, setTipPercent] = useState<number>(10);
  // What is typed, and the code applied to the quote (only on "Apply", not on every keystroke).
  const [promoInput, setPromoInput] = useState("");
  const [promoCode, setPromoCode] = useState<string | null>(null);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [payError, setPayError] = useState<string | null>(null);
  const [paying, setPaying] = useState(false);
  // One key per checkout attempt: a retried click after a dropped answer finds the same order.
  const [attemptKey, setAttemptKey] = useState(() => crypto.randomUUID());
  // When it is to arrive: now, a time later, or a slot (slot merchants); the picker says which applies.
  const [when, setWhen] = useState<DeliveryTime>({ kind: "now" });
  const [fulfilment, setFulfilment] = useState<"on_demand" | "slots" | null>(null);
  const [slotsRefresh, setSlotsRefresh] = useState(0);

  const subtotal = cart ? cartSubtotal(cart) : 0;
  const tipMinor = Math.round((subtotal * tipPercent) / 100);
  const address: DeliveryAddress = useMemo(
    () => ({
      line1: form.line1.trim() || "—",
      ...(form.line2.trim() ? { line2: form.line2.trim() } : {}),
      city: form.city.trim() || "—",
      postcode: form.postcode.trim() || "—",
      lat: place.lat,
      lng: place.lng,
      ...(form.instructions.trim() ? { instructions: form.instructions.trim() } : {}),
    }),
    [form, place.lat, place.lng],
  );
  const body: PlaceOrder | null = useMemo(
    () =>
      cart
        ? {
            restaurantId: cart.restaurantId,
            items: cart.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity, optionIds: l.optionIds })),
            deliveryAddress: address,
            tipMinor,
            ...timingFields(when),
            ...(promoCode ? { promoCode } : {}),
          }
        : null,
    [cart, address, tipMinor, when, promoCode],
  );

  // Re-quoted when what changes the price changes (not on every keystroke of the street).
  const priceKey = body
    ? JSON.stringify([body.items, body.tipMinor, place.lat, place.lng, body.restaurantId, when, promoCode])
    : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: priceKey stands for the body's priced parts.
  useEffect(() => {
    // A slot merchant is quoted once a slot is chosen (a quote without one is refused).
    if (!body || fulfilment === null || (fulfilment === "slots" && when.kind !== "slot")) return;
    let live = true;
    // A price for another cart or tip is not shown, nor paid: the button waits for this one.
    setQuote(null);
    setQuoteError(null);
    const timer = setTimeout(() => {
      customerApi
        .quote(body)
        .then((q) => {
          if (live) setQuote(q);
        })
        .catch((err: unknown) => {
          if (!live) return;
          setQuote(null);
          setQuoteError(errorText(err));
        });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [priceKey, errorText, fulfilment]);

  if (!cart) {
    return (
      <div className="cart-page">
        <h1>{t("cart.title")}</h1>
        <p className="muted">{t("cart.empty")}</p>
        <a href="#/" className="button-link">
          {t("cart.browse")}
        </a>
      </div>
    );
  }

  async function pay(event: FormEvent) {
    event.preventDefault();
    if (!body || !cart) return;
    if (!form.line1.trim() || !form.city.trim() || !form.postcode.trim()) {
      setPayError(t("auth.missing"));
      return;
    }
    setPaying(true);
    setPayError(null);
    try {
      if (saveIt && !saved) {
        await customerApi
          .saveAddress({
            label: form.line1.trim().slice(0, 40),
            line1: form.line1.trim(),
            ...(form.line2.trim() ? { line2: form.line2.trim() } : {}),
            city: form.city.trim(),
            postcode: form.postcode.trim(),
            lat: place.lat,
            lng: place.lng,
            ...(form.instructions.trim() ? { instructions: form.instructions.trim() } : {}),
          })
          .catch(() => undefined);
      }
      const order = await customerApi.place(body, `web-${attemptKey}`);
      // The payment step (payment/pay.tsx) asks for the card; without Stripe.js the stand-in pays.
      if (!STRIPE_PUBLISHABLE_KEY) await customerApi.checkout(order.id);
      setCart(null);
      navigate(STRIPE_PUBLISHABLE_KEY ? `#/pay/${order.id}` : `#/orders/${order.id}`);
    } catch (err) {
      // The reason is a sentence of its own; the template adds the full stop.
      setPayError(t("cart.payFailed", { reason: errorText(err).replace(/\.$/, "") }));
      setSlotsRefresh((n) => n + 1);
      setAttemptKey(crypto.randomUUID());
    } finally {
      setPaying(false);
    }
  }

  const currency = quote?.currency ?? cart.currency;
  return (
    <form className="cart-page" onSubmit={pay} noValidate>
      <h1>{t("cart.title")}</h1>
      <p className="muted">
        <a href={`#/r/${cart.restaurantId}`}>{t("cart.from", { name: cart.restaurantName })}</a>
      </p>
      <ul className="cart-lines">
        {cart.lines.map((line) => (
          <li key={line.key}>
            <div>
              <strong>{line.name}</strong>
              {line.optionNames.length > 0 && <div className="muted small">{line.optionNames.join(", ")}</div>}
            </div>
            <div className="stepper">
              <button
                type="button"
                aria-label={t("cart.decrease", { name: line.name })}
                onClick={() => setCart(setQuantity(cart, line.key, line.quantity - 1))}
              >
                −
              </button>
              <output>{line.quantity}</output>
              <button
                type="button"
                aria-label={t("cart.increase", { name: line.name })}
                onClick={() => setCart(setQuantity(cart, line.key, line.quantity + 1))}
              >
                +
              </button>
            </div>
            <span className="amount">{fmt.money(line.unitPriceMinor * line.quantity, cart.currency)}</span>
          </li>
        ))}
      </ul>

      <fieldset className="address-form">
        <legend>{t("cart.address")}</legend>
        <p className="muted small">{placeName(place)}</p>
        {(
          [
            ["line1", "cart.line1", "address-line1"],
            ["line2", "cart.line2", "address-line2"],
            ["city", "cart.city", "address-level2"],
            ["postcode", "cart.postcode", "postal-code"],
            ["instructions", "cart.instructions", "off"],
          ] as const
        ).map(([name, label, autoComplete]) => (
          <div className="field" key={name}>
            <label htmlFor={`addr-${name}`}>{t(label)}</label>
            <input
              id={`addr-${name}`}
              autoComplete={autoComplete}
              value={form[name]}
              onChange={(e) => setForm({ ...form, [name]: e.target.value })}
            />
          </div>
        ))}
        {!saved && (
          <label className="check">
            <input type="checkbox" checked={saveIt} onChange={(e) => setSaveIt(e.target.checked)} />
            {t("cart.saveAddress")}
          </label>
        )}
      </fieldset>

      <DeliveryTimePicker
        restaurantId={cart.restaurantId}
        value={when}
        onChange={setWhen}
        onFulfilment={setFulfilment}
        refresh={slotsRefresh}
      />

      <fieldset className="tips">
        <legend>{t("cart.tip")}</legend>
        <div className="tip-choices">
          {TIP_PERCENTS.map((percent) => (
            <label key={percent} className={tipPercent === percent ? "tip chosen" : "tip"}>
              <input type="radio" name="tip" checked={tipPercent === percent} onChange={() => setTipPercent(percent)} />
              {percent === 0
                ? t("cart.noTip")
                : `${percent}% · ${fmt.money(Math.round((subtotal * percent) / 100), cart.currency)}`}
            </label>
          ))}
        </div>
      </fieldset>

      <fieldset className="promo">
        <legend>{t("cart.promo")}</legend>
        <div className="promo-row">
          <label htmlFor="promo-code" className="visually-hidden">
            {t("cart.promoLabel")}
          </label>
          <input
            id="promo-code"
            autoComplete="off"
            autoCapitalize="characters"
            maxLength={40}
            value={promoInput}
            placeholder={t("cart.promoLabel")}
            onChange={(e) => setPromoInput(e.target.value)}
          />
          {promoCode ? (
            <button
              type="button"
              onClick={() => {
                setPromoCode(null);
                setPromoInput("");
              }}
            >
              {t("cart.promoRemove")}
            </button>
          ) : (
            <button type="button" disabled={!promoInput.trim()} onClick={() => setPromoCode(promoInput.trim())}>
              {t("cart.promoApply")}
            </button>
          )}
        </div>
      </fieldset>

      <section className="summary" aria-labelledby="summary-title" aria-busy={!quote && !quoteError}>
        <h2 id="summary-title">{t("cart.summary")}</h2>
        {quoteError && (
          <p className="error" role="alert">
            {quoteError}
          </p>
        )}
        {!quote && !quoteError && <p className="muted">{t("cart.quoting")}</p>}
        {quote && (
          <dl className="totals">
            <dt>{t("cart.subtotal")}</dt>
            <dd>{fmt.money(quote.subtotalMinor, currency)}</dd>
            <dt>{t("cart.deliveryFee")}</dt>
            <dd data-testid="quote-delivery-fee">{fmt.money(quote.deliveryFeeMinor, currency)}</dd>
            <dt>{t("cart.serviceFee")}</dt>
            <dd>{fmt.money(quote.serviceFeeMinor, currency)}</dd>
            {quote.smallOrderFeeMinor > 0 && (
              <>
                <dt>{t("cart.smallOrderFee")}</dt>
                <dd data-testid="small-order-fee">{fmt.money(quote.smallOrderFeeMinor, currency)}</dd>
              </>
            )}
            {!quote.taxIncluded && (
              <>
                <dt>{t("cart.tax")}</dt>
                <dd>{fmt.money(quote.taxMinor, currency)}</dd>
              </>
            )}
            <dt>{t("cart.tip")}</dt>
            <dd data-testid="quote-tip">{fmt.money(quote.tipMinor, currency)}</dd>
            {quote.discountMinor > 0 && (
              <>
                <dt>{t("cart.discount", { code: quote.promotionCode ?? "" })}</dt>
                <dd data-testid="quote-discount">−{fmt.money(quote.discountMinor, currency)}</dd>
              </>
            )}
            {quote.roundingMinor !== 0 && (
              <>
                <dt>{t("cart.rounding")}</dt>
                <dd data-testid="quote-rounding">
                  {quote.roundingMinor < 0 ? "−" : "+"}
                  {fmt.money(Math.abs(quote.roundingMinor), currency)}
                </dd>
              </>
            )}
            <dt className="total">{t("cart.total")}</dt>
            <dd className="total" data-testid="quote-total">
              {fmt.money(quote.totalMinor, currency)}
            </dd>
            {quote.taxIncluded && (
              <>
                <dt className="muted">{t("cart.vatIncluded")}</dt>
                <dd className="muted" data-testid="quote-vat-included">
                  {fmt.money(quote.taxMinor, currency)}
                </dd>
              </>
            )}
          </dl>
        )}
        {quote?.surge.reason.code === "high_demand" && (
          <p className="notice" data-testid="quote-surge">
            {t("cart.surgeHigh", {
              waiting: quote.surge.reason.waitingOrders,
              couriers: quote.surge.reason.availableCouriers,
              multiplier: `${(quote.surge.multiplierBps / 10_000).toFixed(2)}×`,
              until: quote.surge.validUntil ? fmt.clock(quote.surge.validUntil) : "…",
            })}
          </p>
        )}
        {quote?.deliveryWindow && (
          <p className="muted" data-testid="quote-window">
            {t("cart.window", {
              from: fmt.clock(quote.deliveryWindow.earliestAt),
              to: fmt.clock(quote.deliveryWindow.latestAt),
            })}
          </p>
        )}
      </section>

      {!STRIPE_PUBLISHABLE_KEY && <p className="muted small">{t("cart.payNote")}</p>}
      {payError && (
        <p className="error" role="alert" id="pay-error">
          {payError}
        </p>
      )}
      <button type="submit" className="primary wide" disabled={paying || !quote}>
        {paying ? t("cart.paying") : t("cart.pay", { total: quote ? fmt.money(quote.totalMinor, currency) : "…" })}
      </button>
    </form>
  );
}
