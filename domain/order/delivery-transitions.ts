// The courier assignment, beside preparation: the search, offers, the
// courier's moves to the restaurant and the door, and what happens when no
// courier comes.
import { apply, type Ctx } from "./apply.ts";
import type { Decision, DeliveryTrackCommand } from "./commands.ts";
import { etaFor } from "./deadlines.ts";
import { checkDue, invalidTransition, refuse } from "./guards.ts";
import { KITCHEN_STATES, UNASSIGNED_DELIVERY } from "./policy.ts";

export function decideDeliveryTrack(ctx: Ctx, command: DeliveryTrackCommand): Decision {
  const { order, actor, now } = ctx;
  switch (command.type) {
    case "dispatch_started": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "none") return invalidTransition(order, command);
      return apply(
        ctx,
        { delivery: "searching" },
        {
          type: "order.dispatch_started",
          payload: {
            restaurantId: order.restaurantId,
            readyAt: etaFor(order, now).readyAt,
            ...(command.plan ? { plan: command.plan } : {}),
          },
        },
      );
    }
    case "courier_offered": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "searching") {
        return invalidTransition(order, command);
      }
      if (!Number.isFinite(command.expiresAt) || command.expiresAt <= now) {
        return refuse(422, "invalid_offer_expiry", `offer must expire after now (${now}), got ${command.expiresAt}`);
      }
      return apply(
        ctx,
        { delivery: "offered", offeredCourierId: command.courierId, offerExpiresAt: command.expiresAt },
        {
          type: "order.courier_offered",
          payload: {
            courierId: command.courierId,
            expiresAt: command.expiresAt,
            ...(command.choice ? { choice: command.choice } : {}),
          },
        },
      );
    }
    case "offer_declined": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "offered")
        return invalidTransition(order, command);
      if (command.courierId !== order.offeredCourierId) {
        // An expiry for an offer that was already answered or replaced.
        return refuse(409, "stale_offer", `no open offer to courier ${command.courierId}`);
      }
      return apply(
        ctx,
        { delivery: "searching", offeredCourierId: null, offerExpiresAt: null },
        {
          type: "order.offer_declined",
          payload: {
            courierId: command.courierId,
            expired: actor.role === "system" && command.reason === undefined,
            reason: command.reason ?? null,
          },
        },
      );
    }
    case "courier_assigned": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "offered")
        return invalidTransition(order, command);
      if (order.offerExpiresAt !== null && now > order.offerExpiresAt) {
        return refuse(409, "offer_expired", `offer expired at ${order.offerExpiresAt}`);
      }
      return apply(
        ctx,
        { delivery: "assigned", courierId: command.courierId, offeredCourierId: null, offerExpiresAt: null },
        {
          type: "order.courier_assigned",
          payload: { courierId: command.courierId, readyAt: etaFor(order, now).readyAt },
        },
      );
    }
    case "arrived_at_pickup": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "assigned")
        return invalidTransition(order, command);
      return apply(
        ctx,
        { delivery: "at_pickup" },
        { type: "order.courier_at_pickup", payload: { courierId: order.courierId } },
      );
    }
    case "picked_up": {
      if (!KITCHEN_STATES.includes(order.state) || order.delivery !== "at_pickup")
        return invalidTransition(order, command);
      if (order.state !== "ready") {
        return refuse(409, "order_not_ready", `cannot pick up an order that is ${order.state}`);
      }
      return apply(
        ctx,
        { state: "picked_up", delivery: "picked_up", pickedUpAt: now },
        {
          type: "order.picked_up",
          payload: {
            courierId: order.courierId,
            pickedUpAt: now,
          },
        },
      );
    }
    case "arrived_at_dropoff": {
      if (order.state !== "picked_up" || order.delivery !== "picked_up") return invalidTransition(order, command);
      return apply(
        ctx,
        { delivery: "at_dropoff" },
        { type: "order.courier_at_dropoff", payload: { courierId: order.courierId } },
      );
    }
    case "delivered": {
      if (order.state !== "picked_up" || order.delivery !== "at_dropoff") return invalidTransition(order, command);
      return apply(
        ctx,
        { state: "delivered", delivery: "delivered", deliveredAt: now },
        {
          type: "order.delivered",
          payload: {
            courierId: order.courierId,
            deliveredAt: now,
          },
        },
      );
    }
    case "search_exhausted": {
      // Any kitchen state: the zone may give up before the food is ready.
      if (!UNASSIGNED_DELIVERY.includes(order.delivery)) return invalidTransition(order, command);
      if (order.escalatedAt !== null) {
        return refuse(409, "already_escalated", `courier search already escalated at ${order.escalatedAt}`);
      }
      return apply(
        ctx,
        { escalatedAt: now },
        {
          type: "order.courier_escalated",
          payload: {
            reason: command.reason,
            radiusM: command.radiusM,
            candidatesTried: command.candidatesTried,
            readyAt: etaFor(order, now).readyAt,
          },
        },
      );
    }
    case "courier_timeout": {
      if (order.state !== "ready" || !UNASSIGNED_DELIVERY.includes(order.delivery)) {
        return invalidTransition(order, command);
      }
      if (order.escalatedAt !== null) {
        return refuse(409, "already_escalated", `courier search already escalated at ${order.escalatedAt}`);
      }
      const notDue = checkDue(ctx, "courier_timeout");
      if (notDue) return notDue;
      return apply(
        ctx,
        { escalatedAt: now },
        {
          type: "order.courier_escalated",
          payload: {
            readyAt: order.readyAt,
            waitingMs: order.readyAt === null ? null : now - order.readyAt,
          },
        },
      );
    }
  }
}
