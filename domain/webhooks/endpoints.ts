// Rules for partner webhook endpoints: where they may point, what they may
// subscribe to, how deliveries are retried and when an endpoint is disabled.
import { ORDER_EVENT_TYPES } from "../order/state-machine.ts";

/** What a partner may subscribe to: every order event, or all of them with "order.*". */
export const SUBSCRIBABLE_EVENT_TYPES: readonly string[] = ["order.placed", ...ORDER_EVENT_TYPES];

export function matchesEventTypes(subscribed: readonly string[], type: string): boolean {
  return subscribed.some((s) => s === type || (s.endsWith(".*") && type.startsWith(s.slice(0, -1))));
}

export function isSubscribable(type: string): boolean {
  return type === "order.*" || SUBSCRIBABLE_EVENT_TYPES.includes(type);
}

const PRIVATE_V4 = [
  /^10\./,
  /^127\./,
  /^169\.254\./,
  /^192\.168\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^0\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
];

export type UrlVerdict = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Deliveries go from the platform to the partner's URL, so a URL that names
 * a private or loopback address would let a partner make the platform call
 * into its own network. Only https to a public host name or address, except
 * where the platform runs locally (`allowLoopback`): there plain http to
 * the loopback is what a developer's receiver listens on.
 */
export function checkEndpointUrl(raw: string, options: { allowLoopback: boolean }): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const loopback = host === "localhost" || host === "::1" || /^127\./.test(host);
  if (loopback && options.allowLoopback && (url.protocol === "http:" || url.protocol === "https:")) {
    return { ok: true, url: url.toString() };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "the URL must use https" };
  if (loopback || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal")) {
    return { ok: false, reason: "the URL names a local host" };
  }
  if (PRIVATE_V4.some((p) => p.test(host))) return { ok: false, reason: "the URL names a private address" };
  if (host.includes(":")) {
    if (/^(fc|fd|fe8|fe9|fea|feb)/.test(host) || host === "::" || host.startsWith("::ffff:")) {
      return { ok: false, reason: "the URL names a private address" };
    }
  }
  if (!host.includes(".") && !host.includes(":")) return { ok: false, reason: "the URL needs a public host name" };
  return { ok: true, url: url.toString() };
}

/**
 * Delay before attempt n+1 after n failed ones: 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 14 h, 20 h, 24 h: about three days in all, after which the delivery
 * is failed for good (it can still be replayed by hand).
 */
export const WEBHOOK_BACKOFF_MS = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
] as const;

export function nextWebhookAttempt(failedAttempts: number, now: number): number | null {
  const delay = WEBHOOK_BACKOFF_MS[failedAttempts - 1];
  return delay === undefined ? null : now + delay;
}

/** An endpoint whose deliveries failed this many times in a row, and for this long, is disabled. */
export const DISABLE_AFTER_FAILURES = 20;
export const DISABLE_AFTER_MS = 24 * 3_600_000;

export function shouldDisable(consecutiveFailures: number, failingSince: number | null, now: number): boolean {
  if (consecutiveFailures < DISABLE_AFTER_FAILURES) return false;
  return failingSince !== null && now - failingSince >= DISABLE_AFTER_MS;
}

/** A successful answer is any 2xx; anything else (and no answer) is retried. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** How long an old secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** The body a partner receives: Standard Webhooks' recommended shape. */
export function webhookPayload(event: {
  id: string;
  orderId: string;
  seq: number;
  type: string;
  at: number;
  state: string;
  delivery: string;
  payload: Record<string, unknown>;
  restaurantId: string;
}): { type: string; timestamp: string; data: Record<string, unknown> } {
  return {
    type: event.type,
    timestamp: new Date(event.at).toISOString(),
    data: {
      eventId: event.id,
      orderId: event.orderId,
      restaurantId: event.restaurantId,
      seq: event.seq,
      state: event.state,
      delivery: event.delivery,
      payload: event.payload,
    },
  };
}
