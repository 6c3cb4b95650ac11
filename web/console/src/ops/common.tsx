// What the operator screens share: loading a resource with a Reload, the
// invitation link shown after inviting someone, and the activate/deactivate
// buttons for any account.
import { type DependencyList, useCallback, useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";

export type Account = Schemas["Account"];
export type Zone = Schemas["Zone"];

export interface Loaded<T> {
  data: T | null;
  failed: boolean;
  busy: boolean;
  reload(): void;
  set(update: (current: T | null) => T | null): void;
}

/** Loads with `load` whenever `deps` change or reload() is called; a failure goes to the alert bar. */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const { fail } = useNotices();
  const [data, setData] = useState<T | null>(null);
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(true);
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide; `generation` is reload()
  useEffect(() => {
    let current = true;
    setBusy(true);
    load()
      .then((loaded) => {
        if (!current) return;
        setData(loaded);
        setFailed(false);
      })
      .catch((error: unknown) => {
        if (!current) return;
        fail(error);
        setFailed(true);
      })
      .finally(() => {
        if (current) setBusy(false);
      });
    return () => {
      current = false;
    };
  }, [...deps, generation, fail]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, failed, busy, reload, set: setData };
}

/** Every delivery area, for selects and the map. */
export function useZones(): Loaded<Zone[]> {
  return useLoad(async () => (await unwrap(api.http.GET("/v1/admin/zones"))).zones, []);
}

/** The console's own page for choosing a password with `token` (see invitation.tsx). */
export function invitationUrl(token: string): string {
  return `${location.origin}${location.pathname}#/invite/${encodeURIComponent(token)}`;
}

export function InvitationLink(props: { name: string; invitation: Schemas["IssuedInvitation"] }) {
  const { t, fmt } = useI18n();
  const { announce } = useNotices();
  const url = invitationUrl(props.invitation.token);
  return (
    <div className="invite-link" role="status">
      <p>{t("ops.inviteLink", { name: props.name, time: fmt.dateTime(props.invitation.expiresAt) })}</p>
      <a href={url} className="invitation-url" data-testid="invitation-url">
        {url}
      </a>
      <button
        type="button"
        className="ghost small"
        onClick={() => void navigator.clipboard?.writeText(url).then(() => announce(t("ops.copied")))}
      >
        {t("ops.copy")}
      </button>
    </div>
  );
}

/** Deactivate or reactivate an account; the server signs a deactivated user out everywhere at once. */
export function AccountSwitch(props: { account: Pick<Account, "id" | "name" | "deactivatedAt">; onChanged(): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const [busy, setBusy] = useState(false);
  const { account } = props;
  const deactivated = account.deactivatedAt !== null;
  async function toggle() {
    setBusy(true);
    try {
      const path = deactivated ? "/v1/admin/users/{id}/reactivate" : "/v1/admin/users/{id}/deactivate";
      await unwrap(api.http.POST(path, { params: { path: { id: account.id } } }));
      announce(t(deactivated ? "ops.didReactivate" : "ops.didDeactivate", { name: account.name }));
      props.onChanged();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <button
      type="button"
      className={deactivated ? "small" : "danger small"}
      disabled={busy}
      aria-label={t(deactivated ? "ops.reactivateLabel" : "ops.deactivateLabel", { name: account.name })}
      onClick={() => void toggle()}
    >
      {deactivated ? t("ops.reactivate") : t("ops.deactivate")}
    </button>
  );
}

/** A labelled field; `id` ties the label to the control. */
export function Field(props: { id: string; label: string; children: React.ReactNode; wide?: boolean }) {
  return (
    <div className={props.wide ? "field wide" : "field"}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}
