// The surge and delivery-window shapes shared by discovery and the quote.
import { z } from "@hono/zod-openapi";

export const SurgeInfo = z
  .object({
    multiplierBps: z.number().int().openapi({
      description:
        "The delivery fee is multiplied by this, in basis points (10000 = 1.00×); already in deliveryFeeMinor.",
    }),
    reason: z.object({
      code: z.enum(["high_demand", "normal_demand", "surge_off"]),
      waitingOrders: z.number().int().openapi({ description: "Orders in the area waiting for a courier." }),
      availableCouriers: z.number().int().openapi({ description: "Couriers in the area free to take one." }),
      message: z.string().openapi({ description: "In English; the apps word it from code and the counts." }),
    }),
    validUntil: z.string().datetime().nullable().openapi({
      description:
        "On a quote: placing the order before this time charges at most this multiplier, whatever surge does meanwhile.",
    }),
  })
  .openapi("Surge");

export const DeliveryWindowInfo = z
  .object({
    earliestAt: z.string().datetime(),
    latestAt: z.string().datetime(),
    expectedAt: z.string().datetime(),
  })
  .openapi("DeliveryWindow", {
    description:
      "When the order should arrive if placed now: prep, then a ride timed by the model learned from this area's deliveries at this time of day.",
  });
