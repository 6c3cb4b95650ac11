// What travels between couriers' apps and their Zone DO, and between Zone DOs
// and Order DOs. Plain data only: everything here crosses a WebSocket or a
// DO RPC boundary and is persisted as JSON.
import { z } from "zod";
import type { Vehicle } from "../../domain/dispatch/eta.ts";
import type { Fix, FixRejectReason } from "../../domain/dispatch/fix.ts";
import type { OfferState } from "../../domain/dispatch/offers.ts";
import type { CourierRating } from "../../domain/dispatch/scoring.ts";
import type { StackJob } from "../../domain/dispatch/stacking.ts";
import type { LatLng } from "../../domain/geo/distance.ts";

export type CourierStatus = "online" | "offline" | "break";

/** The offer as the courier's app shows it; re-sent on reconnect while still live. */
export interface OfferMessage {
  type: "offer";
  orderId: string;
  restaurant: LatLng;
  dropoff: LatLng;
  expiresAt: number;
  foodReadyAt: number | null;
  /** Straight line from the courier to the restaurant when the offer was made. */
  distanceM: number;
  /** Straight line from the restaurant to the drop-off. */
  dropoffDistanceM: number;
  restaurantName: string | null;
  /** What the courier earns for the job, tip included (domain/dispatch/courier-pay.ts). */
  payoutMinor: number | null;
  currency: string | null;
  /**
   * The courier's current job this one would be stacked on (picked up on the
   * way, delivered after it); null or absent for a courier with no job.
   */
  stackedWith?: string | null;
  /** For a stacked offer: how much later the first job's customer gets their food. */
  firstDelayMs?: number | null;
}

/** An offer the courier is holding, remembered by the zone the courier is in (which may not be the dispatching one). */
export interface HeldOffer {
  orderId: string;
  /** The zone running this order's offers; the courier's answer goes there. */
  dispatchCell: string;
  expiresAt: number;
  message: OfferMessage;
}

/** Everything a zone knows about one courier; handed whole to the next zone on a cell change. */
export interface CourierState {
  courierId: string;
  vehicle: Vehicle;
  /** Short display name for the kitchen's board ("Ana S."); absent in states saved before it was kept. */
  name?: string;
  status: CourierStatus;
  /** Last accepted fix: the next one is checked against it, and it is the courier's position. */
  lastFix: Fix | null;
  /** Server clock when lastFix was accepted. Staleness is judged on this, since device clocks cannot be trusted. */
  lastFixAt: number | null;
  activeOrders: string[];
  offer: HeldOffer | null;
  recentOffers: number;
  recentAccepts: number;
  /**
   * The jobs the courier took through offers, as those offers described them,
   * for stacking (absent in states stored before stacking). A job given
   * without an offer (an operator's assignment) has no entry, and a courier
   * whose every active job is not described here is never offered a stack.
   */
  jobs?: StackJob[];
  /** Customers' stars, as the API Worker read them when the courier connected; absent: unknown. */
  rating?: CourierRating | null;
}

export interface DispatchRequest {
  orderId: string;
  restaurant: LatLng;
  dropoff: LatLng;
  foodReadyAt: number | null;
  /** Shown on the offer card; absent in dispatches started before they were sent. */
  restaurantName?: string | null;
  payoutMinor?: number | null;
  currency?: string | null;
  /**
   * Food-ready timing (decision 37): when the food is expected, all evidence
   * considered, and whether a courier who would be at the counter well before
   * it should be held back. Absent: offer at once to the best courier.
   */
  timing?: { predictedReadyAt: number; holdEarly: boolean } | null;
  /**
   * The trace the search runs under (decision 0054): the one of the command
   * that started it (the payment webhook, the kitchen's ready). Kept with the
   * dispatch record, so the offers, answers and expiries the zone reports to
   * the Order DO, and their queue messages, carry it.
   */
  traceparent?: string;
}

/** Why one courier was offered the order, kept with the offer loop for operators. */
export interface OfferChoice {
  courierId: string;
  at: number;
  score: number;
  reasons: string[];
  stackedWith: string | null;
}

/** One order's offer loop, owned by the zone of its restaurant. */
export interface DispatchRecord {
  request: DispatchRequest;
  offers: OfferState;
  /** Zone of the courier holding the live offer, to withdraw it there. */
  offeredCell: string | null;
  startedAt: number;
  /** Every choice the search made for this order, newest last (absent in records from before reasons). */
  choices?: OfferChoice[];
  /** Offers held back until then: the best courier would otherwise wait at the counter. */
  heldUntil?: number | null;
}

export interface ZoneCandidate {
  courierId: string;
  cell: string;
  distanceM: number;
  vehicle: Vehicle;
  activeJobs: number;
  recentOffers: number;
  recentAccepts: number;
  rating?: CourierRating | null;
  /** For a courier on a job: where they are and what they carry, to check a stack. */
  position?: LatLng | null;
  jobs?: StackJob[];
}

export type ZoneRefusal = { ok: false; status: 400 | 403 | 404 | 409 | 422 | 502; code: string; message: string };

export type DispatchStatus = "offered" | "searching" | "assigned" | "escalated" | "cancelled";

export type RequestCourierResult = { ok: true; status: DispatchStatus } | ZoneRefusal;

export type OfferResponseResult =
  | { ok: true; outcome: "assigned" | "declined" }
  | { ok: false; code: "offer_not_yours" | "offer_expired" | "already_assigned" | "order_closed"; message: string };

export type DeliverOfferResult = { ok: true } | { ok: false; code: "unknown_courier" | "not_connected" | "busy" };

export interface CourierOnMap {
  courierId: string;
  vehicle: Vehicle;
  status: CourierStatus;
  lat: number | null;
  lng: number | null;
  lastFixAt: number | null;
  connected: boolean;
  available: boolean;
  activeOrders: string[];
}

export interface ZoneStats {
  cell: string | null;
  couriers: number;
  connected: number;
  available: number;
  dispatches: number;
  /** Fixes refused since the zone was created, by reason; refused fixes never move a courier. */
  dropped: Record<FixRejectReason, number>;
}

// Courier → zone. Coordinates are only typed here, not range-checked: an
// out-of-range fix is refused by acceptFix and counted, not reported as malformed.
const FixBody = z.strictObject({
  lat: z.number(),
  lng: z.number(),
  accuracyM: z.number(),
  headingDeg: z.number().optional(),
  speedMps: z.number().optional(),
  at: z.number(),
  seq: z.number(),
});

/** A phone offline for a few minutes at 1 fix/s buffers a few hundred; more is not an honest client. */
export const MAX_FIX_BATCH = 600;

/**
 * The longest one fix can be as JSON: seven numbers of up to 24 characters
 * each (the longest a double prints as) under their keys. A test builds that
 * worst case and checks it fits.
 */
export const MAX_FIX_JSON_BYTES = 240;

/**
 * The largest frame the protocol needs: a full batch of worst-case fixes. A
 * frame longer than this is refused unread (close 1009) instead of being
 * parsed: 1 and 8 MiB frames used to be.
 */
export const MAX_FRAME_BYTES = MAX_FIX_BATCH * (MAX_FIX_JSON_BYTES + 1) + 64;

/**
 * Messages per connection: bursts up to `capacity` (a reconnect flushing its
 * buffered batches, a status change and an offer answer together) and
 * `perSecond` sustained, five times an honest app's 1 fix/s. Past it the
 * socket is closed with 1008 and the courier must reconnect.
 */
export const COURIER_MESSAGE_RATE = { capacity: 30, perSecond: 5 } as const;

/** Close codes a courier app sees from its zone. */
export const CLOSE_CODES = { frameTooLarge: 1009, rateLimited: 1008 } as const;

const FIX_KEYS = new Set(["lat", "lng", "accuracyM", "headingDeg", "speedMps", "at", "seq"]);

/**
 * The frame an app sends most (one fix, `{type:"fix",fix:{…}}`), checked by
 * hand: the schema parse costs more than the rest of ingesting it. Accepts
 * only what CourierMessage accepts; anything else (null) goes through the
 * schema, which also words the error.
 */
export function singleFix(json: unknown): Fix | null {
  const message = frameOf(json, "fix");
  return message ? handFix(message.fix) : null;
}

/**
 * The batch frame (`{type:"fixes",fixes:[…]}`, what the app sends after
 * buffering), checked by hand like `singleFix`: with ten fixes a frame the
 * schema parse was the largest share of the zone's CPU per fix. Accepts only
 * what CourierMessage accepts (1 to MAX_FIX_BATCH fixes, each a valid fix).
 */
export function fixBatch(json: unknown): Fix[] | null {
  const message = frameOf(json, "fixes");
  const list = message?.fixes;
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_FIX_BATCH) return null;
  const out: Fix[] = [];
  for (const item of list) {
    const fix = handFix(item);
    if (!fix) return null;
    out.push(fix);
  }
  return out;
}

/** A plain object with exactly `type` and the one other key of that frame. */
function frameOf(json: unknown, type: "fix" | "fixes"): Record<string, unknown> | null {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const message = json as Record<string, unknown>;
  if (message.type !== type) return null;
  let keys = 0;
  for (const _ in message) keys++;
  return keys === 2 && type in message ? message : null;
}

function handFix(fix: unknown): Fix | null {
  if (typeof fix !== "object" || fix === null || Array.isArray(fix)) return null;
  const f = fix as Record<string, unknown>;
  for (const key in f) if (!FIX_KEYS.has(key) || typeof f[key] !== "number") return null;
  if (
    typeof f.lat !== "number" ||
    typeof f.lng !== "number" ||
    typeof f.accuracyM !== "number" ||
    typeof f.at !== "number" ||
    typeof f.seq !== "number"
  ) {
    return null;
  }
  // Every key is a fix key and a number: the parsed object is the fix (no copy per fix).
  return f as unknown as Fix;
}

export const CourierMessage = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("status"), status: z.enum(["online", "offline", "break"]) }),
  z.strictObject({ type: z.literal("fix"), fix: FixBody }),
  z.strictObject({ type: z.literal("fixes"), fixes: z.array(FixBody).min(1).max(MAX_FIX_BATCH) }),
  z.strictObject({ type: z.literal("offer_response"), orderId: z.string().min(1).max(64), accept: z.boolean() }),
  // The app keeps several fix frames in flight and takes one ack for many (decision 59, acks.ts).
  z.strictObject({ type: z.literal("ack_mode"), mode: z.literal("cumulative") }),
]);
export type CourierMessage = z.infer<typeof CourierMessage>;

/** Zone → courier. */
export type ZoneMessage =
  | OfferMessage
  | { type: "offer_withdrawn"; orderId: string; reason: "expired" | "cancelled" }
  | { type: "assigned"; orderId: string }
  | { type: "declined"; orderId: string }
  | {
      type: "ack";
      /**
       * Highest seq in the message(s) being acknowledged: the app may drop everything up to it from its
       * buffer. One ack per frame, or, after `ack_mode` cumulative, one for several (counts summed).
       */
      seq: number;
      accepted: number;
      dropped: number;
    }
  | {
      type: "status";
      status: CourierStatus;
      cell: string;
      activeOrders: string[];
      /**
       * The courier protocol this zone speaks (COURIER_PROTOCOL): from 2 it takes packed fix frames
       * (domain/dispatch/fix-frame.ts). Zones from before it send none, and get JSON only.
       */
      protocol: number;
    }
  | { type: "handover"; cell: string }
  | { type: "error"; code: string; message: string; orderId?: string };

/**
 * The ack as JSON text, byte for byte what JSON.stringify makes of
 * `{type:"ack",seq,accepted,dropped}` for finite numbers (a test holds it to
 * that): it goes out once per courier frame, and the template skips the
 * object and the serialiser's walk.
 */
export function ackFrame(seq: number, accepted: number, dropped: number): string {
  return `{"type":"ack","seq":${seq},"accepted":${accepted},"dropped":${dropped}}`;
}

export interface SocketAttachment {
  courierId: string;
  vehicle: Vehicle;
  name?: string;
  cell: string;
  /** Set by the app's `ack_mode` frame: one ack for several frames. */
  acks?: "cumulative";
}
