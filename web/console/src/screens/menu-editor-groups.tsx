// Modifier groups and their options on one item: choose between min and max
// options; an option's price delta may be negative (a smaller size), as long
// as no valid choice makes the item cost less than nothing — the API refuses
// that with its own message, shown as it is.
import { type FormEvent, useId, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { toMinor } from "./loaded.ts";
import type { ManagedItem, Run } from "./menu-editor-shared.ts";

type Group = Schemas["ManagedModifierGroup"];
type Option = Schemas["ManagedMenuOption"];
type Props = { restaurant: Restaurant; item: ManagedItem; run: Run; busy: boolean };

export function GroupsEditor(props: Props) {
  const { t } = useI18n();
  return (
    <section className="groups-editor" aria-label={t("editor.groupsOf", { name: props.item.name })}>
      <h3>{t("editor.groups")}</h3>
      {props.item.groups.map((group) => (
        <GroupBox key={group.id} {...props} group={group} />
      ))}
      <NewGroupForm {...props} />
    </section>
  );
}

function GroupBox(props: Props & { group: Group }) {
  const { t } = useI18n();
  const { group, run, busy } = props;
  const id = props.restaurant.id;
  const base = useId();
  const [name, setName] = useState(group.name);
  const [min, setMin] = useState(String(group.minChoices));
  const [max, setMax] = useState(String(group.maxChoices));
  const [optionName, setOptionName] = useState("");
  const [optionDelta, setOptionDelta] = useState("0");
  const groupPath = { params: { path: { id, groupId: group.id } } };

  return (
    <div className="group-box" data-group-id={group.id}>
      <form
        className="row wrap"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void run(
            () =>
              unwrap(
                api.http.PATCH("/v1/restaurants/{id}/menu/groups/{groupId}", {
                  ...groupPath,
                  body: { name: name.trim(), minChoices: Number(min), maxChoices: Number(max) },
                }),
              ),
            t("editor.groupSaved", { name: name.trim() }),
          );
        }}
      >
        <div className="field grow">
          <label htmlFor={`${base}-name`}>{t("editor.groupName")}</label>
          <input id={`${base}-name`} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field narrow">
          <label htmlFor={`${base}-min`}>{t("editor.min")}</label>
          <input
            id={`${base}-min`}
            type="number"
            min={0}
            max={20}
            value={min}
            onChange={(e) => setMin(e.target.value)}
          />
        </div>
        <div className="field narrow">
          <label htmlFor={`${base}-max`}>{t("editor.max")}</label>
          <input
            id={`${base}-max`}
            type="number"
            min={1}
            max={20}
            value={max}
            onChange={(e) => setMax(e.target.value)}
          />
        </div>
        <button type="submit" className="primary small" disabled={busy}>
          {t("menu.save")}
        </button>
        <button
          type="button"
          className="danger small"
          disabled={busy}
          aria-label={t("editor.deleteGroup", { name: group.name })}
          onClick={() =>
            void run(
              () => unwrap(api.http.DELETE("/v1/restaurants/{id}/menu/groups/{groupId}", groupPath)),
              t("editor.groupDeleted", { name: group.name }),
            )
          }
        >
          {t("editor.delete")}
        </button>
      </form>
      <ul className="plain options-editor">
        {group.options.map((option) => (
          <OptionRow key={option.id} {...props} option={option} />
        ))}
      </ul>
      <form
        className="row wrap"
        onSubmit={async (event: FormEvent) => {
          event.preventDefault();
          const ok = await run(
            () =>
              unwrap(
                api.http.POST("/v1/restaurants/{id}/menu/groups/{groupId}/options", {
                  ...groupPath,
                  body: { name: optionName.trim(), priceDeltaMinor: toMinor(optionDelta), available: true },
                }),
              ),
            t("editor.optionAdded", { name: optionName.trim() }),
          );
          if (ok) {
            setOptionName("");
            setOptionDelta("0");
          }
        }}
      >
        <div className="field grow">
          <label htmlFor={`${base}-opt-name`}>{t("editor.newOption")}</label>
          <input
            id={`${base}-opt-name`}
            required
            maxLength={120}
            value={optionName}
            onChange={(e) => setOptionName(e.target.value)}
          />
        </div>
        <div className="field narrow">
          <label htmlFor={`${base}-opt-delta`}>{t("editor.delta")}</label>
          <input
            id={`${base}-opt-delta`}
            type="number"
            step="0.01"
            value={optionDelta}
            onChange={(e) => setOptionDelta(e.target.value)}
          />
        </div>
        <button type="submit" className="ghost small" disabled={busy}>
          {t("editor.addOption")}
        </button>
      </form>
    </div>
  );
}

function OptionRow(props: Props & { option: Option }) {
  const { t } = useI18n();
  const { option, run, busy } = props;
  const base = useId();
  const [name, setName] = useState(option.name);
  const [delta, setDelta] = useState((option.priceDeltaMinor / 100).toFixed(2));
  const [available, setAvailable] = useState(option.available);
  const optionPath = { params: { path: { id: props.restaurant.id, optionId: option.id } } };
  return (
    <li>
      <form
        className="row wrap option-row"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void run(
            () =>
              unwrap(
                api.http.PATCH("/v1/restaurants/{id}/menu/options/{optionId}", {
                  ...optionPath,
                  body: { name: name.trim(), priceDeltaMinor: toMinor(delta), available },
                }),
              ),
            t("editor.optionSaved", { name: name.trim() }),
          );
        }}
      >
        <label htmlFor={`${base}-name`} className="visually-hidden">
          {t("editor.optionName")}
        </label>
        <input
          id={`${base}-name`}
          className="grow"
          required
          maxLength={120}
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <label htmlFor={`${base}-delta`} className="visually-hidden">
          {t("editor.deltaOf", { name: option.name })}
        </label>
        <input
          id={`${base}-delta`}
          className="narrow"
          type="number"
          step="0.01"
          value={delta}
          onChange={(e) => setDelta(e.target.value)}
        />
        <label className="check">
          <input type="checkbox" checked={available} onChange={(e) => setAvailable(e.target.checked)} />{" "}
          {t("menu.available")}
        </label>
        <button
          type="submit"
          className="ghost small"
          disabled={busy}
          aria-label={t("editor.saveOption", { name: option.name })}
        >
          {t("menu.save")}
        </button>
        <button
          type="button"
          className="ghost small"
          disabled={busy}
          aria-label={t("editor.deleteOption", { name: option.name })}
          onClick={() =>
            void run(
              () => unwrap(api.http.DELETE("/v1/restaurants/{id}/menu/options/{optionId}", optionPath)),
              t("editor.optionDeleted", { name: option.name }),
            )
          }
        >
          {t("editor.delete")}
        </button>
      </form>
    </li>
  );
}

function NewGroupForm(props: Props) {
  const { t } = useI18n();
  const base = useId();
  const [name, setName] = useState("");
  const [min, setMin] = useState("0");
  const [max, setMax] = useState("1");
  const [first, setFirst] = useState("");
  const [delta, setDelta] = useState("0");
  return (
    <form
      className="new-group"
      onSubmit={async (event: FormEvent) => {
        event.preventDefault();
        const ok = await props.run(
          () =>
            unwrap(
              api.http.POST("/v1/restaurants/{id}/menu/items/{itemId}/groups", {
                params: { path: { id: props.restaurant.id, itemId: props.item.id } },
                body: {
                  name: name.trim(),
                  minChoices: Number(min),
                  maxChoices: Number(max),
                  options: [{ name: first.trim(), priceDeltaMinor: toMinor(delta), available: true }],
                },
              }),
            ),
          t("editor.groupAdded", { name: name.trim() }),
        );
        if (ok) {
          setName("");
          setFirst("");
          setDelta("0");
        }
      }}
    >
      <h4>{t("editor.newGroup")}</h4>
      <div className="grid-fields">
        <div className="field">
          <label htmlFor={`${base}-name`}>{t("editor.groupName")}</label>
          <input id={`${base}-name`} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field narrow">
          <label htmlFor={`${base}-min`}>{t("editor.min")}</label>
          <input
            id={`${base}-min`}
            type="number"
            min={0}
            max={20}
            value={min}
            onChange={(e) => setMin(e.target.value)}
          />
        </div>
        <div className="field narrow">
          <label htmlFor={`${base}-max`}>{t("editor.max")}</label>
          <input
            id={`${base}-max`}
            type="number"
            min={1}
            max={20}
            value={max}
            onChange={(e) => setMax(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${base}-first`}>{t("editor.firstOption")}</label>
          <input
            id={`${base}-first`}
            required
            maxLength={120}
            value={first}
            onChange={(e) => setFirst(e.target.value)}
          />
        </div>
        <div className="field narrow">
          <label htmlFor={`${base}-delta`}>{t("editor.delta")}</label>
          <input
            id={`${base}-delta`}
            type="number"
            step="0.01"
            value={delta}
            onChange={(e) => setDelta(e.target.value)}
          />
        </div>
      </div>
      <button type="submit" className="ghost" disabled={props.busy}>
        {t("editor.addGroup")}
      </button>
    </form>
  );
}
