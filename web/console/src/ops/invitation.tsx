// The page an invitation link opens (#/invite/<token>): who it is for, and a
// password to choose, which signs them in (staff to their board, operators
// to the overview). Shown without a session; the token is the credential.
import { type FormEvent, useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { describeError } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";

export function InvitationScreen(props: { token: string }) {
  const { t } = useI18n();
  const [invitation, setInvitation] = useState<Schemas["Invitation"] | null | undefined>(undefined);
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let current = true;
    unwrap(api.http.POST("/v1/invitations/lookup", { body: { token: props.token } }))
      .then((found) => current && setInvitation(found))
      .catch(() => current && setInvitation(null));
    return () => {
      current = false;
    };
  }, [props.token]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await api.acceptInvitation(props.token, password);
      // The shell takes over once the session exists; land on the role's first screen.
      location.replace("#/");
    } catch (failure) {
      setError(describeError(failure, t("app.somethingWrong")));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <form className="sign-in-form" aria-labelledby="invite-title" noValidate onSubmit={(e) => void submit(e)}>
        <h1 id="invite-title">{t("invite.title")}</h1>
        {invitation === undefined ? <p className="muted">{t("app.loading")}</p> : null}
        {invitation === null ? (
          <>
            <p className="error">{t("invite.invalid")}</p>
            <a href="#/">{t("invite.toSignIn")}</a>
          </>
        ) : null}
        {invitation ? (
          <>
            <p>
              {t("invite.for", {
                name: invitation.name,
                email: invitation.email,
                role: t(`acct.role.${invitation.role}` as MessageKey),
              })}
            </p>
            {invitation.restaurants.length > 0 ? (
              <p className="muted">
                {t("invite.restaurants", { names: invitation.restaurants.map((r) => r.name).join(", ") })}
              </p>
            ) : null}
            <div className="field">
              <label htmlFor="invite-password">{t("invite.password")}</label>
              <input
                id="invite-password"
                type="password"
                autoComplete="new-password"
                minLength={10}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                aria-describedby="invite-error"
              />
            </div>
            <p className="error" id="invite-error" role="alert">
              {error}
            </p>
            <button type="submit" className="primary wide" disabled={busy}>
              {t("invite.submit")}
            </button>
          </>
        ) : null}
      </form>
    </main>
  );
}
