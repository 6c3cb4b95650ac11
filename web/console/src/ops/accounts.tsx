// Every account by role and status: create an operator (they get an
// invitation link), issue a new link to someone who has not chosen a
// password, and deactivate or reactivate anyone.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { type Account, AccountSwitch, Field, InvitationLink, useLoad } from "./common.tsx";

type Role = Account["role"];
type Status = "active" | "deactivated" | "invited";
const ROLES: Role[] = ["customer", "restaurant_staff", "courier", "admin"];
const STATUSES: Status[] = ["active", "deactivated", "invited"];

export function AccountsScreen() {
  const { t, fmt } = useI18n();
  const { announce, fail } = useNotices();
  const [role, setRole] = useState<Role | "">("");
  const [status, setStatus] = useState<Status | "">("");
  const [q, setQ] = useState("");
  const [query, setQuery] = useState("");
  const [issued, setIssued] = useState<{ name: string; invitation: Schemas["IssuedInvitation"] } | null>(null);
  const [admin, setAdmin] = useState({ name: "", email: "" });
  const list = useLoad(
    () =>
      unwrap(
        api.http.GET("/v1/admin/users", {
          params: {
            query: {
              limit: 100,
              ...(role ? { role } : {}),
              ...(status ? { status } : {}),
              ...(query ? { q: query } : {}),
            },
          },
        }),
      ),
    [role, status, query],
  );

  async function createAdmin(event: FormEvent) {
    event.preventDefault();
    try {
      const result = await unwrap(
        api.http.POST("/v1/admin/admins", { body: { name: admin.name.trim(), email: admin.email.trim() } }),
      );
      setIssued({ name: result.user.name, invitation: result.invitation });
      announce(t("acct.createdAdmin", { name: result.user.name }));
      setAdmin({ name: "", email: "" });
      list.reload();
    } catch (error) {
      fail(error);
    }
  }

  async function reissue(account: Account) {
    try {
      const result = await unwrap(
        api.http.POST("/v1/admin/users/{id}/invitation", { params: { path: { id: account.id } } }),
      );
      setIssued({ name: account.name, invitation: result.invitation });
    } catch (error) {
      fail(error);
    }
  }

  return (
    <section aria-labelledby="acct-title">
      <header className="screen-header">
        <h1 id="acct-title">{t("acct.title")}</h1>
      </header>
      <details className="panel">
        <summary>{t("acct.newAdmin")}</summary>
        <form className="inline-form" onSubmit={(e) => void createAdmin(e)}>
          <Field id="a-name" label={t("ops.name")}>
            <input
              id="a-name"
              required
              value={admin.name}
              onChange={(e) => setAdmin({ ...admin, name: e.target.value })}
            />
          </Field>
          <Field id="a-email" label={t("ops.email")}>
            <input
              id="a-email"
              type="email"
              required
              value={admin.email}
              onChange={(e) => setAdmin({ ...admin, email: e.target.value })}
            />
          </Field>
          <button type="submit" className="primary">
            {t("acct.newAdmin")}
          </button>
        </form>
      </details>
      {issued ? <InvitationLink name={issued.name} invitation={issued.invitation} /> : null}
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(q.trim());
        }}
      >
        <label className="visually-hidden" htmlFor="acct-q">
          {t("ops.search")}
        </label>
        <input
          id="acct-q"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder={t("ops.search")}
        />
        <label className="visually-hidden" htmlFor="acct-role">
          {t("acct.role")}
        </label>
        <select id="acct-role" value={role} onChange={(e) => setRole(e.target.value as Role | "")}>
          <option value="">{t("acct.role.any")}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`acct.role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
        <label className="visually-hidden" htmlFor="acct-status">
          {t("ops.status")}
        </label>
        <select id="acct-status" value={status} onChange={(e) => setStatus(e.target.value as Status | "")}>
          <option value="">{t("acct.status.any")}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(`acct.status.${s}` as MessageKey)}
            </option>
          ))}
        </select>
        <button type="submit">{t("ops.search")}</button>
      </form>
      <div className="table-wrap" aria-busy={list.busy}>
        {list.failed ? <p className="error">{t("ops.loadFailed")}</p> : null}
        {list.data ? (
          <table>
            <caption className="muted">{t("acct.total", { count: list.data.total })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("ops.name")}</th>
                <th scope="col">{t("acct.role")}</th>
                <th scope="col">{t("acct.created")}</th>
                <th scope="col">{t("ops.status")}</th>
                <th scope="col">{t("ops.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.users.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.name}
                    <div className="muted small-text">{u.email}</div>
                  </td>
                  <td>{t(`acct.role.${u.role}` as MessageKey)}</td>
                  <td>{fmt.dateTime(u.createdAt)}</td>
                  <td>
                    {u.deactivatedAt ? (
                      <span className="badge status-failed">{t("ops.deactivated")}</span>
                    ) : u.invited ? (
                      <span className="badge">{t("ops.invited")}</span>
                    ) : (
                      <span className="badge status-delivered">{t("ops.active")}</span>
                    )}
                  </td>
                  <td className="row-actions">
                    {u.invited && !u.deactivatedAt ? (
                      <button
                        type="button"
                        className="ghost small"
                        aria-label={t("ops.newLinkLabel", { name: u.name })}
                        onClick={() => void reissue(u)}
                      >
                        {t("ops.newLink")}
                      </button>
                    ) : null}
                    <AccountSwitch account={u} onChanged={list.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </section>
  );
}
