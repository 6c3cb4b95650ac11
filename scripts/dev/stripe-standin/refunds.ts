// Refunds (of a PaymentIntent's charge, whole or in part) and charges.
import { type Charge, type EventType, newId, nowSeconds, type Refund } from "./objects.ts";
import {
  applyMetadata,
  checkKnown,
  checkThreeDecimal,
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

const REFUND_FAIL_PARAMS = new Set(["failure_reason"]);

/** What refunds need from the server that composes them. */
export interface RefundsHost {
  store: Store;
  emit(type: EventType, object: Charge | Refund, request: RequestRef): void;
  /** Connect's part of a refund (a destination charge's transfer reversal). */
  refundCreated(refund: Refund): void;
  /** The money of a failed refund back in the platform's balance; returns its balance transaction's id. */
  refundFailed(refund: Refund): string;
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
    checkThreeDecimal(amount, charge.currency);
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

  /**
   * Dev-only (no Stripe API has it): the refund fails after creation, as a
   * closed card makes one fail days later. Stripe then sends refund.updated and
   * refund.failed with `failure_reason`, and the amount is back in the balance.
   */
  function failRefund({ params, request }: Context, id: string): unknown {
    checkKnown(params, REFUND_FAIL_PARAMS);
    const refund = refunds.get(id);
    if (!refund) throw resourceMissing("refund", id);
    if (refund.status !== "succeeded" && refund.status !== "pending") {
      throw stateError(`Refund ${id} is ${refund.status} and cannot fail.`, "refund_unexpected_state");
    }
    const reason = optEnum(params, "failure_reason", ["expired_or_canceled_card", "lost_or_stolen_card", "unknown"]);
    refund.status = "failed";
    refund.failure_reason = reason ?? "expired_or_canceled_card";
    refund.failure_balance_transaction = host.refundFailed(refund);
    const charge = charges.get(refund.charge);
    if (charge) {
      charge.amount_refunded -= refund.amount;
      charge.refunded = false;
    }
    emit("refund.updated", refund, request);
    emit("refund.failed", refund, request);
    return render(refund, []);
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
    { method: "POST", pattern: new RegExp(`^/v1/test_helpers/refunds/${ID}/fail$`), handler: failRefund },
    { method: "GET", pattern: new RegExp(`^/v1/charges/${ID}$`), handler: retrieveCharge },
  ];
  return { routes };
}
