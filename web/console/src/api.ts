// The console's one API client (web/shared/api), its session kept in the
// tab's sessionStorage, and the order states as the console names them.
import { ApiClient, ApiError, browserSessionStore, type Schemas } from "../../shared/api/index.ts";
import type { MessageKey } from "./i18n.ts";

export const api = new ApiClient({ store: browserSessionStore("edge-delivery.console.session") });

export type OrderState = Schemas["OrderSummary"]["status"];

const STATES = new Set<string>([
  "placed",
  "paid",
  "accepted",
  "preparing",
  "ready",
  "picked_up",
  "delivered",
  "rejected",
  "cancelled",
  "failed",
] satisfies OrderState[]);

export const TERMINAL_STATES = new Set<string>(["delivered", "rejected", "cancelled", "failed"] satisfies OrderState[]);

export function isOrderState(status: string): status is OrderState {
  return STATES.has(status);
}

/** The message key naming `status`; unknown states (a newer server) fall back to the raw word. */
export function statusLabel(t: (key: MessageKey) => string, status: string): string {
  return isOrderState(status) ? t(`status.${status}`) : status.replace(/_/g, " ");
}

/** Where a signed-in member of staff works; operators have none. */
export interface Restaurant {
  id: string;
  name: string;
  currency: string;
}

/** What a screen says when loading failed: the API's own message when there is one. */
export function failureText(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.describe() : fallback;
}
