// How the apps write money, times and references. Amounts come from the API
// in minor units and times as ISO strings or epoch milliseconds; the language
// decides the rest.

export interface Formatters {
  /** 1250, "EUR" → "€12.50" (en-GB) or "12,50 €" (pt-PT). */
  money(minor: number, currency: string): string;
  /** "14:05". */
  clock(at: string | number): string;
  /** "29 Nov 2026, 14:05". */
  dateTime(at: string | number): string;
  /** "now", "4 min ago", "in 12 min", "2 hr. ago", in the language's words. */
  relative(at: string | number, now?: number): string;
}

/** Minor units per major unit: 100 for EUR, 1 for JPY. */
function minorDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function createFormatters(locale: string): Formatters {
  const clock = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto", style: "short" });
  const currencies = new Map<string, Intl.NumberFormat>();
  return {
    money(minor, currency) {
      let format = currencies.get(currency);
      if (!format) {
        format = new Intl.NumberFormat(locale, { style: "currency", currency });
        currencies.set(currency, format);
      }
      return format.format(minor / 10 ** minorDigits(currency));
    },
    clock: (at) => clock.format(new Date(at)),
    dateTime: (at) => dateTime.format(new Date(at)),
    relative(at, now = Date.now()) {
      const minutes = Math.round((new Date(at).getTime() - now) / 60_000);
      if (minutes === 0) return relative.format(0, "second");
      return Math.abs(minutes) < 90
        ? relative.format(minutes, "minute")
        : relative.format(Math.round(minutes / 60), "hour");
    },
  };
}

/** Orders are UUIDs; people call them by a short, speakable reference: "#3F9A1C". */
export function shortId(id: string): string {
  return `#${id.replace(/-/g, "").slice(0, 6).toUpperCase()}`;
}
