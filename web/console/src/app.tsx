// The console's shell: sign-in, then the screens the signed-in role may use,
// on hash routes (a static Pages site has no server routes):
//   staff   #/board[/<orderId>]  #/orders[/<orderId>]  #/menu  #/editor
//           #/hours  #/kitchen  #/stock  #/reports  #/money  #/webhooks[/<endpointId>]  #/promotions  #/reviews
//   admin   #/overview  #/map  #/exceptions[/<orderId>]  #/restaurants[/new|/<id>]
//           #/couriers  #/accounts  #/surge  #/pricing  #/audit[/<entityType>/<entityId>]  #/dead-letters
//           #/webhooks[/<endpointId>]  #/promotions  #/moderation
//   anyone  #/invite/<token>   (an invitation link: choose a password)
import { type ReactNode, useEffect, useRef, useState } from "react";
import { type User, unwrap } from "../../shared/api/index.ts";
import { enableWebPush } from "../../shared/push/web-push.ts";
import { useHashRoute, useUser } from "../../shared/ui/hooks.ts";
import { I18nProvider, LanguageSwitch } from "../../shared/ui/i18n.tsx";
import { AppShell, type NavItem } from "../../shared/ui/layout.tsx";
import { NoticesProvider, useNotices } from "../../shared/ui/notices.tsx";
import { api, type Restaurant } from "./api.ts";
import { LOCALE_KEY, MESSAGES, type MessageKey, useI18n } from "./i18n.ts";
import { AccountsScreen } from "./ops/accounts.tsx";
import { AuditScreen } from "./ops/audit.tsx";
import { CouriersScreen } from "./ops/couriers.tsx";
import { ExceptionsScreen } from "./ops/exceptions.tsx";
import { InvitationScreen } from "./ops/invitation.tsx";
import { LiveMapScreen } from "./ops/live-map.tsx";
import { ModerationScreen } from "./ops/moderation.tsx";
import { OverviewScreen } from "./ops/overview.tsx";
import { PricingScreen } from "./ops/pricing.tsx";
import { PlatformPromotionsScreen } from "./ops/promotions.tsx";
import { RestaurantFormScreen } from "./ops/restaurant-form.tsx";
import { RestaurantsScreen } from "./ops/restaurants.tsx";
import { SurgeScreen } from "./ops/surge.tsx";
import { BoardScreen } from "./screens/board.tsx";
import { DeadLettersScreen } from "./screens/dead-letters.tsx";
import { HistoryScreen } from "./screens/history.tsx";
import { HoursScreen } from "./screens/hours.tsx";
import { KitchenScreen } from "./screens/kitchen.tsx";
import { MenuScreen } from "./screens/menu.tsx";
import { MenuEditorScreen } from "./screens/menu-editor.tsx";
import { OrderDetail } from "./screens/order-detail.tsx";
import { PromotionsScreen } from "./screens/promotions.tsx";
import { ReportsScreen } from "./screens/reports.tsx";
import { ReviewsScreen } from "./screens/reviews.tsx";
import { SignIn } from "./screens/sign-in.tsx";
import { StatementScreen } from "./screens/statement.tsx";
import { StockScreen } from "./screens/stock.tsx";
import { WebhooksScreen } from "./screens/webhooks.tsx";

export function App() {
  return (
    <I18nProvider dictionaries={MESSAGES} storageKey={LOCALE_KEY}>
      <Session />
    </I18nProvider>
  );
}

const CONSOLE_ROLES: ReadonlySet<User["role"]> = new Set(["restaurant_staff", "admin"]);

function Session() {
  const { t } = useI18n();
  const user = useUser(api);
  const [route, token] = useHashRoute();
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

  const allowed = user !== null && CONSOLE_ROLES.has(user.role);
  useEffect(() => {
    if (user && !CONSOLE_ROLES.has(user.role)) signOut("app.wrongRole");
  });

  if (route === "invite" && token) return <InvitationScreen token={token} />;
  if (!user || !allowed) return <SignIn notice={notice ? t(notice) : undefined} />;
  // Keyed by user: nothing one person was told is left on screen for the next.
  return (
    <NoticesProvider key={user.id} fallbackError={t("app.somethingWrong")}>
      <Console user={user} onSignOut={() => signOut()} />
    </NoticesProvider>
  );
}

/** Staff work for one restaurant; its name and currency come with its menu. */
function useRestaurant(user: User): Restaurant | null | undefined {
  const { t } = useI18n();
  const [restaurant, setRestaurant] = useState<Restaurant | null | undefined>(undefined);
  const fallbackName = t("app.yourRestaurant");
  useEffect(() => {
    const id = user.role === "restaurant_staff" ? user.restaurantId : null;
    if (!id) {
      setRestaurant(null);
      return;
    }
    let current = true;
    unwrap(api.http.GET("/v1/restaurants/{id}/menu", { params: { path: { id } } }))
      .then((menu) => ({ id, name: menu.restaurantName, currency: menu.currency }))
      // The board works without the name; the menu screen will say what is wrong.
      .catch(() => ({ id, name: fallbackName, currency: "EUR" }))
      .then((found) => {
        if (current) setRestaurant(found);
      });
    return () => {
      current = false;
    };
  }, [user, fallbackName]);
  return restaurant;
}

function Console(props: { user: User; onSignOut(): void }) {
  const { t, locale, setLocale } = useI18n();
  const { dismiss } = useNotices();
  const restaurant = useRestaurant(props.user);
  const [section = "", param, extra] = useHashRoute();

  const nav: NavItem[] = restaurant
    ? [
        { href: "#/board", label: t("nav.board") },
        { href: "#/orders", label: t("nav.orders") },
        { href: "#/menu", label: t("nav.menu") },
        { href: "#/editor", label: t("nav.editor") },
        { href: "#/hours", label: t("nav.hours") },
        { href: "#/kitchen", label: t("nav.kitchen") },
        { href: "#/stock", label: t("nav.stock") },
        { href: "#/reports", label: t("nav.reports") },
        { href: "#/reviews", label: t("nav.reviews") },
        { href: "#/money", label: t("nav.money") },
        { href: "#/webhooks", label: t("nav.webhooks") },
        { href: "#/promotions", label: t("nav.promotions") },
      ]
    : [
        { href: "#/overview", label: t("nav.overview") },
        { href: "#/map", label: t("nav.map") },
        { href: "#/exceptions", label: t("nav.exceptions") },
        { href: "#/restaurants", label: t("nav.restaurants") },
        { href: "#/couriers", label: t("nav.couriers") },
        { href: "#/accounts", label: t("nav.accounts") },
        { href: "#/surge", label: t("nav.surge") },
        { href: "#/pricing", label: t("nav.pricing") },
        { href: "#/audit", label: t("nav.audit") },
        { href: "#/moderation", label: t("nav.reviews") },
        { href: "#/dead-letters", label: t("nav.deadLetters") },
        { href: "#/webhooks", label: t("nav.webhooks") },
        { href: "#/promotions", label: t("nav.promotions") },
      ];
  const sections = new Set(nav.map((item) => item.href.slice(2)));
  // Operators open one order from the exceptions queue (#/orders/<id>) without an orders list of their own.
  const known =
    restaurant !== undefined && (sections.has(section) || (restaurant === null && section === "orders" && !!param));

  useEffect(() => {
    if (restaurant !== undefined && !known) location.replace(nav[0]?.href ?? "#/");
  });
  // A failure belongs to the screen it happened on.
  const route = `${section}/${param ?? ""}`;
  const shownRoute = useRef(route);
  useEffect(() => {
    if (shownRoute.current === route) return;
    shownRoute.current = route;
    dismiss();
  });
  useEffect(() => {
    document.title = `${t("app.brand")} · ${t("app.title")}`;
  }, [t]);
  // A kitchen's new orders as pushes with the tab closed; only where the service worker runs (built console).
  const staffId = props.user.role === "restaurant_staff" ? props.user.id : null;
  useEffect(() => {
    if (staffId && import.meta.env.PROD) {
      void enableWebPush(api, { app: "console", language: locale.startsWith("pt") ? "pt" : "en" });
    }
  }, [staffId, locale]);

  let screen: ReactNode = <p className="muted">{t("app.loading")}</p>;
  if (known && restaurant) {
    if (section === "board") screen = <BoardScreen restaurant={restaurant} selected={param} />;
    else if (section === "orders" && param) screen = <StandaloneOrder key={param} orderId={param} />;
    else if (section === "orders") screen = <HistoryScreen restaurant={restaurant} />;
    else if (section === "menu") screen = <MenuScreen restaurant={restaurant} />;
    else if (section === "editor") screen = <MenuEditorScreen restaurant={restaurant} />;
    else if (section === "hours") screen = <HoursScreen restaurant={restaurant} />;
    else if (section === "kitchen") screen = <KitchenScreen restaurant={restaurant} />;
    else if (section === "stock") screen = <StockScreen restaurant={restaurant} />;
    else if (section === "reports") screen = <ReportsScreen restaurant={restaurant} />;
    else if (section === "reviews") screen = <ReviewsScreen restaurant={restaurant} />;
    else if (section === "money") screen = <StatementScreen restaurant={restaurant} />;
    else if (section === "webhooks") screen = <WebhooksScreen restaurant={restaurant} endpointId={param} />;
    else if (section === "promotions") screen = <PromotionsScreen restaurant={restaurant} />;
  } else if (known) {
    screen = operatorScreen(section, param, extra);
  }

  return (
    <AppShell
      brand={t("app.brand")}
      place={restaurant === undefined ? undefined : (restaurant?.name ?? t("app.operations"))}
      nav={nav}
      currentHref={`#/${section}`}
      labels={{ skip: t("app.skip"), nav: t("app.nav"), dismiss: t("app.dismiss") }}
      account={
        <>
          <span className="muted email">{props.user.email}</span>
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

/** An operator's screen for the route; the sections are those in the nav. */
function operatorScreen(section: string, param: string | undefined, extra: string | undefined): ReactNode {
  switch (section) {
    case "overview":
      return <OverviewScreen />;
    case "map":
      return <LiveMapScreen />;
    case "exceptions":
      return <ExceptionsScreen orderId={param} />;
    case "restaurants":
      return param ? <RestaurantFormScreen key={param} id={param === "new" ? null : param} /> : <RestaurantsScreen />;
    case "couriers":
      return <CouriersScreen />;
    case "accounts":
      return <AccountsScreen />;
    case "webhooks":
      return <WebhooksScreen restaurant={null} endpointId={param} />;
    case "surge":
      return <SurgeScreen />;
    case "pricing":
      return <PricingScreen />;
    case "promotions":
      return <PlatformPromotionsScreen />;
    case "moderation":
      return <ModerationScreen />;
    case "orders":
      return param ? <StandaloneOrder key={param} orderId={param} operator /> : null;
    case "audit":
      return <AuditScreen key={`${param}/${extra}`} entityType={param} entityId={extra} />;
    default:
      return <DeadLettersScreen />;
  }
}

function StandaloneOrder(props: { orderId: string; operator?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="standalone">
      <a href={props.operator ? "#/exceptions" : "#/orders"} className="back">
        {props.operator ? t("order.backToExceptions") : t("order.backToOrders")}
      </a>
      <OrderDetail orderId={props.orderId} operator={props.operator} />
    </div>
  );
}
