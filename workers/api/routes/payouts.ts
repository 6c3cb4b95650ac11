// Getting paid: a restaurant's staff or a courier opens a Stripe Connect
// Express account and its onboarding link; admins can run the payout job now
// (it also runs daily on the cron trigger). Who may: the restaurant's own
// staff or an admin for a restaurant; the courier for themselves; admins for
// the run. Writes are limited per user and IP like every other write.
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { restaurants } from "../../../db/schema.ts";
import { courierAccount, restaurantAccount } from "../../../domain/ledger/accounts.ts";
import { payoutPeriod } from "../../../domain/ledger/payouts.ts";
import { payoutAccountFor } from "../../ledger/connect.ts";
import { runPayouts } from "../../ledger/payouts.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { assertRestaurantEditor, restaurantNotFound } from "../restaurants/editing.ts";
import { Uuid } from "../restaurants/schemas.ts";

const WebUrl = z
  .string()
  .max(500)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL");

const OnboardingBody = z
  .strictObject({
    returnUrl: WebUrl.openapi({ description: "Where Stripe sends the person when onboarding is done." }),
    refreshUrl: WebUrl.openapi({ description: "Where Stripe sends the person when the link has expired." }),
  })
  .openapi("PayoutAccountRequest");

const PayoutAccount = z
  .object({
    stripeAccountId: z.string(),
    onboardingUrl: z.string(),
    onboardingExpiresAt: z.string(),
    payoutsEnabled: z.boolean(),
  })
  .openapi("PayoutAccount");

const PayoutRunBody = z
  .strictObject({
    period: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional()
      .openapi({ description: "The UTC day to pay out (default: today). One transfer per account and period." }),
  })
  .openapi("PayoutRunRequest");

const PayoutRunReport = z
  .object({
    period: z.string(),
    planned: z.number().int(),
    transferred: z.number().int(),
    alreadyPaid: z.number().int(),
    failed: z.number().int(),
    totalMinor: z.number().int(),
  })
  .openapi("PayoutRunReport");

const restaurantPayoutAccount = createRoute({
  method: "post",
  path: "/v1/restaurants/{id}/payout-account",
  operationId: "openRestaurantPayoutAccount",
  tags: ["payouts"],
  summary: "Open (once) the restaurant's Stripe Express account and get an onboarding link (its staff or an admin)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid }), ...jsonBody(OnboardingBody) },
  responses: {
    200: jsonResponse(PayoutAccount, "The account and a fresh onboarding link"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const courierPayoutAccount = createRoute({
  method: "post",
  path: "/v1/couriers/me/payout-account",
  operationId: "openCourierPayoutAccount",
  tags: ["payouts"],
  summary: "Open (once) the signed-in courier's Stripe Express account and get an onboarding link",
  security: bearerSecurity,
  middleware: [requireAuth("courier")] as const,
  request: jsonBody(OnboardingBody),
  responses: {
    200: jsonResponse(PayoutAccount, "The account and a fresh onboarding link"),
    ...errorResponses(400, 401, 403, 429),
  },
});

const runPayoutsNow = createRoute({
  method: "post",
  path: "/v1/admin/payouts/run",
  operationId: "runPayouts",
  tags: ["payouts"],
  summary: "Run the payout job now for a period (admins); a second run of a period transfers nothing again",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: jsonBody(PayoutRunBody),
  responses: {
    200: jsonResponse(PayoutRunReport, "What the run did"),
    ...errorResponses(400, 401, 403, 429),
  },
});

function stripeUnavailable(c: AppContext, err: unknown): never {
  log(c, "error", "payouts.stripe_failed", { error: String(err) });
  throw new ApiError(503, "payments_unavailable", "Stripe could not be reached; try again shortly.");
}

export function registerPayoutRoutes(app: App): void {
  app.openapi(restaurantPayoutAccount, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const body = c.req.valid("json");
    const [restaurant] = await c.var.db
      .select({ id: restaurants.id, currency: restaurants.currency })
      .from(restaurants)
      .where(eq(restaurants.id, id));
    if (!restaurant) throw restaurantNotFound();
    try {
      return c.json(await payoutAccountFor(c.env, c.var.db, restaurantAccount(id), restaurant, body), 200);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      return stripeUnavailable(c, err);
    }
  });

  app.openapi(courierPayoutAccount, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    try {
      const account = await payoutAccountFor(
        c.env,
        c.var.db,
        courierAccount(principal.userId),
        // Only the account's default: transfers name their own currency, one per currency a courier earned in.
        { currency: "EUR" },
        body,
      );
      return c.json(account, 200);
    } catch (err) {
      return stripeUnavailable(c, err);
    }
  });

  app.openapi(runPayoutsNow, async (c) => {
    const { period } = c.req.valid("json");
    const report = await runPayouts(c.env, c.var.db, period ?? payoutPeriod(Date.now()));
    log(c, "info", "payouts.ran", { ...report });
    return c.json(report, 200);
  });
}
