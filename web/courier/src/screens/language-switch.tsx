import { type Lang, useI18n } from "../i18n.ts";

const NAMES: Record<Lang, string> = { en: "English", pt: "Português" };
const SHORT: Record<Lang, string> = { en: "EN", pt: "PT" };

/** `compact` shows EN / PT, for the phone's header. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="language">
      <span className="visually-hidden">{t("language")}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t("language")}>
        {(Object.keys(NAMES) as Lang[]).map((code) => (
          <option key={code} value={code} lang={code} title={NAMES[code]}>
            {compact ? SHORT[code] : NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
