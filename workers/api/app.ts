// The API Worker's Hono app: middleware, routes, the OpenAPI 3.1 document and
// its reference page. Stateless: every request stands alone.

import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { loadSigningKeys } from "../../domain/auth/tokens.ts";
import { auditUnaudited } from "./audit/request-audit.ts";
import type { AppEnv } from "./context.ts";
import { ApiError, fieldIssuesFromZod, handleError, validationError } from "./http/errors.ts";
import { database, requestId } from "./http/middleware.ts";
import { openApiDocument } from "./http/openapi-document.ts";
import { documentRateLimits, ipRateLimit } from "./http/rate-limits.ts";
import { securityHeaders } from "./http/security-headers.ts";
import { registerAccountRoutes } from "./routes/account.ts";
import { registerAdminRoutes } from "./routes/admin.ts";
import { registerAuditAdminRoutes } from "./routes/audit-admin.ts";
import { registerAuthRoutes } from "./routes/auth.ts";
import {
  MAX_PHOTO_BYTES as FAILURE_PHOTO_BYTES,
  PHOTO_UPLOAD_PATH as FAILURE_PHOTO_PATH,
  registerCourierJobRoutes,
} from "./routes/courier-jobs.ts";
import { registerCourierRoutes } from "./routes/couriers.ts";
import { registerExceptionAdminRoutes } from "./routes/exceptions-admin.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerInvitationRoutes } from "./routes/invitations.ts";
import { registerKitchenRoutes } from "./routes/kitchen.ts";
import { registerLiveMapRoutes } from "./routes/live-map.ts";
import { registerLiveProtocols } from "./routes/live-protocols.ts";
import { registerMenuEditorRoutes } from "./routes/menu-editor.ts";
import { registerMenuModifierRoutes } from "./routes/menu-modifiers.ts";
import {
  PHOTO_BODY_BYTES as MENU_PHOTO_BYTES,
  PHOTO_UPLOAD_PATH as MENU_PHOTO_PATH,
  registerMenuPhotoRoutes,
} from "./routes/menu-photos.ts";
import { registerMetricsRoutes } from "./routes/metrics-admin.ts";
import { registerMonthlyStatementRoutes } from "./routes/monthly-statements.ts";
import { registerNotificationPreferenceRoutes } from "./routes/notification-preferences.ts";
import { registerOnboardingCourierRoutes } from "./routes/onboarding-couriers.ts";
import { registerOnboardingRestaurantRoutes } from "./routes/onboarding-restaurants.ts";
import { registerOnboardingStaffRoutes } from "./routes/onboarding-staff.ts";
import { registerOrderCommands } from "./routes/order-commands.ts";
import { registerOrderReadRoutes } from "./routes/order-reads.ts";
import { registerOrderRoutes } from "./routes/orders.ts";
import { registerOverviewRoutes } from "./routes/overview-admin.ts";
import { registerPartnerWebhookRoutes } from "./routes/partner-webhooks.ts";
import { registerPayoutRoutes } from "./routes/payouts.ts";
import { PROBLEM_PHOTO_BYTES, PROBLEM_PHOTO_PATH, registerProblemPhotoRoutes } from "./routes/problem-photos.ts";
import { registerPromotionRoutes } from "./routes/promotions.ts";
import { registerQuoteRoutes } from "./routes/quotes.ts";
import { registerRatingRoutes } from "./routes/ratings.ts";
import { registerRestaurantAdminRoutes } from "./routes/restaurant-admin.ts";
import { registerRestaurantBoardRoutes } from "./routes/restaurant-board.ts";
import { registerRestaurantHoursRoutes } from "./routes/restaurant-hours.ts";
import { registerRestaurantReportRoutes } from "./routes/restaurant-reports.ts";
import { registerRestaurantRoutes } from "./routes/restaurants.ts";
import { registerReviewRoutes } from "./routes/reviews.ts";
import { registerStatementRoutes } from "./routes/statements.ts";
import { registerSurgeAdminRoutes } from "./routes/surge-admin.ts";
import { registerUserAdminRoutes } from "./routes/users-admin.ts";
import { registerWebhookRoutes } from "./routes/webhooks.ts";
import { registerZoneAdminRoutes } from "./routes/zones-admin.ts";

/** Larger than any honest order or menu edit; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

function allowedOrigins(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
}

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(fieldIssuesFromZod(result.error));
    },
  });

  app.use("*", requestId);
  app.use("*", securityHeaders);
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError(413, "body_too_large", `Request bodies are limited to ${maxSize} bytes.`);
      },
    });
  const defaultLimit = limitBody(MAX_BODY_BYTES);
  // Only photo uploads carry files, each with its own, larger limit: a menu item's photo
  // (kitchen staff), a courier's photo of the door when a delivery fails, a customer's problem photo.
  const menuPhotoLimit = limitBody(MENU_PHOTO_BYTES);
  const failurePhotoLimit = limitBody(FAILURE_PHOTO_BYTES);
  const problemPhotoLimit = limitBody(PROBLEM_PHOTO_BYTES);
  app.use("*", (c, next) => {
    if (MENU_PHOTO_PATH.test(c.req.path)) return menuPhotoLimit(c, next);
    if (FAILURE_PHOTO_PATH.test(c.req.path)) return failurePhotoLimit(c, next);
    if (PROBLEM_PHOTO_PATH.test(c.req.path)) return problemPhotoLimit(c, next);
    return defaultLimit(c, next);
  });
  // The console is a separate Pages origin; only origins named in CONSOLE_ORIGINS may call with credentials.
  app.use(
    "/v1/*",
    cors({
      origin: (origin, c) => (allowedOrigins(c.env.CONSOLE_ORIGINS).includes(origin) ? origin : null),
      allowHeaders: [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-none-match",
        "x-request-id",
        "traceparent",
      ],
      exposeHeaders: ["etag", "x-request-id", "traceparent", "idempotent-replayed", "location"],
      maxAge: 600,
    }),
  );
  app.use("/v1/*", ipRateLimit);
  app.use("/v1/*", database);
  app.use("/v1/*", auditUnaudited(app));

  app.get("/.well-known/jwks.json", async (c) => {
    const keys = await loadSigningKeys(c.env.JWT_PRIVATE_KEYS);
    c.header("cache-control", "public, max-age=300");
    return c.json(keys.publicJwks);
  });

  registerHealthRoutes(app);
  registerAuthRoutes(app);
  registerAccountRoutes(app);
  registerRestaurantRoutes(app);
  registerRestaurantAdminRoutes(app);
  registerRestaurantHoursRoutes(app);
  registerRestaurantReportRoutes(app);
  registerMenuEditorRoutes(app);
  registerMenuModifierRoutes(app);
  registerMenuPhotoRoutes(app);
  registerKitchenRoutes(app);
  registerOrderRoutes(app);
  registerOrderCommands(app);
  registerQuoteRoutes(app);
  registerRatingRoutes(app);
  registerReviewRoutes(app);
  registerProblemPhotoRoutes(app);
  registerOrderReadRoutes(app);
  registerRestaurantBoardRoutes(app);
  registerCourierRoutes(app);
  registerCourierJobRoutes(app);
  registerWebhookRoutes(app);
  registerPayoutRoutes(app);
  registerStatementRoutes(app);
  registerPromotionRoutes(app);
  registerMonthlyStatementRoutes(app);
  registerAdminRoutes(app);
  registerZoneAdminRoutes(app);
  registerSurgeAdminRoutes(app);
  registerInvitationRoutes(app);
  registerUserAdminRoutes(app);
  registerOnboardingRestaurantRoutes(app);
  registerOnboardingStaffRoutes(app);
  registerOnboardingCourierRoutes(app);
  registerExceptionAdminRoutes(app);
  registerLiveMapRoutes(app);
  registerAuditAdminRoutes(app);
  registerOverviewRoutes(app);
  registerMetricsRoutes(app);
  registerNotificationPreferenceRoutes(app);
  registerPartnerWebhookRoutes(app);

  documentRateLimits(app.openAPIRegistry);
  registerLiveProtocols(app.openAPIRegistry);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  // Built once per isolate, on first request: the routes cannot change after start-up.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get("/v1/openapi.json", (c) => {
    document ??= openApiDocument(app);
    return c.json(document);
  });

  app.notFound(() => {
    throw new ApiError(404, "route_not_found", "No such endpoint.");
  });
  app.onError(handleError);
  return app;
}
