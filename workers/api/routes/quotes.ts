// A quote: the cart priced exactly as placement would price it (same menu,
// zone fees, tax and checks), without creating an order. The customer app
// shows it before paying and again when the tip changes.
import { createRoute, z } from "@hono/zod-openapi";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, orderTotalsFields } from "../http/openapi.ts";
import { windowFor } from "../orders/delivery-terms.ts";
import { DeliveryWindowInfo, SurgeInfo } from "../orders/delivery-terms-schemas.ts";
import { PlaceOrderBody, priceForPlacement } from "./orders.ts";

const Uuid = z.string().uuid();

const Quote = z
  .object({
    restaurantId: Uuid,
    currency: z.string(),
    menuVersion: z.number().int(),
    distanceM: z.number().int(),
    lines: z.array(
      z.object({
        itemId: Uuid,
        name: z.string(),
        quantity: z.number().int(),
        unitPriceMinor: z.number().int(),
        options: z.array(z.object({ optionId: Uuid, name: z.string(), priceDeltaMinor: z.number().int() })),
        lineTotalMinor: z.number().int(),
        taxBps: z.number().int().openapi({ description: "The line's tax rate: the item's own, else the area's." }),
        discountMinor: z
          .number()
          .int()
          .openapi({ description: "This line's share of the promotion's discount; taxMinor is on the rest." }),
        taxMinor: z.number().int(),
      }),
    ),
    ...orderTotalsFields,
    taxes: z
      .array(z.object({ rateBps: z.number().int(), baseMinor: z.number().int(), taxMinor: z.number().int() }))
      .openapi({ description: "Tax per rate, for the receipt; each line and fee rounded on its own (decision 0052)." }),
    surge: SurgeInfo,
    // Null for an order for later or for a delivery slot: the time chosen is the promise.
    deliveryWindow: z.union([DeliveryWindowInfo, z.null()]),
    promotionCode: z.string().nullable(),
  })
  .openapi("Quote");

const quote = createRoute({
  method: "post",
  path: "/v1/quotes",
  operationId: "quoteOrder",
  tags: ["orders"],
  summary: "Price a cart as placement would, without placing it",
  description:
    "Takes the body of POST /v1/orders and answers its lines and totals, or the refusal placement would give (outside the delivery area, closed, an item or option that cannot be ordered).",
  security: bearerSecurity,
  middleware: [requireAuth("customer")] as const,
  request: jsonBody(PlaceOrderBody),
  responses: { 200: jsonResponse(Quote, "The price"), ...errorResponses(400, 401, 403, 404, 409, 422) },
});

export function registerQuoteRoutes(app: App): void {
  app.openapi(quote, async (c) => {
    const body = c.req.valid("json");
    const customerId = principalOf(c).userId;
    const { distanceM, menu, priced, restaurant, area, surge, timing } = await priceForPlacement(
      c,
      body,
      { kind: "quote", customerId },
      { customerId, orderId: null },
    );
    const now = Date.now();
    const window = await windowFor(c.env, {
      areaId: area.id,
      timeZone: restaurant.timeZone,
      distanceM,
      prepMinutes: restaurant.prepTimeMinutes,
      now,
    });
    const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();
    return c.json(
      {
        restaurantId: body.restaurantId,
        currency: priced.currency,
        menuVersion: menu.version,
        distanceM: Math.round(distanceM),
        lines: priced.lines.map((line) => ({
          itemId: line.itemId,
          name: line.name,
          quantity: line.quantity,
          unitPriceMinor: line.unitPriceMinor,
          options: line.options.map((o) => ({
            optionId: o.optionId,
            name: o.name,
            priceDeltaMinor: o.priceDeltaMinor,
          })),
          lineTotalMinor: line.lineTotalMinor,
          taxBps: line.taxBps,
          discountMinor: line.discountMinor,
          taxMinor: line.taxMinor,
        })),
        subtotalMinor: priced.subtotalMinor,
        deliveryFeeMinor: priced.deliveryFeeMinor,
        serviceFeeMinor: priced.serviceFeeMinor,
        taxMinor: priced.taxMinor,
        taxIncluded: priced.taxIncluded,
        smallOrderFeeMinor: priced.smallOrderFeeMinor,
        taxes: priced.taxes,
        tipMinor: priced.tipMinor,
        totalMinor: priced.totalMinor,
        surge: {
          multiplierBps: surge.multiplierBps,
          reason: surge.reason,
          validUntil: surge.validUntil === null ? null : new Date(surge.validUntil).toISOString(),
        },
        deliveryWindow:
          timing.kind === "now"
            ? {
                earliestAt: at(window.earliestMinutes),
                latestAt: at(window.latestMinutes),
                expectedAt: at(window.expectedMinutes),
              }
            : null,
        discountMinor: priced.discountMinor,
        roundingMinor: priced.roundingMinor,
        promotionCode: priced.promotion?.code ?? null,
      },
      200,
    );
  });
}
