// A user's own notifications: preferences (language, channels, categories,
// quiet hours, phone), the web push subscriptions their apps' service
// workers register, and what was sent to them with its delivery status.
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { notificationPreferences, notifications, pushSubscriptions } from "../../../db/schema-notifications.ts";
import {
  CATEGORIES,
  type Category,
  CHANNELS,
  LANGUAGES,
  MUST_GO,
  withDefaults,
} from "../../../domain/notifications/preferences.ts";
import { isTimeZone } from "../../../domain/restaurant/local-time.ts";
import { checkEndpointUrl } from "../../../domain/webhooks/endpoints.ts";
import { vapidPublicKeyOf } from "../../notifications/web-push.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM");
const ChannelSwitches = z.strictObject({ push: z.boolean(), email: z.boolean(), sms: z.boolean() }).partial();
const QuietHours = z
  .strictObject({
    start: HhMm,
    end: HhMm,
    timeZone: z.string().max(64).refine(isTimeZone, "An IANA time zone such as Europe/Lisbon."),
  })
  .openapi("QuietHours");

const Preferences = z
  .object({
    language: z.enum(LANGUAGES),
    channels: z.object({ push: z.boolean(), email: z.boolean(), sms: z.boolean() }),
    categories: z.record(z.string(), z.record(z.string(), z.boolean())),
    quietHours: QuietHours.nullable(),
    phone: z.string().nullable(),
    mustGo: z.array(z.string()).openapi({ description: "Categories that are always sent, whatever is set here." }),
  })
  .openapi("NotificationPreferences");

const PreferencesPatch = z
  .strictObject({
    language: z.enum(LANGUAGES),
    channels: ChannelSwitches,
    categories: z.partialRecord(z.enum(CATEGORIES), ChannelSwitches),
    quietHours: QuietHours.nullable(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "E.164, e.g. +351912345678")
      .nullable(),
  })
  .partial()
  .openapi("NotificationPreferencesPatch", { description: "Only the fields named change." });

const getPrefs = createRoute({
  method: "get",
  path: "/v1/me/notification-preferences",
  operationId: "getNotificationPreferences",
  tags: ["notifications"],
  summary: "Your notification preferences",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: { 200: jsonResponse(Preferences, "Preferences, defaults filled in"), ...errorResponses(401) },
});

const setPrefs = createRoute({
  method: "patch",
  path: "/v1/me/notification-preferences",
  operationId: "updateNotificationPreferences",
  tags: ["notifications"],
  summary: "Change your notification preferences",
  description:
    "A kitchen's new orders and a courier's offers must go: switching them off is refused (422 `must_go_category`). Marketing is opt-in. Quiet hours hold push and SMS, never email.",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: jsonBody(PreferencesPatch),
  responses: { 200: jsonResponse(Preferences, "Preferences after the change"), ...errorResponses(400, 401, 422, 429) },
});

const Notification = z
  .object({
    id: z.number().int(),
    eventId: z.string().uuid(),
    orderId: z.string().uuid().nullable(),
    channel: z.enum(CHANNELS),
    template: z.string(),
    title: z.string(),
    body: z.string(),
    status: z.enum(["queued", "sent", "retried", "failed", "suppressed"]),
    reason: z.string().nullable(),
    attempts: z.number().int(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi("Notification");

const listMine = createRoute({
  method: "get",
  path: "/v1/me/notifications",
  operationId: "listMyNotifications",
  tags: ["notifications"],
  summary: "What was sent to you (latest 50), with each one's delivery status",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  responses: {
    200: jsonResponse(z.object({ notifications: z.array(Notification) }), "Notifications"),
    ...errorResponses(401),
  },
});

const Base64Url = (bytes: number) =>
  z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, "base64url")
    .refine((v) => Math.floor((v.replace(/=+$/, "").length * 3) / 4) === bytes, `${bytes} bytes`);

const SubscriptionBody = z
  .strictObject({
    endpoint: z.string().url().max(1000),
    keys: z.strictObject({ p256dh: Base64Url(65), auth: Base64Url(16) }),
    app: z.enum(["customer", "courier", "console"]),
  })
  .openapi("PushSubscriptionInput", {
    description: "PushSubscription.toJSON() from the service worker, plus the app.",
  });

const Subscription = z
  .object({ id: z.string().uuid(), endpoint: z.string(), app: z.string(), createdAt: z.string() })
  .openapi("PushSubscription");

/** A user on a few devices and apps; more is a leak, not a user. */
export const MAX_PUSH_SUBSCRIPTIONS = 10;

const subscribe = createRoute({
  method: "post",
  path: "/v1/me/push-subscriptions",
  operationId: "registerPushSubscription",
  tags: ["notifications"],
  summary: "Register a web push subscription of this browser",
  description: `The same endpoint again updates it (and moves it to you if another account had it). At most ${MAX_PUSH_SUBSCRIPTIONS} per user: the oldest goes.`,
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: jsonBody(SubscriptionBody),
  responses: { 201: jsonResponse(Subscription, "Registered"), ...errorResponses(400, 401, 422, 429) },
});

const unsubscribe = createRoute({
  method: "delete",
  path: "/v1/me/push-subscriptions/{id}",
  operationId: "deletePushSubscription",
  tags: ["notifications"],
  summary: "Remove one of your push subscriptions",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { 204: { description: "Removed" }, ...errorResponses(400, 401, 404, 429) },
});

const vapidKey = createRoute({
  method: "get",
  path: "/v1/push/vapid-public-key",
  operationId: "getVapidPublicKey",
  tags: ["notifications"],
  summary: "The application server key for PushManager.subscribe",
  security: [],
  responses: {
    200: jsonResponse(z.object({ publicKey: z.string() }), "Base64url, uncompressed P-256 point"),
    ...errorResponses(404),
  },
});

export function registerNotificationPreferenceRoutes(app: App): void {
  const load = async (db: Database, userId: string) => {
    const [row] = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
    return withDefaults(row?.settings);
  };
  const present = (p: ReturnType<typeof withDefaults>) => ({ ...p, mustGo: [...MUST_GO] });

  app.openapi(getPrefs, async (c) => c.json(present(await load(c.var.db, principalOf(c).userId)), 200));

  app.openapi(setPrefs, async (c) => {
    const userId = principalOf(c).userId;
    const patch = c.req.valid("json");
    for (const category of Object.keys(patch.categories ?? {}) as Category[]) {
      const switches = patch.categories?.[category] ?? {};
      if (MUST_GO.has(category) && Object.values(switches).some((v) => v === false)) {
        throw new ApiError(422, "must_go_category", `"${category}" messages must go and cannot be switched off.`);
      }
    }
    const current = await load(c.var.db, userId);
    const categories = { ...current.categories };
    for (const [category, switches] of Object.entries(patch.categories ?? {})) {
      categories[category as Category] = { ...(categories[category as Category] ?? {}), ...switches };
    }
    const next = {
      language: patch.language ?? current.language,
      channels: { ...current.channels, ...(patch.channels ?? {}) },
      categories,
      quietHours: patch.quietHours === undefined ? current.quietHours : patch.quietHours,
      phone: patch.phone === undefined ? current.phone : patch.phone,
    };
    await c.var.db
      .insert(notificationPreferences)
      .values({ userId, settings: next })
      .onConflictDoUpdate({ target: notificationPreferences.userId, set: { settings: next, updatedAt: new Date() } });
    return c.json(present(next), 200);
  });

  app.openapi(listMine, async (c) => {
    const rows = await c.var.db
      .select()
      .from(notifications)
      .where(eq(notifications.recipientId, principalOf(c).userId))
      .orderBy(desc(notifications.id))
      .limit(50);
    return c.json(
      {
        notifications: rows.map((r) => ({
          id: r.id,
          eventId: r.eventId,
          orderId: r.orderId,
          channel: r.channel as (typeof CHANNELS)[number],
          template: r.template,
          title: r.title,
          body: r.body,
          status: r.status as "queued",
          reason: r.reason,
          attempts: r.attempts,
          createdAt: r.createdAt.toISOString(),
          sentAt: r.sentAt?.toISOString() ?? null,
        })),
      },
      200,
    );
  });

  app.openapi(subscribe, async (c) => {
    const userId = principalOf(c).userId;
    const body = c.req.valid("json");
    // The platform POSTs to this URL: the same rule as for partner endpoints keeps it off private networks.
    const verdict = checkEndpointUrl(body.endpoint, { allowLoopback: c.env.WEBHOOK_ALLOW_LOOPBACK === "true" });
    if (!verdict.ok) throw new ApiError(422, "push_endpoint_refused", `Push endpoint refused: ${verdict.reason}.`);
    const values = { userId, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth, app: body.app };
    const [row] = await c.var.db
      .insert(pushSubscriptions)
      .values(values)
      .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: values })
      .returning();
    const [{ n } = { n: 0 }] = await c.var.db
      .select({ n: count() })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, userId));
    if (n > MAX_PUSH_SUBSCRIPTIONS) {
      const oldest = await c.var.db
        .select({ id: pushSubscriptions.id })
        .from(pushSubscriptions)
        .where(eq(pushSubscriptions.userId, userId))
        .orderBy(asc(pushSubscriptions.createdAt))
        .limit(n - MAX_PUSH_SUBSCRIPTIONS);
      await c.var.db.delete(pushSubscriptions).where(
        inArray(
          pushSubscriptions.id,
          oldest.map((o) => o.id),
        ),
      );
    }
    if (!row) throw new ApiError(409, "subscription_conflict", "The subscription could not be stored.");
    return c.json({ id: row.id, endpoint: row.endpoint, app: row.app, createdAt: row.createdAt.toISOString() }, 201);
  });

  app.openapi(unsubscribe, async (c) => {
    const removed = await c.var.db
      .delete(pushSubscriptions)
      .where(
        and(eq(pushSubscriptions.id, c.req.valid("param").id), eq(pushSubscriptions.userId, principalOf(c).userId)),
      )
      .returning({ id: pushSubscriptions.id });
    if (removed.length === 0)
      throw new ApiError(404, "push_subscription_not_found", "No such push subscription of yours.");
    return c.body(null, 204);
  });

  app.openapi(vapidKey, async (c) => {
    let key: string | null = null;
    try {
      key = c.env.VAPID_PRIVATE_JWK ? vapidPublicKeyOf(JSON.parse(c.env.VAPID_PRIVATE_JWK)) : null;
    } catch {
      key = null;
    }
    if (!key) throw new ApiError(404, "push_not_configured", "Web push is not configured here.");
    c.header("cache-control", "public, max-age=3600");
    return c.json({ publicKey: key }, 200);
  });
}
