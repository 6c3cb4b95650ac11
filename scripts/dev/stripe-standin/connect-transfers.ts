// Transfers from the platform's balance to a connected account (with transfer
// groups), refused when the account cannot receive them or the balance is short.
import type { ConnectAccounts } from "./connect-accounts.ts";
import { type BalanceLedger, listPage } from "./connect-balance.ts";
import type { ConnectDeps, Transfer } from "./connect-objects.ts";
import type { FormObject } from "./form.ts";
import { newId, nowSeconds } from "./objects.ts";

const TRANSFER_PARAMS = new Set([
  "amount",
  "currency",
  "destination",
  "transfer_group",
  "metadata",
  "description",
  "source_transaction",
  "expand",
]);

export type ConnectTransfers = ReturnType<typeof createTransfers>;

export function createTransfers(deps: ConnectDeps, accounts: ConnectAccounts, ledger: BalanceLedger) {
  const transfers = new Map<string, Transfer>();

  function getTransfer(id: string): Transfer {
    const transfer = transfers.get(id);
    if (!transfer) throw deps.resourceMissing("transfer", id);
    return transfer;
  }

  function createTransfer(params: FormObject): Transfer {
    deps.checkKnown(params, TRANSFER_PARAMS);
    const amount = deps.optInteger(params, "amount", 1);
    const currency = deps.optString(params, "currency")?.toLowerCase();
    const destination = deps.optString(params, "destination");
    if (amount === undefined) throw deps.invalidParam("Missing required param: amount.", "amount", "parameter_missing");
    if (!currency) throw deps.invalidParam("Missing required param: currency.", "currency", "parameter_missing");
    if (!destination)
      throw deps.invalidParam("Missing required param: destination.", "destination", "parameter_missing");
    const account = accounts.getAccount(destination);
    if (account.capabilities.transfers !== "active") {
      throw deps.stateError(
        "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments",
        "insufficient_capabilities_for_transfer",
        "destination",
      );
    }
    if (amount > ledger.available(currency)) {
      throw deps.stateError(
        "You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card.",
        "balance_insufficient",
      );
    }
    const id = newId("tr");
    const txn = ledger.record(
      "transfer",
      -amount,
      0,
      currency,
      id,
      deps.optString(params, "description") ?? "Transfer",
    );
    const transfer: Transfer = {
      id,
      object: "transfer",
      amount,
      amount_reversed: 0,
      balance_transaction: txn.id,
      created: nowSeconds(),
      currency,
      description: deps.optString(params, "description") ?? null,
      destination,
      destination_payment: newId("py"),
      livemode: false,
      metadata: deps.applyMetadata({}, params),
      reversals: { object: "list", data: [], has_more: false, url: `/v1/transfers/${id}/reversals` },
      reversed: false,
      source_transaction: deps.optString(params, "source_transaction") ?? null,
      source_type: "card",
      transfer_group: deps.optString(params, "transfer_group") ?? null,
    };
    transfers.set(id, transfer);
    deps.emit("transfer.created", transfer);
    return transfer;
  }

  const ID = "([A-Za-z0-9_]+)";
  const routes = [
    {
      method: "POST" as const,
      pattern: /^\/v1\/transfers$/,
      handler: ({ params }: { params: FormObject }) => structuredClone(createTransfer(params)),
    },
    {
      method: "GET" as const,
      pattern: new RegExp(`^/v1/transfers/${ID}$`),
      handler: (_: unknown, id: string) => structuredClone(getTransfer(id)),
    },
    {
      method: "GET" as const,
      pattern: /^\/v1\/transfers$/,
      handler: ({ params }: { params: FormObject }) => listPage(deps, params, [...transfers.values()], "/v1/transfers"),
    },
  ];

  return { getTransfer, transfers, routes };
}
