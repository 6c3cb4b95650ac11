// Sign-in for restaurant staff and operators. A refusal shows the API's own
// message (the same one for an unknown email and a wrong password, so the
// form cannot be used to find accounts).
import { type FormEvent, useEffect, useRef, useState } from "react";
import { LanguageSwitch } from "../../../shared/ui/i18n.tsx";
import { api, failureText } from "../api.ts";
import { useI18n } from "../i18n.ts";

/** The demo accounts are worth showing only against a local API. */
const DEMO_HINT = import.meta.env.DEV || api.baseUrl.includes("127.0.0.1");

export function SignIn(props: { notice?: string | undefined }) {
  const { t, locale, setLocale } = useI18n();
  const [error, setError] = useState(props.notice ?? "");
  const [busy, setBusy] = useState(false);
  const email = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = `${t("signIn.submit")} · ${t("app.brand")} ${t("app.title")}`;
  }, [t]);
  useEffect(() => setError(props.notice ?? ""), [props.notice]);
  useEffect(() => email.current?.focus(), []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const address = email.current?.value.trim() ?? "";
    const secret = password.current?.value ?? "";
    setError("");
    if (!address || !secret) {
      setError(t("signIn.missing"));
      (address ? password : email).current?.focus();
      return;
    }
    setBusy(true);
    try {
      // The session listener in app.tsx takes over from here.
      await api.signIn(address, secret);
    } catch (failure) {
      setError(failureText(failure, t("signIn.failed")));
      password.current?.select();
      password.current?.focus();
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <form className="sign-in-form" aria-labelledby="sign-in-title" noValidate onSubmit={submit}>
        <div className="sign-in-top">
          <span className="logo" aria-hidden="true">
            ◆
          </span>
          <LanguageSwitch locale={locale} onChange={setLocale} label={t("app.language")} />
        </div>
        <h1 id="sign-in-title">{t("signIn.title")}</h1>
        <p className="muted">{t("signIn.subtitle")}</p>
        <div className="field">
          <label htmlFor="email">{t("signIn.email")}</label>
          <input
            ref={email}
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            aria-describedby="sign-in-error"
          />
        </div>
        <div className="field">
          <label htmlFor="password">{t("signIn.password")}</label>
          <input
            ref={password}
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-describedby="sign-in-error"
          />
        </div>
        <p className="error" id="sign-in-error" role="alert" aria-live="assertive">
          {error}
        </p>
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? t("signIn.submitting") : t("signIn.submit")}
        </button>
        {DEMO_HINT ? <p className="muted hint">{t("signIn.demo")}</p> : null}
      </form>
    </main>
  );
}
