// The customer's account: name and phone, saved addresses, a download of all
// their data, and deleting the account (password again; orders stay anonymised).
import { type FormEvent, useEffect, useState } from "react";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { customerApi, type SavedAddress, type User } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { useErrorText } from "../state.tsx";

export function AccountScreen(props: { user: User; onDeleted(): void }) {
  const { t } = useI18n();
  const errorText = useErrorText();
  const { announce, fail } = useNotices();
  const [name, setName] = useState(props.user.name);
  const [phone, setPhone] = useState("");
  const [addresses, setAddresses] = useState<SavedAddress[]>([]);
  const [password, setPassword] = useState("");
  const [deleteError, setDeleteError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([customerApi.me(), customerApi.addresses()])
      .then(([me, list]) => {
        if (!live) return;
        setName(me.name);
        setPhone(me.phone ?? "");
        setAddresses(list);
      })
      .catch((err: unknown) => fail(err));
    return () => {
      live = false;
    };
  }, [fail]);

  async function saveProfile(event: FormEvent) {
    event.preventDefault();
    try {
      const saved = await customerApi.updateProfile({ name: name.trim(), phone: phone.trim() || null });
      setName(saved.name);
      setPhone(saved.phone ?? "");
      announce(t("account.saved"));
    } catch (err) {
      fail(new Error(errorText(err)));
    }
  }

  async function download() {
    try {
      const data = await customerApi.exportData();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = "edge-delivery-my-data.json";
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      fail(err);
    }
  }

  async function remove(event: FormEvent) {
    event.preventDefault();
    setDeleteError(null);
    try {
      await customerApi.deleteAccount(password);
      props.onDeleted();
    } catch (err) {
      setDeleteError(errorText(err));
    }
  }

  return (
    <div className="account-page">
      <h1>{t("account.title")}</h1>
      <section className="panel" aria-labelledby="profile-title">
        <h2 id="profile-title">{t("account.profile")}</h2>
        <p className="muted">{props.user.email}</p>
        <form onSubmit={saveProfile}>
          <div className="field">
            <label htmlFor="profile-name">{t("auth.name")}</label>
            <input id="profile-name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="profile-phone">{t("account.phone")}</label>
            <input
              id="profile-phone"
              type="tel"
              autoComplete="tel"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
            />
          </div>
          <button type="submit" className="primary">
            {t("account.save")}
          </button>
        </form>
      </section>

      <section className="panel" aria-labelledby="addresses-title">
        <h2 id="addresses-title">{t("account.addresses")}</h2>
        {addresses.length === 0 && <p className="muted">{t("account.noAddresses")}</p>}
        <ul className="address-list">
          {addresses.map((a) => (
            <li key={a.id}>
              <span>
                <strong>{a.label}</strong> <span className="muted">{[a.line1, a.city, a.postcode].join(", ")}</span>
              </span>
              <button
                type="button"
                className="small danger"
                aria-label={t("account.deleteAddress", { label: a.label })}
                onClick={async () => {
                  try {
                    await customerApi.deleteAddress(a.id);
                    setAddresses((list) => list.filter((x) => x.id !== a.id));
                  } catch (err) {
                    fail(err);
                  }
                }}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      </section>

      <section className="panel" aria-labelledby="data-title">
        <h2 id="data-title">{t("account.data")}</h2>
        <button type="button" onClick={() => void download()}>
          {t("account.export")}
        </button>
      </section>

      <section className="panel danger-zone" aria-labelledby="delete-title">
        <h2 id="delete-title">{t("account.deleteTitle")}</h2>
        <p className="muted">{t("account.deleteHelp")}</p>
        <form onSubmit={remove}>
          <div className="field">
            <label htmlFor="delete-password">{t("account.deletePassword")}</label>
            <input
              id="delete-password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {deleteError && (
            <p className="error" role="alert" id="delete-error">
              {deleteError}
            </p>
          )}
          <button type="submit" className="danger" disabled={!password}>
            {t("account.delete")}
          </button>
        </form>
      </section>
    </div>
  );
}
