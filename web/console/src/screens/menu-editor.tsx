// The menu editor: categories (create, rename, reorder, delete) and their
// items (create, reorder, archive or delete, restore). Each item opens to its
// details, photo and modifier groups (menu-editor-item.tsx). Every change is
// a new menu version on the server; the editor reloads the menu after each so
// what it shows is what customers get.
import { type FormEvent, useCallback, useState } from "react";
import { type Schemas, unwrap } from "../../../shared/api/index.ts";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, type Restaurant } from "../api.ts";
import { useI18n } from "../i18n.ts";
import { toMinor, useLoaded } from "./loaded.ts";
import { ItemEditor } from "./menu-editor-item.tsx";
import "./kitchen.css";

type Category = Schemas["ManagedMenuCategory"];

/** Runs a change, reloads the menu, and says what happened (or the API's reason). */
export function useMenuChange(reload: () => Promise<void>) {
  const { announce, fail } = useNotices();
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (action: () => Promise<unknown>, done: string): Promise<boolean> => {
      setBusy(true);
      try {
        await action();
        await reload();
        announce(done);
        return true;
      } catch (error) {
        fail(error);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [reload, announce, fail],
  );
  return { run, busy };
}

function moved<T>(list: readonly T[], index: number, by: -1 | 1): T[] {
  const next = [...list];
  const [item] = next.splice(index, 1);
  if (item !== undefined) next.splice(index + by, 0, item);
  return next;
}

export function MenuEditorScreen(props: { restaurant: Restaurant }) {
  const { t } = useI18n();
  const id = props.restaurant.id;
  const menu = useLoaded(
    () => unwrap(api.http.GET("/v1/restaurants/{id}/menu/manage", { params: { path: { id } }, cache: "no-cache" })),
    id,
    t("editor.loadFailed"),
  );
  const { run, busy } = useMenuChange(menu.reload);
  const [newCategory, setNewCategory] = useState("");
  const path = { params: { path: { id } } };

  async function addCategory(event: FormEvent) {
    event.preventDefault();
    const name = newCategory.trim();
    const ok = await run(
      () => unwrap(api.http.POST("/v1/restaurants/{id}/menu/categories", { ...path, body: { name } })),
      t("editor.categoryAdded", { name }),
    );
    if (ok) setNewCategory("");
  }

  const categories = menu.data?.categories ?? [];
  return (
    <section className="kitchen-screen menu-editor" aria-labelledby="editor-title">
      <header className="screen-header">
        <h1 id="editor-title">{t("editor.title")}</h1>
        {menu.data ? <span className="muted">{t("editor.version", { version: menu.data.menuVersion })}</span> : null}
      </header>
      {menu.error ? (
        <p className="error" role="alert">
          {menu.error}
        </p>
      ) : !menu.data ? (
        <p className="muted">{t("app.loading")}</p>
      ) : (
        <>
          {categories.map((category, index) => (
            <CategoryPanel
              key={category.id}
              restaurant={props.restaurant}
              category={category}
              first={index === 0}
              last={index === categories.length - 1}
              busy={busy}
              run={run}
              onMove={(by) =>
                void run(
                  () =>
                    unwrap(
                      api.http.PUT("/v1/restaurants/{id}/menu/categories/order", {
                        ...path,
                        body: { categoryIds: moved(categories, index, by).map((c) => c.id) },
                      }),
                    ),
                  t("editor.categoryMoved", { name: category.name }),
                )
              }
            />
          ))}
          <form className="panel row wrap" onSubmit={addCategory}>
            <div className="field grow">
              <label htmlFor="new-category">{t("editor.newCategory")}</label>
              <input
                id="new-category"
                required
                maxLength={120}
                value={newCategory}
                onChange={(e) => setNewCategory(e.target.value)}
              />
            </div>
            <button type="submit" className="primary" disabled={busy}>
              {t("editor.addCategory")}
            </button>
          </form>
          {menu.data.archivedItems.length > 0 ? (
            <section className="panel" aria-labelledby="archived-title">
              <h2 id="archived-title">{t("editor.archived")}</h2>
              <ul className="plain">
                {menu.data.archivedItems.map((item) => (
                  <li key={item.id} className="row">
                    <span className="grow">{item.name}</span>
                    <button
                      type="button"
                      className="ghost small"
                      disabled={busy}
                      aria-label={t("editor.restoreItem", { name: item.name })}
                      onClick={() =>
                        void run(
                          () =>
                            unwrap(
                              api.http.PATCH("/v1/restaurants/{id}/menu/items/{itemId}", {
                                params: { path: { id, itemId: item.id } },
                                body: { archived: false },
                              }),
                            ),
                          t("editor.restored", { name: item.name }),
                        )
                      }
                    >
                      {t("editor.restore")}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      )}
    </section>
  );
}

function CategoryPanel(props: {
  restaurant: Restaurant;
  category: Category;
  first: boolean;
  last: boolean;
  busy: boolean;
  run(action: () => Promise<unknown>, done: string): Promise<boolean>;
  onMove(by: -1 | 1): void;
}) {
  const { t, fmt } = useI18n();
  const { category, run, busy, restaurant } = props;
  const id = restaurant.id;
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(category.name);
  const [adding, setAdding] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const headingId = `category-${category.id}`;
  const catPath = { params: { path: { id, categoryId: category.id } } };

  return (
    <section className="panel category-panel" aria-labelledby={headingId} data-category-id={category.id}>
      <div className="row wrap category-head">
        {renaming ? (
          <form
            className="row grow"
            onSubmit={async (event) => {
              event.preventDefault();
              const ok = await run(
                () =>
                  unwrap(
                    api.http.PATCH("/v1/restaurants/{id}/menu/categories/{categoryId}", {
                      ...catPath,
                      body: { name: name.trim() },
                    }),
                  ),
                t("editor.renamed", { name: name.trim() }),
              );
              if (ok) setRenaming(false);
            }}
          >
            <label htmlFor={`${headingId}-name`} className="visually-hidden">
              {t("editor.categoryName")}
            </label>
            <input
              id={`${headingId}-name`}
              required
              maxLength={120}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <button type="submit" className="primary small" disabled={busy}>
              {t("menu.save")}
            </button>
            <button type="button" className="ghost small" onClick={() => setRenaming(false)}>
              {t("menu.cancel")}
            </button>
          </form>
        ) : (
          <h2 id={headingId} className="grow">
            {category.name}
          </h2>
        )}
        <div className="row tools">
          {renaming ? null : (
            <button
              type="button"
              className="ghost small"
              aria-label={t("editor.renameCategory", { name: category.name })}
              onClick={() => setRenaming(true)}
            >
              {t("editor.rename")}
            </button>
          )}
          <button
            type="button"
            className="ghost small"
            disabled={busy || props.first}
            aria-label={t("editor.moveUp", { name: category.name })}
            onClick={() => props.onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="ghost small"
            disabled={busy || props.last}
            aria-label={t("editor.moveDown", { name: category.name })}
            onClick={() => props.onMove(1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="danger small"
            disabled={busy}
            aria-label={t("editor.deleteCategory", { name: category.name })}
            onClick={() => {
              if (!confirm(t("editor.confirmDeleteCategory", { name: category.name }))) return;
              void run(
                () => unwrap(api.http.DELETE("/v1/restaurants/{id}/menu/categories/{categoryId}", catPath)),
                t("editor.categoryDeleted", { name: category.name }),
              );
            }}
          >
            {t("editor.delete")}
          </button>
        </div>
      </div>
      <ul className="plain editor-items">
        {category.items.map((item, index) => (
          <li key={item.id} className="editor-item" data-item-id={item.id}>
            <div className="row wrap">
              {item.photo ? (
                <img className="thumb" src={`${api.baseUrl}${item.photo.url}?w=160`} alt="" width={48} height={48} />
              ) : null}
              <span className="grow item-title">
                <strong>{item.name}</strong>{" "}
                <span className="muted">{fmt.money(item.priceMinor, restaurant.currency)}</span>
                {item.available ? null : <span className="badge status-rejected">{t("menu.unavailable")}</span>}
              </span>
              <div className="row tools">
                <button
                  type="button"
                  className="ghost small"
                  aria-expanded={open === item.id}
                  aria-label={t("editor.editItem", { name: item.name })}
                  onClick={() => setOpen(open === item.id ? null : item.id)}
                >
                  {open === item.id ? t("editor.close") : t("menu.edit")}
                </button>
                <button
                  type="button"
                  className="ghost small"
                  disabled={busy || index === 0}
                  aria-label={t("editor.moveUp", { name: item.name })}
                  onClick={() => void reorder(index, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="ghost small"
                  disabled={busy || index === category.items.length - 1}
                  aria-label={t("editor.moveDown", { name: item.name })}
                  onClick={() => void reorder(index, 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="danger small"
                  disabled={busy}
                  aria-label={t("editor.deleteItem", { name: item.name })}
                  onClick={() => {
                    if (!confirm(t("editor.confirmDeleteItem", { name: item.name }))) return;
                    void run(
                      () =>
                        unwrap(
                          api.http.DELETE("/v1/restaurants/{id}/menu/items/{itemId}", {
                            params: { path: { id, itemId: item.id } },
                          }),
                        ),
                      t("editor.itemRemoved", { name: item.name }),
                    );
                  }}
                >
                  {t("editor.delete")}
                </button>
              </div>
            </div>
            {open === item.id ? <ItemEditor restaurant={restaurant} item={item} run={run} busy={busy} /> : null}
          </li>
        ))}
      </ul>
      {adding ? (
        <NewItemForm
          restaurant={restaurant}
          categoryId={category.id}
          busy={busy}
          run={run}
          onDone={() => setAdding(false)}
        />
      ) : (
        <button
          type="button"
          className="ghost"
          aria-label={t("editor.addItemTo", { name: category.name })}
          onClick={() => setAdding(true)}
        >
          {t("editor.addItem")}
        </button>
      )}
    </section>
  );

  function reorder(index: number, by: -1 | 1) {
    return run(
      () =>
        unwrap(
          api.http.PUT("/v1/restaurants/{id}/menu/categories/{categoryId}/order", {
            ...catPath,
            body: { itemIds: moved(category.items, index, by).map((i) => i.id) },
          }),
        ),
      t("editor.itemMoved", { name: category.items[index]?.name ?? "" }),
    );
  }
}

function NewItemForm(props: {
  restaurant: Restaurant;
  categoryId: string;
  busy: boolean;
  run(action: () => Promise<unknown>, done: string): Promise<boolean>;
  onDone(): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [price, setPrice] = useState("");
  const base = `new-item-${props.categoryId}`;
  return (
    <form
      className="new-item"
      onSubmit={async (event) => {
        event.preventDefault();
        const ok = await props.run(
          () =>
            unwrap(
              api.http.POST("/v1/restaurants/{id}/menu/items", {
                params: { path: { id: props.restaurant.id } },
                body: {
                  categoryId: props.categoryId,
                  name: name.trim(),
                  description: description.trim(),
                  priceMinor: toMinor(price),
                  taxBps: null,
                  position: 1000,
                  available: true,
                  allergens: [],
                  dietaryTags: [],
                  groups: [],
                },
              }),
            ),
          t("editor.itemAdded", { name: name.trim() }),
        );
        if (ok) props.onDone();
      }}
    >
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
          <input
            id={`${base}-desc`}
            maxLength={1000}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={props.busy}>
          {t("editor.createItem")}
        </button>
        <button type="button" className="ghost" onClick={props.onDone}>
          {t("menu.cancel")}
        </button>
      </div>
    </form>
  );
}
