// Placement's conversation with the kitchen. Before pricing: may this order
// be placed for this time at all (open now, or a valid time for later, or a
// slot for a slot-based merchant)? After pricing: the Restaurant DO admits it
// (capacity, the slot's last places, the last units of stock) or refuses,
// and the quoted prep time and the plan for later go into the order.
import { type PlanResult, planScheduledDelivery, planSlotDelivery } from "../../../domain/kitchen/scheduling.ts";
import type { OrderSchedule } from "../../../domain/order/order-event.ts";
import { availabilityAt } from "../../../domain/restaurant/schedule.ts";
import type { Env } from "../../env.ts";
import { ApiError } from "../http/errors.ts";
import type { OrderingProfile } from "../menus/menu-repository.ts";
import { scheduleOf } from "../routes/restaurant-hours.ts";
import { closedError } from "./placement-checks.ts";

export interface Timing {
  kind: "now" | "later" | "slot";
  /** For "later": the plan worked out from the wanted time. */
  plan: Extract<PlanResult, { ok: true }>["plan"] | null;
  slotId: string | null;
}

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

/** Asks the Restaurant DO to take the order on; throws its refusal as the answer to the customer. */
export async function admitToKitchen(
  env: Env,
  input: {
    restaurantId: string;
    orderId: string;
    profile: OrderingProfile;
    timing: Timing;
    lines: Array<{ itemId: string; quantity: number }>;
    distanceM: number;
  },
): Promise<{ quotedPrepMinutes: number; schedule: OrderSchedule | null }> {
  const { profile, timing } = input;
  const stub = env.RESTAURANT.get(env.RESTAURANT.idFromName(input.restaurantId));
  const result = await stub.admit({
    restaurantId: input.restaurantId,
    orderId: input.orderId,
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
  });
  if (!result.ok) throw new ApiError(result.status, result.code, result.message, result.details);
  if (timing.kind === "later" && timing.plan) {
    return { quotedPrepMinutes: result.quotedPrepMinutes, schedule: { ...timing.plan, slot: null } };
  }
  if (timing.kind === "slot" && result.slot) {
    const { startsAt, endsAt, id } = result.slot;
    const plan = planSlotDelivery({ startsAt, endsAt }, profile.prepTimeMinutes, input.distanceM);
    // A slot booked late (inside the usual lead) goes to the kitchen at once.
    return { quotedPrepMinutes: result.quotedPrepMinutes, schedule: { ...plan, slot: { id, startsAt, endsAt } } };
  }
  return { quotedPrepMinutes: result.quotedPrepMinutes, schedule: null };
}
