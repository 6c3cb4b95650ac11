// Numbers as a courier reads them, in the app's language.
import { type Lang, LOCALES } from "./i18n.ts";

export function money(minor: number, currency: string, lang: Lang): string {
  const digits =
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(LOCALES[lang], { style: "currency", currency }).format(minor / 10 ** digits);
}

export function distance(metres: number, lang: Lang): string {
  if (metres < 950) {
    return `${new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 0 }).format(Math.round(metres / 10) * 10)} m`;
  }
  return `${new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 1 }).format(metres / 1000)} km`;
}

export function clock(at: number | string, lang: Lang): string {
  return new Intl.DateTimeFormat(LOCALES[lang], { hour: "2-digit", minute: "2-digit" }).format(new Date(at));
}

export function minutesSeconds(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** A link that opens the device's maps app with directions to a point. */
export function mapsLink(lat: number, lng: number): string {
  const apple = /iPad|iPhone|iPod|Macintosh/.test(navigator.userAgent) && "ontouchend" in document;
  return apple
    ? `https://maps.apple.com/?daddr=${lat},${lng}&dirflg=d`
    : `https://www.google.com/maps/dir/?api=1&destination=${lat},${lng}`;
}
