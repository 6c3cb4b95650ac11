// What a courier earns for one delivery, until the ledger books it: the
// delivery fee the customer paid passes through to the courier whole, and so
// does the tip. The offer's payout estimate, the earnings screen and (later)
// the ledger all use this one rule, so they cannot disagree.

export interface CourierPayInput {
  deliveryFeeMinor: number;
  tipMinor: number;
}

export interface CourierPay {
  payMinor: number;
  tipMinor: number;
  totalMinor: number;
}

export function courierPay(input: CourierPayInput): CourierPay {
  const payMinor = Math.max(0, Math.round(input.deliveryFeeMinor));
  const tipMinor = Math.max(0, Math.round(input.tipMinor));
  return { payMinor, tipMinor, totalMinor: payMinor + tipMinor };
}

/** A courier paid for a delivery they could not hand over still did the ride; only orders never picked up pay nothing. */
export function earnsForOutcome(state: string, delivery: string): boolean {
  return state === "delivered" || (state === "failed" && delivery === "failed");
}
