// The stand-in's transfer reversals (POST /v1/transfers/{id}/reversals and
// their reads), in Stripe's object shape (../shared/stripe/fixtures3.json,
// `transfer_reversal`): the money comes back from the connected account to
// the platform's balance as a `transfer_refund` balance transaction, the
// transfer's `amount_reversed` grows and `reversed` turns true once whole,
// and a `transfer.reversed` event is sent. An Idempotency-Key answers a
// retry with the first reversal (http.ts).
import type { FormObject } from "./form.ts";
import { type Metadata, newId, nowSeconds } from "./objects.ts";

export interface TransferReversal {
  id: string;
  object: "transfer_reversal";
  amount: number;
  balance_transaction: string;
  created: number;
  currency: string;
  destination_payment_refund: string | null;
  metadata: Metadata;
  source_refund: string | null;
  transfer: string;
}

/** The fields of a transfer (connect.ts) a reversal reads and changes. */
export interface ReversibleTransfer {
  id: string;
  object: "transfer";
  amount: number;
  amount_reversed: number;
  currency: string;
  reversed: boolean;
  reversals: { object: "list"; data: TransferReversal[]; has_more: false; url: string };
}

export interface TransferReversalDeps {
  transfers: ReadonlyMap<string, ReversibleTransfer>;
  /** Books the platform's balance transaction; returns its id. */
  balanceTransaction(amount: number, currency: string, source: string, description: string): string;
  emitReversed(transferId: string): void;
  checkKnown(params: FormObject, allowed: ReadonlySet<string>): void;
  optString(params: FormObject, name: string): string | undefined;
  optInteger(params: FormObject, name: string, min: number): number | undefined;
  applyMetadata(current: Metadata, params: FormObject): Metadata;
  invalidParam(message: string, param: string, code?: string): Error;
  resourceMissing(kind: string, id: string, param?: string): Error;
}

const CREATE_PARAMS = new Set(["amount", "description", "metadata", "refund_application_fee", "expand"]);
const LIST_PARAMS = new Set(["limit", "starting_after", "ending_before", "expand"]);

export function createTransferReversals(deps: TransferReversalDeps) {
  const byId = new Map<string, TransferReversal>();
  function transferOf(id: string): ReversibleTransfer {
    const transfer = deps.transfers.get(id);
    if (!transfer) throw deps.resourceMissing("transfer", id, "id");
    return transfer;
  }

  function create(params: FormObject, transferId: string): TransferReversal {
    deps.checkKnown(params, CREATE_PARAMS);
    const transfer = transferOf(transferId);
    const left = transfer.amount - transfer.amount_reversed;
    const amount = deps.optInteger(params, "amount", 1) ?? left;
    if (left === 0) {
      throw deps.invalidParam(`Transfer ${transfer.id} has already been fully reversed.`, "amount");
    }
    if (amount > left) {
      throw deps.invalidParam(
        `You cannot reverse more than the amount remaining on the transfer (${left} ${transfer.currency}).`,
        "amount",
      );
    }
    const id = newId("trr");
    const reversal: TransferReversal = {
      id,
      object: "transfer_reversal",
      amount,
      balance_transaction: deps.balanceTransaction(amount, transfer.currency, id, `Reversal of ${transfer.id}`),
      created: nowSeconds(),
      currency: transfer.currency,
      destination_payment_refund: newId("pyr"),
      metadata: deps.applyMetadata({}, params),
      source_refund: null,
      transfer: transfer.id,
    };
    transfer.amount_reversed += amount;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    transfer.reversals.data.unshift(reversal);
    byId.set(reversal.id, reversal);
    deps.emitReversed(transfer.id);
    return reversal;
  }

  function list(params: FormObject, transferId: string) {
    deps.checkKnown(params, LIST_PARAMS);
    const all = transferOf(transferId).reversals.data;
    const limit = Math.min(100, deps.optInteger(params, "limit", 1) ?? 10);
    const after = deps.optString(params, "starting_after");
    const start = after ? all.findIndex((r) => r.id === after) + 1 : 0;
    return {
      object: "list",
      data: structuredClone(all.slice(start, start + limit)),
      has_more: all.length > start + limit,
      url: `/v1/transfers/${transferId}/reversals`,
    };
  }

  function get(transferId: string, reversalId: string): TransferReversal {
    const reversal = transferOf(transferId).reversals.data.find((r) => r.id === reversalId);
    if (!reversal) throw deps.resourceMissing("transfer_reversal", reversalId, "id");
    return structuredClone(reversal);
  }

  const ID = "([A-Za-z0-9_]+)";
  const routes = [
    {
      method: "POST" as const,
      pattern: new RegExp(`^/v1/transfers/${ID}/reversals$`),
      handler: ({ params }: { params: FormObject }, id: string) => structuredClone(create(params, id)),
    },
    {
      method: "GET" as const,
      pattern: new RegExp(`^/v1/transfers/${ID}/reversals$`),
      handler: ({ params }: { params: FormObject }, id: string) => list(params, id),
    },
    {
      method: "GET" as const,
      // One capture group reaches the handler (store.ts): both ids travel in it.
      pattern: /^\/v1\/transfers\/([A-Za-z0-9_]+\/reversals\/[A-Za-z0-9_]+)$/,
      handler: (_: unknown, ids: string) => {
        const [transferId = "", , reversalId = ""] = ids.split("/");
        return get(transferId, reversalId);
      },
    },
  ];
  return { routes, byId };
}
