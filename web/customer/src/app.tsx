// The customer app's frame: sign-in (or sign-up), then the screens on hash
// routes (a static Pages site has no server routes):
//   #/                restaurants near the delivery point (list and map)
//   #/r/<id>          a restaurant's menu
//   #/cart            cart, address, tip, quote and payment
//   #/pay/<id>        paying an order through Stripe.js (retried after a decline)
//   #/orders[/<id>]   past orders; one order live (timeline, map, ETA, PIN)
//   #/problem/<id>    reporting a problem with an order
//   #/account         profile, saved addresses, export, deletion
import { type ReactNode, useEffect, useRef, useState } from "react";
import { useHashRoute, useUser } from "../../shared/ui/hooks.ts";
import { I18nProvider, LanguageSwitch } from "../../shared/ui/i18n.tsx";
import { AppShell, type NavItem } from "../../shared/ui/layout.tsx";
import { NoticesProvider } from "../../shared/ui/notices.tsx";
import { api, type User } from "./api.ts";
import { cartCount } from "./cart.ts";
import { LOCALE_KEY, MESSAGES, type MessageKey, useI18n } from "./i18n.ts";
import { PayScreen } from "./payment/pay.tsx";
import { ProblemScreen } from "./problems/problem-screen.tsx";
import { AccountScreen } from "./screens/account.tsx";
import { CartScreen } from "./screens/cart.tsx";
import { DiscoverScreen } from "./screens/discover.tsx";
import { OrdersScreen } from "./screens/orders.tsx";
import { RestaurantScreen } from "./screens/restaurant.tsx";
import { SignIn } from "./screens/sign-in.tsx";
import { TrackScreen } from "./screens/track.tsx";
import { SharedProvider, useShared } from "./state.tsx";

export function App() {
  return (
    <I18nProvider dictionaries={MESSAGES} storageKey={LOCALE_KEY}>
      <SharedProvider>
        <Session />
      </SharedProvider>
    </I18nProvider>
  );
}

function Session() {
  const { t } = useI18n();
  const user = useUser(api);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const signingOut = useRef(false);

  useEffect(
    () =>
      api.onSessionChange((next) => {
        if (next) setNotice(null);
        // Not asked for: the refresh token was refused (expired, or revoked after reuse).
        else if (!signingOut.current) setNotice("app.sessionEnded");
      }),
    [],
  );

  const signOut = (why: MessageKey | null = null) => {
    signingOut.current = true;
    setNotice(why);
    void api.signOut().finally(() => {
      signingOut.current = false;
    });
  };

  if (user?.role !== "customer") return <SignIn notice={notice ? t(notice) : undefined} />;
  return (
    <NoticesProvider key={user.id} fallbackError={t("app.somethingWrong")}>
      <Shop user={user} onSignOut={() => signOut()} onDeleted={() => signOut("account.deleted")} />
    </NoticesProvider>
  );
}

function Shop(props: { user: User; onSignOut(): void; onDeleted(): void }) {
  const { t, locale, setLocale } = useI18n();
  const { cart } = useShared();
  const [section = "", param] = useHashRoute();

  const nav: NavItem[] = [
    { href: "#/", label: t("nav.discover") },
    { href: "#/cart", label: t("nav.cart", { count: cartCount(cart) }) },
    { href: "#/orders", label: t("nav.orders") },
    { href: "#/account", label: t("nav.account") },
  ];
  useEffect(() => {
    document.title = t("app.brand");
  }, [t]);

  let screen: ReactNode;
  let current = "#/";
  if (section === "r" && param) screen = <RestaurantScreen key={param} restaurantId={param} />;
  else if (section === "cart") {
    screen = <CartScreen />;
    current = "#/cart";
  } else if (section === "pay" && param) {
    screen = <PayScreen key={param} orderId={param} />;
    current = "#/orders";
  } else if (section === "problem" && param) {
    screen = <ProblemScreen key={param} orderId={param} />;
    current = "#/orders";
  } else if (section === "orders" && param) {
    screen = <TrackScreen key={param} orderId={param} />;
    current = "#/orders";
  } else if (section === "orders") {
    screen = <OrdersScreen />;
    current = "#/orders";
  } else if (section === "account") {
    screen = <AccountScreen user={props.user} onDeleted={props.onDeleted} />;
    current = "#/account";
  } else screen = <DiscoverScreen />;

  return (
    <AppShell
      brand={t("app.brand")}
      nav={nav}
      currentHref={current}
      labels={{ skip: t("app.skip"), nav: t("app.nav"), dismiss: t("app.dismiss") }}
      account={
        <>
          <span className="muted email">{props.user.name}</span>
          <LanguageSwitch locale={locale} onChange={setLocale} label={t("app.language")} />
          <button type="button" className="ghost" onClick={props.onSignOut}>
            {t("app.signOut")}
          </button>
        </>
      }
    >
      {screen}
    </AppShell>
  );
}
