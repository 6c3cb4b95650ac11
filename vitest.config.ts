import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Two projects: pure logic and Node-side tooling run in Node; everything that
// is a Worker, Durable Object or queue consumer runs inside workerd through
// the Cloudflare Vitest plugin, against the real Postgres named in set-up.
export default defineConfig({
  test: {
    globalSetup: ["./test/global-setup.ts"],
    // Request logs are structured JSON at info level; tests show only warnings and errors.
    onConsoleLog: (line) => !line.includes('"level":"info"'),
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          sequence: { groupOrder: 0 },
          environment: "node",
          include: [
            "domain/**/*.test.ts",
            "scripts/**/*.test.ts",
            "db/**/*.test.ts",
            "bench/**/*.test.ts",
            "web/console/src/**/*.test.ts",
            "web/courier/src/**/*.test.ts",
            "web/customer/src/**/*.test.ts",
            "web/shared/**/*.test.ts",
            // Node-side checks of Worker configuration (wrangler.toml), beside the code they guard.
            "workers/**/*.node.test.ts",
          ],
        },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            main: "./workers/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                NEON_WS_PROXY: inject("wsProxy"),
                DATABASE_URL: inject("databaseUrl"),
                JWT_PRIVATE_KEYS: inject("jwtPrivateKeys"),
                STRIPE_API_BASE: inject("stripeApiBase"),
                OIDC_ISSUER: inject("oidcIssuer"),
                OIDC_AUDIENCE: "edge-delivery-oidc-test",
                OIDC_TEST_PRIVATE_JWK: inject("oidcPrivateJwk"),
                STRIPE_SECRET_KEY: "sk_test_platform_tests",
                STRIPE_WEBHOOK_SECRET: "whsec_platform_tests",
                // Notifications: e-mail, SMS and web push all go to scripts/dev/notify-standin.
                EMAIL_API_BASE: inject("notifyStandin"),
                EMAIL_API_KEY: "SG.platform_tests",
                EMAIL_FROM: "orders@edge-delivery.test",
                TWILIO_API_BASE: inject("notifyStandin"),
                TWILIO_ACCOUNT_SID: "AC0000000000000000000000000000test",
                TWILIO_AUTH_TOKEN: "twilio_platform_tests",
                TWILIO_FROM: "+15005550006",
                VAPID_PRIVATE_JWK: inject("vapidPrivateJwk"),
                VAPID_SUBJECT: "mailto:ops@edge-delivery.test",
                WEBHOOK_ALLOW_LOOPBACK: "true",
                NOTIFY_STANDIN: inject("notifyStandin"),
                // Health metrics: data points mirrored to, and the SQL API answered by, the stand-in.
                METRICS_STANDIN_URL: inject("analyticsStandin"),
                ANALYTICS_API_BASE: inject("analyticsStandin"),
                ANALYTICS_ACCOUNT_ID: "local",
                ANALYTICS_API_TOKEN: "analytics_platform_tests",
                // The adversarial fuzzer's size and seed (test/adversarial/fuzz.test.ts).
                FUZZ_REQUESTS: process.env.FUZZ_REQUESTS ?? "3000",
                FUZZ_SEED: process.env.FUZZ_SEED ?? "17",
                // Applied to each test file's own D1 by test/apply-d1-migrations.ts.
                TEST_D1_MIGRATIONS: await readD1Migrations(new URL("./db/d1", import.meta.url).pathname),
              },
            },
          })),
        ],
        test: {
          name: "workers",
          sequence: { groupOrder: 0 },
          include: ["workers/**/*.test.ts", "durable-objects/**/*.test.ts", "test/adversarial/**/*.test.ts"],
          exclude: ["**/*.node.test.ts"],
          setupFiles: ["./test/apply-d1-migrations.ts"],
        },
      },
      {
        // The whole platform as `npm start` boots it (wrangler dev, queue, Stripe stand-in) on the
        // embedded PostgreSQL: the journey, a runtime crash, a database outage. Slow by nature.
        extends: false,
        test: {
          name: "system",
          // A sequence group of its own, so the crash and outage tests do not share the
          // machine with the workerd and browser tests: they measure recovery times and
          // count refused placements, which a loaded 2-core machine distorts.
          sequence: { groupOrder: 2 },
          environment: "node",
          include: ["test/system/**/*.system.test.ts"],
          env: { SYSTEM_DATABASE: "embedded" },
          fileParallelism: false,
          testTimeout: 400_000,
          hookTimeout: 240_000,
        },
      },
      {
        // The journey again on the machine's PostgreSQL (TEST_DATABASE_URL or 127.0.0.1:5432).
        extends: false,
        test: {
          name: "system-server",
          // A sequence group of its own too (see "system" above).
          sequence: { groupOrder: 1 },
          environment: "node",
          include: ["test/system/journey.system.test.ts"],
          env: { SYSTEM_DATABASE: "server" },
          fileParallelism: false,
          testTimeout: 400_000,
          hookTimeout: 240_000,
        },
      },
      {
        // The console in a real browser against the platform under wrangler dev; its own set-up, not the root one.
        extends: false,
        test: {
          name: "web-e2e",
          sequence: { groupOrder: 0 },
          environment: "node",
          include: ["web/**/*.e2e.test.ts"],
          globalSetup: ["./web/e2e/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
