// The order's rules as one pure function. The Order Durable Object loads a
// snapshot, calls decide(), persists `next`, appends `events` and performs the
// side effects they describe (Stripe refunds, notifying couriers). Keeping
// every rule here lets them be tested without a runtime, clock or network.
//
// This module is the order's public face: decide() checks the actor and the
// end states and routes each command to the rules of its track; the rules,
// guards, fold and deadlines live beside it and are re-exported here.
import type { Ctx } from "./apply.ts";
import { apply } from "./apply.ts";
import type { Decision, OrderCommand } from "./commands.ts";
import { decideCourierException } from "./courier-exceptions.ts";
import { decideDeliveryTrack } from "./delivery-transitions.ts";
import { checkActor, invalidTransition } from "./guards.ts";
import { AFTER_END, planOperatorCommand } from "./operator-commands.ts";
import { decideOrderTrack } from "./order-transitions.ts";
import type { Actor, OrderSnapshot } from "./order-types.ts";
import { DEFAULT_POLICY, isTerminal, type OrderPolicy } from "./policy.ts";

export type { Decision, OrderCommand, OrderCommandType } from "./commands.ts";
export { FAILED_DELIVERY_REASONS, FAILED_DELIVERY_REFUND, RELEASE_REASONS } from "./courier-exceptions.ts";
export { deadlines, estimatedReadyAt, etaFor, type OrderDeadlineKind } from "./deadlines.ts";
export { ORDER_EVENT_TYPES, type OrderEventDraft, type OrderEventType } from "./events.ts";
export { COMMAND_ROLES } from "./guards.ts";
export type {
  Actor,
  ActorRole,
  DeliveryState,
  EscalationReason,
  OrderSnapshot,
  OrderState,
  RefundRequest,
} from "./order-types.ts";
export { DEFAULT_POLICY, isTerminal, type OrderPolicy, TERMINAL_STATES } from "./policy.ts";
export { awaitingRelease, type NewOrderInit, newOrderSnapshot } from "./snapshot.ts";

export function decide(
  order: OrderSnapshot,
  command: OrderCommand,
  actor: Actor,
  now: number,
  policy: OrderPolicy = DEFAULT_POLICY,
): Decision {
  // Permission first: someone without rights learns nothing about the state.
  const denied = checkActor(order, command, actor);
  if (denied) return denied;
  if (
    isTerminal(order.state) &&
    command.type !== "refund" &&
    !(AFTER_END as readonly string[]).includes(command.type)
  ) {
    return invalidTransition(order, command);
  }
  const ctx: Ctx = { order, actor, now, policy };

  switch (command.type) {
    case "payment_succeeded":
    case "payment_failed":
    case "payment_timeout":
    case "accept":
    case "reject":
    case "release_to_kitchen":
    case "acceptance_timeout":
    case "start_preparing":
    case "adjust_prep_time":
    case "mark_ready":
    case "cancel":
    case "refund":
      return decideOrderTrack(ctx, command);
    case "dispatch_started":
    case "courier_offered":
    case "offer_declined":
    case "courier_assigned":
    case "arrived_at_pickup":
    case "picked_up":
    case "arrived_at_dropoff":
    case "delivered":
    case "search_exhausted":
    case "courier_timeout":
      return decideDeliveryTrack(ctx, command);
    case "operator_offer":
    case "operator_assign":
    case "redispatch":
    case "resolve_exceptions":
    case "add_note":
    case "report_problem": {
      const plan = planOperatorCommand(order, command, now);
      if (!plan.ok) return plan;
      return apply(ctx, plan.changes, plan.draft);
    }
    case "courier_released":
    case "escalate":
    case "start_customer_wait":
    case "delivery_failed":
      return decideCourierException(ctx, command);
  }
}
