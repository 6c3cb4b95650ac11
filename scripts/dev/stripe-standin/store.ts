// The stand-in's objects in memory, and how a response renders one: a copy
// (a caller holding it never sees later changes), with `expand`ed ids
// replaced by the objects they name. Shared by the resource modules
// (payment-intents.ts, refunds.ts, events.ts, connect.ts) that server.ts composes.
import type { ConnectEventType, ConnectObject } from "./connect-objects.ts";
import type { FormObject } from "./form.ts";
import type { CardProfile, Charge, EventType, PaymentIntent, Refund, StripeEvent, StripeObject } from "./objects.ts";
import { EXPANDABLE, invalidParam, optStringArray } from "./params.ts";

/** The API request an object changed in (none when the stand-in acts by itself, as a paying customer). */
export interface RequestRef {
  id: string | null;
  idempotencyKey: string | null;
  apiVersion: string;
}

export interface Context {
  params: FormObject;
  request: RequestRef;
}

export interface Route {
  method: "GET" | "POST";
  pattern: RegExp;
  handler: (ctx: Context, id: string) => unknown;
}

/** An event of the stand-in: the core resources' (StripeEvent) or Connect's, in the same envelope. */
export type StandinEvent = Omit<StripeEvent, "data" | "type"> & {
  data: { object: StripeObject | ConnectObject };
  type: EventType | ConnectEventType;
};

/** The id part of a route's path. */
export const ID = "([A-Za-z0-9_]+)";

export function createStore() {
  const intents = new Map<string, PaymentIntent>();
  const charges = new Map<string, Charge>();
  const refunds = new Map<string, Refund>();
  const paymentMethods = new Map<string, CardProfile>();
  /** The test token each resolved payment method came from (`pm_card_visa`...). */
  const testTokens = new Map<string, string>();

  function lookup(id: string): StripeObject | ConnectObject | undefined {
    if (id.startsWith("pi_")) return intents.get(id);
    if (id.startsWith("ch_")) return charges.get(id);
    if (id.startsWith("re_")) return refunds.get(id);
    return undefined;
  }

  function readExpand(params: FormObject, kind: StripeObject["object"]): string[] {
    const expand = optStringArray(params, "expand") ?? [];
    for (const path of expand) {
      if (!EXPANDABLE[kind].includes(path)) throw invalidParam(`This property cannot be expanded (${path}).`, "expand");
    }
    return expand;
  }

  // Responses are copies, so a caller holding one never sees later changes.
  function render(object: StripeObject, expand: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = { ...structuredClone(object) };
    for (const path of expand) {
      const id = out[path];
      const target = typeof id === "string" ? lookup(id) : undefined;
      if (target) out[path] = structuredClone(target);
    }
    return out;
  }

  return { intents, charges, refunds, paymentMethods, testTokens, readExpand, render };
}

export type Store = ReturnType<typeof createStore>;
