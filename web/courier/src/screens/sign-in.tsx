import { type FormEvent, useState } from "react";
import { ApiError, type CourierApi, type User } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { LanguageSwitch } from "./language-switch.tsx";

export function SignIn({ api, onSignedIn }: { api: CourierApi; onSignedIn(user: User): void }) {
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.signIn(email.trim(), password));
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === "not_a_courier"
          ? t("notACourier")
          : err instanceof Error
            ? err.message
            : String(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="sign-in-page">
      <header className="sign-in-top">
        <span className="brand">
          <img src="/icon.svg" alt="" width="32" height="32" /> Edge Delivery · {t("appName")}
        </span>
        <LanguageSwitch />
      </header>
      <main className="sign-in-card">
        <h1>{t("signInTitle")}</h1>
        <form onSubmit={submit} noValidate>
          <label htmlFor="email">{t("email")}</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            inputMode="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
          <label htmlFor="password">{t("password")}</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          {error && (
            <p className="form-error" role="alert" id="sign-in-error">
              {error}
            </p>
          )}
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? t("signingIn") : t("signIn")}
          </button>
        </form>
      </main>
    </div>
  );
}
