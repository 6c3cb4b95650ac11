// The restaurant's live board: its non-terminal orders, kept by the
// Restaurant DO from the Order DOs' pushes. Access is decided here; the DO
// trusts the forwarded principal because only this Worker can reach it.
import { createRoute, z } from "@hono/zod-openapi";
import type { Principal } from "../../../domain/auth/principal.ts";
import type { Env } from "../../env.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, relayUpgrade } from "../http/errors.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonResponse,
  switchingProtocols,
  webSocketProtocol,
} from "../http/openapi.ts";

const Uuid = z.string().uuid();

export const BoardOrder = z
  .object({
    id: Uuid,
    status: z.string(),
    delivery: z.string(),
    totalMinor: z.number().int(),
    placedAt: z.string(),
    prepTimeMinutes: z.number().int().nullable(),
    readyAt: z.string().nullable(),
    lastSeq: z.number().int(),
    quotedPrepMinutes: z.number().int().nullable().optional(),
    estimatedReadyAt: z.string().nullable().optional(),
    scheduledFor: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: "An order for later: when it is to be delivered." }),
    releaseAt: z.string().nullable().optional(),
    released: z.boolean().optional().openapi({ description: "false: not yet released to the kitchen." }),
    deliverySlot: z.object({ id: z.string(), startsAt: z.string(), endsAt: z.string() }).nullable().optional(),
    items: z
      .array(z.object({ name: z.string(), quantity: z.number().int(), options: z.array(z.string()) }))
      .optional()
      .openapi({ description: "What to cook, for the cards and the kitchen ticket." }),
    courier: z
      .object({
        name: z
          .string()
          .nullable()
          .openapi({ description: 'Short name ("Ana S."); null until their zone named them.' }),
        vehicle: z.string(),
        arrivesAt: z
          .string()
          .nullable()
          .openapi({ description: "When they reach the restaurant, from their last position; null once there." }),
        at: z.string().openapi({ description: "When this estimate was made; a later one replaces it." }),
      })
      .nullable()
      .optional()
      .openapi({ description: "The courier on the order, while one is." }),
  })
  .openapi("BoardOrder");

const getBoard = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/board",
  operationId: "getRestaurantBoard",
  tags: ["restaurants"],
  summary: "The restaurant's live orders, oldest first (its staff or an admin)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid }) },
  responses: {
    200: jsonResponse(z.object({ orders: z.array(BoardOrder) }), "The board"),
    ...errorResponses(400, 401, 403),
  },
});

const watchBoard = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/board/live",
  operationId: "watchRestaurantBoard",
  tags: ["restaurants"],
  summary: "WebSocket of the restaurant's live board (its staff or an admin)",
  description:
    'Upgrade with `Authorization: Bearer` or `?access_token=`. On connect the server sends `{type:"board",orders}`, then `{type:"order",order}` on every change; an order whose status is terminal has left the board. Send `{"type":"refresh"}` for a fresh board, or the text `ping` for a `pong` heartbeat.',
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid }) },
  ...webSocketProtocol("Board"),
  responses: { ...switchingProtocols("Board"), ...errorResponses(400, 401, 403) },
});

function boardStub(env: Env, restaurantId: string) {
  return env.RESTAURANT.get(env.RESTAURANT.idFromName(restaurantId));
}

function assertBoardReader(principal: Principal, restaurantId: string): void {
  if (principal.role === "admin") return;
  if (principal.role === "restaurant_staff" && principal.restaurantId === restaurantId) return;
  throw new ApiError(403, "not_restaurant_staff", "Only this restaurant's staff or an admin can see its board.");
}

export function registerRestaurantBoardRoutes(app: App): void {
  app.openapi(getBoard, async (c) => {
    const { id } = c.req.valid("param");
    assertBoardReader(principalOf(c), id);
    return c.json({ orders: await boardStub(c.env, id).board() }, 200);
  });

  app.openapi(watchBoard, async (c) => {
    const { id } = c.req.valid("param");
    const principal = principalOf(c);
    assertBoardReader(principal, id);
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "Open this URL as a WebSocket.");
    }
    const headers = new Headers(c.req.raw.headers);
    headers.set("x-principal", JSON.stringify(principal));
    return relayUpgrade(await boardStub(c.env, id).fetch(new Request("https://restaurant/board/live", { headers })));
  });
}
