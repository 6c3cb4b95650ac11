// How the console writes money, times and order states. Minor units and ISO
// strings come from the API; the browser's locale decides the rest.
import type { OrderState } from "./types.ts";

export function money(minor: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
}

export function clock(iso: string | number): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function dateTime(iso: string | number): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "just now", "4 min ago", "in 12 min", "2 h ago". */
export function relative(iso: string, now = Date.now()): string {
  const minutes = Math.round((new Date(iso).getTime() - now) / 60_000);
  if (minutes === 0) return "just now";
  const abs = Math.abs(minutes);
  const text = abs < 90 ? `${abs} min` : `${Math.round(abs / 60)} h`;
  return minutes < 0 ? `${text} ago` : `in ${text}`;
}

/** Orders are UUIDs; kitchens call them by a short, speakable reference. */
export function shortId(id: string): string {
  return `#${id.replace(/-/g, "").slice(0, 6).toUpperCase()}`;
}

export const STATE_LABELS: Record<OrderState, string> = {
  placed: "Awaiting payment",
  paid: "New",
  accepted: "Accepted",
  preparing: "Preparing",
  ready: "Ready",
  picked_up: "Picked up",
  delivered: "Delivered",
  rejected: "Rejected",
  cancelled: "Cancelled",
  failed: "Failed",
};

export const TERMINAL_STATES = new Set<OrderState>(["delivered", "rejected", "cancelled", "failed"]);

/** "order.prep_time_adjusted" → "Prep time adjusted". */
export function eventLabel(type: string): string {
  const name = type.replace(/^order\./, "").replace(/_/g, " ");
  return name.charAt(0).toUpperCase() + name.slice(1);
}
