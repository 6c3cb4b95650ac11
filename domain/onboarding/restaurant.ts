// Rules for putting a restaurant on the map, without I/O: its slug, its time
// zone, which delivery area it belongs to, and whether it can be served at all.
import { type Polygon, pointInPolygon } from "../delivery-areas/point-in-polygon.ts";

export interface DeliveryAreaShape {
  id: string;
  name: string;
  polygon: Polygon;
  currency: string;
  active: boolean;
}

export interface Located {
  lat: number;
  lng: number;
}

/** URL-safe, lower-case, ASCII: "Forno Napoletano & Co." → "forno-napoletano-co". */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
  return slug || "restaurant";
}

/** An IANA zone the runtime knows ("Europe/Lisbon"); opening hours are read in it. */
export function isValidTimeZone(timeZone: string): boolean {
  if (!/^[A-Za-z]+(?:[/_+-][A-Za-z0-9_+-]+)*$/.test(timeZone)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The first active delivery area containing the point, by name for a stable answer. */
export function areaContaining<A extends DeliveryAreaShape>(point: Located, areas: readonly A[]): A | null {
  return (
    [...areas]
      .filter((a) => a.active && pointInPolygon(point.lat, point.lng, a.polygon))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))[0] ?? null
  );
}

export interface RestaurantFlags {
  /** No active delivery area contains the restaurant: couriers may still come, but it sits outside the map we serve. */
  outsideEveryDeliveryArea: boolean;
  /** It names a delivery area that does not contain it (moved, or the area was redrawn). */
  outsideOwnDeliveryArea: boolean;
  /** It names no delivery area at all. */
  noDeliveryArea: boolean;
}

export function restaurantFlags(
  restaurant: Located & { deliveryAreaId: string | null },
  areas: readonly DeliveryAreaShape[],
): RestaurantFlags {
  const own = areas.find((a) => a.id === restaurant.deliveryAreaId);
  return {
    outsideEveryDeliveryArea: areaContaining(restaurant, areas) === null,
    outsideOwnDeliveryArea:
      own !== undefined && !(own.active && pointInPolygon(restaurant.lat, restaurant.lng, own.polygon)),
    noDeliveryArea: restaurant.deliveryAreaId === null,
  };
}

export type AreaCheck =
  | { ok: true }
  | { ok: false; code: "delivery_area_not_found" | "delivery_area_currency_mismatch"; message: string };

/** A restaurant prices in its delivery area's currency: fees and food must add up in one. */
export function checkAreaForRestaurant(
  currency: string,
  deliveryAreaId: string | null,
  areas: readonly DeliveryAreaShape[],
): AreaCheck {
  if (deliveryAreaId === null) return { ok: true };
  const area = areas.find((a) => a.id === deliveryAreaId);
  if (!area) return { ok: false, code: "delivery_area_not_found", message: "No delivery area has this id." };
  if (area.currency !== currency) {
    return {
      ok: false,
      code: "delivery_area_currency_mismatch",
      message: `The delivery area "${area.name}" charges in ${area.currency}; the restaurant's currency is ${currency}.`,
    };
  }
  return { ok: true };
}
