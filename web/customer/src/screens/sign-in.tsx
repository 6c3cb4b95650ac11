// Sign in, or create an account; errors are the API's own (translated when the app knows the code).
import { type FormEvent, useState } from "react";
import { LanguageSwitch } from "../../../shared/ui/i18n.tsx";
import { customerApi } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useErrorText } from "../state.tsx";

export function SignIn(props: { notice?: string | undefined }) {
  const { t, locale, setLocale } = useI18n();
  const errorText = useErrorText();
  const [mode, setMode] = useState<"in" | "up">("in");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim() || !password || (mode === "up" && !name.trim())) {
      setError(t("auth.missing"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (mode === "up") await customerApi.signUp(name.trim(), email.trim(), password);
      else await customerApi.signIn(email.trim(), password);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="auth-page">
      <header className="auth-top">
        <span className="auth-brand">
          <img src="/icon.svg" alt="" width="36" height="36" /> {t("app.brand")}
        </span>
        <LanguageSwitch locale={locale} onChange={setLocale} label={t("app.language")} />
      </header>
      <main className="auth-card" id="main">
        <h1>{mode === "up" ? t("auth.signUpTitle") : t("auth.signInTitle")}</h1>
        <p className="muted">{t("auth.tagline")}</p>
        {props.notice && (
          <p className="notice" role="status">
            {props.notice}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          {mode === "up" && (
            <div className="field">
              <label htmlFor="name">{t("auth.name")}</label>
              <input id="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
            </div>
          )}
          <div className="field">
            <label htmlFor="email">{t("auth.email")}</label>
            <input
              id="email"
              type="email"
              autoComplete="username"
              inputMode="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="password">{t("auth.password")}</label>
            <input
              id="password"
              type="password"
              autoComplete={mode === "up" ? "new-password" : "current-password"}
              aria-describedby={mode === "up" ? "password-hint" : undefined}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            {mode === "up" && (
              <small id="password-hint" className="muted">
                {t("auth.passwordHint")}
              </small>
            )}
          </div>
          {error && (
            <p className="error" role="alert" id="auth-error">
              {error}
            </p>
          )}
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? t("auth.busy") : mode === "up" ? t("auth.signUp") : t("auth.signIn")}
          </button>
        </form>
        <button
          type="button"
          className="ghost wide switch-mode"
          onClick={() => {
            setMode(mode === "up" ? "in" : "up");
            setError(null);
          }}
        >
          {mode === "up" ? t("auth.toSignIn") : t("auth.toSignUp")}
        </button>
        <p className="muted small">{t("auth.demo")}</p>
      </main>
    </div>
  );
}
