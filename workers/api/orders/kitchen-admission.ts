// Placement's conversation with the kitchen. Before pricing: may this order
// be placed for this time at all (open now, or a valid time for later, or a
// slot for a slot-based merchant)? After pricing: the Restaurant DO admits it
// (capacity, the slot's last places, the last units of stock) or refuses,
// and the quoted prep time and the plan for later go into the order; the
// Restaurant DO then places the order itself, in the same call (decision 0062).
import type { Principal } from "../../../domain/auth/principal.ts";
import type { PlacementTiming } from "../../../domain/kitchen/admitted-timing.ts";
import { planScheduledDelivery } from "../../../domain/kitchen/scheduling.ts";
import { availabilityAt } from "../../../domain/restaurant/schedule.ts";
import type { PlaceResult } from "../../../durable-objects/order/order-results.ts";
import type { AdmitAndPlaceInput } from "../../../durable-objects/restaurant/restaurant-do.ts";
import type { Env } from "../../env.ts";
import { ApiError } from "../http/errors.ts";
import type { OrderingProfile } from "../menus/menu-repository.ts";
import { scheduleOf } from "../routes/restaurant-hours.ts";
import { closedError } from "./placement-checks.ts";

export type Timing = PlacementTiming;

/** The cheap checks, before pricing: nothing here asks the Restaurant DO. */
export function checkTiming(
  profile: OrderingProfile,
  request: { scheduledFor?: string | undefined; slotId?: string | undefined },
  distanceM: number,
  now: number,
): Timing {
  const availability = availabilityAt(scheduleOf(profile), now);
  if (profile.fulfilment === "slots") {
    if (request.scheduledFor !== undefined) {
      throw new ApiError(422, "slot_required", "This merchant delivers in slots: send slotId instead of scheduledFor.");
    }
    if (request.slotId === undefined) {
      throw new ApiError(
        422,
        "slot_required",
        "This merchant delivers in slots: choose one (GET …/slots) and send slotId.",
      );
    }
    // Slots are the merchant's hours; only a pause stops taking orders for them.
    if (!availability.open && availability.reason === "paused") throw closedError(availability);
    return { kind: "slot", plan: null, slotId: request.slotId };
  }
  if (request.slotId !== undefined) {
    throw new ApiError(422, "slots_not_offered", "This restaurant does not deliver in slots; leave slotId out.");
  }
  if (request.scheduledFor !== undefined) {
    if (!profile.acceptsScheduledOrders) {
      throw new ApiError(422, "scheduling_not_offered", "This restaurant takes orders only for now.");
    }
    const planned = planScheduledDelivery({
      deliverAt: Date.parse(request.scheduledFor),
      now,
      prepMinutes: profile.prepTimeMinutes,
      distanceM,
      schedule: scheduleOf(profile),
    });
    if (!planned.ok) {
      const extra = planned.earliest === undefined ? undefined : { earliest: new Date(planned.earliest).toISOString() };
      throw new ApiError(422, planned.code, planned.message, undefined, extra);
    }
    return { kind: "later", plan: planned.plan, slotId: null };
  }
  if (!availability.open) throw closedError(availability);
  return { kind: "now", plan: null, slotId: null };
}

/**
 * Asks the Restaurant DO to take the order on and, when it does, to place it with the Order DO in the
 * same call (decision 0062); throws the kitchen's refusal as the answer to the customer. The Order
 * DO's own answer (placed, replayed, or its refusal) comes back as it gave it.
 */
export async function placeThroughKitchen(
  env: Env,
  input: {
    restaurantId: string;
    profile: OrderingProfile;
    timing: Timing;
    lines: Array<{ itemId: string; quantity: number }>;
    distanceM: number;
    order: AdmitAndPlaceInput["order"];
    actor: Principal;
    traceparent: string | undefined;
  },
): Promise<PlaceResult> {
  const { profile, timing } = input;
  const stub = env.RESTAURANT.get(env.RESTAURANT.idFromName(input.restaurantId));
  const result = await stub.admitAndPlace({
    admission: {
      restaurantId: input.restaurantId,
      orderId: input.order.id,
      lines: input.lines.map((l) => ({ itemId: l.itemId, quantity: l.quantity })),
      basePrepMinutes: profile.prepTimeMinutes,
      capacity: profile.capacity,
      scheduled: timing.kind !== "now",
      slot:
        timing.kind === "slot" && timing.slotId && profile.deliverySlots
          ? {
              id: timing.slotId,
              policy: profile.deliverySlots,
              timeZone: profile.timeZone,
              specialDays: profile.specialDays,
            }
          : null,
    },
    order: input.order,
    timing,
    distanceM: input.distanceM,
    actor: input.actor,
    traceparent: input.traceparent,
  });
  if (!result.ok && "refusedBy" in result) {
    throw new ApiError(result.status, result.code, result.message, result.details);
  }
  return result;
}
