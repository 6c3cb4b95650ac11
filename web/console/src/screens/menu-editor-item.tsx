// One item opened in the menu editor: its name, description, price, allergens
// and dietary tags; its photo (resized here in the browser to the widths the
// API stores, so the server never decodes pixels); its modifier groups.
import { type FormEvent, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { type MessageKey, useI18n } from "../i18n.ts";
import { toMinor } from "./loaded.ts";
import { GroupsEditor } from "./menu-editor-groups.tsx";
import type { ManagedItem, Run } from "./menu-editor-shared.ts";

type Allergen = Schemas["Allergen"];
type DietaryTag = Schemas["DietaryTag"];

const ALLERGENS = [
  "gluten",
  "crustaceans",
  "eggs",
  "fish",
  "peanuts",
  "soybeans",
  "milk",
  "nuts",
  "celery",
  "mustard",
  "sesame",
  "sulphites",
  "lupin",
  "molluscs",
] as const satisfies readonly Allergen[];
const DIETARY = [
  "vegetarian",
  "vegan",
  "gluten_free",
  "dairy_free",
  "halal",
  "kosher",
  "spicy",
] as const satisfies readonly DietaryTag[];
const PHOTO_WIDTHS = [160, 480, 960] as const;

export function ItemEditor(props: { restaurant: Restaurant; item: ManagedItem; run: Run; busy: boolean }) {
  return (
    <div className="item-editor">
      <DetailsForm {...props} />
      <PhotoField {...props} />
      <GroupsEditor {...props} />
    </div>
  );
}

function toggle<T>(list: readonly T[], value: T, on: boolean): T[] {
  return on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value);
}

function DetailsForm(props: { restaurant: Restaurant; item: ManagedItem; run: Run; busy: boolean }) {
  const { t } = useI18n();
  const { item } = props;
  const [name, setName] = useState(item.name);
  const [description, setDescription] = useState(item.description);
  const [price, setPrice] = useState((item.priceMinor / 100).toFixed(2));
  const [allergens, setAllergens] = useState<Allergen[]>(item.allergens);
  const [dietary, setDietary] = useState<DietaryTag[]>(item.dietaryTags);
  const [available, setAvailable] = useState(item.available);
  const base = `item-${item.id}`;

  function save(event: FormEvent) {
    event.preventDefault();
    void props.run(
      () =>
        unwrap(
          api.http.PATCH("/v1/restaurants/{id}/menu/items/{itemId}", {
            params: { path: { id: props.restaurant.id, itemId: item.id } },
            body: {
              name: name.trim(),
              description: description.trim(),
              priceMinor: toMinor(price),
              allergens,
              dietaryTags: dietary,
              available,
            },
          }),
        ),
      t("editor.itemSaved", { name: name.trim() }),
    );
  }

  return (
    <form onSubmit={save} className="item-details">
      <div className="grid-fields">
        <div className="field">
          <label htmlFor={`${base}-name`}>{t("editor.itemName")}</label>
          <input id={`${base}-name`} required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${base}-price`}>{t("editor.price", { currency: props.restaurant.currency })}</label>
          <input
            id={`${base}-price`}
            type="number"
            inputMode="decimal"
            min={0}
            step="0.01"
            required
            value={price}
            onChange={(e) => setPrice(e.target.value)}
          />
        </div>
        <div className="field wide-field">
          <label htmlFor={`${base}-desc`}>{t("editor.description")}</label>
          <textarea
            id={`${base}-desc`}
            maxLength={1000}
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </div>
      <label className="check">
        <input type="checkbox" checked={available} onChange={(e) => setAvailable(e.target.checked)} />{" "}
        {t("menu.available")}
      </label>
      <fieldset className="labels">
        <legend>{t("editor.allergens")}</legend>
        {ALLERGENS.map((a) => (
          <label key={a} className="check chip">
            <input
              type="checkbox"
              checked={allergens.includes(a)}
              onChange={(e) => setAllergens((all) => toggle(all, a, e.target.checked))}
            />{" "}
            {t(`allergen.${a}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      <fieldset className="labels">
        <legend>{t("editor.dietary")}</legend>
        {DIETARY.map((d) => (
          <label key={d} className="check chip">
            <input
              type="checkbox"
              checked={dietary.includes(d)}
              onChange={(e) => setDietary((all) => toggle(all, d, e.target.checked))}
            />{" "}
            {t(`dietary.${d}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={props.busy}>
        {t("editor.saveItem")}
      </button>
    </form>
  );
}

type PhotoUpload = Schemas["MenuPhotoUpload"];

/** The photo drawn at each stored width no wider than the original, as JPEG. */
async function resized(file: File): Promise<PhotoUpload> {
  const bitmap = await createImageBitmap(file);
  const form: PhotoUpload = {};
  try {
    const widths = PHOTO_WIDTHS.filter((w, i) => i === 0 || bitmap.width >= w);
    for (const target of widths) {
      const width = Math.min(target, bitmap.width);
      const height = Math.max(1, Math.round((bitmap.height * width) / bitmap.width));
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d")?.drawImage(bitmap, 0, 0, width, height);
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      if (blob) form[`w${target}`] = blob;
    }
  } finally {
    bitmap.close();
  }
  return form;
}

/** Multipart, one part per width, each named as the API expects (w160, w480, w960). */
function photoForm(upload: PhotoUpload): FormData {
  const form = new FormData();
  for (const [name, blob] of Object.entries(upload)) if (blob) form.append(name, blob, `${name}.jpg`);
  return form;
}

function PhotoField(props: { restaurant: Restaurant; item: ManagedItem; run: Run; busy: boolean }) {
  const { t } = useI18n();
  const { fail } = useNotices();
  const { item } = props;
  const inputId = `item-${item.id}-photo`;
  const path = { params: { path: { id: props.restaurant.id, itemId: item.id } } };

  async function upload(file: File | undefined) {
    if (!file) return;
    let form: PhotoUpload;
    try {
      form = await resized(file);
    } catch {
      fail(new Error(t("editor.photoUnreadable")));
      return;
    }
    await props.run(
      () =>
        unwrap(
          api.http.PUT("/v1/restaurants/{id}/menu/items/{itemId}/photo", {
            ...path,
            body: form,
            bodySerializer: photoForm,
          }),
        ),
      t("editor.photoSaved", { name: item.name }),
    );
  }

  return (
    <div className="photo-field row wrap">
      {item.photo ? (
        <img
          className="photo"
          src={`${api.baseUrl}${item.photo.url}?w=480`}
          alt={t("editor.photoOf", { name: item.name })}
          width={160}
          height={Math.round((160 * item.photo.height) / item.photo.width)}
        />
      ) : (
        <span className="muted">{t("editor.noPhoto")}</span>
      )}
      <div className="field">
        <label htmlFor={inputId}>{item.photo ? t("editor.replacePhoto") : t("editor.addPhoto")}</label>
        <input
          id={inputId}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          disabled={props.busy}
          onChange={(e) => {
            void upload(e.target.files?.[0]);
            e.target.value = "";
          }}
        />
      </div>
      {item.photo ? (
        <button
          type="button"
          className="ghost small"
          disabled={props.busy}
          onClick={() =>
            void props.run(
              () => unwrap(api.http.DELETE("/v1/restaurants/{id}/menu/items/{itemId}/photo", path)),
              t("editor.photoRemoved", { name: item.name }),
            )
          }
        >
          {t("editor.removePhoto")}
        </button>
      ) : null}
    </div>
  );
}
