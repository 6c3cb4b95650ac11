// CLI entry for the local Stripe stand-in:
//   tsx scripts/dev/stripe-standin/main.ts --port 12111 \
//     --webhook-url http://127.0.0.1:8787/v1/webhooks/stripe --webhook-secret whsec_...
// Point the SDK at it with { host: "127.0.0.1", port: 12111, protocol: "http" }.
import { parseArgs } from "node:util";
import { startStripeStandin } from "./server.ts";

const USAGE = `usage: tsx scripts/dev/stripe-standin/main.ts --webhook-secret whsec_... [options]
  --port <n>              listen port on 127.0.0.1 (default 12111)
  --webhook-url <url>     where signed events are POSTed (default: none, events only stored)
  --webhook-secret <s>    signing secret, or env STRIPE_WEBHOOK_SECRET
  --api-key <sk_test_..>  accept only this key (default: any sk_test_ key)
  --auto-confirm          confirm new PaymentIntents with pm_card_visa, as if the customer paid
  --quiet                 do not log requests and deliveries`;

function main(): Promise<void> | undefined {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "12111" },
      "webhook-url": { type: "string" },
      "webhook-secret": { type: "string" },
      "api-key": { type: "string" },
      "auto-confirm": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const webhookSecret = values["webhook-secret"] ?? process.env.STRIPE_WEBHOOK_SECRET;
  // No default secret: a made-up one would silently fail the platform's
  // signature check, which is harder to spot than this error.
  if (!webhookSecret) {
    console.error(`missing --webhook-secret (or STRIPE_WEBHOOK_SECRET)\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${values.port}`);
    process.exitCode = 2;
    return;
  }
  const log = values.quiet ? undefined : (message: string) => console.log(`[stripe-standin] ${message}`);
  return startStripeStandin({
    port,
    webhookUrl: values["webhook-url"],
    webhookSecret,
    apiKey: values["api-key"],
    autoConfirm: values["auto-confirm"],
    log,
  }).then((standin) => {
    console.log(`[stripe-standin] listening on ${standin.url}`);
    console.log(`[stripe-standin] webhooks -> ${values["webhook-url"] ?? "(none; see GET /v1/events)"}`);
    const stop = () => {
      standin.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

main()?.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
