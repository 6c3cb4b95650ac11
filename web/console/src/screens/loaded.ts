// Loading what a screen shows: the value, the failure to say instead, and a
// reload after a change. A late answer for a screen that has moved on is dropped.
import { useCallback, useEffect, useRef, useState } from "react";
import { failureText } from "../api.ts";

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload(): Promise<void>;
  set(value: T): void;
}

export function useLoaded<T>(load: () => Promise<T>, key: string, failed: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loader = useRef(load);
  loader.current = load;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const value = await loader.current();
      if (mine === generation.current) {
        setData(value);
        setError(null);
      }
    } catch (cause) {
      if (mine === generation.current) setError(failureText(cause, failed));
    }
  }, [failed]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what is loaded; a new key loads again.
  useEffect(() => {
    void reload();
    return () => {
      generation.current++;
    };
  }, [key, reload]);

  return { data, error, reload, set: setData };
}

/** Minutes as a whole number, or null for an empty field. */
export function numberOrNull(text: string): number | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : Number(trimmed);
}

/** "12.50" typed in a price field as whole minor units; never a float sent to the API. */
export function toMinor(text: string): number {
  return Math.round(Number(text.replace(",", ".")) * 100);
}
