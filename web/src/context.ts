// What every screen gets: the API client, who is signed in, and the shell's
// two voices (a polite live region for news, an alert region for failures).
import type { ApiClient } from "./api.ts";
import type { User } from "./types.ts";

export interface Restaurant {
  id: string;
  name: string;
  currency: string;
}

export interface ConsoleContext {
  api: ApiClient;
  user: User;
  /** Set for restaurant staff; operators have none. */
  restaurant: Restaurant | null;
  /** Read out by screen readers without moving focus (new orders, done actions). */
  announce(message: string): void;
  /** Shows a failure (the API's own message when there is one). */
  fail(error: unknown): void;
  navigate(hash: string): void;
}
