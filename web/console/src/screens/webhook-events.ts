// The event types a partner may subscribe to, as the console offers them. The
// server (domain/webhooks/endpoints.ts) is the authority and refuses anything
// else; webhook-events.test.ts keeps this list equal to it.
export const ALL_ORDER_EVENTS = "order.*";

export const SUBSCRIBABLE = [
  "order.placed",
  "order.paid",
  "order.payment_failed",
  "order.payment_expired",
  "order.accepted",
  "order.rejected",
  "order.acceptance_expired",
  "order.preparing",
  "order.prep_time_adjusted",
  "order.ready",
  "order.cancelled",
  "order.refund_requested",
  "order.dispatch_started",
  "order.courier_offered",
  "order.offer_declined",
  "order.courier_assigned",
  "order.courier_at_pickup",
  "order.picked_up",
  "order.courier_at_dropoff",
  "order.delivered",
  "order.courier_escalated",
  "order.redispatched",
  "order.exception_resolved",
  "order.operator_note",
  "order.problem_reported",
  "order.released",
  "order.courier_released",
  "order.escalated",
  "order.customer_wait_started",
  "order.delivery_failed",
] as const;

/** The few a kitchen's POS usually wants, offered first. */
export const COMMON = [
  "order.paid",
  "order.accepted",
  "order.ready",
  "order.picked_up",
  "order.delivered",
  "order.cancelled",
];
