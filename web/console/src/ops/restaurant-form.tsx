// Onboarding a restaurant and editing one: where it is (address, location,
// time zone), its money (currency, commission), its delivery area and
// whether it is active; for an existing one, its staff and their invitations.
import { type FormEvent, useEffect, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { navigate } from "../../../shared/ui/hooks.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { AccountSwitch, Field, InvitationLink, useLoad, useZones } from "./common.tsx";
import { FlagBadges } from "./restaurants.tsx";

type Detail = Schemas["ManagedRestaurantDetail"];

interface Draft {
  name: string;
  description: string;
  cuisines: string;
  address: string;
  lat: string;
  lng: string;
  timeZone: string;
  currency: string;
  deliveryAreaId: string;
  commissionPct: string;
  prepTimeMinutes: string;
  deliveryRadiusM: string;
  active: boolean;
  menuCategories: string;
}

const EMPTY: Draft = {
  name: "",
  description: "",
  cuisines: "",
  address: "",
  lat: "",
  lng: "",
  timeZone: "Europe/Lisbon",
  currency: "EUR",
  deliveryAreaId: "",
  commissionPct: "15",
  prepTimeMinutes: "15",
  deliveryRadiusM: "3000",
  active: false,
  menuCategories: "Menu",
};

function draftOf(r: Detail): Draft {
  return {
    name: r.name,
    description: r.description,
    cuisines: r.cuisines.join(", "),
    address: r.address,
    lat: String(r.lat),
    lng: String(r.lng),
    timeZone: r.timeZone,
    currency: r.currency,
    deliveryAreaId: r.deliveryAreaId ?? "",
    commissionPct: String(r.commissionBps / 100),
    prepTimeMinutes: String(r.prepTimeMinutes),
    deliveryRadiusM: String(r.deliveryRadiusM),
    active: r.active,
    menuCategories: "",
  };
}

const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** The draft as the API's fields; numbers the browser could not read are sent as NaN and refused there. */
function fieldsOf(d: Draft) {
  return {
    name: d.name.trim(),
    description: d.description.trim(),
    cuisines: list(d.cuisines),
    address: d.address.trim(),
    lat: Number(d.lat),
    lng: Number(d.lng),
    timeZone: d.timeZone.trim(),
    currency: d.currency.trim().toUpperCase(),
    deliveryAreaId: d.deliveryAreaId || null,
    commissionBps: Math.round(Number(d.commissionPct) * 100),
    prepTimeMinutes: Number(d.prepTimeMinutes),
    deliveryRadiusM: Number(d.deliveryRadiusM),
    active: d.active,
  };
}

export function RestaurantFormScreen(props: { id: string | null }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const zones = useZones();
  const loaded = useLoad(
    async () =>
      props.id ? unwrap(api.http.GET("/v1/admin/restaurants/{id}", { params: { path: { id: props.id } } })) : null,
    [props.id],
  );
  const restaurant = loaded.data;
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (restaurant) setDraft(draftOf(restaurant));
  }, [restaurant]);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const fields = fieldsOf(draft);
      if (!restaurant) {
        const created = await unwrap(
          api.http.POST("/v1/admin/restaurants", {
            body: {
              ...fields,
              deliveryAreaId: fields.deliveryAreaId ?? undefined,
              // Every day 11:00–23:00, the API's default; staff set real hours on their hours screen.
              openingHours: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "11:00", close: "23:00" })),
              menuCategories: list(draft.menuCategories).length ? list(draft.menuCategories) : ["Menu"],
            },
          }),
        );
        announce(t("rest.created", { name: created.name }));
        navigate(`#/restaurants/${created.id}`);
        return;
      }
      const before = fieldsOf(draftOf(restaurant));
      const changes = Object.fromEntries(
        Object.entries(fields).filter(
          ([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key as keyof typeof before]),
        ),
      );
      if (Object.keys(changes).length === 0) {
        announce(t("rest.nothingChanged"));
        return;
      }
      const saved = await unwrap(
        api.http.PATCH("/v1/admin/restaurants/{id}", { params: { path: { id: restaurant.id } }, body: changes }),
      );
      loaded.set(() => saved);
      announce(t("rest.saved", { name: saved.name }));
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  const title = restaurant ? t("rest.editTitle", { name: restaurant.name }) : t("rest.createTitle");
  return (
    <section aria-labelledby="rest-form-title" className="ops-form-screen">
      <a href="#/restaurants" className="back">
        {t("rest.back")}
      </a>
      <header className="screen-header">
        <h1 id="rest-form-title">{title}</h1>
        {restaurant ? <FlagBadges flags={restaurant.flags} /> : null}
      </header>
      {props.id && !restaurant ? (
        <p className="muted">{loaded.failed ? t("ops.loadFailed") : t("app.loading")}</p>
      ) : (
        <form className="ops-form" onSubmit={(e) => void submit(e)}>
          <Field id="r-name" label={t("ops.name")}>
            <input id="r-name" required value={draft.name} onChange={(e) => set({ name: e.target.value })} />
          </Field>
          <Field id="r-address" label={t("rest.address")}>
            <input id="r-address" required value={draft.address} onChange={(e) => set({ address: e.target.value })} />
          </Field>
          <Field id="r-lat" label={t("rest.lat")}>
            <input
              id="r-lat"
              inputMode="decimal"
              required
              value={draft.lat}
              onChange={(e) => set({ lat: e.target.value })}
            />
          </Field>
          <Field id="r-lng" label={t("rest.lng")}>
            <input
              id="r-lng"
              inputMode="decimal"
              required
              value={draft.lng}
              onChange={(e) => set({ lng: e.target.value })}
            />
          </Field>
          <Field id="r-tz" label={t("rest.timeZone")}>
            <input id="r-tz" required value={draft.timeZone} onChange={(e) => set({ timeZone: e.target.value })} />
          </Field>
          <Field id="r-currency" label={t("rest.currency")}>
            <input
              id="r-currency"
              required
              maxLength={3}
              value={draft.currency}
              onChange={(e) => set({ currency: e.target.value })}
            />
          </Field>
          <Field id="r-area" label={t("rest.area")}>
            <select id="r-area" value={draft.deliveryAreaId} onChange={(e) => set({ deliveryAreaId: e.target.value })}>
              <option value="">{restaurant ? t("ops.none") : t("rest.areaAuto")}</option>
              {(zones.data ?? []).map((zone) => (
                <option key={zone.id} value={zone.id}>
                  {zone.name}
                </option>
              ))}
            </select>
          </Field>
          <Field id="r-commission" label={t("rest.commissionPct")}>
            <input
              id="r-commission"
              inputMode="decimal"
              value={draft.commissionPct}
              onChange={(e) => set({ commissionPct: e.target.value })}
            />
          </Field>
          <Field id="r-prep" label={t("rest.prep")}>
            <input
              id="r-prep"
              inputMode="numeric"
              value={draft.prepTimeMinutes}
              onChange={(e) => set({ prepTimeMinutes: e.target.value })}
            />
          </Field>
          <Field id="r-radius" label={t("rest.radius")}>
            <input
              id="r-radius"
              inputMode="numeric"
              value={draft.deliveryRadiusM}
              onChange={(e) => set({ deliveryRadiusM: e.target.value })}
            />
          </Field>
          <Field id="r-cuisines" label={t("rest.cuisines")} wide>
            <input id="r-cuisines" value={draft.cuisines} onChange={(e) => set({ cuisines: e.target.value })} />
          </Field>
          <Field id="r-description" label={t("rest.description")} wide>
            <textarea
              id="r-description"
              rows={2}
              value={draft.description}
              onChange={(e) => set({ description: e.target.value })}
            />
          </Field>
          {restaurant ? null : (
            <Field id="r-categories" label={t("rest.categories")} wide>
              <input
                id="r-categories"
                value={draft.menuCategories}
                onChange={(e) => set({ menuCategories: e.target.value })}
              />
            </Field>
          )}
          <label className="check wide">
            <input type="checkbox" checked={draft.active} onChange={(e) => set({ active: e.target.checked })} />{" "}
            {t("rest.activeHint")}
          </label>
          <div className="form-actions wide">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? t("ops.saving") : t("ops.save")}
            </button>
          </div>
        </form>
      )}
      {restaurant ? <StaffPanel restaurant={restaurant} onChanged={loaded.reload} /> : null}
    </section>
  );
}

function StaffPanel(props: { restaurant: Detail; onChanged(): void }) {
  const { t } = useI18n();
  const { announce, fail } = useNotices();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{ name: string; invitation: Schemas["IssuedInvitation"] } | null>(null);
  const { restaurant } = props;

  async function invite(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const result = await unwrap(
        api.http.POST("/v1/admin/restaurants/{id}/staff", {
          params: { path: { id: restaurant.id } },
          body: { name: name.trim(), email: email.trim() },
        }),
      );
      setIssued(result.invitation ? { name: result.staff.name, invitation: result.invitation } : null);
      announce(t("rest.added", { name: result.staff.name }));
      setName("");
      setEmail("");
      props.onChanged();
    } catch (error) {
      fail(error);
    } finally {
      setBusy(false);
    }
  }

  async function remove(userId: string, who: string) {
    try {
      await unwrap(
        api.http.DELETE("/v1/admin/restaurants/{id}/staff/{userId}", {
          params: { path: { id: restaurant.id, userId } },
        }),
      );
      announce(t("rest.removed", { name: who }));
      props.onChanged();
    } catch (error) {
      fail(error);
    }
  }

  return (
    <section className="panel" aria-labelledby="staff-title">
      <h2 id="staff-title">{t("rest.staffTitle")}</h2>
      {restaurant.staff.length === 0 ? <p className="muted">{t("rest.noStaff")}</p> : null}
      <ul className="people">
        {restaurant.staff.map((member) => (
          <li key={member.id}>
            <span>
              {member.name} <span className="muted">{member.email}</span>{" "}
              {member.invited ? <span className="badge">{t("ops.invited")}</span> : null}
              {member.deactivatedAt ? <span className="badge status-failed">{t("ops.deactivated")}</span> : null}
            </span>
            <span className="row-actions">
              <button
                type="button"
                className="ghost small"
                aria-label={t("rest.removeLabel", { name: member.name })}
                onClick={() => void remove(member.id, member.name)}
              >
                {t("rest.remove")}
              </button>
              <AccountSwitch account={member} onChanged={props.onChanged} />
            </span>
          </li>
        ))}
      </ul>
      <form className="inline-form" aria-labelledby="invite-title" onSubmit={(e) => void invite(e)}>
        <h3 id="invite-title">{t("rest.inviteTitle")}</h3>
        <Field id="s-name" label={t("ops.name")}>
          <input id="s-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field id="s-email" label={t("ops.email")}>
          <input id="s-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t("rest.invite")}
        </button>
      </form>
      {issued ? <InvitationLink name={issued.name} invitation={issued.invitation} /> : null}
    </section>
  );
}
