// Opening hours as staff manage them: the weekly slots, special days (closed,
// or other hours, on a date) and a temporary pause. Each change rewrites the
// KV ordering profile and the D1 discovery row before answering, so the next
// placement and the next search already follow it.
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { restaurants } from "../../../db/schema.ts";
import {
  availabilityAt,
  checkSpecialDays,
  checkWeeklyHours,
  currentSpecialDays,
  type Schedule,
} from "../../../domain/restaurant/schedule.ts";
import { updateRestaurantAudited } from "../audit/audit.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { readMenu } from "../menus/menu-cache.ts";
import type { OrderingProfile } from "../menus/menu-repository.ts";
import { afterCommit, assertRestaurantEditor, restaurantNotFound } from "../restaurants/editing.ts";
import { OpeningSlot, profileOf, RestaurantProfile, SpecialDay, Uuid } from "../restaurants/schemas.ts";

const Availability = z
  .object({
    open: z.boolean(),
    reason: z.enum(["paused", "special_day", "outside_hours"]).nullable(),
    opensAt: z
      .string()
      .nullable()
      .openapi({ description: "When closed: when orders are taken again (within 14 days)." }),
    closesAt: z.string().nullable().openapi({ description: "When open: when this opening ends." }),
  })
  .openapi("Availability");

const Hours = z
  .object({
    timeZone: z.string(),
    weekly: z.array(OpeningSlot),
    specialDays: z.array(SpecialDay),
    pausedUntil: z.string().nullable(),
    availability: Availability,
  })
  .openapi("RestaurantHours");

const HoursBody = z
  .strictObject({
    weekly: z.array(OpeningSlot).max(42),
    specialDays: z.array(SpecialDay).max(60).default([]),
  })
  .openapi("RestaurantHoursUpdate");

const PauseBody = z
  .strictObject({
    minutes: z
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .openapi({ description: "Closed for this many minutes from now." }),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .openapi("PauseOrders");

const staffOnly = [requireAuth("restaurant_staff", "admin")];
const params = z.object({ id: Uuid });

const getHours = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/hours",
  operationId: "getRestaurantHours",
  tags: ["discovery"],
  security: [],
  summary: "A restaurant's weekly hours, special days, pause, and whether it takes orders now",
  request: { params },
  responses: { 200: jsonResponse(Hours, "The hours"), ...errorResponses(400, 404) },
});

const putHours = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/hours",
  operationId: "setRestaurantHours",
  tags: ["restaurants"],
  summary: "Replace the weekly hours and special days (its staff or an admin); discovery and placement follow at once",
  description:
    "Several slots a day are allowed; a slot whose close is before its open runs past midnight, and one whose close equals its open runs 24 hours. Overlapping slots are refused. A special day replaces its date's weekly hours; with no slots it is closed all day. Special days that are over are dropped.",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params, ...jsonBody(HoursBody) },
  responses: {
    200: jsonResponse(RestaurantProfile, "The restaurant as saved"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const pause = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/pause",
  operationId: "pauseRestaurant",
  tags: ["restaurants"],
  summary: "Stop taking orders for the next N minutes (its staff or an admin); replaces any current pause",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params, ...jsonBody(PauseBody) },
  responses: {
    200: jsonResponse(RestaurantProfile, "The restaurant as saved"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const resume = createRoute({
  method: "delete",
  path: "/v1/restaurants/{id}/pause",
  operationId: "resumeRestaurant",
  tags: ["restaurants"],
  summary: "End a pause now (its staff or an admin); nothing to end is not an error",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params },
  responses: {
    200: jsonResponse(RestaurantProfile, "The restaurant as saved"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

export function scheduleOf(profile: OrderingProfile): Schedule {
  return {
    timeZone: profile.timeZone,
    weekly: profile.openingHours,
    specialDays: profile.specialDays,
    pausedUntil: profile.pausedUntil,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function registerRestaurantHoursRoutes(app: App): void {
  app.openapi(getHours, async (c) => {
    const { id } = c.req.valid("param");
    const cached = await readMenu(c.env.MENU_CACHE, () => c.var.db, id);
    if (!cached) throw new ApiError(404, "restaurant_not_found", "No active restaurant has this id.");
    const schedule = scheduleOf(cached.ordering);
    const now = Date.now();
    const availability = availabilityAt(schedule, now);
    return c.json(
      {
        timeZone: schedule.timeZone,
        weekly: cached.ordering.openingHours,
        specialDays: currentSpecialDays(schedule.specialDays, schedule.timeZone, now),
        pausedUntil: schedule.pausedUntil !== null && schedule.pausedUntil > now ? iso(schedule.pausedUntil) : null,
        availability: availability.open
          ? { open: true, reason: null, opensAt: null, closesAt: iso(availability.closesAt) }
          : { open: false, reason: availability.reason, opensAt: iso(availability.opensAt), closesAt: null },
      },
      200,
    );
  });

  app.openapi(putHours, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const body = c.req.valid("json");
    const issues = [
      ...checkWeeklyHours(body.weekly).map((i) => ({ ...i, path: i.path ? `weekly.${i.path}` : "weekly" })),
      ...checkSpecialDays(body.specialDays).map((i) => ({ ...i, path: `specialDays.${i.path}` })),
    ];
    if (issues.length > 0) throw validationError(issues, "The hours overlap, repeat a date or name no real date.");
    const [current] = await c.var.db
      .select({ timeZone: restaurants.timeZone })
      .from(restaurants)
      .where(eq(restaurants.id, id))
      .limit(1);
    if (!current) throw restaurantNotFound();
    const row = await updateRestaurantAudited(
      c,
      id,
      {
        openingHours: body.weekly,
        specialDays: currentSpecialDays(body.specialDays, current.timeZone, Date.now()),
      },
      "restaurant.hours",
    );
    if (!row) throw restaurantNotFound();
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(profileOf(row), 200);
  });

  app.openapi(pause, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const body = c.req.valid("json");
    const row = await updateRestaurantAudited(
      c,
      id,
      { pausedUntil: new Date(Date.now() + body.minutes * 60_000), pauseReason: body.reason ?? null },
      "restaurant.pause",
    );
    if (!row) throw restaurantNotFound();
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(profileOf(row), 200);
  });

  app.openapi(resume, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const row = await updateRestaurantAudited(c, id, { pausedUntil: null, pauseReason: null }, "restaurant.resume");
    if (!row) throw restaurantNotFound();
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(profileOf(row), 200);
  });
}
