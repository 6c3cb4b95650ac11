// The message protocols of the three WebSockets (order live, board live,
// courier live) as schemas in the OpenAPI document. OpenAPI describes the
// upgrade request, not what flows after it, so the messages are components
// that the routes point at (`webSocketProtocol` in http/openapi.ts), and the
// generated web client gets their types like any other schema.
//
// The server's messages are written by the Durable Objects with their own
// TypeScript types; `LiveProtocolChecks` below stops compiling when a Durable
// Object can send a message these schemas do not describe.
import { z } from "@hono/zod-openapi";
import type { CityMapMessage } from "../../../durable-objects/city-map/city-map-do.ts";
import type { ServerMessage as OrderDOMessage } from "../../../durable-objects/order/watchers.ts";
import type { BoardMessage } from "../../../durable-objects/restaurant/restaurant-do.ts";
import { CourierMessage, type ZoneMessage } from "../../../durable-objects/zone/protocol.ts";
import type { App } from "../context.ts";
import { OrderEvent } from "./orders.ts";
import { BoardOrder } from "./restaurant-board.ts";

const EpochMs = z.number().int().openapi({ description: "Milliseconds since the Unix epoch (server clock)." });
const LatLng = z.object({ lat: z.number(), lng: z.number() });

const SocketError = z
  .object({
    type: z.literal("error"),
    code: z.string().openapi({ example: "unknown_message" }),
    message: z.string(),
    orderId: z.string().optional().openapi({ description: "Courier socket: the order the refusal is about." }),
  })
  .openapi("SocketError", { description: "A message the server could not act on; the socket stays open." });

// --- GET /v1/orders/{id}/live ------------------------------------------------

const OrderClientMessage = z
  .strictObject({ type: z.literal("resume"), since: z.number().int().min(0) })
  .openapi({ description: "Replays every event after `since`, e.g. when the client noticed a gap." });

const EtaModel = z.enum(["learned", "fixed"]).openapi({
  description: "learned: fitted per delivery area and time of day from completed deliveries; fixed: speed × 1.3.",
});

const OrderServerMessage = z
  .discriminatedUnion("type", [
    z
      .object({ type: z.literal("event"), event: OrderEvent })
      .openapi({ description: "Every transition, in `seq` order, each exactly once per socket." }),
    z
      .object({
        type: z.literal("courier_position"),
        lat: z.number(),
        lng: z.number(),
        headingDeg: z.number().nullable(),
        at: EpochMs,
        eta: z.object({
          pickupAt: EpochMs.nullable(),
          dropoffAt: EpochMs,
          model: EtaModel.optional(),
        }),
      })
      .openapi({ description: "The assigned courier's position (throttled) while the order is on its way." }),
    z
      .object({
        type: z.literal("eta"),
        eta: z.object({ pickupAt: EpochMs.nullable(), dropoffAt: EpochMs, model: EtaModel }),
      })
      .openapi({
        description:
          "The live ETA moved without a courier position: the kitchen accepted, changed its prep time or marked the food ready, before pickup.",
      }),
    SocketError,
  ])
  .openapi({ description: "On connect, every event after `?since=`; then each new one as it happens." });

// --- GET /v1/restaurants/{id}/board/live -------------------------------------

const BoardClientMessage = z
  .strictObject({ type: z.literal("refresh") })
  .openapi({ description: "Asks for the whole board again." });

const BoardServerMessage = z
  .discriminatedUnion("type", [
    z
      .object({ type: z.literal("board"), orders: z.array(BoardOrder) })
      .openapi({ description: "The whole board: on connect and after `refresh`." }),
    z.object({ type: z.literal("order"), order: BoardOrder }).openapi({
      description:
        "One order changed. Newer `lastSeq` wins; an order in a terminal state (delivered, rejected, cancelled, failed) has left the board.",
    }),
    SocketError,
  ])
  .openapi({ description: "The restaurant's live board." });

// --- GET /v1/couriers/live ----------------------------------------------------

const CourierServerMessage = z
  .discriminatedUnion("type", [
    z
      .object({
        type: z.literal("status"),
        status: z.enum(["online", "offline", "break"]),
        cell: z.string(),
        activeOrders: z.array(z.string()),
        protocol: z.number().int().optional().openapi({
          description:
            "The courier protocol the zone speaks. From 2 it takes packed fix frames (binary; see the route's 101 answer). Absent: a zone that takes JSON frames only.",
        }),
      })
      .openapi({ description: "The courier's status as the zone holds it: on connect and after every change." }),
    z
      .object({
        type: z.literal("ack"),
        seq: z.number().int(),
        accepted: z.number().int(),
        dropped: z.number().int(),
      })
      .openapi({ description: "Fixes up to `seq` are stored or refused for good: drop them from the buffer." }),
    z
      .object({
        type: z.literal("offer"),
        orderId: z.string(),
        restaurant: LatLng,
        dropoff: LatLng,
        expiresAt: EpochMs,
        foodReadyAt: EpochMs.nullable(),
        distanceM: z.number().openapi({ description: "Courier to restaurant, straight line, when offered." }),
        dropoffDistanceM: z.number().openapi({ description: "Restaurant to drop-off, straight line." }),
        restaurantName: z.string().nullable(),
        payoutMinor: z
          .number()
          .int()
          .nullable()
          .openapi({ description: "What the courier earns for the job, tip included, in minor units of `currency`." }),
        currency: z.string().nullable(),
        stackedWith: z.string().nullable().optional().openapi({
          description:
            "Set when this order would be stacked on your current job (same or nearby restaurant): pick both up, deliver that job first.",
        }),
        firstDelayMs: z
          .number()
          .nullable()
          .optional()
          .openapi({ description: "For a stacked offer: how much later your current job's customer gets their food." }),
      })
      .openapi({ description: "A delivery offer; answer with `offer_response` before `expiresAt`." }),
    z.object({
      type: z.literal("offer_withdrawn"),
      orderId: z.string(),
      reason: z.enum(["expired", "cancelled"]),
    }),
    z.object({ type: z.literal("assigned"), orderId: z.string() }),
    z.object({ type: z.literal("declined"), orderId: z.string() }),
    z.object({ type: z.literal("handover"), cell: z.string() }).openapi({
      description:
        "You drove into `cell`: reconnect there (any point of it, e.g. its centre) and send the rest of your buffer to that zone.",
    }),
    SocketError,
  ])
  .openapi({ description: "What the courier's zone tells the courier's app." });

// --- GET /v1/admin/live-map/{region}/live ------------------------------------

export const MapCourier = z
  .object({
    courierId: z.string(),
    cell: z.string().openapi({ description: "The dispatch cell whose zone reported them." }),
    state: z.enum(["available", "offered", "on_job", "stale", "break"]),
    status: z.enum(["online", "offline", "break"]),
    vehicle: z.string(),
    lat: z.number().nullable(),
    lng: z.number().nullable(),
    lastFixAt: EpochMs.nullable(),
    connected: z.boolean(),
    offerOrderId: z.string().nullable(),
    activeOrders: z.array(z.string()),
  })
  .openapi("MapCourier");

export const MapOrder = z
  .object({
    orderId: z.string(),
    seq: z.number().int(),
    state: z.string(),
    delivery: z.string(),
    restaurantId: z.string(),
    restaurantName: z.string().nullable(),
    restaurant: LatLng,
    dropoff: LatLng,
    courierId: z.string().nullable(),
    placedAt: EpochMs,
    escalated: z.boolean(),
    updatedAt: EpochMs,
  })
  .openapi("MapOrder");

const CityMapClientMessage = z
  .strictObject({ type: z.literal("resync") })
  .openapi({ description: "Asks for the whole region again." });

const CityMapServerMessage = z
  .discriminatedUnion("type", [
    z
      .object({
        type: z.literal("snapshot"),
        region: z.string(),
        at: EpochMs,
        couriers: z.array(MapCourier),
        orders: z.array(MapOrder),
      })
      .openapi({ description: "The whole region: on connect and after `resync`." }),
    z
      .object({
        type: z.literal("changes"),
        at: EpochMs,
        couriers: z.array(MapCourier),
        removedCouriers: z.array(z.string()),
        orders: z.array(MapOrder),
        removedOrders: z.array(z.string()),
      })
      .openapi({
        description: "What changed since the last message: replace these couriers and orders, drop the removed.",
      }),
    SocketError,
  ])
  .openapi({ description: "The operators' live map of one region." });

/** Adds the message schemas to the document's components. */
export function registerLiveProtocols(registry: App["openAPIRegistry"]): void {
  registry.register("OrderClientMessage", OrderClientMessage);
  registry.register("OrderServerMessage", OrderServerMessage);
  registry.register("BoardClientMessage", BoardClientMessage);
  registry.register("BoardServerMessage", BoardServerMessage);
  // The Zone DO parses courier messages with this very schema.
  registry.register("CourierClientMessage", CourierMessage);
  registry.register("CourierServerMessage", CourierServerMessage);
  registry.register("CityMapClientMessage", CityMapClientMessage);
  registry.register("CityMapServerMessage", CityMapServerMessage);
}

/** Compiles only while every message `Sent` is one that `Documented` describes. */
type Describes<Documented, Sent extends Documented> = [Documented, Sent];

export type LiveProtocolChecks = [
  Describes<z.infer<typeof OrderServerMessage>, OrderDOMessage>,
  Describes<z.infer<typeof BoardServerMessage>, BoardMessage>,
  Describes<z.infer<typeof CourierServerMessage>, ZoneMessage>,
  Describes<z.infer<typeof CityMapServerMessage>, CityMapMessage>,
];
