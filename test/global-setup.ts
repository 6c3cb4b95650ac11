// Runs once in Node before every test project: the WebSocket proxy in front of
// Postgres, a fresh migrated database, signing keys, and the Stripe stand-in.
import { exportJWK, generateKeyPair } from "jose";
import type { TestProject } from "vitest/node";
import { startAnalyticsStandin } from "../scripts/dev/analytics-standin/server.ts";
import { startNotifyStandin } from "../scripts/dev/notify-standin/server.ts";
import { startStripeStandin } from "../scripts/dev/stripe-standin/server.ts";
import { startWsProxy } from "../scripts/dev/ws-proxy.ts";
import { prepareTestDatabase } from "./database.ts";
import { startOidcIssuer } from "./oidc-issuer.ts";

export const TEST_STRIPE_KEY = "sk_test_platform_tests";
export const TEST_WEBHOOK_SECRET = "whsec_platform_tests";
/** Credentials the notification stand-in expects (vitest.config.ts gives the Worker the same). */
export const TEST_NOTIFY = {
  emailApiKey: "SG.platform_tests",
  twilioSid: "AC0000000000000000000000000000test",
  twilioToken: "twilio_platform_tests",
};

/** The token the Analytics Engine stand-in asks for (vitest.config.ts gives the Worker the same). */
export const TEST_ANALYTICS_TOKEN = "analytics_platform_tests";

async function signingKeys(): Promise<string> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify([{ ...jwk, kid: "test-key-1", alg: "ES256" }]);
}

export default async function setup(project: TestProject) {
  const proxy = await startWsProxy();
  const wsProxy = `127.0.0.1:${proxy.port}`;
  const database = await prepareTestDatabase(wsProxy);
  const stripe = await startStripeStandin({ webhookSecret: TEST_WEBHOOK_SECRET, apiKey: TEST_STRIPE_KEY });
  project.provide("wsProxy", wsProxy);
  project.provide("databaseUrl", database.url);
  project.provide("jwtPrivateKeys", await signingKeys());
  project.provide("stripeApiBase", stripe.url);
  const notify = await startNotifyStandin(TEST_NOTIFY);
  project.provide("notifyStandin", notify.url);
  // Health metrics (decision 0054): the Worker mirrors its data points here and the health view queries it.
  const analytics = await startAnalyticsStandin({ apiToken: TEST_ANALYTICS_TOKEN });
  project.provide("analyticsStandin", analytics.url);
  const vapid = await generateKeyPair("ES256", { extractable: true });
  project.provide("vapidPrivateJwk", JSON.stringify(await exportJWK(vapid.privateKey)));
  const oidc = await startOidcIssuer();
  project.provide("oidcIssuer", oidc.issuer);
  project.provide("oidcPrivateJwk", oidc.privateJwk);
  return async () => {
    await oidc.close();
    await notify.close();
    await analytics.close();
    await stripe.close();
    await database.dispose();
    await proxy.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    wsProxy: string;
    databaseUrl: string;
    jwtPrivateKeys: string;
    stripeApiBase: string;
    oidcIssuer: string;
    oidcPrivateJwk: string;
    notifyStandin: string;
    analyticsStandin: string;
    vapidPrivateJwk: string;
  }
}
