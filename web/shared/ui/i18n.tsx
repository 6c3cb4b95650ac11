// English and European Portuguese for every web app. Each app writes its own
// dictionaries; `defineMessages` types the Portuguese one from the English
// one, so a missing translation is a compile error, not an English word on a
// Portuguese screen. `{name}` in a message is replaced by the `name` parameter.
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";
import { createFormatters, type Formatters } from "./format.ts";

export type Locale = "en" | "pt";

/** Each language named in itself, for the language switch. */
export const LOCALE_NAMES: Record<Locale, string> = { en: "English", pt: "Português" };

export type Params = Record<string, string | number>;

export interface I18n<K extends string> {
  locale: Locale;
  setLocale(locale: Locale): void;
  /** The message `key` in the current language, with `{param}`s filled in. */
  t(key: K, params?: Params): string;
  /** A message chosen at run time (e.g. by an event type the server sent), if this app has it. */
  maybe(key: string, params?: Params): string | undefined;
  /** Money, times and dates in the current language (see format.ts). */
  fmt: Formatters;
}

/** The BCP 47 tag for Intl: the browser's own variant of the language when it has one (en-US keeps its dates). */
export function intlLocale(
  locale: Locale,
  preferred: readonly string[] = globalThis.navigator?.languages ?? [],
): string {
  return preferred.find((tag) => tag.toLowerCase().startsWith(locale)) ?? (locale === "pt" ? "pt-PT" : "en-GB");
}

export function interpolate(message: string, params: Params = {}): string {
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function initialLocale(storageKey: string): Locale {
  const saved = globalThis.localStorage?.getItem(storageKey);
  if (saved === "en" || saved === "pt") return saved;
  const browser = globalThis.navigator?.languages ?? [];
  return browser[0]?.toLowerCase().startsWith("pt") ? "pt" : "en";
}

/** An app's two dictionaries; the Portuguese one must have every English key. */
export function defineMessages<const M extends Record<string, string>>(en: M, pt: { [K in keyof M]: string }) {
  return { en, pt } as const;
}

export type Dictionaries = { en: Record<string, string>; pt: Record<string, string> };

const I18nContext = createContext<I18n<string> | null>(null);

/**
 * Provides the app's language. The choice is remembered in localStorage under
 * `storageKey`; the first visit follows the browser's language.
 */
export function I18nProvider(props: { dictionaries: Dictionaries; storageKey: string; children: ReactNode }) {
  const { dictionaries, storageKey } = props;
  const [locale, setLocale] = useState<Locale>(() => initialLocale(storageKey));
  useEffect(() => {
    document.documentElement.lang = locale;
    globalThis.localStorage?.setItem(storageKey, locale);
  }, [locale, storageKey]);
  const value = useMemo<I18n<string>>(() => {
    const messages = dictionaries[locale];
    return {
      locale,
      setLocale,
      t: (key, params) => interpolate(messages[key] ?? key, params),
      maybe: (key, params) => (key in messages ? interpolate(messages[key] ?? key, params) : undefined),
      fmt: createFormatters(intlLocale(locale)),
    };
  }, [locale, dictionaries]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

/**
 * The current language. Apps narrow the keys to their own:
 * `export const useI18n = (): I18n<MessageKey> => useSharedI18n();`
 */
export function useI18n(): I18n<string> {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside its I18nProvider");
  return value;
}

/** A compact language picker; `label` is read by screen readers ("Language"). */
export function LanguageSwitch(props: { locale: Locale; onChange(locale: Locale): void; label: string }) {
  return (
    <select
      className="language-switch"
      aria-label={props.label}
      value={props.locale}
      onChange={(event) => props.onChange(event.target.value === "pt" ? "pt" : "en")}
    >
      {(Object.keys(LOCALE_NAMES) as Locale[]).map((locale) => (
        <option key={locale} value={locale} lang={locale}>
          {LOCALE_NAMES[locale]}
        </option>
      ))}
    </select>
  );
}
