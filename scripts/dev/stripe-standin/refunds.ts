// Refunds (of a PaymentIntent's charge, whole or in part) and charges.
import { type Charge, type EventType, newId, nowSeconds, type Refund } from "./objects.ts";
import {
  applyMetadata,
  checkKnown,
  formatAmount,
  invalidParam,
  optEnum,
  optInteger,
  optString,
  REFUND_CREATE_PARAMS,
  RETRIEVE_PARAMS,
  resourceMissing,
  stateError,
} from "./params.ts";
import { type Context, ID, type RequestRef, type Route, type Store } from "./store.ts";

/** What refunds need from the server that composes them. */
export interface RefundsHost {
  store: Store;
  emit(type: EventType, object: Charge | Refund, request: RequestRef): void;
  /** Connect's part of a refund (a destination charge's transfer reversal). */
  refundCreated(refund: Refund): void;
}

export function createRefunds(host: RefundsHost) {
  const { intents, charges, refunds, readExpand, render } = host.store;
  const { emit } = host;

  function createRefund({ params, request }: Context): unknown {
    checkKnown(params, REFUND_CREATE_PARAMS);
    const expand = readExpand(params, "refund");
    const intentId = optString(params, "payment_intent");
    const chargeId = optString(params, "charge");
    const amountParam = optInteger(params, "amount", 1);
    const reason = optEnum(params, "reason", ["duplicate", "fraudulent", "requested_by_customer"]);
    const metadata = applyMetadata({}, params);
    if (!intentId && !chargeId) {
      throw invalidParam(
        "One of the following params should be provided for this request: payment_intent or charge.",
        "payment_intent",
        "parameter_missing",
      );
    }
    let charge: Charge | undefined;
    if (intentId) {
      const intent = intents.get(intentId);
      if (!intent) throw resourceMissing("payment_intent", intentId, "payment_intent");
      charge = intent.status === "succeeded" && intent.latest_charge ? charges.get(intent.latest_charge) : undefined;
      if (!charge) {
        throw stateError(
          `This PaymentIntent (${intentId}) does not have a successful charge to refund.`,
          "payment_intent_unexpected_state",
          "payment_intent",
        );
      }
      if (chargeId && chargeId !== charge.id) {
        throw invalidParam(`Charge ${chargeId} does not belong to PaymentIntent ${intentId}.`, "charge");
      }
    } else if (chargeId) {
      charge = charges.get(chargeId);
      if (!charge) throw resourceMissing("charge", chargeId, "charge");
      if (charge.status !== "succeeded") {
        throw stateError(`Charge ${chargeId} cannot be refunded because it has failed.`, "charge_not_refundable");
      }
    }
    if (!charge) throw new Error("unreachable: charge resolved above");
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining <= 0) {
      throw stateError(`Charge ${charge.id} has already been refunded.`, "charge_already_refunded");
    }
    const amount = amountParam ?? remaining;
    if (amount > remaining) {
      throw stateError(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
        "amount_too_large",
        "amount",
      );
    }
    const refund: Refund = {
      id: newId("re"),
      object: "refund",
      amount,
      balance_transaction: newId("txn"),
      charge: charge.id,
      created: nowSeconds(),
      currency: charge.currency,
      customer: charge.customer,
      customer_account: null,
      // A full refund before settlement reverses the authorisation instead.
      destination_details: { card: { type: amount === charge.amount ? "reversal" : "refund" }, type: "card" },
      metadata,
      payment_intent: charge.payment_intent,
      payment_method: charge.payment_method,
      reason: reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: "succeeded",
      transfer_reversal: null,
    };
    refunds.set(refund.id, refund);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    charge.refunds.data.unshift(refund);
    emit("charge.refunded", charge, request);
    emit("refund.created", refund, request);
    host.refundCreated(refund);
    return render(refund, expand);
  }

  function retrieveRefund({ params }: Context, id: string): unknown {
    checkKnown(params, RETRIEVE_PARAMS);
    const expand = readExpand(params, "refund");
    const refund = refunds.get(id);
    if (!refund) throw resourceMissing("refund", id);
    return render(refund, expand);
  }

  function retrieveCharge({ params }: Context, id: string): unknown {
    checkKnown(params, RETRIEVE_PARAMS);
    const expand = readExpand(params, "charge");
    const charge = charges.get(id);
    if (!charge) throw resourceMissing("charge", id);
    return render(charge, expand);
  }

  const routes: Route[] = [
    { method: "POST", pattern: /^\/v1\/refunds$/, handler: createRefund },
    { method: "GET", pattern: new RegExp(`^/v1/refunds/${ID}$`), handler: retrieveRefund },
    { method: "GET", pattern: new RegExp(`^/v1/charges/${ID}$`), handler: retrieveCharge },
  ];
  return { routes };
}
