// What an admission puts into the order: the prep time the kitchen quoted and,
// for an order for later or a slot, the plan the order's alarms follow. Pure:
// the Restaurant DO applies it right after admitting (decision 0062), so the
// order can be placed from there without another round trip to the API.
import type { OrderSchedule } from "../order/order-event.ts";
import { type DeliveryPlan, planSlotDelivery } from "./scheduling.ts";
import type { DeliverySlot } from "./slots.ts";

/** How the order is timed, decided by the API before pricing (workers/api/orders/kitchen-admission.ts). */
export interface PlacementTiming {
  kind: "now" | "later" | "slot";
  /** For "later": the plan worked out from the wanted time. */
  plan: DeliveryPlan | null;
  slotId: string | null;
}

export function admittedTiming(
  admitted: { quotedPrepMinutes: number; slot: DeliverySlot | null },
  timing: PlacementTiming,
  prepTimeMinutes: number,
  distanceM: number,
): { quotedPrepMinutes: number; schedule: OrderSchedule | null } {
  const { quotedPrepMinutes } = admitted;
  if (timing.kind === "later" && timing.plan) return { quotedPrepMinutes, schedule: { ...timing.plan, slot: null } };
  if (timing.kind === "slot" && admitted.slot) {
    const { startsAt, endsAt, id } = admitted.slot;
    const plan = planSlotDelivery({ startsAt, endsAt }, prepTimeMinutes, distanceM);
    // A slot booked late (inside the usual lead) goes to the kitchen at once.
    return { quotedPrepMinutes, schedule: { ...plan, slot: { id, startsAt, endsAt } } };
  }
  return { quotedPrepMinutes, schedule: null };
}
