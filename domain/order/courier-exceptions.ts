// What goes wrong on the road: a courier hands a job back (or the system
// takes it from one who went dark), the platform escalates, the customer does
// not come to the door.
import { apply, type Ctx } from "./apply.ts";
import type { CourierExceptionCommand, Decision } from "./commands.ts";
import { etaFor } from "./deadlines.ts";
import { invalidTransition, refuse } from "./guards.ts";
import { KITCHEN_STATES, PICKUP_PENDING } from "./policy.ts";

/** Why a courier gives a job back before pickup (or the system takes it back). */
export const RELEASE_REASONS = [
  "cannot_find_restaurant",
  "restaurant_closed",
  "order_not_ready",
  "vehicle_problem",
  "personal_emergency",
  "other",
  // Only the system: no position from the courier for too long.
  "went_dark",
] as const;

/** Why a courier at the door could not hand the order over. */
export const FAILED_DELIVERY_REASONS = ["customer_unreachable", "address_not_found"] as const;

/**
 * The refund rule of a failed delivery: none. The kitchen made the food and
 * the courier carried it and waited at the door, so the customer is charged in
 * full, as when a parcel cannot be delivered; operators can still refund by
 * hand (POST /v1/orders/{id}/refunds) when support finds the platform at fault.
 * See docs/decisions/0015-courier-app-what-goes-wrong.md.
 */
export const FAILED_DELIVERY_REFUND = null;

export function decideCourierException(ctx: Ctx, command: CourierExceptionCommand): Decision {
  const { order, actor, now, policy } = ctx;
  switch (command.type) {
    case "courier_released": {
      // Only before pickup: after it the food is with the courier and only operators can move it.
      if (!KITCHEN_STATES.includes(order.state) || !PICKUP_PENDING.includes(order.delivery)) {
        return invalidTransition(order, command);
      }
      const allowed: readonly string[] =
        actor.role === "system" ? ["went_dark"] : RELEASE_REASONS.filter((r) => r !== "went_dark");
      if (!allowed.includes(command.reason)) {
        return refuse(422, "invalid_reason", `reason must be one of: ${allowed.join(", ")}`);
      }
      return apply(
        ctx,
        { delivery: "searching", courierId: null },
        {
          type: "order.courier_released",
          payload: {
            courierId: order.courierId,
            reason: command.reason,
            note: command.note?.trim() || null,
            readyAt: etaFor(order, now).readyAt,
          },
        },
      );
    }
    case "escalate":
      // Nothing changes but the order's visibility to operators; the adapter escalates each reason once.
      return apply(
        ctx,
        {},
        { type: "order.escalated", payload: { reason: command.reason, courierId: order.courierId } },
      );
    case "start_customer_wait": {
      if (order.state !== "picked_up" || order.delivery !== "at_dropoff") return invalidTransition(order, command);
      const started = order.customerWaitUntil ?? null;
      if (started !== null) {
        return refuse(409, "already_waiting", `the wait for the customer already runs until ${started}`);
      }
      const waitUntil = now + policy.customerWaitMs;
      return apply(
        ctx,
        { customerWaitUntil: waitUntil },
        {
          type: "order.customer_wait_started",
          payload: {
            courierId: order.courierId,
            waitUntil,
          },
        },
      );
    }
    case "delivery_failed": {
      if (order.state !== "picked_up" || order.delivery !== "at_dropoff") return invalidTransition(order, command);
      const waitUntil = order.customerWaitUntil ?? null;
      if (waitUntil === null) {
        return refuse(409, "wait_not_started", "wait for the customer at the door first");
      }
      if (now < waitUntil) return refuse(409, "wait_not_over", `the wait for the customer runs until ${waitUntil}`);
      if (!(FAILED_DELIVERY_REASONS as readonly string[]).includes(command.reason)) {
        return refuse(422, "invalid_reason", `reason must be one of: ${FAILED_DELIVERY_REASONS.join(", ")}`);
      }
      return apply(
        ctx,
        { state: "failed", delivery: "failed" },
        {
          type: "order.delivery_failed",
          payload: {
            courierId: order.courierId,
            reason: command.reason,
            note: command.note?.trim() || null,
            photoKey: command.photoKey ?? null,
            waitedUntil: waitUntil,
            refund: FAILED_DELIVERY_REFUND,
          },
        },
      );
    }
  }
}
