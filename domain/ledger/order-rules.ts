// What an order books, as a pure fold over its events in sequence order. The
// rules (docs/decisions/0031-ledger-booking-rules.md):
//
// - Paid: the money is in the platform's Stripe balance and owed to the
//   customer until the order is delivered or settled (customer funds).
// - Delivered, or a failed delivery (the kitchen cooked and the courier rode,
//   see decision 0015): customer funds move to the restaurant (subtotal less
//   commission), the courier (the delivery fee, and the whole tip as its own
//   line), the platform (commission and service fee) and taxes collected.
// - A refund before that comes out of customer funds. A refund after it (a
//   customer's problem report, refunded by support) is borne by the
//   restaurant up to what it still has from the order, then by the platform
//   (customer refunds); the courier's pay and tip are never taken back.
//   A refund that was made before delivery is charged the same way when the
//   order is delivered, so customer funds of a delivered order end at zero.
// - Rejected by the kitchen, cancelled, or failed before pickup: nobody
//   earns anything; the customer's money goes back by the refund the event
//   asked for, and whatever an admin chose not to refund is platform revenue.
//   A refund after that comes out of what the platform kept, then out of
//   customer refunds.
// - A payment that arrived after the order expired is held and refunded whole.
//
// - A promotion's discount is paid in at settlement by its funder: the
//   platform (promotions, an expense) or the restaurant (a debit beside its
//   share). Nothing is booked for it if the order is called off. The tax
//   collected is on the discounted food (decision 0052's addendum).
// - A three-decimal total rounded to 10 fils for Stripe: the difference goes
//   to platform rounding at settlement (credit if the customer paid more than
//   the parts, debit if less), so nobody's share carries it.
//
// Only a contiguous run of events from seq 1 is folded, so a redelivered,
// late or reordered event changes nothing already booked: every booking is
// keyed by its source event (or Stripe refund id) and a longer run only adds.
import { courierPay } from "../dispatch/courier-pay.ts";
import { courierAccount, PLATFORM, restaurantAccount } from "./accounts.ts";
import { type Booking, booking } from "./booking.ts";

export interface LedgerOrder {
  id: string;
  restaurantId: string;
  courierId: string | null;
  currency: string;
  subtotalMinor: number;
  deliveryFeeMinor: number;
  serviceFeeMinor: number;
  /** All tax on the order: added on top, or contained in the prices when `taxIncluded` (decision 0052). */
  taxMinor: number;
  taxIncluded?: boolean | undefined;
  /** The part of `taxMinor` on the food. */
  itemsTaxMinor?: number | undefined;
  /** Platform revenue, like the service fee. */
  smallOrderFeeMinor?: number | undefined;
  tipMinor: number;
  /** What the customer was charged: net of the discount, with `roundingMinor`. */
  totalMinor: number;
  /** Added to the total so Stripe could charge it (−4..+5 fils in BHD/JOD/KWD/OMR/TND); absent: 0. */
  roundingMinor?: number | undefined;
  /** A promotion's discount (0 without one), paid by its funder when the order settles. */
  discountMinor: number;
  discountFundedBy: "platform" | "restaurant";
  /** The restaurant's commission when its earnings are booked, in basis points. */
  commissionBps: number;
}

export interface LedgerEvent {
  id: string;
  seq: number;
  type: string;
  at: number;
  payload: Record<string, unknown>;
}

/** Event types that can move money; any other event only advances the fold. */
export const LEDGER_EVENT_TYPES = [
  "order.paid",
  "order.delivered",
  "order.delivery_failed",
  "order.cancelled",
  "order.rejected",
  "order.acceptance_expired",
  "order.refund_requested",
  "order.refunded",
  "order.late_payment_refund_requested",
] as const;

/** States whose event closes an order: the fold books what a closing keeps (its `default` case). */
export const CLOSING_STATES = ["rejected", "cancelled", "failed"] as const;

/**
 * Whether an event can add a booking when it joins the contiguous run: its type moves money, or it
 * closes the order. `bookOrder` books on nothing else (a superset: not every such event books), so
 * a batch whose new run events all fail this adds no booking, and the projection folds an order only
 * when one at or after the first sequence the batch brought passes it (workers/events/ledger.ts,
 * decision 61). The projection's read repeats this test in SQL with these two lists.
 */
export function mayBook(type: string, state: unknown): boolean {
  return (
    (LEDGER_EVENT_TYPES as readonly string[]).includes(type) || (CLOSING_STATES as readonly unknown[]).includes(state)
  );
}

export interface OrderShares {
  restaurantMinor: number;
  commissionMinor: number;
  courierPayMinor: number;
  tipMinor: number;
  platformMinor: number;
  taxMinor: number;
  /** Paid in by whoever funds the promotion (decision 0041). */
  discountMinor: number;
  /** The charge's rounding for Stripe: positive is platform income, negative its expense. */
  roundingMinor: number;
}

/** How a delivered order's total splits; the parts add up to the total. */
export function orderShares(order: LedgerOrder): OrderShares {
  const bps = Math.min(10_000, Math.max(0, order.commissionBps));
  // Half up, in the platform's favour by at most one minor unit.
  const commissionMinor = Math.round((order.subtotalMinor * bps) / 10_000);
  const pay = courierPay(order);
  const smallOrderFeeMinor = Math.max(0, order.smallOrderFeeMinor ?? 0);
  // Added tax sits on top of every price, so nobody's share contains it. Included tax sits inside
  // them: the food's VAT comes out of the restaurant's gross, the fees' VAT out of the platform's
  // (the courier is paid the delivery fee as shown, so the platform bears that fee's VAT).
  const itemsTax = order.taxIncluded ? Math.min(order.taxMinor, Math.max(0, order.itemsTaxMinor ?? 0)) : 0;
  const feesTax = order.taxIncluded ? order.taxMinor - itemsTax : 0;
  const restaurantMinor = order.subtotalMinor - commissionMinor - itemsTax;
  const platformMinor = commissionMinor + order.serviceFeeMinor + smallOrderFeeMinor - feesTax;
  const discountMinor = Math.max(0, order.discountMinor);
  const roundingMinor = order.roundingMinor ?? 0;
  // The customer paid the total net of the discount, rounded; the funder pays the discount in.
  const rest =
    order.totalMinor +
    discountMinor -
    roundingMinor -
    restaurantMinor -
    platformMinor -
    pay.payMinor -
    pay.tipMinor -
    order.taxMinor;
  // A total that is not the sum of its parts (it never is today) goes to the platform, so entries still balance.
  return {
    restaurantMinor,
    commissionMinor,
    courierPayMinor: pay.payMinor,
    tipMinor: pay.tipMinor,
    platformMinor: platformMinor + rest,
    taxMinor: order.taxMinor,
    discountMinor,
    roundingMinor,
  };
}

const num = (v: unknown): number => (typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : 0);
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

function refundAsked(payload: Record<string, unknown>): number {
  const refund = payload.refund as { amountMinor?: unknown } | null | undefined;
  return refund && typeof refund === "object" ? num(refund.amountMinor) : 0;
}

/** The longest run of events from seq 1 with no gap, in order; duplicates by seq collapse. */
export function contiguousRun(events: readonly LedgerEvent[]): LedgerEvent[] {
  const bySeq = new Map<number, LedgerEvent>();
  for (const e of events) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  const run: LedgerEvent[] = [];
  for (let seq = 1; bySeq.has(seq); seq++) run.push(bySeq.get(seq) as LedgerEvent);
  return run;
}

/** Every booking the order's events so far call for. Pure and prefix-stable. */
export function bookOrder(order: LedgerOrder, events: readonly LedgerEvent[]): Booking[] {
  const out: Booking[] = [];
  const restaurant = restaurantAccount(order.restaurantId);
  const shares = orderShares(order);
  let paid = 0;
  let refundsFromFunds = 0;
  let earned = false;
  let closed = false;
  let restaurantLeft = 0;
  let keptLeft = 0;
  /** After closing: customer funds still owed back (refunds asked but not yet made). */
  let owedBack = 0;
  let asked = 0;
  const lateRequests = new Set<string>();

  const head = (key: string, kind: string, at: number) => ({
    key,
    kind,
    orderId: order.id,
    currency: order.currency,
    occurredAt: at,
  });
  /** Who bears `amount` once the order has been earned or closed: see the rules above. */
  const bearers = (amount: number): Array<[string, number, string]> => {
    const lines: Array<[string, number, string]> = [];
    if (earned) {
      const fromRestaurant = Math.min(amount, restaurantLeft);
      restaurantLeft -= fromRestaurant;
      lines.push([restaurant, fromRestaurant, "refund borne by the restaurant"]);
      lines.push([PLATFORM.customerRefunds, amount - fromRestaurant, "refund borne by the platform"]);
    } else {
      const fromKept = Math.min(amount, keptLeft);
      keptLeft -= fromKept;
      lines.push([PLATFORM.revenue, fromKept, "refund of what a cancellation kept"]);
      lines.push([PLATFORM.customerRefunds, amount - fromKept, "refund borne by the platform"]);
    }
    return lines;
  };

  for (const event of contiguousRun(events)) {
    const p = event.payload;
    const key = `order-event:${event.id}`;
    asked += refundAsked(p);
    const state = str(p.state);
    const delivery = str(p.delivery);
    switch (event.type) {
      case "order.paid": {
        const amount = num(p.amountMinor) || order.totalMinor;
        if (paid > 0 || amount === 0) break;
        paid = amount;
        out.push(
          booking(
            head(key, "order_paid", event.at),
            [[PLATFORM.stripeBalance, amount, "card payment"]],
            [[PLATFORM.customerFunds, amount, "held until delivery"]],
          ),
        );
        break;
      }
      case "order.late_payment_refund_requested": {
        const amount = num(p.amountMinor);
        if (amount === 0) break;
        lateRequests.add(event.id);
        out.push(
          booking(
            head(key, "late_payment", event.at),
            [[PLATFORM.stripeBalance, amount, "payment after the order expired"]],
            [[PLATFORM.customerFunds, amount, "held until refunded"]],
          ),
        );
        break;
      }
      case "order.delivered":
      case "order.delivery_failed": {
        if (earned || closed || paid === 0) break;
        if (event.type === "order.delivery_failed" && !(state === "failed" && delivery === "failed")) break;
        earned = true;
        const restaurantFunds = order.discountFundedBy === "restaurant";
        // A refund borne by the restaurant comes out of what it kept after funding the discount.
        restaurantLeft = Math.max(0, shares.restaurantMinor - (restaurantFunds ? shares.discountMinor : 0));
        const discount: Array<[string, number, string]> = [
          [restaurantFunds ? restaurant : PLATFORM.promotions, shares.discountMinor, "promotion discount funded"],
        ];
        const courier = order.courierId ? courierAccount(order.courierId) : PLATFORM.revenue;
        out.push(
          booking(
            head(key, event.type === "order.delivered" ? "order_delivered" : "delivery_failed", event.at),
            [
              [PLATFORM.customerFunds, paid - refundsFromFunds, "order settled"],
              ...bearers(refundsFromFunds),
              ...discount,
              [PLATFORM.rounding, Math.max(0, -shares.roundingMinor), "charge rounded down to 10 fils"],
            ],
            [
              [restaurant, shares.restaurantMinor, "subtotal less commission"],
              [courier, shares.courierPayMinor, "delivery pay"],
              [courier, shares.tipMinor, "tip"],
              [PLATFORM.revenue, shares.platformMinor, "commission and service fee"],
              [PLATFORM.taxesCollected, shares.taxMinor, "tax collected"],
              [PLATFORM.rounding, Math.max(0, shares.roundingMinor), "charge rounded up to 10 fils"],
            ],
          ),
        );
        break;
      }
      case "order.refunded": {
        const amount = num(p.amountMinor);
        const refundId = str(p.refundId);
        if (amount === 0 || !refundId) break;
        const late = lateRequests.has(String(p.requestEventId));
        const fromFunds = late || (!earned && !closed) ? amount : closed ? Math.min(amount, owedBack) : 0;
        if (closed && !late) owedBack -= fromFunds;
        if (!late && !earned && !closed) refundsFromFunds += amount;
        const debits: Array<[string, number, string]> = [
          [PLATFORM.customerFunds, fromFunds, "refund to the customer"],
          ...(amount > fromFunds ? bearers(amount - fromFunds) : []),
        ];
        out.push(
          booking(head(`refund:${refundId}`, "refund", event.at), debits, [
            [PLATFORM.stripeBalance, amount, "refund to the card"],
          ]),
        );
        break;
      }
      default: {
        const closes = state === "rejected" || state === "cancelled" || (state === "failed" && delivery !== "failed");
        if (!closes || earned || closed || paid === 0) break;
        closed = true;
        // What the customer is not getting back stays with the platform.
        const kept = Math.max(0, paid - Math.max(asked, refundsFromFunds));
        keptLeft = kept;
        owedBack = paid - kept - refundsFromFunds;
        // Refunds already made came out of customer funds; the rest of it either goes back (asked) or is kept.
        if (kept > 0) {
          out.push(
            booking(
              head(key, "cancellation_kept", event.at),
              [[PLATFORM.customerFunds, kept, "not refunded on cancelling"]],
              [[PLATFORM.revenue, kept, "kept on cancelling"]],
            ),
          );
        }
      }
    }
  }
  return out;
}
