// The frame of a signed-in app: a skip link, the top bar (brand, place,
// navigation, account), the failure alert, the page and the news toasts.
import type { ReactNode } from "react";
import { AlertBar, Toasts } from "./notices.tsx";

export interface NavItem {
  href: string;
  label: string;
}

export interface AppShellProps {
  brand: string;
  /** What this session is about, e.g. the restaurant's name. */
  place?: string | undefined;
  nav: readonly NavItem[];
  /** The nav item shown as the current page. */
  currentHref?: string | undefined;
  /** Right of the navigation: who is signed in, language, sign-out. */
  account?: ReactNode;
  labels: { skip: string; nav: string; dismiss: string };
  children: ReactNode;
}

/** A button, not a `#main` link: the hash belongs to the router. */
function skipToMain(): void {
  document.getElementById("main")?.focus();
}

export function AppShell(props: AppShellProps) {
  return (
    <div className="shell">
      <header className="topbar">
        <button type="button" className="skip" onClick={skipToMain}>
          {props.labels.skip}
        </button>
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>
          <span>{props.brand}</span>
          {props.place ? <span className="place">{props.place}</span> : null}
        </div>
        <nav aria-label={props.labels.nav}>
          {props.nav.map((item) => (
            <a key={item.href} href={item.href} aria-current={item.href === props.currentHref ? "page" : undefined}>
              {item.label}
            </a>
          ))}
        </nav>
        <div className="who">{props.account}</div>
      </header>
      <AlertBar dismissLabel={props.labels.dismiss} />
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
      <Toasts />
    </div>
  );
}
