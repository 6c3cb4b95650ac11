// What every screen shares: the cart (kept across reloads), where to deliver,
// and the way errors become words in the current language.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { ApiError, type SavedAddress } from "./api.ts";
import { type Cart, loadCart, saveCart } from "./cart.ts";
import { useI18n } from "./i18n.ts";

export interface Place {
  lat: number;
  lng: number;
  /** Where the point came from: named in the current language, whatever it was when chosen. */
  kind?: "here" | "centre" | "saved";
  label: string;
  /** A saved address carries everything checkout needs. */
  address?: SavedAddress | undefined;
}

/** The demo city's centre: where the app looks before it knows better. */
export const CITY_CENTRE: Place = { lat: 38.7115, lng: -9.1365, kind: "centre", label: "Baixa, Lisboa" };

/** The place's name in the current language. */
export function usePlaceName(): (place: Place) => string {
  const { t } = useI18n();
  return useCallback(
    (place: Place) =>
      place.kind === "here" ? t("where.myLocation") : place.kind === "centre" ? t("where.centre") : place.label,
    [t],
  );
}
const PLACE_KEY = "edge-delivery.customer.place";

function loadPlace(): Place {
  try {
    const raw = localStorage.getItem(PLACE_KEY);
    const place = raw ? (JSON.parse(raw) as Place) : null;
    if (place && Number.isFinite(place.lat) && Number.isFinite(place.lng)) return place;
  } catch {
    // A broken entry means the centre.
  }
  return CITY_CENTRE;
}

interface Shared {
  cart: Cart | null;
  setCart(cart: Cart | null): void;
  place: Place;
  setPlace(place: Place): void;
}

const SharedContext = createContext<Shared | null>(null);

export function SharedProvider(props: { children: ReactNode }) {
  const [cart, setCartState] = useState<Cart | null>(() => loadCart());
  const [place, setPlaceState] = useState<Place>(loadPlace);
  const setCart = useCallback((next: Cart | null) => {
    saveCart(next);
    setCartState(next);
  }, []);
  const setPlace = useCallback((next: Place) => {
    localStorage.setItem(PLACE_KEY, JSON.stringify(next));
    setPlaceState(next);
  }, []);
  // Another tab changed the cart: follow it.
  useEffect(() => {
    const onStorage = () => setCartState(loadCart());
    window.addEventListener("storage", onStorage);
    return () => window.removeEventListener("storage", onStorage);
  }, []);
  const value = useMemo(() => ({ cart, setCart, place, setPlace }), [cart, setCart, place, setPlace]);
  return <SharedContext.Provider value={value}>{props.children}</SharedContext.Provider>;
}

export function useShared(): Shared {
  const value = useContext(SharedContext);
  if (!value) throw new Error("useShared outside SharedProvider");
  return value;
}

/** The error in the current language when the app knows its code, else the API's own message. */
export function useErrorText(): (error: unknown) => string {
  const { t, maybe } = useI18n();
  return useCallback(
    (error: unknown) => {
      if (error instanceof ApiError) return maybe(`err.${error.code}`) ?? error.describe();
      if (error instanceof Error && error.message) return error.message;
      return t("app.somethingWrong");
    },
    [t, maybe],
  );
}
