// A user's notification preferences and the one decision they feed: on which
// of the channels a message would use does it actually go out, now. Pure:
// the adapter reads the stored preferences and the clock and passes them in.
import { localParts, minutesOf } from "../restaurant/local-time.ts";

export const CHANNELS = ["push", "email", "sms"] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * What a message is about. `new_orders` and `courier_offers` are messages
 * that must go: a kitchen that misses a new order auto-rejects it, a courier
 * who misses an offer loses it; no preference or quiet hour holds them back.
 */
export const CATEGORIES = ["order_updates", "new_orders", "courier_offers", "account", "marketing"] as const;
export type Category = (typeof CATEGORIES)[number];

export const MUST_GO: ReadonlySet<Category> = new Set(["new_orders", "courier_offers"]);

export function isCategory(value: string): value is Category {
  return CATEGORIES.some((c) => c === value);
}

/** For a category read back from storage (a plain string): is it one that goes out whatever the preferences? */
export function isMustGo(category: string): boolean {
  return isCategory(category) && MUST_GO.has(category);
}

export const LANGUAGES = ["en", "pt"] as const;
export type Language = (typeof LANGUAGES)[number];

export interface QuietHours {
  /** "HH:MM" local; the quiet window may cross midnight (22:00 to 07:00). */
  start: string;
  end: string;
  timeZone: string;
}

export interface NotificationPreferences {
  language: Language;
  /** A channel switched off here is off for every category that may be switched off. */
  channels: Record<Channel, boolean>;
  /** Per category and channel: false opts out. Marketing is opt-in: absent means off. */
  categories: Partial<Record<Category, Partial<Record<Channel, boolean>>>>;
  quietHours: QuietHours | null;
  /** E.164, for SMS; couriers' phones come from their profile when this is unset. */
  phone: string | null;
}

export const DEFAULT_PREFERENCES: NotificationPreferences = {
  language: "en",
  channels: { push: true, email: true, sms: true },
  categories: {},
  quietHours: null,
  phone: null,
};

/** Fills what a stored row may lack (rows written before a field existed, partial updates). */
export function withDefaults(stored: Partial<NotificationPreferences> | null | undefined): NotificationPreferences {
  return {
    language: stored?.language ?? DEFAULT_PREFERENCES.language,
    channels: { ...DEFAULT_PREFERENCES.channels, ...(stored?.channels ?? {}) },
    categories: { ...(stored?.categories ?? {}) },
    quietHours: stored?.quietHours ?? null,
    phone: stored?.phone ?? null,
  };
}

export function inQuietHours(quiet: QuietHours | null, now: number): boolean {
  if (!quiet) return false;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  const { minute } = localParts(now, quiet.timeZone);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

export type ChannelDecision = { channel: Channel; send: true } | { channel: Channel; send: false; reason: string };

/**
 * Whether a message of `category` goes out on each of `wanted` channels.
 * Email is never held by quiet hours: it makes no sound.
 */
export function decideChannels(
  category: Category,
  wanted: readonly Channel[],
  prefs: NotificationPreferences,
  now: number,
): ChannelDecision[] {
  const mustGo = MUST_GO.has(category);
  const quiet = inQuietHours(prefs.quietHours, now);
  return wanted.map((channel): ChannelDecision => {
    if (mustGo) return { channel, send: true };
    const perCategory = prefs.categories[category]?.[channel];
    if (category === "marketing" && perCategory !== true) return { channel, send: false, reason: "not_opted_in" };
    if (!prefs.channels[channel]) return { channel, send: false, reason: "channel_off" };
    if (perCategory === false) return { channel, send: false, reason: "category_off" };
    if (quiet && channel !== "email") return { channel, send: false, reason: "quiet_hours" };
    return { channel, send: true };
  });
}
