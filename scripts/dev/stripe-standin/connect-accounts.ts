// Express accounts and their onboarding links: an account can be paid once
// the person finishes onboarding on the link (browser.ts serves the page).
import type { Account, AccountLink, ConnectDeps } from "./connect-objects.ts";
import type { FormObject } from "./form.ts";
import { nowSeconds, randomToken } from "./objects.ts";

const ACCOUNT_CREATE_PARAMS = new Set([
  "type",
  "country",
  "email",
  "default_currency",
  "metadata",
  "capabilities",
  "business_type",
  "business_profile",
  "expand",
]);
const LINK_PARAMS = new Set(["account", "refresh_url", "return_url", "type", "collect", "expand"]);

export type ConnectAccounts = ReturnType<typeof createAccounts>;

export function createAccounts(deps: ConnectDeps) {
  const accounts = new Map<string, Account>();

  function getAccount(id: string): Account {
    const account = accounts.get(id);
    if (!account) throw deps.resourceMissing("account", id, "account");
    return account;
  }

  function createAccount(params: FormObject): Account {
    deps.checkKnown(params, ACCOUNT_CREATE_PARAMS);
    const type = deps.optString(params, "type");
    if (type !== "express") throw deps.invalidParam("Only Express accounts are supported by the stand-in.", "type");
    const account: Account = {
      id: `acct_${randomToken(16)}`,
      object: "account",
      type: "express",
      business_profile: { name: null, url: null, mcc: null },
      business_type: deps.optString(params, "business_type") ?? null,
      capabilities: { transfers: "inactive" },
      charges_enabled: false,
      country: deps.optString(params, "country") ?? "PT",
      created: nowSeconds(),
      default_currency: (deps.optString(params, "default_currency") ?? "eur").toLowerCase(),
      details_submitted: false,
      email: deps.optString(params, "email") ?? null,
      metadata: deps.applyMetadata({}, params),
      payouts_enabled: false,
      requirements: {
        currently_due: ["external_account", "tos_acceptance.date"],
        disabled_reason: "requirements.past_due",
        past_due: [],
      },
      settings: { payouts: { schedule: { interval: "daily" } } },
    };
    accounts.set(account.id, account);
    return account;
  }

  function createAccountLink(params: FormObject): AccountLink {
    deps.checkKnown(params, LINK_PARAMS);
    const accountId = deps.optString(params, "account");
    if (!accountId) throw deps.invalidParam("Missing required param: account.", "account", "parameter_missing");
    getAccount(accountId);
    const type = deps.optString(params, "type");
    if (type !== "account_onboarding" && type !== "account_update") {
      throw deps.invalidParam("Invalid type: must be one of account_onboarding or account_update", "type");
    }
    const returnUrl = deps.optString(params, "return_url");
    const refreshUrl = deps.optString(params, "refresh_url");
    if (!returnUrl || !refreshUrl)
      throw deps.invalidParam("Missing required param: return_url.", "return_url", "parameter_missing");
    const url = new URL(`/connect/onboarding/${accountId}/${randomToken(12)}`, deps.baseUrl());
    url.searchParams.set("return_url", returnUrl);
    return { object: "account_link", created: nowSeconds(), expires_at: nowSeconds() + 300, url: url.toString() };
  }

  /** The person finishing onboarding on the link: the account can now be paid. */
  function completeOnboarding(accountId: string): string | null {
    const account = accounts.get(accountId);
    if (!account) return null;
    account.details_submitted = true;
    account.payouts_enabled = true;
    account.charges_enabled = true;
    account.capabilities = { card_payments: "active", transfers: "active" };
    account.requirements = { currently_due: [], disabled_reason: null, past_due: [] };
    deps.emit("account.updated", account);
    return account.id;
  }

  const ID = "([A-Za-z0-9_]+)";
  const routes = [
    {
      method: "POST" as const,
      pattern: /^\/v1\/accounts$/,
      handler: ({ params }: { params: FormObject }) => createAccount(params),
    },
    {
      method: "GET" as const,
      pattern: new RegExp(`^/v1/accounts/${ID}$`),
      handler: (_: unknown, id: string) => structuredClone(getAccount(id)),
    },
    {
      method: "POST" as const,
      pattern: /^\/v1\/account_links$/,
      handler: ({ params }: { params: FormObject }) => createAccountLink(params),
    },
  ];

  return { accounts, getAccount, completeOnboarding, routes };
}
