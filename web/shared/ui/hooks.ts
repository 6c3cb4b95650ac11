// Small React hooks the apps share: hash routes (a static Pages site has no
// server routes), the signed-in user, and the clock that ages relative times.
import { useEffect, useState, useSyncExternalStore } from "react";
import type { ApiClient, User } from "../api/client.ts";

function subscribeToHash(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** The route as segments: "#/board/abc" → ["board", "abc"]; "" → []. */
export function useHashRoute(): string[] {
  const hash = useSyncExternalStore(subscribeToHash, () => location.hash);
  return hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
}

export function navigate(hash: string): void {
  location.hash = hash;
}

/** The signed-in user, re-rendering on sign-in, sign-out and a session that ended by itself. */
export function useUser(api: ApiClient): User | null {
  return useSyncExternalStore(
    (onChange) => api.onSessionChange(onChange),
    () => api.user,
  );
}

/** The current time, updated every `everyMs`: for "4 min ago" texts that age without any message. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
