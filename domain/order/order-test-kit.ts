// Fixtures of the order state machine's tests: actors, one instance of every
// command, and every (order state, delivery state) pair reached by driving
// the machine itself, so every snapshot under test is one it produced.
import { refundOf as refundOfEvent } from "./events.ts";
import {
  type Actor,
  type ActorRole,
  DEFAULT_POLICY,
  type Decision,
  decide,
  newOrderSnapshot,
  type OrderCommand,
  type OrderCommandType,
  type OrderSnapshot,
  type RefundRequest,
} from "./state-machine.ts";

export const MIN = 60_000;
export const T0 = 1_700_000_000_000;
export const TOTAL = 4_250;

export const ACTORS: Record<ActorRole, Actor> = {
  customer: { role: "customer", id: "cust-1" },
  restaurant_staff: { role: "restaurant_staff", id: "staff-1", restaurantId: "rest-1" },
  courier: { role: "courier", id: "courier-1" },
  admin: { role: "admin", id: "admin-1" },
  system: { role: "system", id: "system:alarm" },
};
export const ROLES = Object.keys(ACTORS) as ActorRole[];

export const STRANGERS: Partial<Record<ActorRole, { actor: Actor; code: string }>> = {
  customer: { actor: { role: "customer", id: "cust-2" }, code: "not_order_customer" },
  restaurant_staff: {
    actor: { role: "restaurant_staff", id: "staff-2", restaurantId: "rest-2" },
    code: "not_restaurant_staff",
  },
};

// One well-formed instance of every command, valid in value so that only
// actor and state decide the outcome.
export const COMMANDS: Record<OrderCommandType, OrderCommand> = {
  payment_succeeded: { type: "payment_succeeded", paymentIntentId: "pi_1", amountMinor: TOTAL, currency: "eur" },
  payment_failed: { type: "payment_failed", paymentIntentId: "pi_1", reason: "card_declined" },
  payment_timeout: { type: "payment_timeout" },
  accept: { type: "accept", prepTimeMinutes: 20 },
  reject: { type: "reject", reason: "out of dough" },
  acceptance_timeout: { type: "acceptance_timeout" },
  start_preparing: { type: "start_preparing" },
  adjust_prep_time: { type: "adjust_prep_time", prepTimeMinutes: 30 },
  mark_ready: { type: "mark_ready" },
  cancel: { type: "cancel", reason: "changed my mind" },
  refund: { type: "refund", amountMinor: 100, reason: "cold fries" },
  dispatch_started: { type: "dispatch_started" },
  courier_offered: { type: "courier_offered", courierId: "courier-1", expiresAt: T0 + 10 * 24 * 60 * MIN },
  offer_declined: { type: "offer_declined", courierId: "courier-1" },
  courier_assigned: { type: "courier_assigned", courierId: "courier-1" },
  arrived_at_pickup: { type: "arrived_at_pickup" },
  picked_up: { type: "picked_up" },
  arrived_at_dropoff: { type: "arrived_at_dropoff" },
  delivered: { type: "delivered" },
  courier_timeout: { type: "courier_timeout" },
  search_exhausted: { type: "search_exhausted", reason: "no_courier_accepted", radiusM: 3000, candidatesTried: 4 },
  operator_offer: {
    type: "operator_offer",
    courierId: "courier-3",
    expiresAt: T0 + 10 * 24 * 60 * MIN,
    reason: "phoned, on the way",
  },
  operator_assign: { type: "operator_assign", courierId: "courier-3", reason: "agreed by phone" },
  redispatch: { type: "redispatch", reason: "courier stuck in traffic" },
  resolve_exceptions: { type: "resolve_exceptions", note: "sorted" },
  add_note: { type: "add_note", note: "called the customer" },
  report_problem: { type: "report_problem", problem: "missing_items", note: "no drinks" },
  release_to_kitchen: { type: "release_to_kitchen" },
  courier_released: { type: "courier_released", reason: "cannot_find_restaurant" },
  escalate: { type: "escalate", reason: "courier_dark" },
  start_customer_wait: { type: "start_customer_wait" },
  delivery_failed: { type: "delivery_failed", reason: "customer_unreachable" },
};
export const COMMAND_TYPES = Object.keys(COMMANDS) as OrderCommandType[];

export function fresh(): OrderSnapshot {
  return newOrderSnapshot({
    id: "ord-1",
    customerId: "cust-1",
    restaurantId: "rest-1",
    totalMinor: TOTAL,
    currency: "EUR",
    placedAt: T0,
    paymentIntentId: "pi_1",
  });
}

export function step(order: OrderSnapshot, type: OrderCommandType, role: ActorRole, at: number): OrderSnapshot {
  const d = decide(order, COMMANDS[type], ACTORS[role], at);
  if (!d.ok) throw new Error(`setup step ${type} from ${order.state}/${order.delivery} refused: ${d.code}`);
  return d.next;
}

// Reach each (order state, delivery state) the machine can be in by driving it,
// so every snapshot under test is one the machine itself produced.
export function drive(steps: Array<[OrderCommandType, ActorRole]>): OrderSnapshot {
  let order = fresh();
  let at = T0;
  for (const [type, role] of steps) {
    at += MIN;
    order = step(order, type, role, at);
  }
  return order;
}

export const toPaid: Array<[OrderCommandType, ActorRole]> = [["payment_succeeded", "system"]];
export const toAccepted = [...toPaid, ["accept", "restaurant_staff"]] as Array<[OrderCommandType, ActorRole]>;
export const kitchenPaths: Record<"accepted" | "preparing" | "ready", Array<[OrderCommandType, ActorRole]>> = {
  accepted: toAccepted,
  preparing: [...toAccepted, ["start_preparing", "restaurant_staff"]],
  ready: [...toAccepted, ["start_preparing", "restaurant_staff"], ["mark_ready", "restaurant_staff"]],
};
export const dispatchPaths: Record<
  "none" | "searching" | "offered" | "assigned" | "at_pickup",
  Array<[OrderCommandType, ActorRole]>
> = {
  none: [],
  searching: [["dispatch_started", "system"]],
  offered: [
    ["dispatch_started", "system"],
    ["courier_offered", "system"],
  ],
  assigned: [
    ["dispatch_started", "system"],
    ["courier_offered", "system"],
    ["courier_assigned", "courier"],
  ],
  at_pickup: [
    ["dispatch_started", "system"],
    ["courier_offered", "system"],
    ["courier_assigned", "courier"],
    ["arrived_at_pickup", "courier"],
  ],
};
export const toPickedUp = [...kitchenPaths.ready, ...dispatchPaths.at_pickup, ["picked_up", "courier"]] as Array<
  [OrderCommandType, ActorRole]
>;

/** Drives to the door, waits out the customer wait, and fails the delivery. */
export function failedDelivery(): OrderSnapshot {
  const atDoor = drive([...toPickedUp, ["arrived_at_dropoff", "courier"], ["start_customer_wait", "courier"]]);
  return step(atDoor, "delivery_failed", "courier", (atDoor.customerWaitUntil ?? 0) + 1);
}

export const SCENARIOS: Record<string, OrderSnapshot> = {
  "placed/none": drive([]),
  "paid/none": drive(toPaid),
  "picked_up/picked_up": drive(toPickedUp),
  "picked_up/at_dropoff": drive([...toPickedUp, ["arrived_at_dropoff", "courier"]]),
  "delivered/delivered": drive([...toPickedUp, ["arrived_at_dropoff", "courier"], ["delivered", "courier"]]),
  "rejected/none": drive([...toPaid, ["reject", "restaurant_staff"]]),
  "cancelled/none": drive([...toPaid, ["cancel", "customer"]]),
  "cancelled/assigned": drive([...toAccepted, ...dispatchPaths.assigned, ["cancel", "admin"]]),
  "failed/none": step(drive([]), "payment_timeout", "system", T0 + DEFAULT_POLICY.paymentTimeoutMs),
  "failed/failed": failedDelivery(),
};
for (const [kitchen, kPath] of Object.entries(kitchenPaths)) {
  for (const [delivery, dPath] of Object.entries(dispatchPaths)) {
    SCENARIOS[`${kitchen}/${delivery}`] = drive([...kPath, ...dPath]);
  }
}

// Far past every deadline, before the offer expires.
export const LATE = T0 + 24 * 60 * MIN;

export function expectOk(d: Decision): Extract<Decision, { ok: true }> {
  if (!d.ok) throw new Error(`expected ok, got ${d.status} ${d.code}: ${d.message}`);
  return d;
}

export function scenario(key: string): OrderSnapshot {
  const s = SCENARIOS[key];
  if (!s) throw new Error(`no scenario ${key}`);
  return s;
}

export function refundOf(d: Extract<Decision, { ok: true }>): RefundRequest | null {
  const event = d.events[0];
  return event ? refundOfEvent(event) : null;
}
