// The real Stripe SDK, over fetch and WebCrypto so it runs in workerd. In
// local development and tests STRIPE_API_BASE points it at the stand-in in
// scripts/dev/stripe-standin; in production it is empty and the SDK talks to
// Stripe. Nothing else differs.
import Stripe from "stripe";

export interface StripeConfig {
  STRIPE_SECRET_KEY?: string | undefined;
  STRIPE_API_BASE?: string | undefined;
}

const clients = new Map<string, Stripe>();

export function stripeClient(config: StripeConfig): Stripe {
  const key = config.STRIPE_SECRET_KEY;
  if (!key) throw new Error("STRIPE_SECRET_KEY is not configured");
  const base = config.STRIPE_API_BASE ?? "";
  const cacheKey = `${key}|${base}`;
  let client = clients.get(cacheKey);
  if (!client) {
    const options: ConstructorParameters<typeof Stripe>[1] = {
      httpClient: Stripe.createFetchHttpClient(),
      maxNetworkRetries: 2,
      timeout: 10_000,
    };
    if (base) {
      const url = new URL(base);
      options.host = url.hostname;
      options.port = url.port || (url.protocol === "https:" ? 443 : 80);
      options.protocol = url.protocol === "https:" ? "https" : "http";
    }
    client = new Stripe(key, options);
    clients.set(cacheKey, client);
  }
  return client;
}

export const webCrypto = Stripe.createSubtleCryptoProvider();
