// Which events tell whom, about what, on which channels: the notification
// service's whole policy as data and one pure function. The adapter
// (workers/notifications) expands a restaurant into its staff, applies each
// recipient's preferences (preferences.ts) and stores one row per
// (event, recipient, channel), which is what makes a redelivered event harmless.
import type { OrderEventMessage } from "../order/order-event.ts";
import type { Category, Channel } from "./preferences.ts";
import type { TemplateId } from "./templates.ts";

export type Audience = { kind: "user"; userId: string } | { kind: "restaurant"; restaurantId: string };

export interface PlannedNotification {
  audience: Audience;
  template: TemplateId;
  category: Category;
  /** The channels this message uses when preferences allow them all. */
  channels: readonly Channel[];
  /** Where the app opens when the notification is tapped. */
  url: string;
}

interface Rule {
  to: "customer" | "restaurant" | "offered_courier";
  template: TemplateId;
  category: Category;
  channels: readonly Channel[];
}

const PUSH: readonly Channel[] = ["push"];
const PUSH_EMAIL: readonly Channel[] = ["push", "email"];
const PUSH_SMS: readonly Channel[] = ["push", "sms"];

/** Event types not listed here notify nobody (operators watch those on the console's live views). */
export const NOTIFICATION_RULES: Readonly<Record<string, readonly Rule[]>> = {
  "order.paid": [
    { to: "restaurant", template: "kitchen_new_order", category: "new_orders", channels: PUSH_EMAIL },
    { to: "customer", template: "order_confirmed", category: "order_updates", channels: PUSH_EMAIL },
  ],
  // A scheduled order reaches the kitchen when it is released, not when it is paid.
  "order.released": [{ to: "restaurant", template: "kitchen_new_order", category: "new_orders", channels: PUSH_EMAIL }],
  "order.courier_offered": [
    { to: "offered_courier", template: "courier_offer", category: "courier_offers", channels: PUSH },
  ],
  "order.accepted": [{ to: "customer", template: "order_accepted", category: "order_updates", channels: PUSH }],
  "order.rejected": [{ to: "customer", template: "order_rejected", category: "order_updates", channels: PUSH_EMAIL }],
  "order.acceptance_expired": [
    { to: "customer", template: "order_rejected", category: "order_updates", channels: PUSH_EMAIL },
  ],
  "order.cancelled": [{ to: "customer", template: "order_cancelled", category: "order_updates", channels: PUSH_EMAIL }],
  "order.courier_assigned": [
    { to: "customer", template: "courier_assigned", category: "order_updates", channels: PUSH },
  ],
  "order.picked_up": [{ to: "customer", template: "order_picked_up", category: "order_updates", channels: PUSH }],
  "order.courier_at_dropoff": [
    { to: "customer", template: "courier_at_door", category: "order_updates", channels: PUSH_SMS },
  ],
  "order.delivered": [{ to: "customer", template: "order_delivered", category: "order_updates", channels: PUSH_EMAIL }],
  "order.delivery_failed": [
    { to: "customer", template: "delivery_failed", category: "order_updates", channels: PUSH_EMAIL },
  ],
};

function isScheduledForLater(message: OrderEventMessage): boolean {
  const releaseAt = message.order.schedule?.releaseAt;
  return typeof releaseAt === "number" && releaseAt > message.event.at;
}

export function planNotifications(message: OrderEventMessage): PlannedNotification[] {
  const { event, order } = message;
  const rules = NOTIFICATION_RULES[event.type] ?? [];
  const planned: PlannedNotification[] = [];
  for (const rule of rules) {
    let audience: Audience | null = null;
    let url = `/orders/${order.id}`;
    if (rule.to === "customer") audience = { kind: "user", userId: order.customerId };
    if (rule.to === "restaurant") {
      if (event.type === "order.paid" && isScheduledForLater(message)) continue;
      audience = { kind: "restaurant", restaurantId: order.restaurantId };
      url = `/restaurants/${order.restaurantId}/board`;
    }
    if (rule.to === "offered_courier") {
      // Only the offer events name a courier; the rule table sends this audience nothing else.
      const courierId = "courierId" in event.payload ? event.payload.courierId : undefined;
      if (typeof courierId !== "string") continue;
      audience = { kind: "user", userId: courierId };
      url = "/";
    }
    if (audience)
      planned.push({ audience, template: rule.template, category: rule.category, channels: rule.channels, url });
  }
  return planned;
}

/** The values a template may name, from the order alone. */
export function templateValues(message: OrderEventMessage, money: string): Record<string, string> {
  const { order } = message;
  return {
    short: order.id.slice(0, 8),
    restaurant: order.restaurantName ?? "the restaurant",
    total: money,
    items: String(order.lines.reduce((n, l) => n + l.quantity, 0)),
    prep: String(order.prepTimeMinutes ?? order.quotedPrepMinutes ?? 15),
  };
}

/** Notification attempts: 10 s, 30 s, 2 min, 10 min, 30 min; then the row is failed. */
export const NOTIFICATION_BACKOFF_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000] as const;

export function nextNotificationAttempt(attempts: number, now: number): number | null {
  const delay = NOTIFICATION_BACKOFF_MS[attempts - 1];
  return delay === undefined ? null : now + delay;
}
