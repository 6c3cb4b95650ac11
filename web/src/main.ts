// The console's shell: sign-in, then a header with the screens the signed-in
// role may use, and hash routes (a static Pages site has no server routes):
//   staff   #/board[/<orderId>]  #/orders[/<orderId>]  #/menu
//   admin   #/dead-letters
import "./styles.css";
import { ApiClient, ApiError, DEFAULT_API_BASE } from "./api.ts";
import type { ConsoleContext, Restaurant } from "./context.ts";
import { h, replaceChildren, type View } from "./dom.ts";
import type { User } from "./types.ts";
import { boardView } from "./views/board.ts";
import { deadLettersView } from "./views/dead-letters.ts";
import { historyView } from "./views/history.ts";
import { menuView } from "./views/menu.ts";
import { orderDetail } from "./views/order-detail.ts";
import { signInView } from "./views/sign-in.ts";

const api = new ApiClient(import.meta.env.VITE_API_BASE || DEFAULT_API_BASE);
const TOAST_MS = 6000;

interface Screen {
  key: string;
  view: View;
}

interface NavItem {
  hash: string;
  label: string;
}

const rootElement = document.getElementById("app");
if (!rootElement) throw new Error("index.html has no #app element");
const root: HTMLElement = rootElement;

let screen: Screen | null = null;
let shellCleanup: (() => void) | null = null;
let signingOut = false;

function show(view: View): void {
  screen?.view.dispose?.();
  screen = null;
  shellCleanup?.();
  shellCleanup = null;
  replaceChildren(root, view.el);
}

function showSignIn(notice?: string): void {
  show(signInView(api, { demoHint: import.meta.env.DEV || api.baseUrl.includes("127.0.0.1"), notice }));
  document.title = "Sign in · Edge Delivery Console";
  root.querySelector<HTMLInputElement>("#email")?.focus();
}

async function restaurantOf(user: User): Promise<Restaurant | null> {
  if (user.role !== "restaurant_staff" || !user.restaurantId) return null;
  try {
    const menu = await api.menu(user.restaurantId);
    return { id: user.restaurantId, name: menu.restaurantName, currency: menu.currency };
  } catch {
    // The board works without the name; the menu screen will say what is wrong.
    return { id: user.restaurantId, name: "Your restaurant", currency: "EUR" };
  }
}

async function enterConsole(user: User): Promise<void> {
  if (user.role !== "restaurant_staff" && user.role !== "admin") {
    await api.signOut();
    showSignIn("This console is for restaurant staff and operators. Customers and couriers use the apps.");
    return;
  }
  const restaurant = await restaurantOf(user);
  if (api.user?.id !== user.id) return;

  const nav: NavItem[] = restaurant
    ? [
        { hash: "#/board", label: "Live board" },
        { hash: "#/orders", label: "Past orders" },
        { hash: "#/menu", label: "Menu" },
      ]
    : [{ hash: "#/dead-letters", label: "Dead letters" }];
  const home = nav[0]?.hash ?? "#/";

  const toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
  const alertText = h("span", {});
  const alertBox = h(
    "div",
    { class: "alert", role: "alert", hidden: true },
    alertText,
    h("button", { type: "button", class: "ghost", onclick: () => alertBox.setAttribute("hidden", "") }, "Dismiss"),
  );
  const main = h("main", { id: "main", tabindex: "-1" });
  const links = nav.map((item) => h("a", { href: item.hash }, item.label));
  const header = h(
    "header",
    { class: "topbar" },
    h("a", { class: "skip", href: "#main", onclick: skipToMain }, "Skip to content"),
    h(
      "div",
      { class: "brand" },
      h("span", { class: "logo", "aria-hidden": "true" }, "◆"),
      h("span", {}, "Edge Delivery"),
      h("span", { class: "place" }, restaurant ? restaurant.name : "Operations"),
    ),
    h("nav", { "aria-label": "Console" }, ...links),
    h(
      "div",
      { class: "who" },
      h("span", { class: "muted" }, user.email),
      h("button", { type: "button", class: "ghost", onclick: signOut }, "Sign out"),
    ),
  );
  show({ el: h("div", { class: "shell" }, header, alertBox, main, toasts) });

  const ctx: ConsoleContext = {
    api,
    user,
    restaurant,
    announce(message) {
      const toast = h("p", { class: "toast" }, message);
      toasts.appendChild(toast);
      setTimeout(() => toast.remove(), TOAST_MS);
    },
    fail(error) {
      alertText.textContent =
        error instanceof ApiError
          ? error.describe()
          : error instanceof Error
            ? error.message
            : "Something went wrong; try again.";
      alertBox.removeAttribute("hidden");
    },
    navigate(hash) {
      location.hash = hash;
    },
  };

  function route(): void {
    const hash = location.hash || home;
    const [, section = "", param] = hash.split("/");
    let key = section;
    let make: (() => View) | null = null;
    if (restaurant) {
      if (section === "board") make = () => boardView(ctx, restaurant, param);
      else if (section === "orders" && param) {
        key = `orders/${param}`;
        make = () => standaloneOrder(ctx, param);
      } else if (section === "orders") make = () => historyView(ctx, restaurant);
      else if (section === "menu") make = () => menuView(ctx, restaurant);
    } else if (section === "dead-letters") make = () => deadLettersView(ctx);
    if (!make) {
      location.replace(home);
      return;
    }
    for (const link of links) {
      if (link.getAttribute("href") === `#/${section}`) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    alertBox.setAttribute("hidden", "");
    if (screen?.key === key && screen.view.update) {
      screen.view.update(param);
      return;
    }
    screen?.view.dispose?.();
    const view = make();
    screen = { key, view };
    replaceChildren(main, view.el);
  }

  window.addEventListener("hashchange", route);
  shellCleanup = () => window.removeEventListener("hashchange", route);
  route();
}

function standaloneOrder(ctx: ConsoleContext, orderId: string): View {
  const detail = orderDetail(ctx, orderId);
  return {
    el: h("div", { class: "standalone" }, h("a", { href: "#/orders", class: "back" }, "← Past orders"), detail.el),
    dispose: () => detail.dispose?.(),
  };
}

function signOut(): void {
  signingOut = true;
  void api.signOut().finally(() => {
    signingOut = false;
  });
}

function skipToMain(event: Event): void {
  // The hash is the router's; move focus without changing it.
  event.preventDefault();
  document.getElementById("main")?.focus();
}

api.onSessionChange((user) => {
  if (user) void enterConsole(user);
  // Not asked for: the refresh token was refused (expired, or revoked after reuse).
  else showSignIn(signingOut ? undefined : "Your session has ended; sign in again.");
});

if (api.user) void enterConsole(api.user);
else showSignIn();
