// Orders: placement (priced here from the menu, never from the client),
// reading, and the commands each party may send. The Order DO decides;
// this layer validates, authenticates and translates.
import { createRoute, z } from "@hono/zod-openapi";
import { pointInPolygon } from "../../../domain/delivery-areas/point-in-polygon.ts";
import { haversineMeters } from "../../../domain/geo/distance.ts";
import { orderIdFor, sha256Hex } from "../../../domain/order/order-id.ts";
import { type MenuForPricing, priceCart } from "../../../domain/pricing/price-cart.ts";
import type { OrderDO, Refusal } from "../../../durable-objects/order/order-do.ts";
import type { AdmitAndPlaceInput } from "../../../durable-objects/restaurant/restaurant-do.ts";
import type { Env } from "../../env.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { activeDeliveryAreas } from "../delivery-areas/area-cache.ts";
import { ApiError, relayUpgrade } from "../http/errors.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonBody,
  jsonResponse,
  orderTotalsFields,
  switchingProtocols,
  urlNumber,
  webSocketProtocol,
} from "../http/openapi.ts";
import { readMenuForPricing } from "../menus/menu-cache.ts";
import type { Menu } from "../menus/menu-repository.ts";
import { type SurgeMode, surgeFor } from "../orders/delivery-terms.ts";
import { checkTiming, placeThroughKitchen } from "../orders/kitchen-admission.ts";
import { recordPlacement } from "../orders/placement-metrics.ts";
import { type PromotionCaller, withPromotion, withRedemption } from "../orders/promotion-pricing.ts";

const Uuid = z.string().uuid();

const DeliveryAddress = z
  .strictObject({
    line1: z.string().trim().min(1).max(200),
    line2: z.string().trim().max(200).optional(),
    city: z.string().trim().min(1).max(100),
    postcode: z.string().trim().min(1).max(20),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
    instructions: z.string().trim().max(500).optional(),
  })
  .openapi("DeliveryAddress");

// Strict: a client that sends prices or totals is told so, not silently ignored.
export const PlaceOrderBody = z
  .strictObject({
    restaurantId: Uuid,
    items: z
      .array(
        z.strictObject({
          itemId: Uuid,
          quantity: z.number().int().min(1).max(99),
          optionIds: z.array(Uuid).max(30).default([]),
        }),
      )
      .min(1)
      .max(50),
    deliveryAddress: DeliveryAddress,
    tipMinor: z.number().int().min(0).max(100_00).default(0),
    scheduledFor: z.string().datetime({ offset: true }).optional().openapi({
      description:
        "Deliver at this time instead of as soon as possible (restaurants that accept scheduled orders; within their hours, up to 7 days ahead).",
    }),
    slotId: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "A slot id from GET /v1/restaurants/{id}/slots, e.g. 2026-11-30T10:00.")
      .optional()
      .openapi({ description: "Required for slot-based merchants: the delivery slot." }),
    promoCode: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .optional()
      .openapi({ description: "A promotion code; the discount comes off the food (never below zero)." }),
  })
  .openapi("PlaceOrder");

export const Order = z
  .object({
    id: Uuid,
    status: z.string(),
    delivery: z.string(),
    customerId: Uuid,
    restaurantId: Uuid,
    courierId: Uuid.nullable(),
    currency: z.string(),
    lines: z.array(
      z.object({
        lineNo: z.number().int(),
        itemId: Uuid,
        name: z.string(),
        quantity: z.number().int(),
        unitPriceMinor: z.number().int(),
        options: z.array(
          z.object({ optionId: Uuid, groupId: Uuid, name: z.string(), priceDeltaMinor: z.number().int() }),
        ),
        lineTotalMinor: z.number().int(),
      }),
    ),
    ...orderTotalsFields,
    promotionCode: z.string().nullable(),
    paidMinor: z.number().int(),
    refundedMinor: z.number().int(),
    deliveryAddress: DeliveryAddress,
    prepTimeMinutes: z.number().int().nullable(),
    readyAt: z.string().nullable(),
    placedAt: z.string(),
    lastSeq: z.number().int(),
    quotedPrepMinutes: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Prep time quoted at placement under the kitchen's load (longer when it is busy)." }),
    estimatedReadyAt: z.string().nullable().openapi({
      description: "Before acceptance: the planned time (ordered for later) or the quote from payment; then readyAt.",
    }),
    scheduledFor: z.string().nullable().openapi({ description: "Ordered for later: when it should arrive." }),
    releaseAt: z.string().nullable().openapi({ description: "Ordered for later: when it reaches the kitchen." }),
    deliverySlot: z.object({ id: z.string(), startsAt: z.string(), endsAt: z.string() }).nullable(),
    liveEta: z
      .object({
        pickupAt: z.string().nullable(),
        dropoffAt: z.string(),
        model: z.enum(["learned", "fixed"]),
        updatedAt: z.string(),
      })
      .optional()
      .openapi({
        description:
          "From acceptance to delivery: the latest ETA, from the learned model when one is fitted; moves with courier positions and prep changes.",
      }),
  })
  .openapi("Order");

export const OrderEvent = z
  .object({
    id: Uuid,
    orderId: Uuid,
    seq: z.number().int(),
    type: z.string(),
    actorId: z.string(),
    actorRole: z.string(),
    at: z.number().int(),
    state: z.string(),
    delivery: z.string(),
    payload: z.record(z.string(), z.unknown()),
  })
  .openapi("OrderEvent");

const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[\w.:-]{8,128}$/, "8 to 128 characters: letters, digits, _ . : -")
    .openapi({ param: { name: "idempotency-key", in: "header" }, example: "2b1c7f0e-order-1" }),
});

const placeOrder = createRoute({
  method: "post",
  path: "/v1/orders",
  operationId: "placeOrder",
  tags: ["orders"],
  summary: "Place an order; the same Idempotency-Key returns the same order",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: { headers: IdempotencyHeader, ...jsonBody(PlaceOrderBody) },
  responses: {
    201: jsonResponse(Order, "Placed"),
    200: jsonResponse(Order, "Already placed with this Idempotency-Key"),
    ...errorResponses(400, 401, 403, 404, 409, 413, 422),
  },
});

const getOrder = createRoute({
  method: "get",
  path: "/v1/orders/{id}",
  operationId: "getOrder",
  tags: ["orders"],
  summary: "One order, live from its Durable Object, with its timeline",
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: { params: z.object({ id: Uuid }) },
  responses: {
    200: jsonResponse(z.object({ order: Order, timeline: z.array(OrderEvent) }), "The order"),
    ...errorResponses(400, 401, 404),
  },
});

const checkout = createRoute({
  method: "post",
  path: "/v1/orders/{id}/checkout",
  operationId: "checkoutOrder",
  tags: ["payments"],
  summary: "Create the order's PaymentIntent for the server-computed total; returns only its client secret",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: { params: z.object({ id: Uuid }) },
  responses: {
    200: jsonResponse(
      z.object({
        paymentIntentId: z.string(),
        clientSecret: z.string(),
        amountMinor: z.number().int(),
        currency: z.string(),
      }),
      "Pay with this client secret",
    ),
    ...errorResponses(401, 403, 404, 409),
  },
});

const watchOrder = createRoute({
  method: "get",
  path: "/v1/orders/{id}/live",
  operationId: "watchOrder",
  tags: ["orders"],
  summary: "WebSocket of the order's events; `since` resumes after the last sequence seen",
  description:
    'Upgrade with `Authorization: Bearer` or `?access_token=`. Server sends `{type:"event",event}` for every transition in sequence order and `{type:"courier_position",...}` while a courier is on the way. Send the text `ping` for a `pong` heartbeat.',
  security: bearerSecurity,
  middleware: [requireAuth()] as const,
  request: {
    params: z.object({ id: Uuid }),
    query: z.object({ since: urlNumber({ min: 0, max: Number.MAX_SAFE_INTEGER, int: true }).optional() }),
  },
  ...webSocketProtocol("Order"),
  responses: { ...switchingProtocols("Order"), ...errorResponses(401, 404) },
});

/** The Order DO's RPC surface, as the runtime types its stub. */
export type OrderRpc = DurableObjectStub<OrderDO>;

export function orderStubFor(env: Env, orderId: string): OrderRpc {
  return env.ORDER.get(env.ORDER.idFromName(orderId));
}

function orderStub(c: AppContext, orderId: string): OrderRpc {
  return orderStubFor(c.env, orderId);
}

export function throwRefusal(refusal: Refusal): never {
  throw new ApiError(refusal.status, refusal.code, refusal.message);
}

// Keyed by the isolate's shared parsed menu (menu-cache.ts): rebuilt only when the menu changes.
const pricingMenus = new WeakMap<Menu, MenuForPricing>();

function toPricingMenu(menu: Menu): MenuForPricing {
  let pricing = pricingMenus.get(menu);
  if (!pricing) {
    pricing = {
      restaurantId: menu.restaurantId,
      version: menu.version,
      currency: menu.currency,
      items: menu.categories.flatMap((cat) => cat.items),
    };
    pricingMenus.set(menu, pricing);
  }
  return pricing;
}

export type PlaceOrderInput = z.infer<typeof PlaceOrderBody>;

/**
 * Prices a cart exactly as placement does (a quote uses this too): the menu,
 * ordering profile and zones all come from KV, so no Postgres on this path.
 */
export async function priceForPlacement(
  c: AppContext,
  body: PlaceOrderInput,
  mode: SurgeMode,
  caller: PromotionCaller,
) {
  const cached = await readMenuForPricing(c.env.MENU_CACHE, () => c.var.db, body.restaurantId);
  if (!cached) throw new ApiError(404, "restaurant_not_found", "No active restaurant has this id.");
  const restaurant = cached.entry.ordering;
  const distanceM = haversineMeters(restaurant, body.deliveryAddress);
  if (distanceM > restaurant.deliveryRadiusM) {
    throw new ApiError(
      422,
      "outside_delivery_radius",
      `The address is ${Math.round(distanceM)} m away; this restaurant delivers within ${restaurant.deliveryRadiusM} m.`,
    );
  }
  const timing = checkTiming(restaurant, body, distanceM, Date.now());
  const areas = await activeDeliveryAreas(c.env.MENU_CACHE, () => c.var.db);
  const area = areas.find((a) => pointInPolygon(body.deliveryAddress.lat, body.deliveryAddress.lng, a.polygon));
  if (!area) throw new ApiError(422, "outside_service_area", "We do not deliver to this address yet.");
  const surge = await surgeFor(c, area, mode);

  const { menu } = cached;
  const priced = priceCart(
    toPricingMenu(menu),
    body.items,
    {
      baseDeliveryFeeMinor: area.baseDeliveryFeeMinor,
      perKmFeeMinor: area.perKmFeeMinor,
      serviceFeeBps: area.serviceFeeBps,
      taxBps: area.taxBps,
      currency: area.currency,
      deliveryFeeMultiplierBps: surge.multiplierBps,
      taxIncluded: area.taxIncluded ?? false,
      smallOrderMinimumMinor: area.smallOrderMinimumMinor ?? 0,
      smallOrderFeeMinor: area.smallOrderFeeMinor ?? 0,
    },
    distanceM,
    body.tipMinor,
  );
  if (!priced.ok) throw new ApiError(422, "cart_invalid", "Some items cannot be ordered as chosen.", priced.errors);
  const discounted = await withPromotion(c, priced, body.restaurantId, body.promoCode, caller);
  return { restaurant, distanceM, timing, menu, priced: discounted, area, surge };
}

export function registerOrderRoutes(app: App): void {
  app.openapi(placeOrder, async (c) => {
    const started = Date.now();
    const principal = principalOf(c);
    const idempotencyKey = c.req.valid("header")["idempotency-key"];
    const body = c.req.valid("json");

    const orderId = await orderIdFor(principal.userId, idempotencyKey);
    const customerId = principal.userId;
    const { restaurant, distanceM, timing, menu, priced, area } = await priceForPlacement(
      c,
      body,
      { kind: "place", customerId },
      { customerId, orderId },
    );
    const promo = { customerId, orderId, restaurantId: body.restaurantId };
    const result = await withRedemption(c, priced, body.promoCode, promo, async () => {
      const order: AdmitAndPlaceInput["order"] = {
        id: orderId,
        customerId: principal.userId,
        restaurantId: body.restaurantId,
        idempotencyKey,
        fingerprint: await sha256Hex(JSON.stringify(body)),
        menuVersion: menu.version,
        currency: priced.currency,
        lines: priced.lines,
        subtotalMinor: priced.subtotalMinor,
        deliveryFeeMinor: priced.deliveryFeeMinor,
        serviceFeeMinor: priced.serviceFeeMinor,
        taxMinor: priced.taxMinor,
        taxIncluded: priced.taxIncluded,
        itemsTaxMinor: priced.itemsTaxMinor,
        smallOrderFeeMinor: priced.smallOrderFeeMinor,
        tipMinor: priced.tipMinor,
        totalMinor: priced.totalMinor,
        ...(priced.roundingMinor !== 0 && { roundingMinor: priced.roundingMinor }),
        ...(priced.promotion && { discountMinor: priced.discountMinor, promotion: priced.promotion }),
        deliveryAddress: body.deliveryAddress,
        restaurantLocation: { lat: restaurant.lat, lng: restaurant.lng },
        restaurantName: menu.restaurantName,
        restaurantAddress: restaurant.address,
        placedAt: Date.now(),
        deliveryAreaId: area.id,
        timeZone: restaurant.timeZone,
      };
      const placed = await placeThroughKitchen(c.env, {
        restaurantId: body.restaurantId,
        profile: restaurant,
        timing,
        lines: body.items,
        distanceM,
        order,
        actor: principal,
        traceparent: c.get("traceparent"),
      });
      return { placed: placed.ok, value: placed };
    });
    if (!result.ok) throwRefusal(result);
    if (!result.created) c.header("idempotent-replayed", "true");
    else recordPlacement(c, Date.now() - started, body.restaurantId);
    c.header("location", `/v1/orders/${orderId}`);
    return c.json(result.order, result.created ? 201 : 200);
  });

  app.openapi(getOrder, async (c) => {
    const result = await orderStub(c, c.req.valid("param").id).get(principalOf(c));
    if (!result.ok) throwRefusal(result);
    return c.json({ order: result.order, timeline: result.timeline }, 200);
  });

  app.openapi(checkout, async (c) => {
    const result = await orderStub(c, c.req.valid("param").id).checkout(principalOf(c), c.get("traceparent"));
    if (!result.ok) throwRefusal(result);
    const { ok: _ok, ...payment } = result;
    return c.json(payment, 200);
  });

  app.openapi(watchOrder, async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "Open this URL as a WebSocket.");
    }
    const { id } = c.req.valid("param");
    const headers = new Headers(c.req.raw.headers);
    // Identity is decided here; the DO trusts this header because only the Worker can reach it.
    headers.set("x-principal", JSON.stringify(principalOf(c)));
    const since = c.req.valid("query").since ?? 0;
    return relayUpgrade(await orderStub(c, id).fetch(new Request(`https://order/live?since=${since}`, { headers })));
  });
}
