// Stripe.js, loaded only when the app is built with a publishable key
// (VITE_STRIPE_PUBLISHABLE_KEY). Its script comes from VITE_STRIPE_JS_URL:
// js.stripe.com in production, the local Stripe stand-in's /v3/ offline and in
// tests (decision 0043). Only the slice of Stripe.js the app calls is typed.

export interface StripeError {
  type: string;
  code?: string;
  decline_code?: string;
  message?: string;
  payment_intent?: { id: string; status: string };
}

export interface StripePaymentIntent {
  id: string;
  status: string;
  amount: number;
  currency: string;
}

export type StripeResult = { paymentIntent: StripePaymentIntent; error?: undefined } | { error: StripeError };

export interface StripeCardElement {
  mount(target: HTMLElement): void;
  on(event: "change", handler: (e: { complete: boolean; error?: StripeError }) => void): StripeCardElement;
  destroy(): void;
}

export interface StripeJs {
  elements(): { create(type: "card", options?: Record<string, unknown>): StripeCardElement };
  retrievePaymentIntent(clientSecret: string): Promise<StripeResult>;
  confirmCardPayment(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<StripeResult>;
}

type StripeFactory = (publishableKey: string, options?: { locale?: string }) => StripeJs;

declare global {
  interface Window {
    Stripe?: StripeFactory;
  }
}

export const STRIPE_PUBLISHABLE_KEY = import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY ?? "";
const STRIPE_JS_URL = import.meta.env.VITE_STRIPE_JS_URL || "https://js.stripe.com/v3/";

/** Test mode (a `pk_test_` key): the pay page lists Stripe's test cards. */
export const STRIPE_TEST_MODE = STRIPE_PUBLISHABLE_KEY.startsWith("pk_test_");

let loading: Promise<StripeFactory> | null = null;

/** Loads the script once; a failed load may be tried again. */
function loadScript(): Promise<StripeFactory> {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  loading ??= new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = STRIPE_JS_URL;
    script.async = true;
    script.onload = () => (window.Stripe ? resolve(window.Stripe) : reject(new Error("Stripe.js did not load")));
    script.onerror = () => {
      script.remove();
      reject(new Error("Stripe.js did not load"));
    };
    document.head.append(script);
  }).catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

export async function loadStripe(locale: string): Promise<StripeJs> {
  const factory = await loadScript();
  return factory(STRIPE_PUBLISHABLE_KEY, { locale });
}
