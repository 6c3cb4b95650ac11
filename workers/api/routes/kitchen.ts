// The kitchen's live side, decided by the Restaurant DO: capacity and busy
// mode, real-time stock, and delivery slots with what is left in each.
// Settings (the capacity policy, slot templates) live in Postgres and travel
// to the DO with each call through the cached ordering profile; live state
// (busy by hand, stock counts, bookings) lives in the DO.
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq, inArray } from "drizzle-orm";
import { menuItems, restaurants } from "../../../db/schema.ts";
import { type CapacityPolicy, checkCapacityPolicy } from "../../../domain/kitchen/capacity.ts";
import { checkSlotTemplates } from "../../../domain/kitchen/slots.ts";
import { MAX_STOCK } from "../../../domain/kitchen/stock.ts";
import type { Env } from "../../env.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { readMenu } from "../menus/menu-cache.ts";
import type { OrderingProfile } from "../menus/menu-repository.ts";
import { afterCommit, assertRestaurantEditor, restaurantNotFound } from "../restaurants/editing.ts";
import { HHMM, profileOf, RestaurantProfile, Uuid } from "../restaurants/schemas.ts";

export function restaurantStub(env: Env, restaurantId: string) {
  return env.RESTAURANT.get(env.RESTAURANT.idFromName(restaurantId));
}

const CapacityBody = z
  .strictObject({
    maxActiveOrders: z
      .number()
      .int()
      .min(1)
      .max(500)
      .nullable()
      .openapi({ description: "Orders the kitchen can prepare at once; null: no limit." }),
    maxOrdersPer15Min: z
      .number()
      .int()
      .min(1)
      .max(500)
      .nullable()
      .openapi({ description: "Orders it can start in any 15 minutes; null: no limit." }),
    whenFull: z.enum(["quote_longer", "refuse"]).openapi({
      description: "At capacity (or busy by hand): quote a longer prep time, or refuse new orders.",
    }),
    busyExtraPrepMinutes: z.number().int().min(0).max(120).default(15),
    maxQuotedPrepMinutes: z
      .number()
      .int()
      .min(5)
      .max(240)
      .default(90)
      .openapi({ description: "A quote longer than this is refused even when quoting longer." }),
  })
  .openapi("KitchenCapacity");

const KitchenState = z
  .object({
    busy: z.boolean(),
    reason: z.enum(["manual", "at_capacity"]).nullable(),
    acceptingOrders: z.boolean().openapi({ description: "false: placement answers 422 kitchen_busy." }),
    quotedPrepMinutes: z.number().int().nullable().openapi({ description: "What the next order would be quoted." }),
    activeOrders: z.number().int(),
    startedLast15Min: z.number().int(),
    busyUntil: z.string().nullable().openapi({ description: "When busy mode by hand ends; null: until switched off." }),
    capacity: CapacityBody,
    basePrepMinutes: z.number().int(),
  })
  .openapi("KitchenState");

const BusyBody = z
  .strictObject({
    minutes: z
      .number()
      .int()
      .min(5)
      .max(240)
      .nullable()
      .openapi({ description: "Busy for this many minutes; null: until switched off." }),
  })
  .openapi("KitchenBusy");

const StockLevel = z
  .object({ itemId: Uuid, remaining: z.number().int(), available: z.boolean() })
  .openapi("StockLevel");

const StockBody = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          itemId: Uuid,
          remaining: z
            .number()
            .int()
            .min(0)
            .max(MAX_STOCK)
            .nullable()
            .openapi({ description: "Units left to sell (open orders' units are not in it); null stops counting." }),
        }),
      )
      .min(1)
      .max(200),
  })
  .openapi("StockUpdate");

const SlotTemplate = z.strictObject({
  day: z.number().int().min(0).max(6).openapi({ description: "0 = Sunday" }),
  start: HHMM,
  end: HHMM,
  capacity: z.number().int().min(1).max(1000),
});

const SlotSettings = z
  .strictObject({
    templates: z.array(SlotTemplate).min(1).max(200),
    cutoffMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(60),
    daysAhead: z.number().int().min(1).max(14).default(7),
  })
  .openapi("DeliverySlotSettings");

const DeliverySlot = z
  .object({
    id: z.string().openapi({ description: "Local date and start, e.g. 2026-11-30T10:00: send it as slotId." }),
    startsAt: z.string(),
    endsAt: z.string(),
    capacity: z.number().int(),
    remaining: z.number().int(),
    bookable: z.boolean().openapi({ description: "Before its cut-off and not full." }),
  })
  .openapi("DeliverySlot");

const params = z.object({ id: Uuid });
const staffOnly = [requireAuth("restaurant_staff", "admin")];
const tags = ["kitchen"];

const getKitchen = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/kitchen",
  operationId: "getKitchenState",
  tags,
  security: [],
  summary: "Is the kitchen busy, would it take an order now, and with what prep time (for customers and staff)",
  request: { params },
  responses: { 200: jsonResponse(KitchenState, "The kitchen now"), ...errorResponses(400, 404) },
});

const putCapacity = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/kitchen/capacity",
  operationId: "setKitchenCapacity",
  tags,
  summary: "Set how many orders the kitchen takes at once or per 15 minutes, and what happens when full",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params, ...jsonBody(CapacityBody) },
  responses: { 200: jsonResponse(KitchenState, "The kitchen now"), ...errorResponses(400, 401, 403, 404, 429) },
});

const putBusy = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/kitchen/busy",
  operationId: "setKitchenBusy",
  tags,
  summary: "Switch busy mode on by hand: counts as at capacity (longer quotes, or refusals, per the policy)",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params, ...jsonBody(BusyBody) },
  responses: { 200: jsonResponse(KitchenState, "The kitchen now"), ...errorResponses(400, 401, 403, 404, 429) },
});

const deleteBusy = createRoute({
  method: "delete",
  path: "/v1/restaurants/{id}/kitchen/busy",
  operationId: "clearKitchenBusy",
  tags,
  summary: "Switch busy mode off",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params },
  responses: { 200: jsonResponse(KitchenState, "The kitchen now"), ...errorResponses(400, 401, 403, 404, 429) },
});

const getStock = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/stock",
  operationId: "getStock",
  tags,
  security: [],
  summary: "Real-time stock of the items that have a count; items not listed are not counted",
  request: { params },
  responses: {
    200: jsonResponse(z.object({ items: z.array(StockLevel) }), "Counts now"),
    ...errorResponses(400, 404),
  },
});

const putStock = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/stock",
  operationId: "setStock",
  tags,
  summary: "Set how many units of items are left to sell (restock), or stop counting an item",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params, ...jsonBody(StockBody) },
  responses: {
    200: jsonResponse(z.object({ items: z.array(StockLevel) }), "Counts now"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const getSlots = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/slots",
  operationId: "listDeliverySlots",
  tags,
  security: [],
  summary: "Delivery slots of a slot-based merchant for the coming days, with what is left in each",
  request: { params },
  responses: {
    200: jsonResponse(
      z.object({ fulfilment: z.enum(["on_demand", "slots"]), timeZone: z.string(), slots: z.array(DeliverySlot) }),
      "Slots (empty for a merchant that delivers on demand)",
    ),
    ...errorResponses(400, 404),
  },
});

const putSlotSettings = createRoute({
  method: "put",
  path: "/v1/restaurants/{id}/delivery-slots",
  operationId: "setDeliverySlots",
  tags,
  summary: "Deliver only in slots (weekly windows with a capacity each), or back to on demand with null",
  security: bearerSecurity,
  middleware: staffOnly,
  request: { params, ...jsonBody(z.object({ settings: SlotSettings.nullable() }).strict()) },
  responses: {
    200: jsonResponse(RestaurantProfile, "The restaurant as saved"),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

async function profileFor(c: AppContext, restaurantId: string): Promise<OrderingProfile> {
  const cached = await readMenu(c.env.MENU_CACHE, () => c.var.db, restaurantId);
  if (!cached) throw new ApiError(404, "restaurant_not_found", "No active restaurant has this id.");
  return cached.ordering;
}

async function kitchenStateOf(c: AppContext, restaurantId: string, profile: OrderingProfile) {
  const state = await restaurantStub(c.env, restaurantId).kitchenState(
    restaurantId,
    profile.capacity,
    profile.prepTimeMinutes,
  );
  const { manualUntil, ...rest } = state;
  return { ...rest, busyUntil: manualUntil === null ? null : new Date(manualUntil).toISOString() };
}

function stockOut(levels: Record<string, number>) {
  return {
    items: Object.entries(levels)
      .map(([itemId, remaining]) => ({ itemId, remaining, available: remaining > 0 }))
      .sort((a, b) => (a.itemId < b.itemId ? -1 : 1)),
  };
}

export function registerKitchenRoutes(app: App): void {
  app.openapi(getKitchen, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await kitchenStateOf(c, id, await profileFor(c, id)), 200);
  });

  app.openapi(putCapacity, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const capacity: CapacityPolicy = c.req.valid("json");
    const issues = checkCapacityPolicy(capacity);
    if (issues.length > 0) throw validationError(issues.map((i) => ({ ...i, code: "invalid" })));
    const [row] = await c.var.db
      .update(restaurants)
      .set({ capacity })
      .where(eq(restaurants.id, id))
      .returning({ id: restaurants.id });
    if (!row) throw restaurantNotFound();
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(await kitchenStateOf(c, id, await profileFor(c, id)), 200);
  });

  app.openapi(putBusy, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { minutes } = c.req.valid("json");
    const profile = await profileFor(c, id);
    await restaurantStub(c.env, id).setBusy(true, minutes === null ? null : Date.now() + minutes * 60_000);
    return c.json(await kitchenStateOf(c, id, profile), 200);
  });

  app.openapi(deleteBusy, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const profile = await profileFor(c, id);
    await restaurantStub(c.env, id).setBusy(false, null);
    return c.json(await kitchenStateOf(c, id, profile), 200);
  });

  app.openapi(getStock, async (c) => {
    const { id } = c.req.valid("param");
    await profileFor(c, id);
    return c.json(stockOut(await restaurantStub(c.env, id).stock()), 200);
  });

  app.openapi(putStock, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { items } = c.req.valid("json");
    const ids = [...new Set(items.map((i) => i.itemId))];
    if (ids.length !== items.length) {
      throw validationError([{ path: "items", code: "duplicate_item", message: "Name each item once." }]);
    }
    const known = await c.var.db
      .select({ id: menuItems.id })
      .from(menuItems)
      .where(and(eq(menuItems.restaurantId, id), inArray(menuItems.id, ids)));
    const knownIds = new Set(known.map((k) => k.id));
    const unknown = items.flatMap((item, i) =>
      knownIds.has(item.itemId)
        ? []
        : [{ path: `items.${i}.itemId`, code: "menu_item_not_found", message: "Not an item of this restaurant." }],
    );
    if (unknown.length > 0)
      throw new ApiError(404, "menu_item_not_found", "Some items are not this restaurant's.", unknown);
    return c.json(stockOut(await restaurantStub(c.env, id).setStock(items)), 200);
  });

  app.openapi(getSlots, async (c) => {
    const { id } = c.req.valid("param");
    const profile = await profileFor(c, id);
    if (profile.fulfilment !== "slots" || !profile.deliverySlots) {
      return c.json({ fulfilment: profile.fulfilment, timeZone: profile.timeZone, slots: [] }, 200);
    }
    const slots = await restaurantStub(c.env, id).slots(profile.deliverySlots, profile.timeZone, profile.specialDays);
    return c.json(
      {
        fulfilment: profile.fulfilment,
        timeZone: profile.timeZone,
        slots: slots.map((s) => ({
          id: s.id,
          startsAt: new Date(s.startsAt).toISOString(),
          endsAt: new Date(s.endsAt).toISOString(),
          capacity: s.capacity,
          remaining: s.remaining,
          bookable: s.bookable,
        })),
      },
      200,
    );
  });

  app.openapi(putSlotSettings, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const { settings } = c.req.valid("json");
    if (settings) {
      const issues = checkSlotTemplates(settings.templates);
      if (issues.length > 0) {
        throw validationError(
          issues.map((i) => ({ path: `settings.templates.${i.path}`, code: "invalid_slot", message: i.message })),
        );
      }
    }
    const [row] = await c.var.db
      .update(restaurants)
      .set(
        settings ? { fulfilment: "slots", deliverySlots: settings } : { fulfilment: "on_demand", deliverySlots: null },
      )
      .where(eq(restaurants.id, id))
      .returning();
    if (!row) throw restaurantNotFound();
    await afterCommit(c, id, { discoveryNow: true });
    return c.json(profileOf(row), 200);
  });
}
