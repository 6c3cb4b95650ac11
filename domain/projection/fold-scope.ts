// Which orders of a batch the projection must fold again after writing the
// batch's events (workers/events/projection.ts), and from where. Folding every
// touched order over all of its events was half the consumer's CPU
// (decision 61); most events (accepted, preparing, courier offered ...) can
// neither book nor open an exception.
//
// The ledger: an order's bookings come only from events that pass `mayBook`
// (domain/ledger/order-rules.ts) once they join the run contiguous from seq 1.
// A batch extends that run only from the lowest sequence it brought for the
// order (anything below was in the run already, or is still behind a gap the
// batch did not fill), so the order needs folding exactly when a stored event
// at or after that sequence passes `mayBook`; the read decides that in SQL,
// where the stored events are. Redelivered events count too: a re-send folds
// its order again, which books whatever is missing (writing dedupes).
//
// The exceptions queue: recomputed for orders whose batch events can open or
// settle one (EXCEPTION_EVENT_TYPES), as before.
import { EXCEPTION_EVENT_TYPES } from "../exceptions/derive.ts";

export interface FoldScope {
  orderId: string;
  /** The lowest sequence the batch brought for this order. */
  fromSeq: number;
  /** The batch holds an event of this order that can open or settle an exception. */
  exceptions: boolean;
}

/** One entry per order the batch touches, sorted by order id. */
export function foldScope(events: ReadonlyArray<{ orderId: string; seq: number; type: string }>): FoldScope[] {
  const byOrder = new Map<string, FoldScope>();
  for (const { orderId, seq, type } of events) {
    const exceptions = EXCEPTION_EVENT_TYPES.includes(type);
    const seen = byOrder.get(orderId);
    if (!seen) byOrder.set(orderId, { orderId, fromSeq: seq, exceptions });
    else {
      if (seq < seen.fromSeq) seen.fromSeq = seq;
      if (exceptions) seen.exceptions = true;
    }
  }
  return [...byOrder.values()].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
}
