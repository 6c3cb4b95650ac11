// The two voices of an app: a polite live region for news ("New order
// #3F9A1C") that screen readers read without moving focus, and an alert for
// failures, which shows the API's own message when there is one.
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";

export interface Notices {
  /** A short toast, read out politely. */
  announce(message: string): void;
  /** Shows a failure until dismissed or replaced. */
  fail(error: unknown): void;
  dismiss(): void;
}

interface NoticeState {
  toasts: Array<{ id: number; text: string }>;
  alert: string | null;
}

const NoticesContext = createContext<(Notices & NoticeState) | null>(null);

const TOAST_MS = 6000;

/** The message a person should read for `error`. */
export function describeError(error: unknown, fallback: string): string {
  if (error instanceof ApiError) return error.describe();
  if (error instanceof Error && error.message) return error.message;
  return fallback;
}

export function NoticesProvider(props: { children: ReactNode; fallbackError: string }) {
  const [state, setState] = useState<NoticeState>({ toasts: [], alert: null });
  const nextId = useRef(0);
  const { fallbackError } = props;

  const announce = useCallback((text: string) => {
    const id = ++nextId.current;
    setState((s) => ({ ...s, toasts: [...s.toasts, { id, text }] }));
    setTimeout(() => setState((s) => ({ ...s, toasts: s.toasts.filter((t) => t.id !== id) })), TOAST_MS);
  }, []);
  const fail = useCallback(
    (error: unknown) => setState((s) => ({ ...s, alert: describeError(error, fallbackError) })),
    [fallbackError],
  );
  const dismiss = useCallback(() => setState((s) => (s.alert === null ? s : { ...s, alert: null })), []);

  const value = useMemo(() => ({ ...state, announce, fail, dismiss }), [state, announce, fail, dismiss]);
  return <NoticesContext.Provider value={value}>{props.children}</NoticesContext.Provider>;
}

function useNoticeState() {
  const value = useContext(NoticesContext);
  if (!value) throw new Error("notices used outside NoticesProvider");
  return value;
}

export function useNotices(): Notices {
  const { announce, fail, dismiss } = useNoticeState();
  return useMemo(() => ({ announce, fail, dismiss }), [announce, fail, dismiss]);
}

/** The failure, if any, with a button to dismiss it. */
export function AlertBar(props: { dismissLabel: string }) {
  const { alert, dismiss } = useNoticeState();
  if (alert === null) return null;
  return (
    <div className="alert" role="alert">
      <span>{alert}</span>
      <button type="button" className="ghost" onClick={dismiss}>
        {props.dismissLabel}
      </button>
    </div>
  );
}

/** Recent news, bottom right. The region is always present so screen readers notice additions. */
export function Toasts() {
  const { toasts } = useNoticeState();
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <p key={toast.id} className="toast">
          {toast.text}
        </p>
      ))}
    </div>
  );
}
