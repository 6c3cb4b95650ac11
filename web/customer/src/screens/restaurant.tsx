// A restaurant's menu: categories, items (unavailable ones shown as such),
// and a dialog per item with its modifier groups, min/max enforced as the
// server enforces them, and the quantity.
import { useEffect, useRef, useState } from "react";
import { useNotices } from "../../../shared/ui/notices.tsx";
import { api, customerApi, type Menu, type MenuItem } from "../api.ts";
import { addLine, choiceProblems, defaultChoices, lineFor, MAX_QUANTITY, toggleOption } from "../cart.ts";
import { useI18n } from "../i18n.ts";
import { ReviewsList } from "../ratings/reviews-list.tsx";
import { useErrorText, useShared } from "../state.tsx";

export function RestaurantScreen(props: { restaurantId: string }) {
  const { t, fmt } = useI18n();
  const errorText = useErrorText();
  const [menu, setMenu] = useState<Menu | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<MenuItem | null>(null);
  const [rating, setRating] = useState<{ count: number; average: number | null } | null>(null);

  useEffect(() => {
    let live = true;
    customerApi
      .menu(props.restaurantId)
      .then((m) => {
        if (live) setMenu(m);
      })
      .catch((err: unknown) => {
        if (live) setError(errorText(err));
      });
    customerApi
      .restaurantRatings(props.restaurantId)
      .then((r) => {
        if (live) setRating(r);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [props.restaurantId, errorText]);

  if (error)
    return (
      <div>
        <a href="#/" className="back">
          {t("menu.back")}
        </a>
        <p className="error" role="alert">
          {error}
        </p>
      </div>
    );
  if (!menu) return <p className="muted">{t("app.loading")}</p>;
  return (
    <div className="menu-page">
      <a href="#/" className="back">
        {t("menu.back")}
      </a>
      <h1>{menu.restaurantName}</h1>
      {rating && rating.average !== null && (
        <p className="muted">{t("menu.rating", { average: rating.average.toFixed(1), count: rating.count })}</p>
      )}
      <nav className="category-links" aria-label={menu.restaurantName}>
        {menu.categories.map((c) => (
          <a
            key={c.id}
            href={`#/r/${menu.restaurantId}`}
            onClick={(e) => {
              e.preventDefault();
              document.getElementById(`cat-${c.id}`)?.scrollIntoView({ behavior: "smooth" });
            }}
          >
            {c.name}
          </a>
        ))}
      </nav>
      {menu.categories.map((category) => (
        <section key={category.id} id={`cat-${category.id}`} aria-labelledby={`cat-h-${category.id}`}>
          <h2 id={`cat-h-${category.id}`}>{category.name}</h2>
          <ul className="menu-items">
            {category.items.map((item) => (
              <li key={item.id} className={item.available ? "menu-item" : "menu-item unavailable"}>
                <div className="menu-item-text">
                  <h3>{item.name}</h3>
                  {item.description && <p className="muted">{item.description}</p>}
                  <p className="price">
                    {fmt.money(item.priceMinor, menu.currency)}
                    {!item.available && <span className="tag closed">{t("menu.unavailable")}</span>}
                  </p>
                </div>
                {item.photo && (
                  <img
                    className="menu-photo"
                    src={`${api.baseUrl}${item.photo.url}?w=160`}
                    alt=""
                    width="96"
                    height="96"
                    loading="lazy"
                  />
                )}
                <button
                  type="button"
                  className="small"
                  disabled={!item.available}
                  aria-label={`${t("menu.add")} ${item.name}`}
                  onClick={() => setOpen(item)}
                >
                  {t("menu.add")}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <ReviewsList restaurantId={menu.restaurantId} />
      {open && <ItemDialog menu={menu} item={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

function ItemDialog(props: { menu: Menu; item: MenuItem; onClose(): void }) {
  const { t, fmt } = useI18n();
  const { announce } = useNotices();
  const { cart, setCart } = useShared();
  const { item, menu } = props;
  const [chosen, setChosen] = useState<Set<string>>(() => defaultChoices(item));
  const [quantity, setQuantity] = useState(1);
  const [tried, setTried] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const problems = choiceProblems(item, chosen);
  const line = lineFor(item, chosen, quantity);
  const groupName = (id: string) => item.groups.find((g) => g.id === id)?.name ?? "";

  function add() {
    setTried(true);
    if (problems.length > 0) return;
    setCart(addLine(cart, { id: menu.restaurantId, name: menu.restaurantName, currency: menu.currency }, line));
    announce(t("menu.added", { name: item.name }));
    props.onClose();
  }

  return (
    <dialog ref={dialog} className="item-dialog" aria-labelledby="item-title" onClose={props.onClose}>
      <div className="dialog-head">
        <h2 id="item-title">{item.name}</h2>
        <button type="button" className="ghost" onClick={props.onClose}>
          {t("menu.close")}
        </button>
      </div>
      {item.description && <p className="muted">{item.description}</p>}
      {item.allergens.length > 0 && (
        <p className="muted small">{t("menu.allergens", { list: item.allergens.join(", ") })}</p>
      )}
      {item.groups.map((group) => {
        const problem = tried ? problems.find((p) => p.groupId === group.id) : undefined;
        const rule =
          group.minChoices === group.maxChoices
            ? t("menu.choose", { min: group.minChoices })
            : group.minChoices === 0
              ? t("menu.chooseUpTo", { max: group.maxChoices })
              : t("menu.chooseRange", { min: group.minChoices, max: group.maxChoices });
        const single = group.maxChoices === 1;
        return (
          <fieldset key={group.id} className="modifier-group" aria-invalid={problem ? true : undefined}>
            <legend>
              {group.name}{" "}
              <span className="muted small">
                {rule} · {group.minChoices > 0 ? t("menu.required") : t("menu.optional")}
              </span>
            </legend>
            {group.options.map((option) => (
              <label key={option.id} className={option.available ? "check option" : "check option unavailable"}>
                <input
                  type={single ? "radio" : "checkbox"}
                  name={`group-${group.id}`}
                  checked={chosen.has(option.id)}
                  disabled={!option.available}
                  onChange={() => setChosen(toggleOption(group, chosen, option.id))}
                />
                <span>{option.name}</span>
                <span className="muted">
                  {!option.available
                    ? t("menu.unavailable")
                    : option.priceDeltaMinor !== 0
                      ? `+${fmt.money(option.priceDeltaMinor, menu.currency)}`
                      : ""}
                </span>
              </label>
            ))}
            {problem && (
              <p className="error small" role="alert">
                {problem.kind === "too_few"
                  ? t("menu.tooFew", { min: problem.min, group: groupName(group.id) })
                  : t("menu.tooMany", { max: problem.max, group: groupName(group.id) })}
              </p>
            )}
          </fieldset>
        );
      })}
      <div className="dialog-foot">
        <div className="stepper">
          <button
            type="button"
            aria-label={t("cart.decrease", { name: item.name })}
            onClick={() => setQuantity(Math.max(1, quantity - 1))}
          >
            −
          </button>
          <output aria-live="polite">{quantity}</output>
          <button
            type="button"
            aria-label={t("cart.increase", { name: item.name })}
            onClick={() => setQuantity(Math.min(MAX_QUANTITY, quantity + 1))}
          >
            +
          </button>
        </div>
        <button type="button" className="primary" onClick={add}>
          {t("menu.addToCart", { count: quantity, price: fmt.money(line.unitPriceMinor * quantity, menu.currency) })}
        </button>
      </div>
    </dialog>
  );
}
