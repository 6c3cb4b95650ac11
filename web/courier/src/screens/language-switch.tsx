import { type Lang, useI18n } from "../i18n.ts";

const NAMES: Record<Lang, string> = { en: "English", pt: "Português" };

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="language">
      <span className="visually-hidden">{t("language")}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t("language")}>
        {(Object.keys(NAMES) as Lang[]).map((code) => (
          <option key={code} value={code}>
            {NAMES[code]}
          </option>
        ))}
      </select>
    </label>
  );
}
